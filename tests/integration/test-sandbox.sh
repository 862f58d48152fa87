#!/bin/bash
# The sandbox, checked from inside: tests/integration/sandbox-probe.c runs as
# the service under the defaults and under each sandboxing key, and every line
# it prints must be a PASS. Then a real Debian daemon under the defaults.
. "$TESTS/lib.sh"

work=$(mktemp -d)
# /var is the host's, shared with whatever else runs there (another harness running this file):
# the names made there are this run's own ($$ is not: the harnesses' PID namespaces give the same).
sid=$(( RANDOM * 32768 + RANDOM ))
data=/var/lib/isolated-sandbox-test.$sid
names="sbdef sbdefnobody sbperm sbstrict sbpaths sbro sbsysyes sbhomero sbhometmpfs sbuser sbgroups sbgroupsroot sbamb sbnoamb
       sbcaps sbcapsinv sbsys sbsyskill sbsyssvc sbsysallow sbarch sbarchx86 sblim sbroot sbrootmods sbrootlink sbmc sbbad"
# Markers in the host's /tmp and /var/tmp: a private one must not show them, the host's must.
tmpmark=/tmp/isolated-sandbox-test.$sid
vartmpmark=/var/tmp/isolated-sandbox-test.$sid
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        [ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
        [ -n "${shmid:-}" ] && ipcrm -m "$shmid" 2>/dev/null
        umount "$data/later" 2>/dev/null
        umount "$data" 2>/dev/null
        rm -rf "$work" "$data" "$tmpmark" "$vartmpmark"
        # Made only if a bind through a symlink escaped RootDirectory= (a failure of sbrootlink).
        rmdir /etc/isolated-probe-escape 2>/dev/null
        [ -n "${made_cron:-}" ] && rm -rf /var/spool/cron
}
trap cleanup EXIT

# The probe, built by meson.
helper sandbox-probe "$work" || { not_ok "build the probe"; finish; exit 1; }
chmod 755 "$work"
mkdir -p "$data/rw" "$data/secret" "$data/ro/rw" "$data/probe" && echo s > "$data/secret/file" && echo s > "$data/secretfile"
# Under the defaults the host's tree is visible read-only: the probe runs from there, so that
# nothing but what a description names is mounted (the RootDirectory= probes bind it in).
cp "$work/sandbox-probe" "$data/probe/" && chmod 755 "$data" "$data/probe" "$data/probe/sandbox-probe"
: > "$tmpmark" && : > "$vartmpmark"

# The host directories a compromised root daemon would plant something in, all present (the
# probe passes a missing one: nothing could be created there).
if [ ! -e /var/spool/cron ]; then
        mkdir -p /var/spool/cron/crontabs && made_cron=1
fi
for d in /var/spool/cron/crontabs /root /var/lib/dpkg /var/lib/systemd /home /opt /srv /var/log /var/cache; do
        [ -d "$d" ] || not_ok "the host has no $d: the probe cannot show it stays unwritable"
done

# Host objects the probe must not reach: an abstract socket and a SysV shm segment.
python3 -c 'import socket,time; s=socket.socket(socket.AF_UNIX); s.bind("\0isolated-probe-host"); s.listen(); time.sleep(600)' & # held until killed
listener=$!
shmid=$(ipcmk -M 4096 2>/dev/null | awk '{print $NF}')

# probe NAME "EXTRA KEYS" [CHECK...]: starts the probe with the extra [Service]
# keys, waits for its PROBE-END line, records each PASS/FAIL line, stops it.
probe() {
        local name=$1 extra=$2 unit=isolated-$1.scope log line n=0
        shift 2
        {
                case "$extra" in
                *RootDirectory=*)
                        printf '[Service]\nExecStart=/srv/probe/sandbox-probe %s\n' "$*"
                        printf 'TemporaryFileSystem=/srv\nBindReadOnlyPaths=%s:/srv/probe\n' "$work" ;;
                *)
                        printf '[Service]\nExecStart=%s/probe/sandbox-probe %s\n' "$data" "$*" ;;
                esac
                printf '%b\n' "$extra"
        } > "$work/$name.service"
        if ! out=$(isolatectl start "$name" "$work/$name.service" 2>&1); then
                not_ok "$name: start: $out"
                return 1
        fi
        ok "$name: started"
        if ! wait_for 20 sh -c "journalctl -u $unit -o cat | grep -q '^PROBE-END'"; then
                not_ok "$name: no PROBE-END in the journal"
                journalctl -u "$unit" -o cat | tail -20 | sed 's/^/    /'
        fi
        log=$(journalctl -u "$unit" -o cat | grep -E '^(PASS|FAIL) ')
        PROBE_LOG=$log
        # Host-side checks while it runs, if the caller asked for them.
        [ -n "${PROBE_HOST_CHECKS:-}" ] && "$PROBE_HOST_CHECKS" "$name"
        while IFS= read -r line; do
                [ -n "$line" ] || continue
                n=$((n + 1))
                case "$line" in
                        PASS*) ok "$name: ${line#PASS }" ;;
                        *) not_ok "$name: ${line#FAIL }" ;;
                esac
        done <<< "$log"
        PROBE_LINES=$n
        isolatectl stop "$name" >/dev/null 2>&1
        isolatectl reset-failed "$name" >/dev/null 2>&1
}

# While the default probe runs: its namespaces are its own, and a mount the host makes later
# under a shared mount does not propagate in (host side).
sbdef_host_checks() {
        local init main ns
        init=$(prop "$1" InitPID)
        main=$(prop "$1" MainPID)
        for ns in mnt pid uts ipc net cgroup; do
                check "$1: its $ns namespace is not the host's" \
                        test "$(readlink "/proc/$main/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")"
        done
        if mount -t tmpfs isolated-later "$data/later"; then
                check_match "$1: the host's later mount is there on the host" " $data/later " "$(cat /proc/self/mountinfo)"
                check "$1: ... and not inside (propagation private)" \
                        sh -c "! grep -q ' $data/later ' /proc/$main/mountinfo"
                umount "$data/later"
        else
                not_ok "$1: mount a tmpfs on the host at $data/later"
        fi
        check_eq "$1: its scope has the default TasksMax=" 4096 "$(systemctl show -P TasksMax "isolated-$1.scope")"
        SB_PIDNS=$(readlink "/proc/$init/ns/pid")
        SB_MNTNS=$(readlink "/proc/$main/ns/mnt")
}
# No process is left in a namespace (pid or mount) of the sandbox.
no_process_in() {
        local p
        for p in /proc/[0-9]*; do
                case "$(readlink "$p/ns/pid" 2>/dev/null) $(readlink "$p/ns/mnt" 2>/dev/null)" in
                "$1 "* | *" $2") return 1 ;;
                esac
        done
        return 0
}

# --- the defaults: every check of the probe ---
# $data is made a shared mount for it: a copy of the host's namespace would receive the host's
# later mounts there unless the init made propagation private.
testcase_defaults() {
        mkdir -p "$data/later"
        mount --bind "$data" "$data" && mount --make-shared "$data" || not_ok "make $data a shared mount"
        PROBE_HOST_CHECKS=sbdef_host_checks probe sbdef "" defaults: tmpfs:/tmp:10%:409600 tmpfs:/var/tmp:10%:409600 \
                tmpfs:/run:10%:409600 tmpfs:/dev/shm:10%:409600
        umount "$data"
        [ "${PROBE_LINES:-0}" -ge 83 ] && ok "sbdef: all $PROBE_LINES default checks ran" || not_ok "sbdef: only ${PROBE_LINES:-0} checks ran"
        for c in host-write-root-dir host-write-var-lib-dpkg host-write-var-log suid-chmod-denied \
                setxattr-security-capability-denied chattr-immutable-denied mlock-beyond-rlimit-denied kmsg-masked \
                kallsyms-no-addresses io-uring-denied socket-vsock-denied socket-packet-denied socket-xdp-denied \
                netlink-uevent-denied netlink-netfilter-denied netlink-xfrm-denied netlink-audit-denied \
                personality-query-works chroot-works; do
                check_match "sbdef: $c ran and held" "^PASS $c " "$PROBE_LOG"
        done
        if [ -n "${SB_PIDNS:-}" ] && [ -n "${SB_MNTNS:-}" ]; then
                check "sbdef: nothing of its PID and mount namespaces outlives the scope" wait_for 10 no_process_in "$SB_PIDNS" "$SB_MNTNS"
        else
                not_ok "sbdef: its namespaces could not be read"
        fi
}

# TmpfsSize= sizes every tmpfs inside; a stock unit's TasksMax= is the scope's.
testcase_tmpfs() {
        sbtmpfs_host_checks() {
                check_eq "$1: its scope has the file's TasksMax=" 77 "$(systemctl show -P TasksMax "isolated-$1.scope")"
        }
        PROBE_HOST_CHECKS=sbtmpfs_host_checks probe sbtmpfs "TasksMax=77\n[Isolate]\nTmpfsSize=64M:1K" tmpfs:/tmp:67108864:1024 tmpfs:/var/tmp:67108864:1024 \
                tmpfs:/run:67108864:1024 tmpfs:/dev/shm:67108864:1024
}
names="$names sbtmpfs sbhostdev"

# With the host's /dev (HostDevices=yes), its /dev/kmsg is masked all the same.
testcase_hostdev() {
        probe sbhostdev "PrivateDevices=no\n[Isolate]\nHostDevices=yes" off:PrivateDevices
        check_match "sbhostdev: /dev/kmsg masked" "^PASS dev-kmsg-masked .*the mask" "$PROBE_LOG"
}

# --- the defaults as User=nobody: the same attacks, and the host's secrets unreadable. (As
# root /etc/shadow stays readable until the service has a user namespace of its own.) ---
testcase_nobody() {
        probe sbdefnobody "User=nobody" defaults: uid:65534 unreadable:/etc/shadow
        [ "${PROBE_LINES:-0}" -ge 84 ] && ok "sbdefnobody: all $PROBE_LINES checks ran" || not_ok "sbdefnobody: only ${PROBE_LINES:-0} checks ran"
        for c in host-write-var-lib-systemd suid-chmod-denied setxattr-security-capability-denied chattr-immutable-denied \
                io-uring-denied socket-vsock-denied netlink-audit-denied personality-query-works chroot-allowed \
                unreadable:/etc/shadow; do
                check_match "sbdefnobody: $c ran and held" "^PASS $c " "$PROBE_LOG"
        done
}

# --- a stock unit's keys only tighten: asking for less changes nothing, and says so ---
testcase_stock() {
        printf '[Service]\nExecStart=%s/probe/sandbox-probe\nProtectSystem=no\nProtectHome=no\nPrivateTmp=no\nPrivateDevices=no
NoNewPrivileges=no\nProtectKernelTunables=no\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET AF_VSOCK
CapabilityBoundingSet=CAP_SYS_ADMIN CAP_IPC_LOCK CAP_SYSLOG CAP_SETFCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_SYS_CHROOT
RestrictSUIDSGID=no\nLockPersonality=no\nProtectKernelLogs=no\n' "$data" > "$work/sbstock.service"
        out=$(isolatectl verify "$work/sbstock.service" 2>&1)
        check_match "sbstock: ProtectSystem=no is kept strict, with a notice naming the opt-out" \
                "sbstock.service:3: ProtectSystem=no asks for less.*ReadOnlyHost=no" "$out"
        check_match "sbstock: the capabilities withheld are named" "CAP_LINUX_IMMUTABLE CAP_IPC_LOCK CAP_SYS_ADMIN CAP_SETFCAP CAP_SYSLOG withheld" "$out"
        check_match "sbstock: the families withheld are named" "AF_PACKET AF_VSOCK withheld" "$out"
        names="$names sbstock"
        probe sbstock "$(sed 1,2d "$work/sbstock.service")" defaults: capbnd-lacks:21 capbnd-lacks:14 capbnd-lacks:34 \
                capbnd-has:10 capbnd-has:18
        [ "${PROBE_LINES:-0}" -ge 84 ] && ok "sbstock: all $PROBE_LINES checks ran" || not_ok "sbstock: only ${PROBE_LINES:-0} checks ran"
}

# --- a permissive description: as much of the sandbox off as the contract lets. The
# probe's default checks, those of the keys turned off must be observed off ("-off"),
# the rest (namespaces, /run, seccomp, masked /proc files...) must still hold. ---
testcase_permissive() {
        allcaps="CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP
CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER
CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE
CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP
CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF
CAP_CHECKPOINT_RESTORE"
        # Only the [Isolate] opt-outs loosen: each named once, with the systemd key of its default.
        permissive="PrivateDevices=no\nPrivateTmp=no\nProtectSystem=no\nProtectHome=no\nProtectControlGroups=no
ProtectKernelTunables=no\nProtectKernelModules=no\nNoNewPrivileges=no\nSystemCallFilter=
CapabilityBoundingSet=$(echo $allcaps)\nRestrictSUIDSGID=no\nProtectKernelLogs=no
[Isolate]\nHostDevices=yes\nHostTmp=yes\nReadOnlyHost=no\nHideHome=no\nControlGroups=yes\nKernelTunables=yes
NewPrivileges=yes\nAllowCapabilities=$(echo $allcaps)\nSUIDSGIDFiles=yes\nKernelLogs=yes
AllowSystemCalls=io_uring_setup io_uring_enter io_uring_register\nHostRoot=yes"
        probe sbperm "$permissive" off:PrivateTmp off:PrivateDevices off:ProtectSystem off:ProtectKernelTunables \
                off:ProtectControlGroups off:NoNewPrivileges off:CapabilityBoundingSet off:ProtectHome off:RestrictSUIDSGID \
                off:ProtectKernelLogs off:io_uring off:HostRoot
        [ "${PROBE_LINES:-0}" -ge 83 ] && ok "sbperm: all $PROBE_LINES default checks ran" || not_ok "sbperm: only ${PROBE_LINES:-0} checks ran"
        for c in proc-sys-read-only usr-read-only etc-read-only tmp-private var/tmp-private dev-minimal dev-pts-own-ptmx \
                capbnd-without-contract-caps no-new-privs sys-read-only sys-fs-cgroup-read-only host-write-root-dir \
                host-write-root suid-chmod-denied setxattr-security-capability-denied chattr-immutable-denied \
                mlock-beyond-rlimit-denied kmsg-masked io-uring-denied user-namespace-own sys-class-net-own cgroupfs-own; do
                check_match "sbperm: $c observed off" "^PASS $c-off " "$PROBE_LOG"
        done
        for c in fds-closed own-session env-clean run-no-sockets run-no-systemd-private mount-denied unshare-user-denied \
                clone3-enosys ptrace-denied tiocsti-denied x32-killed unknown-syscalls-enosys seccomp-filter kcore-masked \
                cgroup-namespace-root sysv-shm-private host-abstract-socket-invisible socket-vsock-denied \
                socket-packet-denied netlink-audit-denied personality-denied personality-query-works host-file-real-owner \
                shadow-hidden; do
                check_match "sbperm: $c still holds" "^PASS $c " "$PROBE_LOG"
        done
}

# --- ProtectSystem=strict, ReadWritePaths=, InaccessiblePaths=, BindReadOnlyPaths=, ProtectHome= ---
testcase_paths() {
        probe sbstrict "ProtectSystem=strict\nReadWritePaths=$data/rw\nInaccessiblePaths=$data/secret" \
                "ro:/" "ro:/var/lib" "ro:$data" "w:$data/rw" "w:/tmp" "w:/var/tmp" "w:/run" "w:/dev/shm" \
                "empty:$data/secret" "ro:$data/probe" "exists:$data/probe/sandbox-probe" "ro:/srv" "ro:/opt"
        # /var/lib stays writable with the host's tree writable ([Isolate] ReadOnlyHost=no): ProtectHome= alone hides home.
        probe sbpaths "ProtectHome=yes\nTemporaryFileSystem=/srv\nBindPaths=$data/rw:/srv/rw\nTemporaryFileSystem=/mnt:ro\nInaccessiblePaths=$data/secretfile\n[Isolate]\nReadOnlyHost=no" \
                "w:/srv/rw" "empty:/root" "empty:/home" "ro:/mnt" "empty:/mnt" "w:/var/lib" "unreadable:$data/secretfile"
        # ReadOnlyPaths= makes a writable path read-only, a ReadWritePaths= below it stays writable,
        # its parent is untouched.
        probe sbro "ReadOnlyPaths=$data/ro\nReadWritePaths=$data/ro/rw\n[Isolate]\nReadOnlyHost=no" \
                "ro:$data/ro" "mount-ro:$data/ro" "w:$data/ro/rw" "w:$data"
        # ProtectSystem=yes: /usr read-only, /etc left as it is (full, the default, makes it read-only).
        probe sbsysyes "ProtectSystem=yes\n[Isolate]\nReadOnlyHost=no" "mount-ro:/usr" "ro:/usr" "mount-rw:/etc"
        # ProtectHome=read-only and tmpfs (the host's /root is not empty: checked first).
        if [ -n "$(ls -A /root)" ]; then
                probe sbhomero "ProtectHome=read-only\n[Isolate]\nHideHome=no" "ro:/root" "mount-ro:/root" "exists:/root/$(ls -A /root | head -1)"
                probe sbhometmpfs "ProtectHome=tmpfs" "empty:/root" "ro:/root"
        else
                not_ok "the host's /root is empty: ProtectHome= cannot be observed"
        fi
}

# --- User=, CapabilityBoundingSet= (a list, and ~), SystemCallFilter=, Limit*= ---
testcase_user() {
        nogroup=$(getent group nogroup | cut -d: -f3)
        adm=$(getent group adm | cut -d: -f3)
        probe sbuser "User=nobody\nGroup=nogroup\nUMask=0077" "uid:65534" "gid:$nogroup" "ids:65534:$nogroup" "umask:0077" \
                "capeff-lacks:0" "capprm-lacks:21" "ro:/etc" "w:/tmp"
        # SupplementaryGroups=: with User= the list is exactly them plus the user's own groups, and
        # setgroups() came before the switch (all four ids are the user's); as root, exactly them.
        probe sbgroups "User=nobody\nGroup=nogroup\nSupplementaryGroups=adm 1234" \
                "ids:65534:$nogroup" "groups:$adm,1234,$nogroup"
        probe sbgroupsroot "SupplementaryGroups=adm 1234" "ids:0:0" "groups:$adm,1234"
        # AmbientCapabilities=: nobody holds CAP_NET_BIND_SERVICE (10) and binds port 80; without it, EACCES.
        probe sbamb "User=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE" "uid:65534" "capamb-has:10" "capeff-has:10" \
                "capinh-has:10" "capeff-lacks:0" "capamb-lacks:0" "bind-errno:80:0"
        probe sbnoamb "User=nobody" "uid:65534" "capamb-lacks:10" "capeff-lacks:10" "bind-errno:80:13"
        probe sbcaps "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL" "capbnd-has:10" "capbnd-has:5" "capbnd-lacks:0" "capbnd-lacks:21"
        probe sbcapsinv "CapabilityBoundingSet=~CAP_CHOWN CAP_KILL" "capbnd-lacks:0" "capbnd-lacks:5" "capbnd-has:10" "capbnd-lacks:21"
        probe sbsys "SystemCallFilter=~uname\nSystemCallErrorNumber=EACCES" "uname-errno:13"
        probe sbsyskill "SystemCallFilter=~uname\nSystemCallErrorNumber=kill" "uname-killed:"
        probe sbsyssvc "SystemCallFilter=@system-service" "uname-errno:0" "w:/tmp" "unknown-enosys:"
        # An allow list: what it does not name is refused (the default errno).
        probe sbsysallow "SystemCallFilter=@system-service\nSystemCallFilter=~uname" "uname-errno:1" "w:/tmp"
        # SystemCallArchitectures=native: an x32 or i386 system call never runs (the filter kills the
        # process). Naming a foreign architecture is not honoured as more: native calls only.
        probe sbarch "SystemCallArchitectures=native" "arch-killed:x32" "arch-killed:i386" "uname-errno:0"
        probe sbarchx86 "SystemCallArchitectures=native x86 x32" "arch-killed:x32" "arch-killed:i386" "uname-errno:0"
        probe sblim "LimitNOFILE=1000:2000" "nofile:1000:2000"
}

# --- RootDirectory=: pivot_root into a prepared tree, the old root detached. The tree holds
# only the probe's loader and libc (the probe itself is bound in), a marker, and a
# /usr/lib/modules for ProtectKernelModules=. ---
testcase_root_dir() {
        tree=$data/root
        mkdir -p "$tree"/{proc,dev,sys,tmp,var/tmp,run,srv,usr/lib/modules/0.0-probe}
        echo "the probe's tree" > "$tree/ROOT-MARKER"
        for lib in $(ldd "$work/sandbox-probe" | grep -o '/[^ ]*'); do
                mkdir -p "$tree$(dirname "$lib")" && cp -L "$lib" "$tree$lib"
        done
        # Its /run: nothing of the tree's tmpfiles.d (it has none) nor of the host's, but journald's
        # syslog socket, where its /dev/log links (as systemd binds the journal's sockets into a
        # RootDirectory=).
        probe sbroot "RootDirectory=$tree" \
                "exists:/ROOT-MARKER" "root-mount:$tree" "mounts-only:/,/proc,/dev,/sys,/tmp,/var/tmp,/run,/srv" \
                "empty:$data" "empty:/usr/bin" "empty:/etc" "ro:/usr" "w:/tmp" "absent:/run/lock" \
                "exists:/run/systemd/journal/dev-log" "absent:/run/systemd/journal/stdout" "exists:/dev/null" \
                "exists:/proc/self/status" "exists:/usr/lib/modules/0.0-probe"
        probe sbrootmods "RootDirectory=$tree\nProtectKernelModules=yes" "exists:/ROOT-MARKER" "empty:/usr/lib/modules"
        # A symlink in the tree pointing out of it: a bind target through it is resolved as if the tree
        # were / (openat2 RESOLVE_IN_ROOT), so the mount lands in the tree's /etc, never the host's.
        mkdir -p "$tree/etc/isolated-probe-escape" && : > "$data/rw/bind-marker"
        ln -s ../../../../../../../../etc "$tree/escape"
        probe sbrootlink "RootDirectory=$tree\nBindPaths=$data/rw:/escape/isolated-probe-escape" \
                "exists:/etc/isolated-probe-escape/bind-marker" "w:/etc/isolated-probe-escape"
        check "sbrootlink: nothing of it on the host's /etc" test ! -e /etc/isolated-probe-escape
}

# --- bad values: a clear error naming the file and line, nothing started ---
testcase_bad_values() {
        printf '[Service]\nExecStart=/bin/true\nCapabilityBoundingSet=CAP_NO_SUCH\n' > "$work/sbbad.service"
        out=$(isolatectl start sbbad "$work/sbbad.service" 2>&1)
        check_match "unknown capability refused with file:line" "sbbad\.service:3.*CAP_NO_SUCH" "$out"
        printf '[Service]\nExecStart=/bin/true\nSystemCallFilter=no_such_call\n' > "$work/sbbad.service"
        out=$(isolatectl start sbbad "$work/sbbad.service" 2>&1)
        check_match "unknown syscall refused with file:line" "sbbad\.service:3.*no_such_call" "$out"
        printf '[Service]\nExecStart=/bin/true\nBindPaths=/no/such/source:/srv/x\n' > "$work/sbbad.service"
        out=$(isolatectl start sbbad "$work/sbbad.service" 2>&1)
        check_match "missing BindPaths= source: a clear error" "/no/such/source.*No such file" "$out"
        check "no scope left for it" sh -c "! systemctl is-active -q isolated-sbbad.scope"
        isolatectl reset-failed sbbad >/dev/null 2>&1
}

# --- a real Debian daemon under the default sandbox ---
testcase_debian_daemon() {
        printf '[Service]\nExecStart=/usr/bin/memcached -u nobody -l 127.0.0.1 -p 11211 -m 16\n' > "$work/sbmc.service"
        check "memcached starts" isolatectl start sbmc "$work/sbmc.service"
        init=$(prop sbmc InitPID)
        stats() {
                nsenter -t "$init" -n python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 11211), timeout=2)
s.sendall(b"stats\r\nquit\r\n")
d = b""
while True:
    b = s.recv(4096)
    if not b: break
    d += b
print(d.decode())'
        }
        wait_for 10 stats
        out=$(stats 2>&1)
        check_match "memcached answers stats inside its network namespace" "STAT pid [0-9]+" "$out"
        main=$(prop sbmc MainPID)
        host_uid=$(awk '/^Uid:/ {print $2}' /proc/$main/status)
        # The uid as its user namespace sees it: its uid_map maps inside -> host.
        check_eq "memcached runs as nobody" 65534 \
                "$(awk -v h="$host_uid" '$2 <= h && h < $2 + $3 { print h - $2 + $1 }' /proc/$main/uid_map)"
        check "memcached's nobody is not the host's nobody (uid $host_uid)" test "$host_uid" -ge $((0x60000000))
        init_uid=$(awk '/^Uid:/ {print $2}' /proc/$(prop sbmc InitPID)/status)
        check "its init is unprivileged on the host (uid $init_uid, its range's root)" test "$init_uid" -eq $((host_uid - 65534))
        check "its init holds no directory of the host" sh -c "! find /proc/$(prop sbmc InitPID)/fd -mindepth 1 -xtype d | grep -q ."
        check_eq "memcached has no_new_privs" 1 "$(awk '/^NoNewPrivs:/ {print $2}' /proc/$main/status)"
        check_eq "memcached is filtered" 2 "$(awk '/^Seccomp:/ {print $2}' /proc/$main/status)"
        check "stop memcached" isolatectl stop sbmc
        check "nothing of it left" sh -c "! systemctl is-active -q isolated-sbmc.scope"
}

run_testcases
