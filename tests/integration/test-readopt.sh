#!/bin/bash
# Scopes outlive the daemon: a daemon stopped, or killed with SIGKILL, and
# started again (by systemd, or by bus activation) takes over every running
# service, shows the ones that ended meanwhile with their exit status, and
# reports a scope whose state is corrupt instead of dropping it.
. "$TESTS/lib.sh"

work=$(mktemp -d)
fixtures=$(mktemp -d /var/lib/isolated-readopt.XXXXXX)
cleanup() {
        rm -rf "$fixtures"
        for n in r1 r2 r3 r4 r5 r6 r7@a-b; do isolatectl stop $n >/dev/null 2>&1; isolatectl reset-failed $n >/dev/null 2>&1; done
        systemctl start isolated.service
        rm -rf "$work"
}
trap cleanup EXIT

printf '[Service]\nExecStart=/bin/sh -c %s\n' "'trap \"echo r1-got-usr1\" USR1; trap \"exit 0\" TERM; while :; do sleep 0.1; done'" > "$work/r1.service"
# r2 ends (exit 3) when the test says so, by its trigger file: while the daemon is away.
printf '[Service]\nExecStart=/bin/sh -c %s\n' "'while [ ! -e /run/r2.go ]; do sleep 0.1; done; exit 3'" > "$work/r2.service"
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/r3.service"
helper legacyd "$fixtures" || not_ok "build legacyd"
chmod 755 "$fixtures"
printf '[Service]\nType=forking\nPIDFile=/run/r4.pid\nExecStart=%s --fork --pidfile /run/r4.pid\n' "$fixtures/legacyd" > "$work/r4.service"
printf '[Service]\nType=notify\nRestart=on-failure\nRestartSec=100ms\nExecStart=%s --notify 0 --status r5-ready --trigger /run/r5.trigger\n' \
        "$fixtures/legacyd" > "$work/r5.service"

# need_r1: r1 runs (started by an earlier case, or now: CASE= runs one), its PIDs.
need_r1() {
        isolatectl is-active -q r1 || check "start r1" isolatectl start r1 "$work/r1.service"
        init1=$(prop r1 InitPID); main1=$(prop r1 MainPID)
}

# What the daemon keeps of a running service, for the next daemon.
testcase_state_kept() {
        need_r1
        check "state of r1 is kept in /run/isolated/state" test -s /run/isolated/state/r1.state -a -s /run/isolated/state/r1.sources
        check "its init listens there" test -S /run/isolated/state/r1.sock
}

# 1. Stopped daemon; r2 ends meanwhile; the next call activates the daemon.
testcase_stopped_daemon() {
        need_r1
        check "start r2" isolatectl start r2 "$work/r2.service"
        init2=$(prop r2 InitPID)
        check "systemctl stop isolated" systemctl stop isolated.service
        check "r1's scope outlives the daemon" systemctl is-active -q isolated-r1.scope
        nsenter -t "$init2" -U -m sh -c 'echo > /run/r2.go'
        check "r2 ends while the daemon is away" wait_for 10 sh -c '! systemctl is-active -q isolated-r2.scope'
        list=$(isolatectl list --all)   # bus activation
        check "the daemon came back by bus activation" systemctl is-active -q isolated.service
        check_match "r1 is running with the same PIDs" "^r1 +running +isolated-r1.scope +$init1 +$main1" "$list"
        check_match "r2 shows it failed" "^r2 +failed" "$list"
        check_eq "r2's exit status is what its init recorded" 3 "$(prop r2 ExitStatus)"
        check_eq "r2's Result" exit-code "$(prop r2 Result)"
        check "no state left for r2" sh -c '! ls /run/isolated/state/r2.* 2>/dev/null'
}

# 2. SIGKILL with three services running: r1, a forking daemon (r4), and a
# notify service that Restart= brought back once already (r5).
testcase_sigkill() {
        need_r1
        check "start forking r4" isolatectl start r4 "$work/r4.service"
        check "start notify r5" isolatectl start r5 "$work/r5.service"
        init4=$(prop r4 InitPID); main4=$(prop r4 MainPID); init5=$(prop r5 InitPID)
        nsenter -t "$init5" -U -m sh -c 'echo segv > /run/r5.trigger'
        r5_restarted() { wait_prop r5 NRestarts 1 10 && wait_prop r5 State running 10; }
        check "r5 restarted once" r5_restarted
        main5=$(prop r5 MainPID)

        # SIGKILL; systemd restarts the daemon (Restart=on-failure).
        old=$(daemon_pid)
        check "kill -9 the daemon" systemctl kill -s SIGKILL isolated.service
        check "systemd restarts it" wait_for 10 daemon_restarted "$old"
        check_eq "r1 still running" running "$(prop r1 State)"
        check_eq "same init PID" "$init1" "$(prop r1 InitPID)"
        check_eq "same main PID" "$main1" "$(prop r1 MainPID)"
        check_match "status works" "Main PID: $main1" "$(isolatectl status r1)"
        check "kill main reaches it through the new connection" isolatectl kill --kill-whom=main --signal=SIGUSR1 r1
        check "the service got it" wait_for 5 sh -c "journalctl -u isolated-r1.scope -o cat | grep -q r1-got-usr1"
        check_eq "forking r4 running" running "$(prop r4 State)"
        check_eq "r4: same init PID" "$init4" "$(prop r4 InitPID)"
        check_eq "r4: the daemon (from PIDFile=) is still the main PID" "$main4" "$(prop r4 MainPID)"
        check_eq "r5 running" running "$(prop r5 State)"
        check_eq "r5: same init" "$init5" "$(prop r5 InitPID)"
        check_eq "r5: the restarted main PID" "$main5" "$(prop r5 MainPID)"
        check_eq "r5: NRestarts survives" 1 "$(prop r5 NRestarts)"
        check_eq "r5: StatusText survives" r5-ready "$(prop r5 StatusText)"
        # The user namespaces' ID ranges stay theirs: a service started now gets a range of its own.
        host_uid() { awk '/^Uid:/ {print $2}' "/proc/$1/status"; }
        uids_before="$(host_uid "$init1") $(host_uid "$init4") $(host_uid "$init5")"
        check "start r6 after the restart" isolatectl start r6 "$work/r3.service"
        uid6=$(host_uid "$(prop r6 InitPID)")
        check "r6's ID range ($uid6) is none of the adopted services' ($uids_before)" \
                sh -c "! echo ' $uids_before ' | grep -q ' $uid6 '"
        check "stop r6" isolatectl stop r6
        check_match "list shows all three" "r4 +running.*r5 +running|r5 +running.*r4 +running" "$(isolatectl list | tr '\n' ' ')"
        check "stop adopted forking r4" isolatectl stop r4
        check "r4 all gone" sh -c "! systemctl is-active -q isolated-r4.scope && [ ! -d /proc/$init4 ] && [ ! -d /proc/$main4 ]"
        check "stop adopted r5" isolatectl stop r5
        check_eq "r5 ended as stopped" exited "$(prop r5 State)"
}

# 3. A corrupt state file is reported, and the scope can still be stopped.
testcase_corrupt() {
        check "start r3" isolatectl start r3 "$work/r3.service"
        check "stop the daemon" systemctl stop isolated.service
        echo garbage > /run/isolated/state/r3.state
        check "start the daemon" systemctl start isolated.service
        check_eq "r3 is shown failed" failed "$(prop r3 State)"
        check_match "with why" "state in /run/isolated/state is corrupt" "$(prop r3 StatusText)"
        check "and the daemon logged it" \
                wait_for 10 sh -c "journalctl -u isolated.service -o cat | tail -20 | grep -q 'r3: isolated-r3.scope runs, but its state'"
        check "isolatectl stop r3 stops its scope" isolatectl stop r3
        check "r3's scope is gone" sh -c '! systemctl is-active -q isolated-r3.scope'
}

# The adopted r1 stops like any other: everything gone when stop returns.
testcase_stop_adopted() {
        need_r1
        check "stop adopted r1" isolatectl stop r1
        check "r1's init is gone" test ! -d /proc/$init1
        check "r1's scope is gone" sh -c '! systemctl is-active -q isolated-r1.scope'
        check_eq "r1 ended as stopped" exited "$(prop r1 State)"
        check "no state left" sh -c '! ls /run/isolated/state/r1.* /run/isolated/state/r3.* /run/isolated/state/r4.* /run/isolated/state/r5.* 2>/dev/null'
}

# An instance of a template (issue 15) is taken over as any other: its scope,
# isolated-r7\x40a-b.scope (systemd allows no instance of a scope), maps back to its name.
testcase_instance() {
        printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/r7@.service"
        check "start instance r7@a-b" isolatectl start r7@a-b "$work/r7@.service"
        init7=$(prop r7@a-b InitPID); main7=$(prop r7@a-b MainPID)
        check "its state is kept under its name" test -s '/run/isolated/state/r7@a-b.state'
        old=$(daemon_pid)
        check "kill -9 the daemon" systemctl kill -s SIGKILL isolated.service
        check "systemd restarts it" wait_for 10 daemon_restarted "$old"
        check_match "r7@a-b is taken over with the same PIDs" "^r7@a-b +running +isolated-r7\\\\x40a-b.scope +$init7 +$main7" \
                "$(isolatectl list)"
        check "stop the adopted instance" isolatectl stop r7@a-b
        check "its scope is gone" sh -c "! systemctl is-active -q 'isolated-r7\\x40a-b.scope'"
        check "no state left" sh -c "! ls /run/isolated/state/r7@a-b.* 2>/dev/null"
}

run_testcases
