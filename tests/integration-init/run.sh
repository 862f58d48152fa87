#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration test of isolate-init against drive-init.c, which plays the daemon (no systemd,
# no D-Bus). Needs root for the namespaces. One line per check; exits non-zero on a failure.
#
#   run.sh [PATH-TO-isolate-init [PATH-TO-drive-init]]
#   (defaults: $ISOLATE_INIT, else ./build/src/isolate-init/isolate-init; the drive-init beside
#   it in the build tree, tests/integration-init/drive-init: meson builds both)
set -u

INIT=$(realpath "${1:-${ISOLATE_INIT:-build/src/isolate-init/isolate-init}}")
HERE=$(dirname "$(realpath "$0")")
T=$(mktemp -d /tmp/isolate-init-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
failed=0
n=0

if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP needs root for namespaces"
        exit 77
fi
[ -x "$INIT" ] || { echo "Bail out! no isolate-init at $INIT"; exit 1; }
DRIVE=${2:-$(dirname "$INIT")/../../tests/integration-init/drive-init}
[ -x "$DRIVE" ] || { echo "Bail out! no drive-init at $DRIVE (meson compile builds it)"; exit 1; }
cp "$DRIVE" "$T/drive-init"

check() { # DESCRIPTION COMMAND...
        local what=$1
        shift
        n=$((n + 1))
        if "$@" >/dev/null 2>&1; then
                echo "ok $n - $what"
        else
                echo "not ok $n - $what"
                failed=1
        fi
}

has() { grep -qxF -- "$2" "$T/$1"; }   # has FILE LINE: exact line
hasre() { grep -qE -- "$2" "$T/$1"; }  # hasre FILE REGEX

# without_journald COMMAND...: runs it where journald's sockets are not (an empty tmpfs over
# /run/systemd/journal in a mount namespace of its own), so that the init's fallback to its stderr
# is what a check sees on any machine, with journald running or not.
without_journald() {
        if [ -d /run/systemd/journal ]; then
                unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 none /run/systemd/journal && exec "$@"' sh "$@"
        else
                "$@"
        fi
}

# drive TAG DESCRIPTION-TEXT [drive-init options...]: output in $T/TAG.out, stderr in $T/TAG.err.
# With DRIVE_WRAP=without_journald the init runs without journald.
drive() {
        local tag=$1 text=$2
        shift 2
        # The service gets a private /tmp: the test directory is bound into it at the same path.
        printf '[Service]\nBindPaths=%s\n%s\n' "$T" "$text" >"$T/$tag.service"
        local start=$(date +%s%N)
        ${DRIVE_WRAP:-} "$T/drive-init" "$@" "$INIT" demo "$T/$tag.service" >"$T/$tag.out" 2>"$T/$tag.err"
        echo $(( ($(date +%s%N) - start) / 1000000 )) >"$T/$tag.ms"
}
ms() { cat "$T/$1.ms"; }

# --- a running service, inspected from the host ---
# (Once its main process has exec'd sleep: before that it is the shell, which holds running.sh
# open on a fd of its own, so the fd check raced the exec under load.)
cat >"$T/inspect.sh" <<'X'
nsenter -t $MAIN_PID -u hostname >$T/hostname
nsenter -t $MAIN_PID -n ip -o link >$T/links
awk '/^NSpid:/ { print $NF }' /proc/$INIT_PID/status >$T/init-nspid
awk '/^NSpid:/ { print $NF }' /proc/$MAIN_PID/status >$T/main-nspid
nsenter -t $MAIN_PID -m cat /proc/1/comm >$T/proc1
readlink /proc/$MAIN_PID/ns/cgroup >$T/cgroupns
readlink /proc/$MAIN_PID/fd/0 >$T/stdin
ls /proc/$MAIN_PID/fd | sort -n | tr '\n' ' ' >$T/fds
awk '/^Sig(Blk|Ign):/ { print $2 }' /proc/$MAIN_PID/status | sort -u >$T/sigs
X
# until.sh CONDITION: drive-init's -c waits (5 s at most) for the service to be where a check
# needs it: main-execd (its main process has printed its lines and exec'd sleep), main-forked (it
# has a child).
cat >"$T/until.sh" <<'X'
#!/bin/sh
i=0
while [ $i -lt 50 ]; do
        case $1 in
        main-execd) [ "$(cat /proc/$MAIN_PID/comm 2>/dev/null)" = sleep ] && exit 0 ;;
        main-forked) pgrep -P "$MAIN_PID" >/dev/null && exit 0 ;;
        esac
        sleep 0.1
        i=$((i + 1))
done
exit 1
X
chmod 755 "$T/until.sh"
cat >"$T/running.sh" <<'X'
echo "hello-from-service"
echo "FOO=$FOO BAR=$BAR"
echo "PWD=$(pwd)"
exec sleep 100
X
export T
# The checks of the service's output read the init's stderr: without journald, whatever the machine runs.
DRIVE_WRAP=without_journald drive running "[Service]
ExecStart=/bin/sh $T/running.sh
Environment=FOO=bar BAR=1
Environment=BAR=2
WorkingDirectory=/tmp
[Isolate]
Hostname=box1" -c "$T/until.sh main-execd; . $T/inspect.sh" -s "KILL main 15"

check "MAIN arrives with a pidfd" hasre running.out '^MAIN [0-9]+ \| STATE=running \| NRESTARTS=0 \| STATUS= \(pidfd host pid [0-9]+\)$'
check "hostname inside is Hostname=" has hostname box1
check "only lo in the network namespace" test "$(wc -l <"$T/links")" = 1
check "lo is UP" hasre links '^1: lo: <[^>]*\bUP\b'
check "init is PID 1 of its namespace (NSpid)" has init-nspid 1
check "MAIN reports the PID seen inside" hasre running.out "^MAIN $(cat "$T/main-nspid") "
check "fresh /proc of the new PID namespace" has proc1 isolate-init
check "own cgroup namespace" test "$(cat "$T/cgroupns")" != "$(readlink /proc/self/ns/cgroup)"
check "stdin is /dev/null" has stdin /dev/null
check "service has only fds 0 1 2" test "$(cat "$T/fds")" = "0 1 2 "
check "service has no blocked or ignored signals" has sigs 0000000000000000
check "service output falls back to the init's stderr" has running.err hello-from-service
check "no journald: a warning, once" test "$(grep -c 'Failed to connect to the journal' "$T/running.err")" = 1
check "Environment=, a later assignment wins" has running.err "FOO=bar BAR=2"
check "WorkingDirectory=" has running.err "PWD=/tmp"
check "KILL main 15 -> EXITED killed 15" has running.out "EXITED killed 15"
check "init exits 128+15" has running.out "INIT_EXIT 143"

# --- start failures ---
drive enoent "[Service]
ExecStart=/nonexistent"
check "missing binary -> FAILED ENOENT" has enoent.out "FAILED 2 | Failed to execute /nonexistent: No such file or directory"
check "missing binary -> init exits 255" has enoent.out "INIT_EXIT 255"

drive pathmiss "[Service]
ExecStart=no-such-binary-in-path --x"
check "bare name missing from PATH -> FAILED ENOENT" hasre pathmiss.out "^FAILED 2 \| Failed to execute no-such-binary-in-path: "

printf 'not a program\n' >"$T/noexec"
chmod 644 "$T/noexec"
drive noexec "[Service]
ExecStart=$T/noexec"
check "non-executable file -> FAILED EACCES" hasre noexec.out "^FAILED 13 \| "

drive nodir "[Service]
ExecStart=/bin/true
WorkingDirectory=/nonexistent-dir"
check "missing WorkingDirectory= -> FAILED ENOENT" hasre nodir.out "^FAILED 2 \| Failed to change working directory"
check "missing WorkingDirectory= -> init exits 255" has nodir.out "INIT_EXIT 255"

drive version "[Service]
ExecStart=/bin/true" -V 1
check "START 1 -> FAILED EPROTONOSUPPORT" hasre version.out "^FAILED $(python3 -c 'import errno; print(errno.EPROTONOSUPPORT)' 2>/dev/null || echo 93) \| "
check "START 1 -> init exits 255" has version.out "INIT_EXIT 255"
# Read only once the init is gone, with our GO unread by it: Linux reports ECONNRESET before the
# FAILED still queued for us, which a daemon must read past.
drive versionlate "[Service]
ExecStart=/bin/true" -V 1 -E
check "START 1, read after the init exited -> FAILED EPROTONOSUPPORT" hasre versionlate.out "^FAILED $(python3 -c 'import errno; print(errno.EPROTONOSUPPORT)' 2>/dev/null || echo 93) \| "
check "START 1, read after the init exited -> init exits 255" has versionlate.out "INIT_EXIT 255"

drive badkey "[Service]
ExecStart=/bin/true
NoSuchKeyAnywhere=1"
check "bad description -> FAILED EINVAL naming demo.service" hasre badkey.out "^FAILED 22 \| demo\.service"

# --- exits ---
drive bare "[Service]
ExecStart=true"
check "bare name looked up in PATH, exit 0" has bare.out "EXITED exited 0"
check "init exits 0" has bare.out "INIT_EXIT 0"

drive exit3 "[Service]
ExecStart=/bin/sh -c 'exit 3'"
check "exit 3 -> EXITED exited 3" has exit3.out "EXITED exited 3"
check "exit 3 -> init exits 3" has exit3.out "INIT_EXIT 3"

# An orphan that ends while the main process runs must not stay a zombie; the main process
# counts the zombies of the namespace and exits with that number.
cat >"$T/orphan.sh" <<'X'
o=$(sleep 0.1 >/dev/null 2>&1 & echo $!)
# The orphan ends after 0.1 s: wait (5 s at most) until it is reaped (a zombie keeps /proc/PID).
i=0
while [ -d /proc/$o ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
exit $(grep -h '^State:' /proc/[0-9]*/status | grep -c zombie)
X
drive orphan "[Service]
ExecStart=/bin/sh $T/orphan.sh"
check "orphans are reaped while the service runs" has orphan.out "EXITED exited 0"

# Leftovers get KillSignal= when the main process ends.
drive leftover "[Service]
ExecStart=/bin/sh -c 'sleep 1000 & exit 0'
TimeoutStopSec=10"
check "leftover process: EXITED exited 0, init exits 0" has leftover.out "INIT_EXIT 0"
check "leftover process is stopped by SIGTERM at once" test "$(ms leftover)" -lt 2000

# ... and SIGKILL after TimeoutStopSec= if they ignore it.
drive stubborn "[Service]
ExecStart=/bin/sh -c 'trap \"\" TERM; sleep 1000 & exit 0'
TimeoutStopSec=1"
check "process ignoring SIGTERM: init exits 0" has stubborn.out "INIT_EXIT 0"
check "process ignoring SIGTERM is killed after TimeoutStopSec=1" test "$(ms stubborn)" -ge 900 -a "$(ms stubborn)" -lt 4000

# --- signals ---
drive fwd "[Service]
ExecStart=/bin/sleep 100" -c 'kill -TERM $INIT_PID; sleep 0.2; kill -HUP $INIT_PID'
check "SIGTERM from the host to the init is forwarded" has fwd.out "EXITED killed 15"
check "the init does not die of it" has fwd.out "INIT_EXIT 143"

drive usr1 "[Service]
ExecStart=/bin/sleep 100" -c 'kill -USR1 $INIT_PID'
check "SIGUSR1 is forwarded" has usr1.out "EXITED killed 10"

drive killall "[Service]
ExecStart=/bin/sh -c 'sleep 1000 & sleep 1000'" -c "$T/until.sh main-forked" -s "KILL all 9"
check "KILL all 9 -> EXITED killed 9" has killall.out "EXITED killed 9"
check "KILL all 9 -> init exits 137" has killall.out "INIT_EXIT 137"

# RESTART (HealthOnFailure=restart): a restart in place whatever Restart= says, counted; the
# second run ends by itself and, with Restart=no, ends the service. (The first run's sleep: what
# RESTART stops; the -c loop a bounded wait for its file.)
drive restart "[Service]
ExecStart=/bin/sh -c 'if [ -e /run/restarted ]; then exit 5; fi; touch /run/restarted; exec sleep 5'" \
        -c 'for i in $(seq 50); do nsenter -t $MAIN_PID -m test -e /run/restarted && break; sleep 0.1; done' -s "RESTART"
check "RESTART restarts in place, counted" grep -q "STATE=running | NRESTARTS=1" "$T/restart.out"
check "RESTART: the first run was stopped, not waited for" test "$(ms restart)" -lt 4000
check "RESTART: then Restart=no applies" has restart.out "INIT_EXIT 5"

# An unknown control message is ignored: the init goes on to the next one, which ends the service
# by its own hand (its USR1 trap exits 4). No timer: a service that ended by itself after a sleep
# raced the message under load (2 of 5 runs at a load of 20-40).
drive gone "[Service]
ExecStart=/bin/sh -c 'trap \"exit 4\" USR1; while :; do sleep 0.1; done'" -c "$T/until.sh main-forked" \
        -s "KILL nobody 1" -s "KILL main 10"
check "unknown control message is ignored" has gone.out "INIT_EXIT 4"

if [ $failed != 0 ]; then
        echo "# failed; outputs in $T"
        trap - EXIT
fi
echo "1..$n"
exit $failed
