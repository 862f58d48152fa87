#!/bin/bash
# The environment a booted Debian gives a daemon (issue 15, items 3 and 4), checked from inside
# the service: its private /run prepared from the host's tmpfiles.d (/run/lock, a drop-in's line),
# /dev/log reaching journald with the service's identity, its hostname and ::1 localhost resolving,
# chroot(2) working, /sys/class/net showing its own devices only, and `isolatectl status` showing
# only the current run's journal lines; and Debian's stock ssh.service, which needs chroot(2) and /dev/log.
# CASE=NAME runs one case (testcase_NAME): ONLY=host-env:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d)
chmod 755 "$work"
# /etc is the host's, shared with whatever else runs there: the names made there are this run's own.
sid=$(( RANDOM * 32768 + RANDOM ))
tmpfiles=/etc/tmpfiles.d/isolated-hostenv-$sid.conf
hostdir=/var/lib/isolated-hostenv.$sid
names="hostenv hostenvveth hostenvrestart hostenvssh hostenvbind"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -f "$tmpfiles"
        umount /usr/bin/systemd-tmpfiles 2>/dev/null # the cost case's mask, in the harness only
        rm -rf "$work" "$hostdir"
}
trap cleanup EXIT

# start_sleeper NAME [EXTRA]: a service under the defaults that sleeps, EXTRA lines after [Service].
start_sleeper() {
        printf '[Service]\nExecStart=/bin/sleep infinity\n%b\n' "${2:-}" > "$work/$1.service"
        check "$1 starts" isolatectl start "$1" "$work/$1.service"
}
lacks() { ! grep -q -- "$1" <<< "$2"; } # TEXT WHERE
inside() { # NAME COMMAND...: runs it in the service, with its confinement
        local n=$1; shift
        timeout 20 isolatectl shell "$n" "$@" </dev/null
}

testcase_run() {
        local d=/run/isolated-hostenv-$sid out
        # /run lines of a tmpfiles.d drop-in, applied at start to the service's private /run only; and
        # lines that would write the host: through a symlink it plants in /run, and outside /run.
        mkdir -p "$hostdir" && chmod 755 "$hostdir"
        {
                printf 'd %s 0750 root root -\nf %s/file 0640 root root - hello\n' "$d" "$d"
                printf 'L %s-link - - - - %s\nf %s-link/evil 0644 root root - x\n' "$d" "$hostdir" "$d"
                printf 'f %s/outside 0644 root root - x\n' "$hostdir"
                # An owner the service's user namespace does not map (it maps 0-65535).
                printf 'd %s-highid 0755 70000 70000 -\n' "$d"
        } > "$tmpfiles"
        # Before ExecStartPre=: the daemon's own preparation finds /run as a booted host has it.
        start_sleeper hostenv "ExecStartPre=/bin/sh -c 'test -d /run/lock && test -d $d'"
        check "/run/lock exists inside" inside hostenv test -d /run/lock
        check "/run/user does not (ProtectHome=), nor /run/isolated" inside hostenv test ! -e /run/user -a ! -e /run/isolated
        check_eq "the drop-in's directory is made inside, 0750" "750 root" \
                "$(inside hostenv stat -c '%a %U' "$d" 2>&1)"
        check_eq "with its file and content" "hello" "$(inside hostenv cat "$d/file" 2>&1)"
        check "the host's /run did not get it" test ! -e "$d"
        check_eq "nothing reached the host's $hostdir" "" "$(ls -A "$hostdir" 2>&1)"
        check "nothing of the host's /run shows inside" inside hostenv test ! -e /run/systemd/journal/stdout
        out=$(journalctl -u isolated-hostenv.scope -o cat 2>&1)
        check_match "what tmpfiles could not write is in the service's journal" \
                "Failed to create file $d-link/evil: Read-only file system" "$out"
        check_match "an owner outside the user namespace is a line there too" \
                "cannot make $d-highid as tmpfiles.d says: Invalid argument" "$out"
        isolatectl stop hostenv >/dev/null 2>&1
        rm -f "$tmpfiles"
}

testcase_devlog() {
        local mark="hostenv-syslog-$sid-$RANDOM" unit=isolated-hostenv.scope
        # The main process sends a syslog(3) line and stays: journald attributes a datagram to the
        # sender's cgroup when it reads it, which it cannot once the sender is gone (logger(1) is
        # gone at once: its line may come without a unit).
        printf '[Service]\nExecStart=/usr/bin/python3 -c "import syslog, signal; syslog.openlog(\x27hostenvmain%s\x27); syslog.syslog(\x27%s-main\x27); signal.pause()"\n' \
                "$sid" "$mark" > "$work/hostenv.service"
        check "hostenv starts, its main process logging through syslog(3)" isolatectl start hostenv "$work/hostenv.service"
        check "/dev/log is a socket inside" inside hostenv test -S /dev/log
        check_eq "a link to journald's socket in /run, as on a booted host" /run/systemd/journal/dev-log \
                "$(inside hostenv readlink /dev/log 2>&1)"
        check "the journal has the main process's line" \
                wait_for 10 sh -c "journalctl -o cat -t hostenvmain$sid | grep -qx '$mark-main'"
        check_eq "under the service's scope" "$unit" \
                "$(journalctl -o export -t "hostenvmain$sid" | sed -n 's/^_SYSTEMD_UNIT=//p' | tail -1)"
        check "logger(1) inside succeeds" inside hostenv logger -t "hostenv$sid" "$mark"
        check "the journal has its line" wait_for 10 sh -c "journalctl -o cat -t hostenv$sid | grep -qx '$mark'"
        check "nothing else of /run/systemd shows" inside hostenv \
                sh -c '! test -e /run/systemd/journal/stdout && ! test -e /run/systemd/journal/socket && ! test -e /run/systemd/private'
        isolatectl stop hostenv >/dev/null 2>&1
}

testcase_hosts() {
        start_sleeper hostenv
        check_match "the hostname resolves to 127.0.1.1" "^127\.0\.1\.1 +hostenv( |$)" \
                "$(inside hostenv sh -c 'getent hosts "$(hostname)"' 2>&1)"
        check_match "::1 is localhost" "^::1 +.*localhost" "$(inside hostenv getent hosts ::1 2>&1)"
        local own
        own=$(awk '$1 == "127.0.1.1" { print $2; exit }' /etc/hosts)
        if [ -n "$own" ] && [ "$own" != hostenv ]; then
                check "the host's own 127.0.1.1 line ($own) is not in its view" \
                        inside hostenv sh -c "! grep -q '^127\.0\.1\.1[[:space:]].*$own' /etc/hosts"
        fi
        check "the host's other lines are kept, in order" bash -c 'diff <(grep -v "^[[:space:]]*127\.0\.1\.1[[:space:]]" /etc/hosts) \
                <(timeout 20 isolatectl shell hostenv cat /etc/hosts </dev/null |
                  grep -vxF -e "$(printf "127.0.1.1\thostenv")" -e "$(printf "::1\tlocalhost ip6-localhost ip6-loopback")")'
        check "/etc/hosts is read-only inside" inside hostenv sh -c '! touch /etc/hosts 2>/dev/null'
        # It is made in the service's /run and unlinked there before the service runs.
        check "nothing of its making is left in /run" inside hostenv sh -c '! ls -A /run | grep -q isolated'
        check "and /etc/hosts is that file (a bind of it), not a tmpfs of its own" \
                inside hostenv sh -c 'awk "\$5 == \"/etc/hosts\" { print \$4 }" /proc/self/mountinfo | grep -q "^/\.isolated-hosts"'
        check "the host's /etc/hosts has no line for it" sh -c "! grep -q '[[:space:]]hostenv\$' /etc/hosts"
        isolatectl stop hostenv >/dev/null 2>&1
}

# A syslog daemon in the service (rsyslog's imuxsock without systemd's socket) replaces /dev/log
# by a socket of its own, as on a host without journald: its private /dev lets it, and syslog(3)
# of the programs inside (and of a client entering it) then reaches that daemon, not the journal.
# The host's /dev/log stays as it was. The daemon: a few lines of Python, where the service can
# read them (its /tmp is its own).
testcase_syslog_daemon() {
        local mark="hostenv-own-$sid-$RANDOM" before
        before=$(stat -c '%F %i' /dev/log 2>&1)
        mkdir -p "$hostdir" && chmod 755 "$hostdir"
        cat > "$hostdir/syslogd.py" <<'PY'
import os, socket
try:
        os.unlink("/dev/log")
except FileNotFoundError:
        pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
open("/run/syslogd.ready", "w").close()
with open("/run/syslogd.out", "ab", buffering=0) as f:
        while True:
                f.write(s.recv(4096) + b"\n")
PY
        printf '[Service]\nExecStart=/usr/bin/python3 %s/syslogd.py\n' "$hostdir" > "$work/hostenv.service"
        check "hostenv starts, a syslog daemon" isolatectl start hostenv "$work/hostenv.service"
        check "it made its own /dev/log" \
                wait_for 10 timeout 20 isolatectl shell hostenv test -e /run/syslogd.ready </dev/null
        check "a socket, no longer the link" inside hostenv sh -c 'test -S /dev/log && ! test -L /dev/log'
        check "logger(1) inside succeeds" inside hostenv logger -t "hostenvown$sid" "$mark"
        check "the daemon got the line" \
                wait_for 10 sh -c "timeout 20 isolatectl shell hostenv cat /run/syslogd.out </dev/null | grep -q 'hostenvown$sid.*$mark'"
        check "the journal did not" sh -c "! journalctl -o cat -t hostenvown$sid | grep -q '$mark'"
        check_eq "the host's /dev/log is as it was" "$before" "$(stat -c '%F %i' /dev/log 2>&1)"
        isolatectl stop hostenv >/dev/null 2>&1
}

# haproxy's BindReadOnlyPaths=/dev/log:/var/lib/haproxy/dev/log: the source in /dev is what the
# service sees there (journald's syslog socket, as systemd binds the host's), the missing mount
# point in the read-only host tree is made without writing the host (its empty directory is
# covered), and where that directory is not empty the start says why it fails.
testcase_devlog_bind() {
        local mark="hostenv-bind-$sid-$RANDOM" out rc
        mkdir -p "$hostdir/chroot/dev" "$hostdir/full" && chmod -R 755 "$hostdir" && : > "$hostdir/full/keep"
        for pd in yes no; do
                start_sleeper hostenvbind "PrivateDevices=$pd\nBindReadOnlyPaths=/dev/log:$hostdir/chroot/dev/log\nBindReadOnlyPaths=-/dev/no-such-node:$hostdir/chroot/dev/none"
                check "PrivateDevices=$pd: the chroot's dev/log is a socket inside" inside hostenvbind test -S "$hostdir/chroot/dev/log"
                check "the missing '-' source is skipped" inside hostenvbind test ! -e "$hostdir/chroot/dev/none"
                check "logger(1) through the chroot's dev/log succeeds" \
                        inside hostenvbind logger -u "$hostdir/chroot/dev/log" -t "hostenvbind$sid" "$mark-$pd"
                check "the journal has its line" wait_for 10 sh -c "journalctl -o cat -t hostenvbind$sid | grep -qx '$mark-$pd'"
                check "the covered directory stays read-only inside" inside hostenvbind sh -c "! touch $hostdir/chroot/dev/x 2>/dev/null"
                check_eq "nothing reached the host's $hostdir/chroot/dev" "" "$(ls -A "$hostdir/chroot/dev" 2>&1)"
                isolatectl stop hostenvbind >/dev/null 2>&1
        done
        printf '[Service]\nExecStart=/bin/sleep infinity\nBindReadOnlyPaths=/dev/log:%s/full/log\n' "$hostdir" > "$work/hostenvbind.service"
        out=$(isolatectl start hostenvbind "$work/hostenvbind.service" 2>&1); rc=$?
        check_eq "a mount point missing in a non-empty read-only directory fails the start" 1 "$rc"
        check_match "saying why" "create mount point $hostdir/full/log \\(where the service's tree is read-only, only in an empty directory\\): Read-only file system" "$out"
        check_eq "and the host's directory is as it was" "keep" "$(ls -A "$hostdir/full" 2>&1)"
        isolatectl reset-failed hostenvbind >/dev/null 2>&1
}

testcase_chroot() {
        start_sleeper hostenv
        check "chroot(2) works as root inside" inside hostenv chroot / true
        isolatectl stop hostenv >/dev/null 2>&1
}

testcase_sysnet() {
        start_sleeper hostenv
        check_eq "/sys/class/net shows lo only" "lo" "$(inside hostenv ls /sys/class/net 2>&1 | tr '\n' ' ' | sed 's/ $//')"
        isolatectl stop hostenv >/dev/null 2>&1
        start_sleeper hostenvveth "[Isolate]\nNetwork=veth"
        check_eq "with Network=veth: host0 and lo" "host0 lo" \
                "$(inside hostenvveth ls /sys/class/net 2>&1 | tr '\n' ' ' | sed 's/ $//')"
        isolatectl stop hostenvveth >/dev/null 2>&1
}

testcase_status() {
        local n=hostenvrestart first="hostenv-first-$sid" second="hostenv-second-$sid" out
        printf '[Service]\nExecStart=/bin/sh -c "echo $MARK; exec sleep infinity"\nEnvironment=MARK=%s\n' "$first" \
                > "$work/$n.service"
        check "$n starts" isolatectl start "$n" "$work/$n.service"
        check "its first line is in the journal" wait_for 10 sh -c "isolatectl status $n | grep -q $first"
        sed -i "s/MARK=.*/MARK=$second/" "$work/$n.service"
        isolatectl stop "$n" >/dev/null 2>&1
        check "$n starts again" isolatectl start "$n" "$work/$n.service"
        check "status shows the second run's line" wait_for 10 sh -c "isolatectl status $n | grep -q $second"
        out=$(isolatectl status "$n" 2>&1)
        check "status shows none of the first run's lines" lacks "$first" "$out"
        check "logs still has the first run's" sh -c "isolatectl logs $n | grep -q $first"
        isolatectl stop "$n" >/dev/null 2>&1
        out=$(isolatectl status "$n" 2>&1)
        check_match "stopped, status still shows the last run's line" "$second" "$out"
        check "and none of the first run's" lacks "$first" "$out"
}

# A daemon that needs all of it: Debian's stock ssh.service, unchanged. sshd logs through syslog(3)
# only, and its privilege separation chroot(2)s into /run/sshd for every connection.
testcase_sshd() {
        local n=hostenvssh unit=isolated-hostenvssh.scope init keys
        if [ ! -x /usr/sbin/sshd ] || [ ! -f /lib/systemd/system/ssh.service ] || ! ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1; then
                ok "# SKIP sshd: not installed with its host keys"
                return
        fi
        cp /lib/systemd/system/ssh.service "$work/$n.service"
        check "$n starts from the stock ssh.service" isolatectl start "$n" "$work/$n.service"
        init=$(prop "$n" InitPID)
        check "sshd listens on 22 in its network namespace" wait_listen "$init" 22 20
        keys=$(timeout 20 nsenter -t "$init" -n ssh-keyscan -T 10 127.0.0.1 2>/dev/null)
        check_match "ssh-keyscan gets its host keys (privsep's chroot worked)" "^127\.0\.0\.1 ssh-ed25519 " "$keys"
        check "sshd's syslog(3) lines reach the journal under its scope" \
                wait_for 10 sh -c "journalctl -u $unit -t sshd -o cat | grep -q 'Server listening on'"
        isolatectl stop "$n" >/dev/null 2>&1
}

# The daemon's plan of /run is made again when tmpfiles.d changes, and only then: a file rewritten
# in place at the same size (same inode, only its mtime and text differ), then removed.
plans_made() { journalctl --sync 2>/dev/null; journalctl -u isolated.service -o cat --no-pager 2>/dev/null | grep -c 'tmpfiles.d: plan of /run made'; }
no_new_plan() { # SECONDS
        local end=$((SECONDS + $1)) made
        while [ $SECONDS -lt $end ]; do
                made=$(plans_made)
                isolatectl start hostenv "$work/hostenv.service" >/dev/null 2>&1 || return 1
                isolatectl stop hostenv >/dev/null 2>&1
                # the daemon's line, if any, is in the journal before the start's reply
                [ "$(plans_made)" = "$made" ] && return 0
        done
        return 1
}
testcase_cache() {
        local a=/run/isolated-hostenv-$sid-a b=/run/isolated-hostenv-$sid-b made
        printf 'd %s 0750 root root -\n' "$a" > "$tmpfiles"
        touch -d "@$(( $(date +%s) - 20 ))" "$tmpfiles"
        start_sleeper hostenv
        check "the first start after a change has its line: $a" inside hostenv test -d "$a"
        check "the daemon made a plan for it" wait_for 10 sh -c "journalctl -u isolated.service -o cat | grep -q 'tmpfiles.d: plan of /run made'"
        isolatectl stop hostenv >/dev/null 2>&1
        # Unchanged, the next start makes no plan. A plan from an input younger than 0.1 s is made
        # again at the next start anyway (a second write in the same jiffy would not show in its
        # mtime), and other tests may change /etc meanwhile: pairs of starts, until one pair made
        # none, for at most 20 s.
        check "an unchanged configuration: a start makes no new plan" no_new_plan 20
        # In place: the same inode and size, the directory's mtime unchanged.
        made=$(plans_made)
        printf 'd %s 0750 root root -\n' "$b" > "$tmpfiles"
        touch -d "@$(( $(date +%s) - 10 ))" "$tmpfiles"
        start_sleeper hostenv
        check "the next start sees the change: $b" inside hostenv test -d "$b"
        check "and not the line it replaced" inside hostenv test ! -e "$a"
        check "a new plan was made" wait_for 10 sh -c "test \$(journalctl -u isolated.service -o cat | grep -c 'tmpfiles.d: plan of /run made') -gt $made"
        isolatectl stop hostenv >/dev/null 2>&1
        rm -f "$tmpfiles"
        start_sleeper hostenv
        check "a removed file's line is gone at the next start" inside hostenv test ! -e "$b"
        # %H is the service's own hostname, not the daemon's.
        isolatectl stop hostenv >/dev/null 2>&1
        printf 'd %s-%%H 0750 root root -\n' "$a" > "$tmpfiles"
        start_sleeper hostenv
        local h
        h=$(inside hostenv hostname 2>&1)
        check "%H of a line is the service's hostname ($h)" inside hostenv test -d "$a-$h"
        rm -f "$tmpfiles"
        # A service whose mounts cover tmpfiles.d runs the tool itself, in its own view.
        isolatectl stop hostenv >/dev/null 2>&1
        mkdir -p "$work/own.d" && printf 'd %s 0700 root root -\n' "$b" > "$work/own.d/own.conf"
        start_sleeper hostenv "BindReadOnlyPaths=$work/own.d:/etc/tmpfiles.d"
        check "BindReadOnlyPaths= over /etc/tmpfiles.d: the service's own lines" inside hostenv test -d "$b"
        isolatectl stop hostenv >/dev/null 2>&1
}

# What tmpfiles.d costs a start (not a check of the environment; ONLY=host-env:cost): `isolatectl
# start --wait` of /bin/true, ROUNDS times each, alternated: with the daemon's plan (the default),
# with the init running systemd-tmpfiles itself (a BindReadOnlyPaths= over /etc/tmpfiles.d turns
# the plan off), and with neither (that, and the tool masked by an empty file bound over it in the
# harness's mount namespace only), and the medians of each.
ROUNDS=20
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
start_us() { # FILE: prints the microseconds isolatectl start --wait took, or fails
        local t0 t1
        t0=$(date +%s%N)
        isolatectl start --wait hostenv "$1" >/dev/null 2>&1 || return 1
        t1=$(date +%s%N)
        echo $(( (t1 - t0) / 1000 ))
}
stats() { tr ' ' '\n' <<< "$1" | grep . | sort -n |
        awk '{ v[NR] = $1 } END { printf "median %d, p10 %d, p90 %d (n %d)", v[int((NR + 1) / 2)], v[int(NR * 0.1) + 1], v[int(NR * 0.9)], NR }'; }
cost_run() { # plan|tool|none: one start, its microseconds
        local us
        case $1 in
        plan) start_us "$work/plan.service" ;;
        tool) start_us "$work/tool.service" ;;
        none)
                mount --bind "$work/no-tmpfiles" /usr/bin/systemd-tmpfiles || return 1
                us=$(start_us "$work/tool.service") || { umount /usr/bin/systemd-tmpfiles; return 1; }
                umount /usr/bin/systemd-tmpfiles
                echo "$us" ;;
        esac
}
# A started daemon makes the plan at its first idle moment, so the first start after it need not
# run systemd-tmpfiles itself: the new daemon's line, with no start in between. A tmpfiles.d file
# written just before the restart (a package's postinst) is too young for its mtime to show the
# next change: the warm-up waits until it is old enough, or the first start would make the plan
# again. Its mtime is put 2 s ahead, so that it is still young when the new daemon looks, however
# long the restart takes (at most 2 s).
testcase_warm_up() {
        local old new t0
        old=$(daemon_pid)
        printf 'd /run/isolated-hostenv-%s-w 0750 root root -\n' "$sid" > "$tmpfiles"
        t0=$(date +%s)
        touch -d "@$((t0 + 2))" "$tmpfiles"
        systemctl restart isolated.service
        check "the daemon restarted" wait_for 15 daemon_restarted "$old"
        new=$(daemon_pid)
        check "before any start it made the plan of /run" wait_for 10 sh -c \
                "journalctl --sync; journalctl _PID=$new -o cat --no-pager | grep -q 'tmpfiles.d: plan of /run made'"
        check "no sooner than the new file's mtime" test "$(date +%s)" -ge "$((t0 + 2))"
        check_eq "not from a file too young to trust" "" \
                "$(journalctl _PID="$new" -o cat --no-pager | grep 'tmpfiles.d: plan of /run made' | grep 'less than 0.1 s ago')"
        start_sleeper hostenv
        # the daemon's line, if any, is in the journal before the start's reply; synced first
        journalctl --sync
        check_eq "and the first start used it: no second plan" 1 \
                "$(journalctl _PID="$new" -o cat --no-pager | grep -c 'tmpfiles.d: plan of /run made')"
        check "the plan has the new file's line" inside hostenv test -d "/run/isolated-hostenv-$sid-w"
        isolatectl stop hostenv >/dev/null 2>&1
        rm -f "$tmpfiles"
}

testcase_cost() {
        local i v us order plan= tool= none=
        printf '[Service]\nExecStart=/bin/true\n' > "$work/plan.service"
        printf '[Service]\nExecStart=/bin/true\nBindReadOnlyPaths=/etc/tmpfiles.d\n' > "$work/tool.service"
        : > "$work/no-tmpfiles" && chmod 644 "$work/no-tmpfiles"
        start_us "$work/plan.service" >/dev/null || { not_ok "hostenv starts"; return; } # the plan made
        check "hostenv starts with systemd-tmpfiles masked" cost_run none
        for i in $(seq $ROUNDS); do
                # Each variant first, second and third in turn.
                case $((i % 3)) in 0) order="plan tool none" ;; 1) order="tool none plan" ;; *) order="none plan tool" ;; esac
                for v in $order; do
                        us=$(cost_run $v) || { not_ok "hostenv starts ($v)"; return; }
                        printf -v "$v" '%s %s' "${!v}" "$us"
                done
        done
        echo "# start --wait /bin/true with the plan (us): $(stats "$plan")"
        echo "# with systemd-tmpfiles in the init (us): $(stats "$tool")"
        echo "# with neither (us): $(stats "$none")"
        check "a start takes under 5 s" test "$(median "$plan")" -lt 5000000
}

run_testcases
