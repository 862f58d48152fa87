#!/bin/bash
# Health checks (issue 18): [Isolate] HealthCheck= runs inside the service's confinement; the
# Health property goes starting -> healthy -> unhealthy (over the bus with PropertiesChanged, in
# `isolatectl status`), HealthOnFailure=restart restarts in place (NRestarts), kill ends it
# (Result=health), HealthReady=yes holds the start until the first healthy check, a check that
# hangs is killed after HealthTimeout=, a restarted daemon runs the checks on, and bad values are
# refused naming file:line.
# The checks test a file of the host's ($work/NAME.ok, read-only inside) that the test creates and
# removes. CASE=NAME runs one case (testcase_NAME): ONLY=health:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-health.XXXXXX)
chmod 755 "$work"
names="hlstate hlrestart hlkill hlkillr hlready hlreadyf hlreadyt hltimeout hlmissing hlconf hlreadopt hlbad"
monitor_pid=
cleanup() {
        [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
        systemctl start isolated.service
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -rf "$work"
}
trap cleanup EXIT

# unit NAME "[Service] LINES" "[Isolate] LINES": writes $work/NAME.service.
write_unit() {
        printf '[Service]\n%b\n[Isolate]\n%b\n' "$2" "$3" > "$work/$1.service"
}
unit() { write_unit "$@" && isolatectl start "$1" "$work/$1.service"; }
# A check that passes while $work/NAME.ok exists, every 200ms.
check_file() { printf 'HealthCheck=/bin/test -e %s\nHealthInterval=200ms\n' "$work/$1.ok"; }
status_health() { isolatectl status -n 0 "$1" 2>/dev/null | sed -n 's/^ *Health: //p'; }
status_has() { [ "$(status_health "$1")" = "$2" ]; }
stop_clean() { # NAME
        check "$1: stop" isolatectl stop "$1"
        check "$1: its scope is gone" wait_for 10 sh -c "! systemctl is-active -q isolated-$1.scope"
        isolatectl reset-failed "$1" >/dev/null 2>&1
}

# --- starting -> healthy -> unhealthy, over the bus and in status ---------------------------
testcase_states() {
        local sigs i
        busctl monitor --json=short --match "type='signal',sender='org.isolated1',member='PropertiesChanged'" \
                --match "type='signal',interface='org.isolated1.HealthTest'" > "$work/signals" 2>/dev/null &
        monitor_pid=$!
        # The monitor listens once it saw a signal of ours.
        ping() { busctl emit /hl org.isolated1.HealthTest Ping >/dev/null 2>&1; grep -q HealthTest "$work/signals"; }
        check "the bus monitor listens" wait_for 10 ping

        # Failures within HealthStartPeriod= do not count: it stays starting until the file is there.
        unit hlstate "ExecStart=/bin/sleep infinity" "$(check_file hlstate)\nHealthRetries=2\nHealthStartPeriod=1h" ||
                not_ok "start hlstate"
        check_eq "hlstate: Health starting (the check fails within HealthStartPeriod=)" starting "$(prop hlstate Health)"
        check "hlstate: status shows Health: starting" status_has hlstate starting
        touch "$work/hlstate.ok"
        check "hlstate: Health turns healthy" wait_prop hlstate Health healthy 10
        check "hlstate: status shows Health: healthy" status_has hlstate healthy
        # Once it passed, failures count, start period or not.
        rm "$work/hlstate.ok"
        check "hlstate: Health turns unhealthy" wait_prop hlstate Health unhealthy 10
        check "hlstate: status shows Health: unhealthy" status_has hlstate unhealthy
        check_eq "hlstate: State stays running (HealthOnFailure=none)" running "$(prop hlstate State)"
        check_eq "hlstate: not restarted" 0 "$(prop hlstate NRestarts)"
        touch "$work/hlstate.ok"
        check "hlstate: healthy again once the check passes" wait_prop hlstate Health healthy 10
        check_match "hlstate: show lists Health" "^Health=healthy$" "$(isolatectl show hlstate 2>&1)"
        stop_clean hlstate

        kill "$monitor_pid"; wait "$monitor_pid" 2>/dev/null; monitor_pid=
        sigs=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try: m = json.loads(line)
    except ValueError: continue
    data = m.get("payload", {}).get("data", [])
    if m.get("path") == "/org/isolated1/service/hlstate" and len(data) > 1 and "Health" in data[1]:
        print(data[1]["Health"]["data"])' "$work/signals" | tr '\n' ' ')
        check_eq "hlstate: PropertiesChanged told each change of Health, in order" \
                "starting healthy unhealthy healthy " "$sigs"
}

# --- HealthOnFailure=restart: a restart in place, NRestarts counts it ----------------------
testcase_restart() {
        local main
        touch "$work/hlrestart.ok"
        # HealthStartPeriod=: after the restart the check fails uncounted until the file is back (no
        # second restart, however slow the test is to put it back within the minute).
        unit hlrestart "ExecStart=/bin/sleep infinity" \
                "$(check_file hlrestart)\nHealthRetries=2\nHealthOnFailure=restart\nHealthStartPeriod=1min" ||
                not_ok "start hlrestart"
        check "hlrestart: healthy" wait_prop hlrestart Health healthy 10
        main=$(prop hlrestart MainPID)
        rm "$work/hlrestart.ok"
        check "hlrestart: restarted when unhealthy (NRestarts goes up)" wait_prop hlrestart NRestarts '!0' 10
        check_eq "hlrestart: once" 1 "$(prop hlrestart NRestarts)"
        check "hlrestart: Health starting again once the main process is back" wait_prop hlrestart Health starting 10
        touch "$work/hlrestart.ok"
        check "hlrestart: healthy after the restart" wait_prop hlrestart Health healthy 10
        check_eq "hlrestart: running" running "$(prop hlrestart State)"
        check "hlrestart: a new main process" test "$(prop hlrestart MainPID)" != "$main"
        check_eq "hlrestart: Result success" success "$(prop hlrestart Result)"
        # For the record (the log): what an administrator sees.
        isolatectl status -n 5 hlrestart 2>&1 | sed 's/^/#   /'
        stop_clean hlrestart
}

# --- HealthOnFailure=kill: ended, Result=health -------------------------------------------
testcase_kill() {
        touch "$work/hlkill.ok"
        unit hlkill "ExecStart=/bin/sleep infinity" "$(check_file hlkill)\nHealthRetries=2\nHealthOnFailure=kill" ||
                not_ok "start hlkill"
        check "hlkill: healthy" wait_prop hlkill Health healthy 10
        rm "$work/hlkill.ok"
        check "hlkill: ended when unhealthy" wait_prop hlkill State failed 10
        check_eq "hlkill: Result health" health "$(prop hlkill Result)"
        check_eq "hlkill: Health unhealthy (the last verdict)" unhealthy "$(prop hlkill Health)"
        check "hlkill: its scope is gone" wait_for 10 sh -c "! systemctl is-active -q isolated-hlkill.scope"
        isolatectl reset-failed hlkill >/dev/null 2>&1

        # With Restart=on-failure the kill is a failure like any other: restarted in place.
        touch "$work/hlkillr.ok"
        unit hlkillr "ExecStart=/bin/sleep infinity\nRestart=on-failure\nRestartSec=100ms" \
                "$(check_file hlkillr)\nHealthRetries=2\nHealthOnFailure=kill\nHealthStartPeriod=1min" ||
                not_ok "start hlkillr"
        check "hlkillr: healthy" wait_prop hlkillr Health healthy 10
        rm "$work/hlkillr.ok"
        check "hlkillr: killed and restarted by Restart=" wait_prop hlkillr NRestarts '!0' 10
        touch "$work/hlkillr.ok"
        check "hlkillr: healthy after the restart" wait_prop hlkillr Health healthy 10
        check_eq "hlkillr: running" running "$(prop hlkillr State)"
        check_eq "hlkillr: Result success while running" success "$(prop hlkillr Result)"
        stop_clean hlkillr
}

# --- HealthReady=yes: the start returns with the first healthy check ----------------------
testcase_ready() {
        local start_pid rc out
        write_unit hlready "Type=notify\nNotifyAccess=all\nExecStart=/bin/sh -c 'systemd-notify --ready; exec sleep infinity'" \
                "$(check_file hlready)\nHealthReady=yes\nHealthStartPeriod=1h"
        isolatectl start hlready "$work/hlready.service" > "$work/hlready.out" 2>&1 &
        start_pid=$!
        # READY=1 came, the check ran and failed: still starting, start not returned.
        check "hlready: the check runs" wait_prop hlready Health starting 10
        check "hlready: the main process was started" wait_prop hlready MainPID '!0' 10
        check_eq "hlready: State starting while not healthy" starting "$(prop hlready State)"
        check "hlready: start has not returned" kill -0 "$start_pid"
        touch "$work/hlready.ok"
        check "hlready: start returns once healthy" wait_for 10 sh -c "! kill -0 $start_pid"
        wait "$start_pid"; rc=$?
        check_eq "hlready: start succeeded" 0 "$rc"
        check_eq "hlready: running" running "$(prop hlready State)"
        check_eq "hlready: healthy" healthy "$(prop hlready Health)"
        stop_clean hlready

        # Unhealthy before healthy: the start fails, Result=health.
        write_unit hlreadyf "ExecStart=/bin/sleep infinity" "$(check_file hlreadyf)\nHealthReady=yes\nHealthRetries=2"
        out=$(timeout 30 isolatectl start hlreadyf "$work/hlreadyf.service" 2>&1); rc=$?
        check "hlreadyf: start fails when unhealthy first" test "$rc" -ne 0
        check_match "hlreadyf: and says why" "health check failed 2 times" "$out"
        check "hlreadyf: failed" wait_prop hlreadyf State failed 10
        check_eq "hlreadyf: Result health" health "$(prop hlreadyf Result)"
        isolatectl reset-failed hlreadyf >/dev/null 2>&1

        # Never healthy (failures uncounted in the start period): TimeoutStartSec= bounds the wait.
        write_unit hlreadyt "ExecStart=/bin/sleep infinity\nTimeoutStartSec=2s" \
                "$(check_file hlreadyt)\nHealthReady=yes\nHealthStartPeriod=1h"
        out=$(timeout 30 isolatectl start hlreadyt "$work/hlreadyt.service" 2>&1); rc=$?
        check "hlreadyt: start fails after TimeoutStartSec=" test "$rc" -ne 0
        check_match "hlreadyt: and says so" "TimeoutStartSec" "$out"
        check "hlreadyt: failed" wait_prop hlreadyt State failed 10
        check_eq "hlreadyt: Result timeout" timeout "$(prop hlreadyt Result)"
        isolatectl reset-failed hlreadyt >/dev/null 2>&1

        # The main process ends before the first healthy check: the start fails with its end,
        # Result=exit-code (not protocol: the init named it), as systemd's "Main process exited".
        write_unit hlreadye "ExecStart=/bin/sh -c 'sleep 0.5; exit 3'" \
                "$(check_file hlreadye)\nHealthReady=yes\nHealthStartPeriod=1h"
        out=$(timeout 30 isolatectl start hlreadye "$work/hlreadye.service" 2>&1); rc=$?
        check "hlreadye: start fails when the main process ends first" test "$rc" -ne 0
        check_match "hlreadye: and says so" "Main process ended \(exited, status 3\) before the service started" "$out"
        check "hlreadye: failed" wait_prop hlreadye State failed 10
        check_eq "hlreadye: Result exit-code, status 3" "exit-code 3" "$(prop hlreadye Result) $(prop hlreadye ExitStatus)"
        isolatectl reset-failed hlreadye >/dev/null 2>&1
}

# --- a check that hangs is killed after HealthTimeout= -------------------------------------
testcase_timeout() {
        local init t0 t1
        # Each check notes its start in the service's /tmp, then hangs.
        unit hltimeout "ExecStart=/bin/sleep infinity" \
                "HealthCheck=/bin/sh -c 'echo \$\$ >> /tmp/checks; exec sleep 1000'\nHealthTimeout=300ms\nHealthInterval=200ms\nHealthRetries=1" ||
                not_ok "start hltimeout"
        t0=$(date +%s%N)
        check "hltimeout: unhealthy (the check timed out)" wait_prop hltimeout Health unhealthy 10
        t1=$(date +%s%N)
        check "hltimeout: within seconds, not the check's 1000 s ($(((t1 - t0) / 1000000)) ms)" \
                test $(((t1 - t0) / 1000000)) -lt 5000
        init=$(prop hltimeout InitPID)
        started() { [ "$(nsenter -t "$init" -m cat /tmp/checks 2>/dev/null | wc -l)" -ge 4 ]; }
        check "hltimeout: a check is started again and again" wait_for 20 started
        # Killed: of the four or more started, only the one running now may be left.
        hanging() {
                local n=0 p
                for p in $(pids_in_pidns_of "$init"); do
                        [ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" = "sleep 1000 " ] && n=$((n + 1))
                done
                [ "$n" -le 1 ]
        }
        check "hltimeout: each check is killed after its HealthTimeout=" wait_for 5 hanging
        check_eq "hltimeout: State stays running" running "$(prop hltimeout State)"
        check_eq "hltimeout: still unhealthy" unhealthy "$(prop hltimeout Health)"
        stop_clean hltimeout
}

# --- a check that cannot be started is a failure --------------------------------------------
testcase_missing() {
        unit hlmissing "ExecStart=/bin/sleep infinity" \
                "HealthCheck=/nonexistent/check\nHealthInterval=200ms\nHealthRetries=2" || not_ok "start hlmissing"
        check "hlmissing: unhealthy" wait_prop hlmissing Health unhealthy 10
        # (Bounded: journald reads the daemon's line a moment later.)
        check "hlmissing: the journal says why" wait_for 10 sh -c \
                "journalctl -u isolated.service --no-pager -o cat | grep -q 'hlmissing: health check could not be started'"
        check_eq "hlmissing: State stays running" running "$(prop hlmissing State)"
        stop_clean hlmissing
}

# --- the check runs inside the service's confinement ---------------------------------------
testcase_confinement() {
        local main out
        # What the check sees, written to the service's own /tmp.
        cat > "$work/hc.sh" <<'SH'
echo "$(hostname) $(id -u) ${HLVAR:-unset} $$ $(readlink /proc/self/ns/user) $(readlink /proc/self/ns/pid)" \
     "$(readlink /proc/self/ns/mnt) $(readlink /proc/$$/fd/0) ${INVOCATION_ID:-none}" \
     "fds $(ls /proc/self/fd | tr '\n' ' ')" > /tmp/hc.out.tmp && mv /tmp/hc.out.tmp /tmp/hc.out
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/$$/status > /tmp/hc.status
SH
        chmod 644 "$work/hc.sh"
        unit hlconf "User=nobody\nEnvironment=HLVAR=svc\nExecStart=/bin/sleep infinity" \
                "HealthCheck=/bin/sh $work/hc.sh\nHealthInterval=200ms" || not_ok "start hlconf"
        check "hlconf: healthy" wait_prop hlconf Health healthy 10
        main=$(prop hlconf MainPID)
        out=$(nsenter -t "$main" -m cat /tmp/hc.out 2>&1)
        set -- $out
        check_eq "hlconf: the check sees the service's hostname" hlconf "${1:-}"
        check_eq "hlconf: it runs as User=" 65534 "${2:-}"
        check_eq "hlconf: with the service's environment" svc "${3:-}"
        check "hlconf: a PID of the service's PID namespace (${4:-})" test "${4:-0}" -lt 1000
        check_eq "hlconf: in the service's user namespace" "$(readlink /proc/$main/ns/user)" "${5:-}"
        check "hlconf: not the host's user namespace" test "${5:-}" != "$(readlink /proc/self/ns/user)"
        check_eq "hlconf: in the service's PID namespace" "$(readlink /proc/$main/ns/pid)" "${6:-}"
        check_eq "hlconf: in the service's mount namespace" "$(readlink /proc/$main/ns/mnt)" "${7:-}"
        check_eq "hlconf: its stdin is /dev/null" /dev/null "${8:-}"
        check_eq "hlconf: the service's \$INVOCATION_ID (its scope's)" \
                "$(systemctl show -P InvocationID isolated-hlconf.scope)" "${9:-}"
        check "hlconf: not the daemon's" test "${9:-}" != "$(systemctl show -P InvocationID isolated.service)"
        check_eq "hlconf: its capabilities, no_new_privs and seccomp mode are the main process's" \
                "$(grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/$main/status)" \
                "$(nsenter -t "$main" -m cat /tmp/hc.status 2>&1)"
        # ls's own directory fd is the fourth: nothing else of the daemon's.
        check_match "hlconf: only stdin, stdout, stderr" "fds 0 1 2 3 $" "$out"
        stop_clean hlconf
}

# --- a restarted daemon takes the checks over ---------------------------------------------
testcase_readopt() {
        local init
        touch "$work/hlreadopt.ok"
        unit hlreadopt "ExecStart=/bin/sleep infinity" "$(check_file hlreadopt)\nHealthRetries=2" || not_ok "start hlreadopt"
        check "hlreadopt: healthy" wait_prop hlreadopt Health healthy 10
        init=$(prop hlreadopt InitPID)
        check "restart the daemon" systemctl restart isolated.service
        check_eq "hlreadopt: the same init, re-adopted" "$init" "$(prop hlreadopt InitPID)"
        check "hlreadopt: healthy again under the new daemon" wait_prop hlreadopt Health healthy 10
        rm "$work/hlreadopt.ok"
        check "hlreadopt: its checks run on (unhealthy)" wait_prop hlreadopt Health unhealthy 10
        stop_clean hlreadopt
}

# --- bad values: refused, naming file:line -------------------------------------------------
testcase_bad() {
        local kv out rc
        for kv in "HealthInterval=0" "HealthInterval=soon" "HealthTimeout=infinity" "HealthRetries=0" \
                  "HealthRetries=many" "HealthStartPeriod=-1" "HealthOnFailure=explode" "HealthReady=perhaps" \
                  "HealthCheck=-/bin/true" "HealthCheck=\"/bin/true"; do
                printf '[Service]\nExecStart=/bin/sleep 1\n[Isolate]\nHealthCheck=/bin/true\n%s\n' "$kv" > "$work/hlbad.service"
                out=$(isolatectl verify "$work/hlbad.service" 2>&1); rc=$?
                check_eq "verify refuses $kv" 1 "$rc"
                check_match "and names file:line for $kv" "^$work/hlbad.service:5: .*${kv%%=*}" "$out"
        done
        printf '[Service]\nExecStart=/bin/sleep 1\n[Isolate]\nHealthReady=yes\n' > "$work/hlbad.service"
        out=$(isolatectl verify "$work/hlbad.service" 2>&1)
        check_match "HealthReady=yes without HealthCheck= is refused at its line" \
                "^$work/hlbad.service:4: HealthReady=yes needs HealthCheck=" "$out"
        printf '[Service]\nExecStart=/bin/sleep 1\n[Isolate]\nHealthCheck=/bin/true\nHealthRetries=0\n' > "$work/hlbad.service"
        out=$(isolatectl start hlbad "$work/hlbad.service" 2>&1); rc=$?
        check "start refuses a bad value" test "$rc" -ne 0
        check_match "and names file:line" "hlbad.service:5: .*HealthRetries" "$out"
        printf '%s\n' "[Service]" "ExecStart=/bin/sleep 1" "[Isolate]" "HealthCheck=/bin/true" "HealthInterval=1s" \
                "HealthTimeout=2s" "HealthRetries=5" "HealthStartPeriod=0" "HealthOnFailure=restart" "HealthReady=no" \
                > "$work/hlbad.service"
        check "verify accepts good values" isolatectl verify "$work/hlbad.service"
}

run_testcases
