#!/bin/bash
# Red team, second round: a compromised daemon under the default description, as root, goes after
# what changed lately and is least tested: its writable /dev (the host's nodes bound there, the
# devpts the init takes its shells' ptys from), /etc/hosts made in its /run, the fds and mounts it
# is given, signals to its init, the shared tmpfiles.d plan of /run, and the "+" commands that run
# on the host. tests/integration/redteam-attack-2.py is the hostile code (each of its lines a PASS
# when the attack failed); the host side checks what it left behind. Each case asserts that the
# attack fails. What test-redteam.sh (its battery), test-sandbox.sh, test-hardening.sh,
# test-shell.sh and test-host-env.sh check already is not done again.
# CASE=NAME runs one case (testcase_NAME): ONLY=redteam-2:NAME tests/run.sh.
. "$TESTS/lib.sh"

# The host's /var is shared with whatever else runs there: the names made there are this run's own,
# digits only (a check's text stays the same but for numbers).
rid=$(( RANDOM * 32768 + RANDOM ))
data=/var/lib/isolated-redteam2.$rid
names="rt2dev rt2fill rt2pty rt2ptynb rt2hosts rt2init rt2fds rt2mnt rt2run rt2runnb rt2plus rt2ls rt2ip"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        for n in $names; do rm -rf "/var/lib/$n"; done
        rm -rf "$data" "/var/tmp/isolated-rt2ls.$rid"
}
trap cleanup EXIT

mkdir -p "$data" && cp "$TESTS/redteam-attack-2.py" "$data/" && chmod 755 "$data" "$data/redteam-attack-2.py"
attack=$data/redteam-attack-2.py

# attack NAME "EXTRA KEYS" ARGS...: runs the attack program with ARGS as the service NAME (the extra
# [Service] keys added), waits for its ATTACK-END, records each PASS/FAIL line. Leaves it running
# (the caller stops it: stop NAME), its journal lines of this run in ATTACK_LOG. A start that fails
# sets START_FAILED (with START_OUT), and records nothing.
attack() {
        local name=$1 extra=$2 unit=isolated-$1.scope line cursor
        shift 2
        printf '[Service]\nExecStart=%s %s\n%b\n' "$attack" "$*" "$extra" > "$data/$name.service"
        # This run's lines only: a service may run twice. (--cursor, not --after-cursor: that one
        # skips the first match when the cursor's own entry is not of the unit.)
        cursor=$(journalctl -n0 --show-cursor 2>/dev/null | sed -n 's/^-- cursor: //p')
        START_FAILED=
        ATTACK_LOG=
        if ! START_OUT=$(isolatectl start "$name" "$data/$name.service" 2>&1); then
                START_FAILED=1
                not_ok "$name starts"
                echo "    $START_OUT"
                stop "$name"
                return 1
        fi
        if ! wait_for 30 sh -c "journalctl -u $unit -o cat ${cursor:+--cursor='$cursor'} | grep -q '^ATTACK-END'"; then
                not_ok "$name: no ATTACK-END in the journal"
                journalctl -u "$unit" -o cat ${cursor:+--cursor="$cursor"} | tail -20 | sed 's/^/    /'
        fi
        ATTACK_LOG=$(journalctl -u "$unit" -o cat ${cursor:+--cursor="$cursor"})
        while IFS= read -r line; do
                case "$line" in
                PASS\ *) ok "$name: ${line#PASS }" ;;
                FAIL\ *) not_ok "$name: ${line#FAIL }" ;;
                esac
        done <<< "$ATTACK_LOG"
        return 0
}
stop() { isolatectl stop "$1" >/dev/null 2>&1; isolatectl reset-failed "$1" >/dev/null 2>&1; }
inside() { # NAME COMMAND...: runs it in the service, with its confinement
        local n=$1; shift
        timeout 20 isolatectl shell "$n" "$@" </dev/null
}
# pty_shell NAME: a command on a pty of the service's devpts (isolatectl shell under script(1))
# says so; what it printed, without CRs.
pty_shell() {
        timeout 20 script -qec "isolatectl shell $1 sh -c 'test -t 0 && test -t 1 && echo on-a-tty-\$((6*7))'" /dev/null \
                </dev/null 2>&1 | tr -d '\r'
}
have_script() { command -v script >/dev/null; }
node_of() { stat -c '%F %t:%T %a %u:%g' "$1" 2>&1; }

# --- 1. /dev: the host's nodes bound there, mknod, exec and set-ID bits, the mount points. Its
# devpts's ptmx made mode 000: the init opens /dev/pts/ptmx with its own capabilities, so the
# administrator's shell still gets its pty. The host's nodes stay as they were.
testcase_dev() {
        local before after
        before=$(for n in null zero full random urandom tty; do node_of /dev/$n; done)
        attack rt2dev "" dev || return
        check "rt2dev: ran the /dev attacks (at least 50)" test "$(grep -c '^PASS \|^FAIL ' <<< "$ATTACK_LOG")" -ge 50
        check_match "rt2dev: its own ptmx node made mode 000" "^PTMX-CHMOD 000" "$ATTACK_LOG"
        if have_script; then
                check_match "rt2dev: the administrator's shell still gets a pty of its devpts" "on-a-tty-42" "$(pty_shell rt2dev)"
        fi
        check_eq "rt2dev: a shell without a pty runs too" "alive" "$(inside rt2dev echo alive 2>&1)"
        after=$(for n in null zero full random urandom tty; do node_of /dev/$n; done)
        check_eq "rt2dev: the host's device nodes are unchanged" "$before" "$after"
        stop rt2dev
}

# --- 2. /dev filled (4 MiB, 1024 inodes) and /dev/log, /dev/ptmx made FIFOs: shells into it (with
# and without a pty) and the daemon go on; the next start has a /dev of its own again.
testcase_dev_full() {
        attack rt2fill "" fill-dev || return
        check_match "rt2fill: it filled its /dev to ENOSPC" "^FILLED [0-9]+ [0-9]+ ENOSPC$" "$ATTACK_LOG"
        check_match "rt2fill: the inodes too (a few short of 1024)" "^FILLED [0-9]+ 1[0-9]{3} ENOSPC$" "$ATTACK_LOG"
        if have_script; then
                check_match "rt2fill: the administrator's shell still gets a pty" "on-a-tty-42" "$(pty_shell rt2fill)"
        fi
        check_eq "rt2fill: a shell without a pty runs" "alive" "$(inside rt2fill echo alive 2>&1)"
        check_eq "rt2fill: it runs on" running "$(prop rt2fill State)"
        check "rt2fill: the daemon answers" busctl call org.isolated1 /org/isolated1 org.isolated1.Manager ListServices
        stop rt2fill
        printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$data/rt2fill.service"
        if check "rt2fill: starts again" isolatectl start rt2fill "$data/rt2fill.service"; then
                check_eq "rt2fill: its new /dev holds nothing of the last run" "" \
                        "$(inside rt2fill sh -c 'ls /dev | grep rt-; test -S /dev/log -o -L /dev/log || echo no-log-link' 2>&1)"
        fi
        stop rt2fill
}

# --- 3. Ptys: the kernel counts them machine-wide (kernel.pty.max, less the host's own devpts's
# reserve), so a devpts of its own with no bound let one service take every pty of every other
# devpts on the machine (every other service's shells, every container's). Bounded per service;
# a neighbour's shell gets its pty while the hog holds all it could get.
pty_max=128
testcase_ptys() {
        local n
        attack rt2pty "" ptys 1100 || return
        n=$(sed -n 's/^PTYS \([0-9]*\) .*/\1/p' <<< "$ATTACK_LOG")
        check_match "rt2pty: the hog's opens end in ENOSPC" "^PTYS [0-9]+ ENOSPC$" "$ATTACK_LOG"
        check "rt2pty: it holds at most $pty_max ptys (got ${n:-none})" test "${n:-99999}" -le "$pty_max"
        check "rt2pty: ... and as many as a service may have" test "${n:-0}" -ge $((pty_max - 2))
        printf '[Service]\nExecStart=/bin/sleep infinity\nUser=nobody\n' > "$data/rt2ptynb.service"
        if check "rt2ptynb: a neighbour starts" isolatectl start rt2ptynb "$data/rt2ptynb.service" && have_script; then
                check_match "rt2ptynb: the neighbour's shell gets a pty while the hog holds its" "on-a-tty-42" "$(pty_shell rt2ptynb)"
        fi
        check_eq "rt2pty: it runs on" running "$(prop rt2pty State)"
        stop rt2pty
        stop rt2ptynb
}

# --- 4. /etc/hosts, a file of its /run bound read-only over it and unlinked there: no way to a
# writable handle of it, nor back to a name.
testcase_hosts() {
        attack rt2hosts "" hosts || return
        check "rt2hosts: ran the attacks (7 lines)" test "$(grep -c '^PASS hosts:\|^FAIL hosts:' <<< "$ATTACK_LOG")" -ge 7
        stop rt2hosts
}

# --- 5. Its PID 1: SIGKILL and SIGSTOP from inside do nothing (the kernel's rule for a namespace's
# init); the init still runs, answers the daemon and starts shells.
testcase_init_signals() {
        local init
        attack rt2init "" init || return
        init=$(prop rt2init InitPID)
        check "rt2init: the init (host PID $init) still exists" test -d "/proc/$init"
        check_match "rt2init: and is not stopped" "^State:[[:space:]]+[SR]" "$(grep '^State:' "/proc/$init/status" 2>&1)"
        check_eq "rt2init: it runs on" running "$(prop rt2init State)"
        check_eq "rt2init: a shell starts in it" "alive" "$(inside rt2init echo alive 2>&1)"
        stop rt2init
        check "rt2init: and stops" wait_for 20 sh -c "! test -d /proc/$init"
}

# --- 6. Fds: the main process, an ExecStartPost= the init starts, and a shell hold nothing but
# stdin, stdout and stderr (no memfd of the plan, the filter or EnvironmentFile=, no socket of the
# init's or the daemon's).
testcase_fds() {
        local post
        attack rt2fds "ExecStartPost=$attack fds-post" fds || return
        check_eq "rt2fds: a shell's command holds fds 0 1 2 only" "0 1 2" \
                "$(inside rt2fds sh -c 'exec ls -1 /proc/self/fd' 2>&1 | sort -n | grep -vx 3 | tr '\n' ' ' | sed 's/ $//')"
        # (Its ExecStartPost= may end after the main process's ATTACK-END.)
        wait_for 10 sh -c "journalctl -u isolated-rt2fds.scope -o cat | grep -q '^POST-FDS'"
        post=$(journalctl -u isolated-rt2fds.scope -o cat | grep '^POST-FDS' | tail -1)
        check_eq "rt2fds: an ExecStartPost= command held 0 1 2 only" "POST-FDS 0 1 2" "$post"
        stop rt2fds
}

# --- 7. Mounts: no mount of a host file system is writable but the device nodes and its own
# StateDirectory= (the /proc directory of the host's root, under its own /proc, was: idmapped,
# a write there would have been the host's root's).
testcase_mounts() {
        attack rt2mnt "StateDirectory=rt2mnt" mounts /var/lib/rt2mnt || return
        stop rt2mnt
}

# --- 8. The plan of /run (tmpfiles.d, made once by the daemon, a sealed memfd every init maps):
# what one service changes in its /run reaches neither a neighbour started after it from the same
# plan nor its own next start.
testcase_plan() {
        local mode look='stat -c %a /run/lock; test -e /run/lock/rt-planted && echo planted; test -e /run/rt-link && echo link'
        attack rt2run "" run-tamper || return
        check_match "rt2run: it changed its /run/lock" "^TAMPERED 0o[0-7]+ 0o777$" "$ATTACK_LOG"
        mode=$(sed -n 's/^TAMPERED 0o\([0-7]*\) .*/\1/p' <<< "$ATTACK_LOG")
        printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$data/rt2runnb.service"
        if check "rt2runnb: a neighbour starts" isolatectl start rt2runnb "$data/rt2runnb.service"; then
                check_eq "rt2runnb: its /run/lock is as tmpfiles.d made it, nothing of the other's" "${mode:-?}" \
                        "$(inside rt2runnb sh -c "$look" 2>&1)"
                check_eq "rt2run: (its own is changed)" "777" "$(inside rt2run stat -c %a /run/lock 2>&1)"
        fi
        stop rt2run
        stop rt2runnb
        printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$data/rt2run.service"
        if check "rt2run: starts again" isolatectl start rt2run "$data/rt2run.service"; then
                check_eq "rt2run: its next /run/lock is as tmpfiles.d made it" "${mode:-?}" "$(inside rt2run sh -c "$look" 2>&1)"
        fi
        stop rt2run
}

# --- 9. "+" commands (root on the host, in the scope): nothing of the service reaches them. The
# first run writes an EnvironmentFile= of its StateDirectory= (PATH, LD_PRELOAD); the next start
# names it, with a "+" ExecStartPost= that records its environment, fds and directory on the host.
testcase_plus() {
        local out keys
        keys="StateDirectory=rt2plus\nEnvironmentFile=-/var/lib/rt2plus/env\nEnvironment=FROM_DESCRIPTION=1"
        attack rt2plus "$keys" envfile /var/lib/rt2plus/env || return
        stop rt2plus
        check "rt2plus: the first run wrote its EnvironmentFile=" grep -q REDTEAM_FROM_SERVICE /var/lib/rt2plus/env
        cat > "$data/plus.sh" <<EOF
#!/bin/sh
exec > $data/plus.out.tmp
env
# What a program it runs inherits (ls's own directory fd left out).
echo "FDS \$(ls -l /proc/self/fd | awk 'NR > 1 && \$NF !~ "^/proc/" { printf "%s ", \$9 }')"
echo "CWD \$(pwd)"
mv $data/plus.out.tmp $data/plus.out
EOF
        chmod 755 "$data/plus.sh"
        attack rt2plus "$keys\nExecStartPost=+$data/plus.sh" getenv REDTEAM_FROM_SERVICE || return
        check_match "rt2plus: the service itself got its EnvironmentFile= (the channel works)" \
                "^GETENV REDTEAM_FROM_SERVICE=1$" "$ATTACK_LOG"
        if check "rt2plus: the '+' command ran on the host" wait_for 10 test -e "$data/plus.out"; then
                out=$(cat "$data/plus.out")
                check_match "rt2plus: it has the description's Environment=" "^FROM_DESCRIPTION=1$" "$out"
                check "rt2plus: nothing of the service's EnvironmentFile=" \
                        sh -c "! grep -q '^REDTEAM_FROM_SERVICE=\|^LD_PRELOAD=\|^PATH=.*rt2plus' '$data/plus.out'"
                check_eq "rt2plus: its PATH is the host's" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
                        "$(grep '^PATH=' <<< "$out")"
                check_eq "rt2plus: it holds fds 0 1 2 only" "FDS 0 1 2 " "$(grep '^FDS' <<< "$out")"
                check_eq "rt2plus: in /" "CWD /" "$(grep '^CWD' <<< "$out")"
                check_eq "rt2plus: its MAINPID is the service's main process" "MAINPID=$(prop rt2plus MainPID)" \
                        "$(grep '^MAINPID=' <<< "$out")"
        fi
        stop rt2plus
}

# --- ListenStream= of a socket file below its StateDirectory=: the daemon makes the directories
# and the socket as the host's root before the service runs. The service replaces a directory on
# the way with a symlink to a directory of the host: the stop's removal and the next start follow
# nothing below its writable directory (nothing made there, no socket of the host's removed), and
# the start fails naming the link.
testcase_listen_symlink() {
        local target=/var/tmp/isolated-rt2ls.$rid sock=/var/lib/rt2ls/sub/newdir/ctl.sock out
        mkdir -p "$target/newdir"
        python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$target/newdir/ctl.sock"
        printf '[Service]\nExecStart=/bin/sh -c "rm -rf /var/lib/rt2ls/sub && ln -s %s /var/lib/rt2ls/sub && touch /var/lib/rt2ls/planted && exec sleep infinity"\nStateDirectory=rt2ls\n[Isolate]\nListenStream=%s\nListenStream=/var/lib/rt2ls/sub/made/x.sock\n' \
                "$target" "$sock" > "$data/rt2ls.service"
        check "rt2ls starts, its socket made below its StateDirectory=" isolatectl start rt2ls "$data/rt2ls.service"
        check "it planted the link" wait_for 10 test -e /var/lib/rt2ls/planted
        check "the link is there" test -L /var/lib/rt2ls/sub
        stop rt2ls
        check "the stop did not remove the host's socket through the link" test -S "$target/newdir/ctl.sock"
        out=$(isolatectl start rt2ls "$data/rt2ls.service" 2>&1)
        check "the next start fails" test $? -ne 0
        check_match "naming the link" "ListenStream=$sock: cannot create its directory: a symlink in the path, below a directory the service can write" "$out"
        check "nothing was made through it" test "$(ls -A "$target/newdir")" = ctl.sock -a ! -e "$target/made"
        check "the host's socket is still there" test -S "$target/newdir/ctl.sock"
        stop rt2ls
        check "nothing of rt2ls is left" wait_for 10 sh -c "! isolatectl status rt2ls >/dev/null 2>&1 || [ \"\$(isolatectl is-active rt2ls)\" != active ]"
}

# --- socket(2) of an IP protocol that is a module of the kernel (SCTP, DCCP, L2TP on Debian's):
# the kernel would load it as the host's root at the first socket() naming it, from any user
# namespace. Refused by the filter with the kernel's own EPROTONOSUPPORT; nothing loaded. MPTCP
# (built in where the kernel has it) is how the refusal is seen on a kernel without those modules.
ip_try='import socket, sys
for fam, typ, proto in ((2, 1, 132), (10, 5, 132), (2, 6, 33), (2, 2, 115), (2, 1, 262), (2, 1, 6)):
    try:
        socket.socket(fam, typ, proto).close(); print("%d/%d/%d:ok" % (fam, typ, proto))
    except OSError as e:
        print("%d/%d/%d:%d" % (fam, typ, proto, e.errno))'
testcase_ip_protocols() {
        local out mods_before=
        [ -r /proc/modules ] && mods_before=$(awk '$1 ~ /^(sctp|dccp|dccp_ipv4|l2tp_ip)$/ { print $1 }' /proc/modules | sort)
        printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$data/rt2ip.service"
        check "rt2ip starts" isolatectl start rt2ip "$data/rt2ip.service"
        out=$(inside rt2ip python3 -c "$ip_try" 2>&1 | tr '\n' ' ')
        check_eq "SCTP, DCCP, L2TP and MPTCP sockets get EPROTONOSUPPORT, TCP works" \
                "2/1/132:93 10/5/132:93 2/6/33:93 2/2/115:93 2/1/262:93 2/1/6:ok " "$out"
        if [ -r /proc/modules ]; then
                check_eq "no protocol module was loaded" "$mods_before" \
                        "$(awk '$1 ~ /^(sctp|dccp|dccp_ipv4|l2tp_ip)$/ { print $1 }' /proc/modules | sort)"
        fi
        stop rt2ip
        # Opted in: MPTCP as the kernel has it.
        printf '[Service]\nExecStart=/bin/sleep infinity\n[Isolate]\nAllowIPProtocols=mptcp\n' > "$data/rt2ip.service"
        check "rt2ip starts with AllowIPProtocols=mptcp" isolatectl start rt2ip "$data/rt2ip.service"
        local host
        host=$(python3 -c 'import socket
try:
    socket.socket(2, 1, 262).close(); print("ok")
except OSError as e:
    print(e.errno)')
        check_match "MPTCP as on the host ($host)" "2/1/262:$host " "$(inside rt2ip python3 -c "$ip_try" 2>&1 | tr '\n' ' ')"
        stop rt2ip
}

run_testcases
