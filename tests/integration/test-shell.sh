#!/bin/bash
# isolatectl shell: the init starts the command inside, with exactly the
# service's confinement (User=, capabilities, no_new_privs, seccomp, rlimits,
# UMask=, WorkingDirectory=, Environment=), nothing
# of the caller's (fds, environment but TERM) and non-dumpable until its exec,
# against a default service as root, a hostile root service whose main process
# switched to another uid, and a User=nobody service. Then what isolatectl
# relays (stdout and stderr apart, stdin, 1 MiB, a pty of the service's own),
# exit statuses, errors, the bound on shells at once, the end of the shell with
# the service, re-adoption, and that the daemon keeps no fd. CASE=NAME runs
# one case (testcase_NAME): ONLY=shell:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d)
names="shroot shhost shnobody shset shstop shmany"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        for p in ${bg_pids:-} ${long_pid:-}; do kill "$p" 2>/dev/null; done
        revoke_manage isolatedshtest /etc/polkit-1/rules.d/49-isolated-shell-test.rules
        rm -rf "$work"
}
trap cleanup EXIT

# The spy (a hostile process of the service) and a Shell() caller busctl cannot be, built by meson.
helper shell-spy "$work" || { not_ok "build the spy"; finish; exit 1; }
helper shell-call "$work" # (testcase_errors says it if it is not there)
head -c 1048576 /dev/urandom > "$work/big"
chmod 755 "$work" && chmod 644 "$work/big"

# unit NAME "EXTRA [Service] KEYS" MAIN-COMMAND: a default service that sees $work as /srv/t.
unit() {
        printf '[Service]\nExecStart=/bin/sh -c %s\nTemporaryFileSystem=/srv\nBindReadOnlyPaths=%s:/srv/t\n%b\n' \
                "'$3'" "$work" "$2" > "$work/$1.service"
        isolatectl start "$1" "$work/$1.service"
}

# need NAME: the service a case works on, started if an earlier case did not (CASE= runs one).
need() {
        isolatectl is-active -q "$1" && return 0
        case $1 in
        shroot) unit shroot "" 'exec sleep infinity' ;;
        shnobody) unit shnobody "User=nobody" 'exec sleep infinity' ;;
        esac
}

status_field() { # PID FIELD
        awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# --- the service's confinement, none of the caller's ------------------------
confinement_of() { # NAME EXPECTED-UID EXPECTED-GID
        local name=$1 uid=$2 gid=$3 main inside f fds env_keys main_keys extra
        main=$(prop "$name" MainPID)
        inside=$(isolatectl shell "$name" cat /proc/self/status)
        for f in CapEff CapPrm CapBnd CapAmb CapInh NoNewPrivs Seccomp; do
                check_eq "$name: shell's $f is the main process's" "$(status_field "$main" "$f")" \
                        "$(awk -v f="$f:" '$1 == f { print $2 }' <<< "$inside")"
        done
        check_eq "$name: Seccomp: 2 (a filter)" 2 "$(awk '$1 == "Seccomp:" { print $2 }' <<< "$inside")"
        check_eq "$name: NoNewPrivs: 1" 1 "$(awk '$1 == "NoNewPrivs:" { print $2 }' <<< "$inside")"
        check_eq "$name: uid of User=" "$uid $uid $uid $uid" "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' <<< "$inside")"
        check_eq "$name: gid of User=" "$gid $gid $gid $gid" "$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' <<< "$inside")"

        # 0, 1, 2 and the directory ls reads: nothing of the init's, isolatectl's or ours.
        exec 7</dev/null 8>/dev/null
        fds=$(isolatectl shell "$name" ls /proc/self/fd | tr '\n' ' ')
        exec 7<&- 8>&-
        check_eq "$name: the shell has only its stdio (and ls's own fd)" "0 1 2 3 " "$fds"

        # Of the caller's environment only TERM; the rest is the service's (and USER, HOME...).
        env=$(ISOLATED_SHELL_MARKER=secret-$$ TERM=xterm-shelltest isolatectl shell "$name" env)
        check "$name: the caller's marker variable is absent" sh -c "! grep -q ISOLATED_SHELL_MARKER <<'EOF'
$env
EOF"
        check_match "$name: TERM is the caller's" "^TERM=xterm-shelltest\$" "$env"
        env_keys=$(sed -n 's/=.*//p' <<< "$env" | sort -u)
        main_keys=$(tr '\0' '\n' < "/proc/$main/environ" | sed -n 's/=.*//p' | sort -u)
        extra=$(comm -23 <(echo "$env_keys") <(echo "$main_keys") | grep -vxE 'TERM|USER|LOGNAME|HOME|SHELL' | tr '\n' ' ')
        check_eq "$name: no variable beyond the service's own, TERM and the user's" "" "$extra"
}

testcase_root() {
        check "start shroot (root, defaults)" unit shroot "" 'exec sleep infinity'
        confinement_of shroot 0 0
        check_match "shroot: the shell runs in the service's cgroup namespace root" "^0::/\$|^1:name=systemd:/\$" \
                "$(isolatectl shell shroot cat /proc/self/cgroup)"
        check_eq "shroot: its own session" yes \
                "$(isolatectl shell shroot sh -c '[ "$(cut -d" " -f6 /proc/$$/stat)" = $$ ] && echo yes')"
}

testcase_hostile_uid() {
        # The main process switches itself to uid 4242: the shell still takes User= (none: root).
        check "start shhost (main switches to uid 4242)" unit shhost "" \
                'exec setpriv --reuid=4242 --regid=4242 --clear-groups sleep infinity'
        local main
        main=$(prop shhost MainPID)
        # As the host sees it: in a user namespace of the service's, its uid 0 is the range's base.
        local base
        base=$(awk '$1 == 0 { print $2 }' "/proc/$main/uid_map")
        check_eq "shhost: the main process did switch" 4242 "$(( $(status_field "$main" Uid | awk '{print $1}') - ${base:-0} ))"
        check_eq "shhost: the shell is root still, as the service's description says" "0 0" \
                "$(isolatectl shell shhost sh -c 'echo $(id -u) $(id -g)')"
}

testcase_nobody() {
        check "start shnobody (User=nobody)" unit shnobody "User=nobody" 'exec sleep infinity'
        confinement_of shnobody "$(id -u nobody)" "$(id -g nobody)"
        check_eq "shnobody: HOME of nobody" "$(getent passwd nobody | cut -d: -f6)" \
                "$(isolatectl shell shnobody sh -c 'echo $HOME')"
}

testcase_settings() {
        check "start shset (WorkingDirectory=, LimitNOFILE=, Environment=)" unit shset \
                "WorkingDirectory=/srv/t\nLimitNOFILE=1234\nEnvironment=SVCVAR=svc-value\nUMask=0027" 'exec sleep infinity'
        check_eq "shset: the shell starts in WorkingDirectory=" /srv/t "$(isolatectl shell shset pwd)"
        check_eq "shset: with its rlimits" 1234 "$(isolatectl shell shset sh -c 'ulimit -n')"
        check_eq "shset: with its UMask=" 0027 "$(isolatectl shell shset sh -c umask)"
        check_match "shset: with its Environment=" "^SVCVAR=svc-value\$" "$(isolatectl shell shset env)"
        check "stop shset" isolatectl stop shset
}

# A process of the service stops every child of the init it sees before its exec and tries
# /proc/PID/environ and /proc/PID/mem: non-dumpable, they refuse it.
spy_on() { # NAME
        local name=$1 i caught
        isolatectl shell "$name" sh -c '/srv/t/shell-spy /tmp/spy.log /tmp/spy.pid 60 </dev/null >/dev/null 2>&1 &'
        check "$name: the spy runs" wait_for 10 isolatectl shell "$name" test -s /tmp/spy.pid
        for i in $(seq 1 40); do
                isolatectl shell "$name" true
                caught=$(isolatectl shell "$name" sh -c 'cat /tmp/spy.log 2>/dev/null' | wc -l)
                [ "$caught" -ge 3 ] && break
        done
        isolatectl shell "$name" sh -c 'kill $(cat /tmp/spy.pid)'
        log=$(isolatectl shell "$name" sh -c 'cat /tmp/spy.log 2>/dev/null')
        echo "# $name: the spy caught $(grep -c CAUGHT <<< "$log") children of the init in $i rounds"
        check "$name: the spy caught a child of the init before its exec" test -n "$log"
        check "$name: and could read the environment of none" sh -c "! grep -q 'environ=OK' <<'EOF'
$log
EOF"
        check "$name: and could open the memory of none" sh -c "! grep -q 'mem=OK' <<'EOF'
$log
EOF"
        check_eq "$name: the shell still works after being stopped" works "$(isolatectl shell "$name" echo works)"
}

testcase_spy() {
        need shroot && need shnobody
        spy_on shroot
        spy_on shnobody
}

# A process of the service that stops a shell before its exec and never lets it go: the init
# gives up on it after 10 s and goes on.
testcase_held() {
        local out rc
        need shroot
        local i
        isolatectl shell shroot sh -c 'rm -f /tmp/held.log; /srv/t/shell-spy /tmp/held.log /tmp/held.pid 60 hold </dev/null >/dev/null 2>&1 &'
        # Shells until the spy catches one (it leaves after the first).
        for i in $(seq 1 100); do
                out=$(timeout 60 isolatectl shell shroot true 2>&1); rc=$?
                [ "$rc" != 0 ] && break
        done
        echo "# the spy held shell $i"
        check_match "a shell stopped before its exec fails" "did not start within 10 s" "$out"
        check_eq "with exit status 1" 1 "$rc"
        check_eq "the init goes on: the next shell works" ok "$(isolatectl shell shroot echo ok)"
        isolatectl shell shroot sh -c 'kill $(cat /tmp/held.pid) 2>/dev/null' </dev/null
}

# --- what isolatectl relays ---------------------------------------------------
testcase_relay() {
        local rc out
        need shroot
        # Past sd-bus's default call timeout (25 s): a shell lasts as long as it likes. Waited for in
        # testcase_errors, so the cases between pass meanwhile.
        isolatectl shell shroot sh -c 'sleep 27; exit 4' </dev/null >/dev/null 2>&1 &
        long_pid=$!
        isolatectl shell shroot sh -c 'echo to-stdout; echo to-stderr >&2' > "$work/out" 2> "$work/err"
        check_eq "stdout relayed on stdout" to-stdout "$(cat "$work/out")"
        check_eq "stderr relayed on stderr" to-stderr "$(cat "$work/err")"
        isolatectl shell shroot sh -c 'exit 7'; rc=$?
        check_eq "exit 7 -> 7" 7 "$rc"
        isolatectl shell shroot sh -c 'kill -9 $$'; rc=$?
        check_eq "killed by SIGKILL -> 137, as systemd-run" 137 "$rc"
        out=$(isolatectl shell shroot sh -c 'cat; echo rc=$?' <&-); rc=$?
        check_eq "stdin closed: reads as empty" "rc=0" "$out"
        check_eq "stdin closed: exits 0" 0 "$rc"
        out=$(isolatectl shell shroot cat < /dev/null)
        check_eq "stdin /dev/null: empty" "" "$out"
        check_eq "stdin relayed" "from-stdin-42" "$(echo 'from-stdin-42' | isolatectl shell shroot cat)"
        check_eq "no CMD: the user's shell reads stdin" "sh-42" "$(echo 'echo sh-$((6*7))' | isolatectl shell shroot)"
        check_eq "1 MiB of output arrives intact" "$(sha256sum < "$work/big")" \
                "$(isolatectl shell shroot cat /srv/t/big | sha256sum)"
        check_eq "1 MiB of input arrives intact" "$(sha256sum < "$work/big" | cut -d' ' -f1)" \
                "$(isolatectl shell shroot sha256sum < "$work/big" | cut -d' ' -f1)"
        # A reader that goes away: the command gets SIGPIPE, isolatectl ends.
        check_eq "a reader that leaves early" 1 "$(timeout 20 isolatectl shell shroot sh -c 'yes' | head -1 | wc -l)"
        isolatectl shell shroot /nonexistent/cmd 2>/dev/null; rc=$?
        check_eq "a missing command exits 127" 127 "$rc"
}

# What a command on the pty printed: without CRs, and without the "^@" the pty echoes when
# script(1), its stdin at EOF, sends a NUL down the terminal.
pty_text() { tr -d '\r' | sed 's/\^@//g'; }

testcase_pty() {
        command -v script >/dev/null || { ok "pty: no script(1), skipped"; return; }
        local out rc dev
        need shroot && need shnobody
        out=$(script -qec "isolatectl shell shroot sh -c 'test -t 0 && test -t 1 && echo on-a-tty-\$((6*7)); exit 9'" /dev/null </dev/null)
        rc=$?
        check_match "pty: the command has a terminal" "on-a-tty-42" "$out"
        check_eq "pty: exit status passed on" 9 "$rc"
        # Typed once the shell shows its prompt, and stdin kept open until it answered (at its
        # EOF script(1) ends the session): both waited for in the typescript, 10 s at most.
        typed() {
                wait_for 10 grep -q '[#$] ' "$work/typed.log"
                printf 'echo typed-$((40+2)); exit 3\n'
                wait_for 10 grep -q 'typed-42' "$work/typed.log"
        }
        : > "$work/typed.log"
        out=$(typed | script -qfec "isolatectl shell shroot" "$work/typed.log")
        rc=$?
        check_match "pty: an interactive shell reads what is typed" "typed-42" "$out"
        check_eq "pty: and exits with its status" 3 "$rc"
        # The terminal is of the service's own devpts, and the controlling one of the shell's session.
        dev=$(isolatectl shell shroot stat -c %d /dev/pts/ptmx)
        out=$(script -qec "isolatectl shell shroot stat -L -c %d /proc/self/fd/0" /dev/null </dev/null | pty_text)
        check_eq "pty: from the service's /dev/pts, not the caller's" "$dev" "$out"
        out=$(script -qec "isolatectl shell shroot sh -c 'cut -d\" \" -f7 /proc/\$\$/stat'" /dev/null </dev/null | pty_text)
        check "pty: it is the shell's controlling terminal" test "${out:-0}" != 0
        out=$(script -qec "stty rows 33 cols 101; isolatectl shell shroot stty size" /dev/null </dev/null | pty_text)
        check_eq "pty: the window size is the caller's" "33 101" "$out"
        # A change of the caller's size reaches the pty (SIGWINCH): the command waits for it, 10 s at
        # most; the size changes once the command runs (looked for, 10 s at most).
        cat > "$work/winch.sh" <<'X'
stty rows 10 cols 50
(i=0; until pgrep -f '^sh -c i=0; while' >/dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
 stty rows 20 cols 60 </dev/tty) &
isolatectl shell shroot sh -c 'i=0; while [ "$(stty size)" != "20 60" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; stty size'
wait
X
        out=$(script -qec "sh $work/winch.sh" /dev/null </dev/null | pty_text)
        check_eq "pty: a change of the window size follows" "20 60" "$out"
        out=$(script -qec "isolatectl shell shnobody stat -L -c %u /proc/self/fd/0" /dev/null </dev/null | pty_text)
        check_eq "pty: owned by User=" "$(id -u nobody)" "$out"
        out=$(script -qec "isolatectl shell shroot ls -1 /proc/self/fd" /dev/null </dev/null | pty_text | tr '\n' ' ')
        check_eq "pty: the shell has only its terminal" "0 1 2 3 " "$out"
        # The service's /dev is writable (as systemd's PrivateDevices= /dev): a service that swaps its
        # /dev/ptmx link for another file does not give the next shell that file as its terminal.
        check "pty: the service replaces its /dev/ptmx link" \
                isolatectl shell shroot sh -c 'ln -sfn /dev/null /dev/ptmx && test "$(readlink /dev/ptmx)" = /dev/null'
        out=$(script -qec "isolatectl shell shroot sh -c 'test -t 0 && echo still-a-tty'" /dev/null </dev/null | pty_text)
        check_match "pty: the next shell still gets a terminal of the service's devpts" "still-a-tty" "$out"
        isolatectl shell shroot ln -sfn pts/ptmx /dev/ptmx >/dev/null 2>&1
}

# --- errors, bounds, ends -----------------------------------------------------
testcase_errors() {
        local out rc
        need shroot
        out=$(isolatectl shell nosuchshsvc true 2>&1); rc=$?
        check_eq "unknown service exits 4" 4 "$rc"
        check_match "and says so" "No service nosuchshsvc" "$out"
        check "start shstop" unit shstop "" 'exec sleep infinity'
        check "stop shstop" isolatectl stop shstop
        out=$(isolatectl shell shstop true 2>&1); rc=$?
        check_eq "stopped service exits 3" 3 "$rc"
        check_match "and says it is not running" "shstop is not running" "$out"
        if [ -x "$work/shell-call" ]; then
                out=$("$work/shell-call" shroot true HOME=/x 2>&1)
                check_match "a caller's variable other than TERM is refused" "Only TERM= may be passed" "$out"
                out=$("$work/shell-call" shroot true TERM=vt100 2>&1 </dev/null)
                check_eq "TERM alone is taken" "exited 0" "$out"
                out=$("$work/shell-call" shroot true 2>&1 < "$work/big")
                check_match "a caller's file as stdin is refused" "must be pipes, sockets or terminals" "$out"
        else
                not_ok "build the ShellService client"
        fi
        out=$(isolatectl -H root@localhost shell shroot true 2>&1); rc=$?
        check_eq "-H exits 1" 1 "$rc"
        check_match "and says it needs local access" "shell needs local access" "$out"
        if [ -n "${long_pid:-}" ]; then
                wait "$long_pid"
                check_eq "a shell of 27 s: no timeout, its status" 4 "$?"
                long_pid=
        fi
}

sleeps_at_least() { # N INIT-PID: processes named sleep in the service
        local p n=0
        for p in $(pids_in_pidns_of "$2"); do
                [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && n=$((n + 1))
        done
        [ "$n" -ge "$1" ]
}

testcase_bound() {
        local i n out rc init
        check "start shmany" unit shmany "" 'exec sleep infinity'
        bg_pids=
        for i in $(seq 1 16); do
                isolatectl shell shmany sleep 300 </dev/null >/dev/null 2>&1 & # (held until killed)
                bg_pids="$bg_pids $!"
        done
        init=$(prop shmany InitPID)
        check "16 shells run at once" wait_for 20 sleeps_at_least 17 "$init"
        out=$(isolatectl shell shmany true 2>&1); rc=$?
        check "a 17th is refused" test "$rc" != 0
        check_match "saying why" "too many shells" "$out"
        # The shells end with the service: their callers get 128+SIG.
        check "stop shmany" isolatectl stop shmany
        n=0
        for p in $bg_pids; do
                wait "$p"; rc=$?
                [ "$rc" -gt 128 ] && n=$((n + 1))
        done
        check_eq "every shell ended with the service, killed" 16 "$n"
        bg_pids=
}

testcase_caller_gone() {
        local init pid
        need shroot
        init=$(prop shroot InitPID)
        isolatectl shell shroot sleep 300 </dev/null >/dev/null 2>&1 & # (held until its caller is killed)
        pid=$!
        check "a shell runs" wait_for 10 sleeps_at_least 2 "$init"
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null
        check "its caller killed, the shell is hung up" wait_for 10 eval '! sleeps_at_least 2 '"$init"
}

testcase_access() {
        local user=isolatedshtest rules=/etc/polkit-1/rules.d/49-isolated-shell-test.rules out rc
        need shroot
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups isolatectl shell shroot id -u 2>&1); rc=$?
        check "nobody may not run a shell" test "$rc" != 0
        check_match "and is told polkit did not authorize it" "Failed to run a shell in shroot: Access denied" "$out"
        if grant_manage "$user" "$rules"; then
                out=$(as "$user" isolatectl shell shroot id -u 2>&1)
                check_eq "a user granted org.isolated1.manage may, as the service's user" 0 "$out"
        else
                not_ok "grant org.isolated1.manage to $user"
        fi
        revoke_manage "$user" "$rules"
}

testcase_daemon_fds() {
        local pid before after i
        need shroot
        pid=$(systemctl show isolated.service -p MainPID --value)
        isolatectl shell shroot true
        before=$(ls "/proc/$pid/fd" | wc -l)
        for i in $(seq 1 20); do isolatectl shell shroot true </dev/null >/dev/null; done
        echo x | isolatectl shell shroot sh -c 'cat >/dev/null; exit 3' >/dev/null
        isolatectl shell nosuchshsvc true >/dev/null 2>&1
        after=$(ls "/proc/$pid/fd" | wc -l)
        check_eq "the daemon's fds after 20 shells are as before" "$before" "$after"
        check_eq "no shell is left in the service" "" \
                "$(isolatectl shell shroot sh -c 'grep -lx true /proc/[0-9]*/comm 2>/dev/null')"
}

testcase_readopt() {
        local old
        need shroot
        old=$(systemctl show isolated.service -p MainPID --value)
        check "restart the daemon while shroot runs" systemctl restart isolated.service
        check "it re-adopted shroot" wait_for 10 sh -c '[ "$(isolatectl is-active shroot)" = active ]'
        check_eq "a shell in an adopted init" adopted-42 "$(isolatectl shell shroot sh -c 'echo adopted-$((6*7))')"
        isolatectl shell shroot sh -c 'exit 5'
        check_eq "and its exit status" 5 "$?"
        check "the daemon is another" test "$(systemctl show isolated.service -p MainPID --value)" != "$old"
}

run_testcases
