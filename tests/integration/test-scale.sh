#!/bin/bash
# A few hundred services at once (issue 17, item 2; bench/scale.sh measures a thousand): all
# started through the bus at once (sleep infinity, the default confinement), all running, each
# in its own scope; list and status answer; stopping all of them leaves nothing: no scope, no
# init, no state file, no mount of theirs, no ID range claimed (a second round starts
# the first 100 again: their names, ID ranges and scopes reused). No time is asserted.
# SCALE_N sets how many (default 400: past the ~340 services at which the daemon's fds once
# filled every number under FD_SETSIZE and every start failed; 100 under ASan).
. "$TESTS/lib.sh"

P=sclx
work=$(mktemp -d /tmp/isolated-scale.XXXXXX)
daemon=$(daemon_pid)
asan() { grep -q libasan "/proc/$daemon/maps" 2>/dev/null; }
if [ -n "${SCALE_N:-}" ]; then N=$SCALE_N; elif asan; then N=100; else N=400; fi
FIRST_N=$N
echo "# $N services"

names() { seq -f "$P-%g" 0 $((FIRST_N - 1)); }
# The bus calls, at most 100 in flight (dbus-daemon allows a connection 128 pending replies).
calls() { # METHOD [TEXT]
        python3 - "$1" "$N" "$P" "${2:-}" <<'PY'
import subprocess, sys
method, n, prefix, text = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
procs, failed = [], 0
def reap(limit):
    global failed
    while len(procs) > limit:
        p = procs.pop(0)
        if p.wait() != 0:
            failed += 1
for i in range(n):
    args = ["busctl", "call", "--timeout=120", "org.isolated1", "/org/isolated1", "org.isolated1.Manager", method]
    args += ["ss", f"{prefix}-{i}", text] if method == "StartService" else ["s", f"{prefix}-{i}"]
    procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    reap(100)
reap(0)
print(failed)
PY
}
cleanup() {
        names | xargs -r -n 50 isolatectl stop >/dev/null 2>&1
        names | xargs -r -n 50 isolatectl reset-failed >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

running_count() { isolatectl list --no-legend | awk -v p="$P-" 'index($1, p) == 1 && $2 == "running"' | wc -l; }
left_scopes() { systemctl list-units --all --plain --no-legend "isolated-$P-*.scope" | wc -l; }
left_inits() {
        local n=0 pid
        for pid in $(pgrep -x isolate-init); do
                grep -q "isolated-$P-" "/proc/$pid/cgroup" 2>/dev/null && n=$((n + 1))
        done
        echo $n
}
left_states() { find /run/isolated/state -maxdepth 1 -name "$P-*" | wc -l; }
left_mounts() { grep -c "isolated-$P-\|/$P-" /proc/self/mountinfo || true; }

round() { # ROUND
        local r=$1 failed
        failed=$(calls StartService "$(printf '[Service]\nExecStart=/bin/sleep infinity\n')")
        check_eq "round $r: $N StartService at once, none failed" "$failed" 0
        check "round $r: all $N running" wait_for 60 test "$(running_count)" = "$N"
        check_eq "round $r: $N scopes active" \
                "$(systemctl list-units --plain --no-legend --state=active "isolated-$P-*.scope" | wc -l)" "$N"
        # Each in its own scope, its main process its own.
        local k=$((N / 2)) init main
        init=$(prop "$P-$k" InitPID) main=$(prop "$P-$k" MainPID)
        check "round $r: $P-$k's init is in its scope" grep -q "isolated-$P-$k.scope" "/proc/$init/cgroup"
        check "round $r: $P-$k runs sleep" sh -c "tr '\\0' ' ' < /proc/$main/cmdline | grep -q '^/bin/sleep infinity'"
        # \$INVOCATION_ID is its scope's (this one's, not the previous scope's of the name: round 2).
        check_eq "round $r: $P-$k's \$INVOCATION_ID is its scope's" \
                "$(tr '\0' '\n' < "/proc/$main/environ" | sed -n 's/^INVOCATION_ID=//p')" \
                "$(systemctl show -P InvocationID "isolated-$P-$k.scope")"
        check_match "round $r: $P-$k has an \$INVOCATION_ID" "^INVOCATION_ID=[0-9a-f]{32}\$" "$(tr '\0' '\n' < "/proc/$main/environ")"
        check_eq "round $r: list shows all $N" "$(isolatectl list --no-legend | grep -c "^$P-")" "$N"
        check "round $r: status of one answers" isolatectl status --lines=0 "$P-$k"
        failed=$(calls StopService)
        check_eq "round $r: $N StopService at once, none failed" "$failed" 0
        check "round $r: no scope left" wait_for 60 test "$(left_scopes)" = 0
        check_eq "round $r: no init left" "$(left_inits)" 0
        check_eq "round $r: no state file left" "$(left_states)" 0
        check_eq "round $r: no mount of theirs left" "$(left_mounts)" 0
        names | xargs -r -n 50 isolatectl reset-failed >/dev/null 2>&1
        check_eq "round $r: no record left" "$(isolatectl list --all --no-legend | grep -c "^$P-")" 0
}

testcase_many() {
        round 1
        # The ID ranges, state and scopes of round 1 are all given back: the same names start again.
        N=$((N < 100 ? N : 100)) round 2
        check "the daemon is the same process" test "$(daemon_pid)" = "$daemon"
}

run_testcases
