#!/bin/bash
# Bounded resources, as an administrator sees them (issue 13, item 5): a hostile service and its
# neighbours, all under the default description (and as User=nobody where the uid matters):
# a fork bomb, a tmpfs filler, an inotify hog and mlock beyond RLIMIT_MEMLOCK leave the host and
# the neighbours working. The hostile code is tests' own: a C fork bomb (tests/fixtures/bomb.c)
# and a python3 script, copied or written to the test's work directory, which the services read
# from the host tree.
# CASE=NAME runs one case (testcase_NAME): ONLY=bounds:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-bounds.XXXXXX)
names="bdbomb bdbombn bdnb bdnbn bdfill bdtmp bdino bdinon bdnbi bdnbin bdml bdmlhost"
hostpy=
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        [ -n "$hostpy" ] && kill "$hostpy" 2>/dev/null
        rm -rf "$work" /tmp/isolated-bounds-host.$$
}
trap cleanup EXIT

# --- the hostile code ---------------------------------------------------------
# A fork bomb, bounded: every process forks until its fork fails, then pauses; the first to
# fail writes why to the marker file (argv[1]). tests/fixtures/bomb.c, built by meson.
helper bomb "$work" || { not_ok "build the fork bomb"; finish; exit 1; }

cat > "$work/hog.py" <<'PY'
import ctypes, errno, os, resource, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.munlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

def err(e=None):
    e = ctypes.get_errno() if e is None else e
    return errno.errorcode.get(e, str(e))

def hold(mark, line):             # prints it (and writes MARK, unless "-"), then holds on
    print(line + "\nhog-done", flush=True)
    if mark != "-":
        with open(mark + ".tmp", "w") as f:
            f.write(line + "\n")
        os.rename(mark + ".tmp", mark)
    while True:
        signal.pause()

mode = sys.argv[1]
if mode == "inotify-hog":       # inotify-hog MARK: instances until inotify_init1 fails, held
    fds = []
    while True:
        fd = libc.inotify_init1(os.O_CLOEXEC)
        if fd < 0:
            break
        fds.append(fd)
    hold(sys.argv[2], "inotify-hog %d %s" % (len(fds), err()))
elif mode == "inotify-try":     # inotify-try N: N instances at once; exit 0 if all were made
    n, got, e = int(sys.argv[2]), 0, "-"
    fds = []
    for i in range(n):
        fd = libc.inotify_init1(os.O_CLOEXEC)
        if fd < 0:
            e = err()
            break
        fds.append(fd)
    print("inotify-try %d/%d %s" % (len(fds), n, e))
    sys.exit(0 if len(fds) == n else 1)
elif mode == "fill":            # fill - DIR...: each DIR with data, then with empty files, until ENOSPC
    out = []
    for d in sys.argv[3:]:
        st = os.statvfs(d)
        written, e = 0, "-"
        fd = os.open(d + "/fill", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        buf = b"\xa5" * 65536
        try:
            while True:
                written += os.write(fd, buf)
        except OSError as x:
            e = err(x.errno)
        os.close(fd)
        n, ei = 0, "-"
        try:
            while n < 10000000:
                os.close(os.open("%s/f%d" % (d, n), os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))
                n += 1
        except OSError as x:
            ei = err(x.errno)
        after = os.statvfs(d)
        out.append("fill %s size=%d written=%d %s files=%d %s inodes=%d bavail=%d favail=%d" % (
            d, st.f_blocks * st.f_frsize, written, e, n, ei, st.f_files, after.f_bavail, after.f_favail))
    hold(sys.argv[2], "\n".join(out))
elif mode == "mlock":           # mlock MARK: what RLIMIT_MEMLOCK lets through, and writes to /proc/sys
    out = []
    soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    out.append("memlock %d %d" % (soft, hard))
    try:
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        out.append("raise-hard ok")
    except ValueError:                              # python's EPERM of setrlimit
        out.append("raise-hard EPERM")
    except OSError as x:
        out.append("raise-hard " + err(x.errno))
    soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    limit = hard if hard != resource.RLIM_INFINITY else 64 << 20
    size = limit + (4 << 20)
    addr = libc.mmap(None, size, 3, 0x22, -1, 0)    # PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS
    r = libc.mlock(addr, 4096)
    out.append("mlock-page %s" % ("ok" if r == 0 else err()))
    libc.munlock(addr, 4096)
    r = libc.mlock(addr, size)
    out.append("mlock-beyond %s" % ("ok" if r == 0 else err()))
    r = libc.mlockall(3)                            # MCL_CURRENT|MCL_FUTURE
    out.append("mlockall %s" % ("ok" if r == 0 else err()))
    libc.munlockall()
    # Writes of the value that is there (nothing changes even if one went through).
    for p in sys.argv[3:]:
        try:
            with open(p) as f:
                v = f.read()
            with open(p, "w") as f:
                f.write(v)
            out.append("sysctl-write %s ok" % p)
        except OSError as x:
            out.append("sysctl-write %s %s" % (p, err(x.errno)))
    hold(sys.argv[2], "\n".join(out))
PY
chmod 755 "$work" "$work/bomb" && chmod 644 "$work/hog.py"
PY=/usr/bin/python3
HOG="$PY $work/hog.py"

# unit NAME "[Service] LINES" ["[Isolate] LINES"]: writes $work/NAME.service and starts it.
unit() {
        { printf '[Service]\n%b\n' "$2"; [ -n "${3:-}" ] && printf '[Isolate]\n%b\n' "$3"; } > "$work/$1.service"
        isolatectl start "$1" "$work/$1.service"
}
# inside NAME CMD...: runs CMD in the service's mount namespace (as the host's root: to read its files).
inside() { local n=$1; shift; nsenter -t "$(prop "$n" InitPID)" -m "$@"; }
marked() { inside "$1" test -s "$2"; }
stopped_clean() { # NAME INIT-PID: stop returns, scope and every process gone
        check "$1: stop" isolatectl stop "$1"
        check "$1: its scope is gone" wait_for 10 sh -c "! systemctl is-active -q isolated-$1.scope"
        check "$1: its init is gone" test ! -d "/proc/$2"
        isolatectl reset-failed "$1" >/dev/null 2>&1
}
# The pids controller's files of a scope, v1 or v2.
pids_file() { # UNIT FILE
        local cg
        cg=$(systemctl show -P ControlGroup "$1")
        if [ -e "/sys/fs/cgroup/pids$cg/$2" ]; then cat "/sys/fs/cgroup/pids$cg/$2"; else cat "/sys/fs/cgroup$cg/$2"; fi
}
# How many processes of the host (this PID namespace and those under it) run the bomb.
bomb_procs() { pgrep -c -x bomb; }

# --- the fork bomb --------------------------------------------------------------
bomb_case() { # NAME NEIGHBOUR USER-LINE
        local name=$1 nb=$2 user=$3 init max tasks peak=0 i out
        unit "$name" "${user}ExecStart=$work/bomb /tmp/bomb.mark" || { not_ok "$name: start the bomb"; return; }
        init=$(prop "$name" InitPID)
        max=$(systemctl show -P TasksMax "isolated-$name.scope")
        check_eq "$name: the scope has the default TasksMax" 4096 "$max"
        check "$name: the bomb's fork fails at last" wait_for 60 marked "$name" /tmp/bomb.mark
        check_eq "$name: with EAGAIN" EAGAIN "$(inside "$name" cat /tmp/bomb.mark 2>/dev/null)"
        # While it holds every task it could get: the host, the neighbour.
        check "$name: the host still forks" timeout 10 /bin/sh -c '/bin/true && echo $(echo forked) | grep -q forked'
        out=$(timeout 20 isolatectl shell "$nb" /bin/sh -c 'echo $(echo forked-in-$(hostname))' </dev/null 2>&1)
        check_eq "$name: the neighbour $nb still forks (a shell and a subshell)" "forked-in-$nb" "$out"
        # The daemon answers with its last figure from systemd and asks for a new one: under the bomb
        # systemd is slow to answer, so read until the figure is new (bounded), keeping the peak.
        tasks_seen() {
                tasks=$(prop "$name" TasksCurrent)
                [ "$tasks" -gt "$peak" ] 2>/dev/null && peak=$tasks
                [ "$peak" -ge $((max / 2)) ]
        }
        wait_for 30 tasks_seen
        check "$name: TasksCurrent ($peak) at or under TasksMax ($max)" test "$peak" -le "$max" -a "$peak" -ge $((max / 2))
        check "$name: pids.current at or under pids.max" \
                test "$(pids_file "isolated-$name.scope" pids.current)" -le "$(pids_file "isolated-$name.scope" pids.max)"
        check_eq "$name: pids.max is TasksMax" "$max" "$(pids_file "isolated-$name.scope" pids.max)"
        check_match "$name: the scope's pids limit is what refused forks" "^max [1-9]" \
                "$(pids_file "isolated-$name.scope" pids.events)"
        check "$name: the host's bomb processes are the scope's" test "$(bomb_procs)" -le "$max"
        stopped_clean "$name" "$init"
        check_eq "$name: no bomb process is left" 0 "$(bomb_procs)"
}
testcase_forkbomb() {
        local name init
        unit bdnb "ExecStart=/bin/sleep infinity" || not_ok "start the neighbour bdnb"
        unit bdnbn "User=nobody\nExecStart=/bin/sleep infinity" || not_ok "start the neighbour bdnbn"
        bomb_case bdbomb bdnb ""
        bomb_case bdbombn bdnbn "User=nobody\n"
        check_eq "the neighbour bdnb runs on" running "$(prop bdnb State)"
        check_eq "the neighbour bdnbn runs on" running "$(prop bdnbn State)"
        for name in bdnb bdnbn; do
                init=$(prop "$name" InitPID)
                stopped_clean "$name" "$init"
        done
}

# --- the tmpfs filler ---------------------------------------------------------------
# Each private tmpfs at its size: the default, 10% of RAM with 400k inodes (as the kernel rounds
# size=10%: pages of RAM * 10 / 100, up), and a small TmpfsSize= that the filler fills.
testcase_tmpfs() {
        local pages want_blocks d st line size inv out init
        pages=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / ($(getconf PAGESIZE) / 1024) ))
        want_blocks=$(( (pages * 10 + 99) / 100 ))
        unit bdtmp "ExecStart=/bin/sleep infinity" || not_ok "start bdtmp"
        for d in /tmp /var/tmp /dev/shm /run; do
                st=$(isolatectl shell bdtmp stat -f -c '%T %b %S %c' "$d" </dev/null)
                check_eq "default: $d is a tmpfs of 10% of RAM, 400k inodes" "tmpfs $want_blocks $(getconf PAGESIZE) 409600" "$st"
        done
        check "default: 10% is at most a quarter of RAM" test $((want_blocks * 4)) -le "$pages"

        # (It says what it did on its stdout: no file can be written inside once it is done.)
        unit bdfill "ExecStart=$HOG fill - /tmp /var/tmp /dev/shm /run" "TmpfsSize=4M:512" ||
                not_ok "start the filler"
        inv=$(systemctl show -P InvocationID isolated-bdfill.scope)
        check "the filler is done" wait_for 60 sh -c "journalctl _SYSTEMD_INVOCATION_ID=$inv -o cat | grep -qx hog-done"
        out=$(journalctl "_SYSTEMD_INVOCATION_ID=$inv" -o cat | grep '^fill ')
        for d in /tmp /var/tmp /dev/shm /run; do
                line=$(grep "^fill $d " <<< "$out")
                check_match "filler: $d is 4 MiB, 512 inodes" " size=4194304 .* inodes=512 " "$line"
                check_match "filler: $d: data until ENOSPC" " written=[0-9]+ ENOSPC " "$line"
                size=$(sed -n 's/.* written=\([0-9]*\) .*/\1/p' <<< "$line")
                check "filler: $d took at most its size, nearly all of it ($size)" \
                        test "${size:-0}" -le 4194304 -a "${size:-0}" -ge $((4194304 - 1048576))
                check_match "filler: $d: files until ENOSPC (inodes)" " files=[0-9]+ ENOSPC " "$line"
                check_match "filler: $d: left full" " bavail=0 favail=0$" "$line"
                check_match "filler: df inside says 100%" "100% $d\$" \
                        "$(isolatectl shell bdfill df -k --output=pcent,target "$d" </dev/null | tr -s ' ' | sed 's/^ //')"
        done
        check "the host's /tmp takes 1 MiB" sh -c "head -c 1048576 /dev/zero > /tmp/isolated-bounds-host.$$"
        check_eq "... all of it" 1048576 "$(stat -c %s /tmp/isolated-bounds-host.$$ 2>/dev/null)"
        rm -f /tmp/isolated-bounds-host.$$
        for d in /tmp /var/tmp /dev/shm /run; do
                check_eq "the neighbour's $d takes 1 MiB and a file" 1048576 \
                        "$(isolatectl shell bdtmp sh -c "head -c 1048576 /dev/zero > $d/n && touch $d/n2 && stat -c %s $d/n" </dev/null 2>&1)"
        done
        check "the neighbour's /tmp does not hold the filler's files" \
                sh -c "! isolatectl shell bdtmp ls /tmp/fill </dev/null >/dev/null 2>&1"
        init=$(prop bdfill InitPID)
        stopped_clean bdfill "$init"
        init=$(prop bdtmp InitPID)
        stopped_clean bdtmp "$init"
}

# --- the inotify hog ------------------------------------------------------------
# The kernel counts inotify instances per user in every user namespace up to the host's: a service's
# namespace is owned by its range's first host ID, so everything of one service (root and nobody
# inside) shares one fs.inotify.max_user_instances of the host, and no other.
host_try() { # USER N
        setpriv --reuid="$1" --regid="$1" --clear-groups $PY "$work/hog.py" inotify-try "$2"
}
testcase_inotify() {
        local max out n name init
        max=$(cat /proc/sys/fs/inotify/max_user_instances)
        unit bdnbi "ExecStart=/bin/sleep infinity" || not_ok "start the neighbour bdnbi"
        unit bdnbin "User=nobody\nExecStart=/bin/sleep infinity" || not_ok "start the neighbour bdnbin"
        for name in bdino bdinon; do
                unit "$name" "$([ $name = bdinon ] && echo 'User=nobody\n')ExecStart=$HOG inotify-hog /tmp/ino.mark" ||
                        not_ok "start the inotify hog $name"
                check "$name: the hog's inotify_init1 fails at last" wait_for 30 marked "$name" /tmp/ino.mark
                out=$(inside "$name" cat /tmp/ino.mark)
                check_match "$name: with EMFILE (the per-user instance limit)" "^inotify-hog [0-9]+ EMFILE$" "$out"
                n=$(awk '{print $2}' <<< "$out")
                check "$name: it got at most fs.inotify.max_user_instances ($n of $max)" test "${n:-0}" -le "$max" -a "${n:-0}" -ge $((max / 2))
                check_match "$name: a second process of the same service gets none (bounded per service)" "^inotify-try 0/1 EMFILE$" \
                        "$(isolatectl shell "$name" $PY "$work/hog.py" inotify-try 1 </dev/null 2>&1)"
                check "$name: the neighbour (root) makes 16 instances" isolatectl shell bdnbi $PY "$work/hog.py" inotify-try 16 </dev/null
                check "$name: the neighbour (nobody) makes 16 instances" isolatectl shell bdnbin $PY "$work/hog.py" inotify-try 16 </dev/null
                # (Few: the host's root shares its 128 with every systemd and harness on the machine.)
                check "$name: the host's root makes 4 instances" host_try 0 4
                check "$name: the host's nobody makes 4 instances" host_try 65534 4
        done
        # Both hogs hold theirs at once: each is bounded on its own.
        check_eq "both hogs run" "running running" "$(prop bdino State) $(prop bdinon State)"
        for name in bdino bdinon bdnbi bdnbin; do
                init=$(prop "$name" InitPID)
                stopped_clean "$name" "$init"
        done
}

# --- mlock and the host's limits ------------------------------------------------------
sysctls="/proc/sys/fs/inotify/max_user_instances /proc/sys/fs/inotify/max_user_watches /proc/sys/user/max_inotify_instances
         /proc/sys/kernel/pid_max /proc/sys/kernel/threads-max /proc/sys/fs/file-max /proc/sys/vm/max_map_count
         /proc/sys/kernel/shmmax /proc/sys/fs/nr_open /proc/sys/vm/overcommit_memory"
sysctl_values() { local p; for p in $sysctls; do echo "$p $(cat "$p")"; done; }
testcase_mlock() {
        local before out name isolate limit p init
        before=$(sysctl_values)
        limit=$(ulimit -Hl)
        for name in bdml bdmlhost; do
                isolate=; [ $name = bdmlhost ] && isolate="HostRoot=yes"
                # shellcheck disable=SC2086
                unit "$name" "ExecStart=$HOG mlock /tmp/ml.mark $(echo $sysctls)" "$isolate" || not_ok "start $name"
                check "$name: done" wait_for 30 marked "$name" /tmp/ml.mark
                out=$(inside "$name" cat /tmp/ml.mark)
                if [ "$limit" != unlimited ]; then
                        check_match "$name: RLIMIT_MEMLOCK inside is the host's" "^memlock [0-9]+ $((limit * 1024))$" "$out"
                else
                        check_match "$name: RLIMIT_MEMLOCK inside is finite" "^memlock [0-9]+ [0-9]+$" "$out"
                fi
                check_match "$name: raising its hard limit is refused" "^raise-hard EPERM$" "$out"
                check_match "$name: a page can be locked (mlock works)" "^mlock-page ok$" "$out"
                check_match "$name: mlock beyond RLIMIT_MEMLOCK fails" "^mlock-beyond (ENOMEM|EPERM)$" "$out"
                check_match "$name: mlockall of more than RLIMIT_MEMLOCK fails" "^mlockall (ENOMEM|EPERM)$" "$out"
                for p in $sysctls; do
                        check_match "$name: writing $p fails" "^sysctl-write $p (EROFS|EACCES|EPERM)$" "$out"
                done
                init=$(prop "$name" InitPID)
                stopped_clean "$name" "$init"
        done
        check_eq "the host's /proc/sys limits are unchanged" "$before" "$(sysctl_values)"
}

run_testcases
