#!/bin/bash
# Exit statuses and the keys around a run, with systemd 252's meaning (issue 15, items 2 and 4):
# SuccessExitStatus= (iperf3 and privoxy end in success after a clean stop), RestartPreventExitStatus=,
# ExecCondition= (1..254 skips the start), ExecStopPost= (after a stop and after a failed start),
# WatchdogSec= (kills and restarts; WATCHDOG=1 keeps it), RuntimeMaxSec= (Result=timeout),
# Condition*=/Assert*= (a false condition leaves nothing: no scope, no state, no record), and a
# Type=forking start whose daemon died failing at once.
# CASE=NAME runs one case (testcase_NAME): ONLY=exec-status:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-xs.XXXXXX)
chmod 755 "$work"
token=$(basename "$work" | tr -dc 'A-Za-z0-9')
names="xs1 xs2 xs3 xs4 xs5 xs6 xs7 xs8 xs9 xs10 xs11 xs12 xs13 xs14 xs15 xs16 xs17 xs18"
cleanup() {
        for n in $names; do
                isolatectl stop "$n" >/dev/null 2>&1
                isolatectl reset-failed "$n" >/dev/null 2>&1
                systemctl stop "isolated-$n.scope" >/dev/null 2>&1
        done
        systemctl start isolated.service >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

# svc NAME LINES...: writes $work/NAME.service with [Service] and the lines ([Unit] lines first
# when given as "[Unit]" then lines, then "[Service]").
svc() {
        local n=$1; shift
        { [ "${1:-}" = "[Unit]" ] || echo "[Service]"; printf '%s\n' "$@"; } > "$work/$n.service"
}
journal() { journalctl -u "isolated-$1.scope" -o cat 2>/dev/null; }
in_journal() { grep -q -- "$2" <<< "$(journal "$1")"; } # (not a pipe: see check_match)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
no_record() { ! isolatectl status "$1" >/dev/null 2>&1; }
no_state() { ! ls /run/isolated/state/"$1".* >/dev/null 2>&1; }
no_scope() { ! scope_exists "isolated-$1.scope"; }

# iperf3: its SIGTERM handler exits 1, which SuccessExitStatus=1 makes a clean end; privoxy's 143.
testcase_success_exit_status() {
svc xs1 "SuccessExitStatus=1" "ExecStart=/bin/sh -c 'trap \"exit 1\" TERM; sleep 1000 & wait'"
check "iperf3-like service starts" isolatectl start xs1 "$work/xs1.service"
check "stop" isolatectl stop xs1
check_eq "it exited 1 on SIGTERM" "exited 1" "$(prop xs1 ExitCode) $(prop xs1 ExitStatus)"
check_eq "SuccessExitStatus=1: Result=success" success "$(prop xs1 Result)"
check_eq "State exited" exited "$(prop xs1 State)"
svc xs2 "ExecStart=/bin/sh -c 'trap \"exit 1\" TERM; sleep 1000 & wait'"
check "the same without SuccessExitStatus= starts" isolatectl start xs2 "$work/xs2.service"
check "stop" isolatectl stop xs2
check_eq "without it: Result=exit-code" exit-code "$(prop xs2 Result)"
svc xs3 "SuccessExitStatus=15 143" "ExecStart=/bin/sh -c 'trap \"exit 143\" TERM; sleep 1000 & wait'"
check "privoxy-like service starts" isolatectl start xs3 "$work/xs3.service"
check "stop" isolatectl stop xs3
check_eq "SuccessExitStatus=15 143: exit 143 is success" "success 143" "$(prop xs3 Result) $(prop xs3 ExitStatus)"
}

# An exit 7 of SuccessExitStatus= is success on its own end too; RestartPreventExitStatus= stops
# Restart=always.
testcase_exit_7() {
svc xs4 "SuccessExitStatus=7" "ExecStart=/bin/sh -c 'sleep 0.3; exit 7'"
check "exit-7 service starts" isolatectl start xs4 "$work/xs4.service"
check "it ends exited" wait_prop xs4 State exited 10
check_eq "Result=success, status 7" "success 7" "$(prop xs4 Result) $(prop xs4 ExitStatus)"
svc xs5 "Restart=always" "RestartSec=100ms" "RestartPreventExitStatus=7" "ExecStart=/bin/sh -c 'sleep 0.3; exit 7'"
check "Restart=always with RestartPreventExitStatus=7 starts" isolatectl start xs5 "$work/xs5.service"
check "it ends failed, not restarted" wait_prop xs5 State failed 10
check_eq "NRestarts=0" 0 "$(prop xs5 NRestarts)"
check_eq "Result=exit-code" exit-code "$(prop xs5 Result)"
}

# ExecCondition= exit 1: the start is skipped cleanly, nothing left; 255 fails the start.
testcase_exec_condition() {
svc xs6 "Restart=always" "ExecCondition=/bin/sh -c 'exit 1'" "ExecStart=/bin/sh -c 'echo main-ran-$token; exec sleep 1000'"
check "start with a false ExecCondition= succeeds (skipped)" isolatectl start xs6 "$work/xs6.service"
check "the service is exited" wait_prop xs6 State exited 10
check_eq "Result=exec-condition" exec-condition "$(prop xs6 Result)"
check_eq "no restart" 0 "$(prop xs6 NRestarts)"
check "no scope left" wait_for 10 no_scope xs6
check "ExecStart= never ran" sh -c "! journalctl -u isolated-xs6.scope -o cat | grep -q main-ran-$token"
check "start --wait of it exits 0" isolatectl start --wait xs6 "$work/xs6.service"
svc xs7 "ExecCondition=/bin/sh -c 'exit 255'" "ExecStart=/bin/sleep 1000"
out=$(isolatectl start xs7 "$work/xs7.service" 2>&1); rc=$?
check "ExecCondition= exit 255 fails the start" test "$rc" != 0
check_match "naming ExecCondition=" "ExecCondition=.*status 255" "$out"
check_eq "State failed" failed "$(prop xs7 State)"
}

# ExecStopPost= runs after a stop, and after a failed start ("-" ignores its failure).
testcase_stop_post() {
svc xs8 "ExecStart=/bin/sleep 1000" "ExecStopPost=-/bin/false" "ExecStopPost=/bin/sh -c 'echo post-stop-$token'"
check "service with ExecStopPost= starts" isolatectl start xs8 "$work/xs8.service"
check "ExecStopPost= has not run yet" sh -c "! journalctl -u isolated-xs8.scope -o cat | grep -q post-stop-$token"
check "stop" isolatectl stop xs8
check "ExecStopPost= ran after the stop" wait_for 10 in_journal xs8 "post-stop-$token"
check_eq "Result=success" success "$(prop xs8 Result)"
svc xs9 "ExecStartPre=/bin/false" "ExecStart=/bin/sleep 1000" "ExecStopPost=/bin/sh -c 'echo post-failed-$token'"
check "a failing start fails" sh -c "! isolatectl start xs9 $work/xs9.service"
check "ExecStopPost= ran after the failed start" wait_for 10 in_journal xs9 "post-failed-$token"
}

# WatchdogSec=: no WATCHDOG=1 -> SIGABRT, Result=watchdog; Restart=on-watchdog restarts; pings keep it.
testcase_watchdog() {
svc xs10 "WatchdogSec=1" "ExecStart=/bin/sleep 1000"
check "service with WatchdogSec=1 starts" isolatectl start xs10 "$work/xs10.service"
check "the watchdog ends it" wait_prop xs10 State failed 10
check_eq "Result=watchdog" watchdog "$(prop xs10 Result)"
check_match "by SIGABRT" "^(killed|dumped) 6$" "$(prop xs10 ExitCode) $(prop xs10 ExitStatus)"
svc xs11 "WatchdogSec=1" "Restart=on-watchdog" "RestartSec=100ms" "StartLimitBurst=0" "ExecStart=/bin/sleep 1000"
check "Restart=on-watchdog service starts" isolatectl start xs11 "$work/xs11.service"
check "it is restarted" wait_prop xs11 NRestarts '!0' 10
check "stop" isolatectl stop xs11
svc xs12 "WatchdogSec=3" "NotifyAccess=all" \
        "ExecStart=/bin/sh -c 'echo env-\$WATCHDOG_USEC-\$WATCHDOG_PID-\$\$\$\$; while :; do systemd-notify WATCHDOG=1 && echo ping-$token; sleep 0.2; done'"
check "pinging service starts" isolatectl start xs12 "$work/xs12.service"
main=$(prop xs12 MainPID)
check "WATCHDOG_USEC and WATCHDOG_PID are its own" wait_for 10 sh -c "journalctl -u isolated-xs12.scope -o cat | grep -Eq '^env-3000000-([0-9]+)-\\1$'"
check "it pinged for over 4 s, past the 3 s" wait_for 30 sh -c "[ \$(journalctl -u isolated-xs12.scope -o cat | grep -c ping-$token) -ge 20 ]"
check_eq "still running, never restarted" "running 0 $main" "$(prop xs12 State) $(prop xs12 NRestarts) $(prop xs12 MainPID)"
check "stop" isolatectl stop xs12
}

# The watchdog ends the service while the daemon is away: the init's exit record carries
# RESULT=watchdog, and the daemon that comes back shows Result=watchdog.
testcase_watchdog_while_away() {
svc xs10 "WatchdogSec=2" "ExecStart=/bin/sleep 1000"
check "service with WatchdogSec=2 starts" isolatectl start xs10 "$work/xs10.service"
init=$(prop xs10 InitPID)
check "stop the daemon" systemctl stop isolated.service
check "the watchdog ends the service meanwhile" wait_for 15 test ! -d "/proc/$init"
check "start the daemon" systemctl start isolated.service
check_eq "Result=watchdog, from the exit record" "failed watchdog" "$(prop xs10 State) $(prop xs10 Result)"
}

# RuntimeMaxSec=2: stopped after 2 s with Result=timeout.
testcase_runtime_max() {
svc xs13 "RuntimeMaxSec=2" "ExecStart=/bin/sleep 1000"
t=$(date +%s%N)
check "service with RuntimeMaxSec=2 starts" isolatectl start xs13 "$work/xs13.service"
check "it ends" wait_prop xs13 State failed 15
ms=$(ms_since "$t")
check "after about 2 s ($ms ms)" test "$ms" -ge 1900 -a "$ms" -lt 12000
check_eq "Result=timeout" timeout "$(prop xs13 Result)"
}

# Condition*=: a true one starts; a false one leaves nothing (no scope, no state, no record) and
# is no failure; a false Assert*= fails naming file:line, leaving nothing either.
testcase_conditions() {
svc xs14 "[Unit]" "ConditionPathExists=!/nonexistent-$token" "ConditionPathIsDirectory=/etc" "[Service]" "ExecStart=/bin/sleep 1000"
check "ConditionPathExists=!/nonexistent: starts" isolatectl start xs14 "$work/xs14.service"
check_eq "running" running "$(prop xs14 State)"
check "stop" isolatectl stop xs14
svc xs15 "[Unit]" "ConditionPathExists=/nonexistent-$token" "[Service]" "ExecStart=/bin/sleep 1000"
out=$(isolatectl start xs15 "$work/xs15.service" 2>&1); rc=$?
check_eq "a false condition: start exits 0" 0 "$rc"
check_match "and says it was skipped, naming the condition and file:line" \
        "skipped: ConditionPathExists=/nonexistent-$token at .*xs15.service:2" "$out"
check "no record" no_record xs15
check "no state" no_state xs15
check "no scope" no_scope xs15
check "start --wait of it exits 0" isolatectl start --wait xs15 "$work/xs15.service"
svc xs16 "[Unit]" "ConditionPathExists=/" "AssertPathExists=/nonexistent-$token" "[Service]" "ExecStart=/bin/sleep 1000"
out=$(isolatectl start xs16 "$work/xs16.service" 2>&1); rc=$?
check "a false assert fails the start" test "$rc" != 0
check_match "naming the assert and file:line" "AssertPathExists=/nonexistent-$token at .*xs16.service:3 failed" "$out"
check "no record" no_record xs16
check "no state" no_state xs16
check "no scope" no_scope xs16
# ConditionCapability= tests the bounding set of the service's manager, as systemd does, and
# that is the sandbox's: CAP_SYS_TIME, withheld (chrony's unit), is not met, as under a
# container's systemd; CAP_NET_BIND_SERVICE, which it keeps, is (isolated itself has both).
svc xs17 "[Unit]" "ConditionCapability=CAP_SYS_TIME" "[Service]" "ExecStart=/bin/sleep 1000"
out=$(isolatectl start xs17 "$work/xs17.service" 2>&1); rc=$?
check_eq "ConditionCapability=CAP_SYS_TIME: start exits 0" 0 "$rc"
check_match "and says it was skipped" "skipped: ConditionCapability=CAP_SYS_TIME at .*xs17.service:2 was not met" "$out"
check "no scope" no_scope xs17
svc xs18 "[Unit]" "ConditionCapability=CAP_NET_BIND_SERVICE" "[Service]" "ExecStart=/bin/sleep 1000"
check "ConditionCapability=CAP_NET_BIND_SERVICE: starts" isolatectl start xs18 "$work/xs18.service"
check_eq "running" running "$(prop xs18 State)"
check "stop" isolatectl stop xs18
}

# Type=forking whose daemon ended before its PIDFile=: the start fails at once, not at TimeoutStartSec=.
testcase_forking_gone() {
svc xs1 "Type=forking" "PIDFile=/run/xs1.pid" "TimeoutStartSec=60" "ExecStart=/bin/sh -c '(sleep 0.3) & exit 0'"
t=$(date +%s%N)
out=$(isolatectl start xs1 "$work/xs1.service" 2>&1); rc=$?
ms=$(ms_since "$t")
check "the start fails" test "$rc" != 0
check "within 10 s, not TimeoutStartSec=60 ($ms ms)" test "$ms" -lt 10000
check_match "saying why" "ended before the start completed" "$out"
}

# PermissionsStartOnly=yes: ExecStartPre= skips User= (as '!') and the unit's own capability sets
# (systemd runs it unsandboxed; here the sandbox's defaults stay: tor@default's
# `install -o debian-tor -d /run/tor` needs CAP_CHOWN and CAP_FOWNER its bounding set leaves out);
# ExecStart= gets both.
testcase_permissions_start_only() {
svc xs2 "User=nobody" "PermissionsStartOnly=yes" "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" \
        "AmbientCapabilities=CAP_NET_BIND_SERVICE" \
        "ExecStartPre=/bin/sh -c 'echo pre-uid-\$\$(id -u)-$token'" \
        "ExecStartPre=/usr/bin/install -o nobody -g nogroup -m 0750 -d /run/xs2-$token" \
        "ExecStart=/bin/sh -c 'echo main-uid-\$\$(id -u)-$token; echo main-dir-\$\$(stat -c %%U:%%a /run/xs2-$token)-$token; grep CapEff /proc/self/status; exec sleep 1000'"
check "PermissionsStartOnly= service starts" isolatectl start xs2 "$work/xs2.service"
check "ExecStartPre= ran as root" wait_for 10 in_journal xs2 "pre-uid-0-$token"
check "ExecStart= as User=nobody" wait_for 10 in_journal xs2 "main-uid-65534-$token"
check "ExecStartPre= could chown and chmod outside CapabilityBoundingSet=" wait_for 10 in_journal xs2 "main-dir-nobody:750-$token"
check "ExecStart= has the unit's set only" wait_for 10 in_journal xs2 "CapEff:.*0000000000000400"
check "stop" isolatectl stop xs2
}

run_testcases
