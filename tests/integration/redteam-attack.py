#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A compromised daemon: test-redteam.sh runs it as a service's ExecStart= under the defaults (as
# root and as User=nobody). Each attack prints "PASS name detail" when it FAILED (the sandbox
# held) and "FAIL name detail" when it got through ("KNOWN-HOLE what" / "KNOWN-CLOSED what" for a
# hole known and not fixed yet), then "ATTACK-END"; it then waits to be
# stopped, so the journal can attribute every line.
#
#   redteam-attack.py battery             every attack from inside (x86_64 system call numbers)
#   redteam-attack.py plant LINK TARGET   plants a symlink LINK -> TARGET for the next start (the
#                                         directory at LINK, if any, is moved away first)
#   redteam-attack.py write FILE          tries to create FILE (PASS if it cannot)
#   redteam-attack.py secret FILE TEXT    writes TEXT to FILE, mode 0600 (the victim's secret)
#   redteam-attack.py steal FILE TEXT     tries to read FILE (PASS unless it holds TEXT)
#   redteam-attack.py absent PATH...      PASS for each PATH that does not exist
#   redteam-attack.py spoof SRC DST PORT  sends UDP datagrams to DST:PORT as SRC (raw IP, with
#                                         CAP_NET_RAW inside), then one as itself ("genuine")
#   redteam-attack.py escapes             logs terminal escape sequences (a title, clear screen, C1 CSI
#                                         as UTF-8 and as a raw byte) for the administrator's terminal
#   redteam-attack.py ra PREFIX           sends IPv6 router advertisements on host0 offering
#                                         PREFIX/64 (router lifetime 0: never a default route,
#                                         so a failing test cannot take the host's IPv6 traffic)
import ctypes
import errno
import os
import socket
import stat
import struct
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
failed = 0

SYS = {
    "ptrace": 101, "personality": 135, "mount": 165, "umount2": 166, "unshare": 272, "setns": 308,
    "process_vm_readv": 310, "kexec_load": 246, "add_key": 248, "keyctl": 250, "bpf": 321,
    "perf_event_open": 298, "userfaultfd": 323, "open_tree": 428, "move_mount": 429,
    "fsopen": 430, "pidfd_open": 434, "pidfd_getfd": 438, "mount_setattr": 442,
    "io_uring_setup": 425, "mknod": 133, "init_module": 175, "iopl": 172, "syslog": 103,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "swapon": 167, "reboot": 169,
}


def report(ok, name, detail=""):
    global failed
    if not ok:
        failed += 1
    print(f"{'PASS' if ok else 'FAIL'} {name} {detail}".rstrip(), flush=True)


def sc(name, *args):
    """The raw system call: (result, errno)."""
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(SYS[name]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return r, ctypes.get_errno()


def denied(name, call, *args):
    r, e = sc(call, *args)
    report(r < 0, name, f"{call} -> {r} ({errno.errorcode.get(e, e)})")


def try_os(name, f):
    """PASS if f() raises OSError (the attack failed)."""
    try:
        f()
    except OSError as e:
        report(True, name, f"{errno.errorcode.get(e.errno, e.errno)}")
        return
    report(False, name, "succeeded")


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def state_dir():
    d = os.environ.get("STATE_DIRECTORY", "")
    return d.split(":")[0] if d else ""


def writes_host(sd):
    # Every place a compromised root daemon would plant something on the host.
    for d in ("/", "/etc", "/etc/cron.d", "/usr/bin", "/usr/lib", "/var/lib/dpkg", "/var/lib/systemd",
              "/var/spool/cron/crontabs", "/var/log", "/var/cache", "/opt", "/srv", "/boot", "/root",
              "/home", "/var/lib", "/lib/systemd/system", "/etc/systemd/system"):
        if not os.path.isdir(d):
            report(True, f"write-host:{d}", "absent")
            continue
        p = os.path.join(d, f".redteam-{os.getpid()}")
        try:
            fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
        except OSError as e:
            report(True, f"write-host:{d}", errno.errorcode.get(e.errno, e.errno))
            continue
        os.close(fd)
        os.unlink(p)
        report(False, f"write-host:{d}", "created a file")
    # Writable, but nothing there may become a privileged executable on the host.
    if not sd:
        return
    f = os.path.join(sd, "evil")
    with open(f, "w") as o:
        o.write("#!/bin/sh\nid\n")
    os.chmod(f, 0o755)
    try_os("suid:chmod-4755", lambda: os.chmod(f, 0o4755))
    try_os("suid:chmod-2755", lambda: os.chmod(f, 0o2755))
    try_os("suid:open-creat-4755", lambda: os.close(os.open(os.path.join(sd, "evil2"), os.O_CREAT | os.O_WRONLY, 0o4755)))
    try_os("suid:mknod-reg-4755", lambda: os.mknod(os.path.join(sd, "evil3"), stat.S_IFREG | 0o4755))
    try_os("suid:mkdir-2755", lambda: os.mkdir(os.path.join(sd, "evil4"), 0o2755))
    # O_TMPFILE made with the bits, then linked in.
    def tmpfile():
        fd = os.open(sd, os.O_TMPFILE | os.O_WRONLY, 0o4755)
        os.close(fd)
    try_os("suid:o_tmpfile-4755", tmpfile)
    cap = struct.pack("<IIIII", 0x02000000, 1 << 7, 0, 1 << 7, 0)  # v2: cap_setuid=ep
    try_os("fcaps:setxattr", lambda: os.setxattr(f, "security.capability", cap))
    try_os("immutable:chattr", lambda: __import__("fcntl").ioctl(os.open(f, os.O_RDONLY), 0x40086602, struct.pack("l", 0x10)))
    # A hard link of a host setuid binary: another mount, so EXDEV.
    for b in ("/usr/bin/su", "/usr/bin/passwd", "/usr/bin/mount"):
        if os.path.exists(b):
            try_os(f"suid:link-{os.path.basename(b)}", lambda b=b: os.link(b, os.path.join(sd, os.path.basename(b))))
    try_os("mknod:block", lambda: os.mknod(os.path.join(sd, "blk"), stat.S_IFBLK | 0o600, os.makedev(8, 0)))
    try_os("mknod:char-mem", lambda: os.mknod(os.path.join(sd, "mem"), stat.S_IFCHR | 0o600, os.makedev(1, 1)))
    st = os.stat(f)
    report(not (st.st_mode & 0o6000), "suid:mode-after", oct(st.st_mode))


def identity():
    uid_map = open("/proc/self/uid_map").read().split()
    report(len(uid_map) == 3 and uid_map[0] == "0" and uid_map[1] != "0", "userns:not-host-root",
           " ".join(uid_map))
    bnd = int(status("CapBnd"), 16)
    for n, name in ((21, "SYS_ADMIN"), (19, "SYS_PTRACE"), (16, "SYS_MODULE"), (17, "SYS_RAWIO"), (31, "SETFCAP"),
                    (9, "LINUX_IMMUTABLE"), (14, "IPC_LOCK"), (34, "SYSLOG"), (29, "AUDIT_WRITE"),
                    (30, "AUDIT_CONTROL"), (37, "AUDIT_READ"), (27, "MKNOD"), (12, "NET_ADMIN"),
                    (2, "DAC_READ_SEARCH"), (22, "SYS_BOOT"), (25, "SYS_TIME"), (39, "BPF"), (38, "PERFMON")):
        report(not bnd & (1 << n), f"capbnd-lacks:{name}", f"CapBnd {bnd:x}")
    report(status("NoNewPrivs") == "1", "no-new-privs", status("NoNewPrivs"))
    report(status("Seccomp") == "2", "seccomp", status("Seccomp"))


def namespaces():
    CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID = 0x20000, 0x10000000, 0x40000000, 0x20000000
    for flag, name in ((CLONE_NEWUSER, "user"), (CLONE_NEWNS, "mnt"), (CLONE_NEWNET, "net"), (CLONE_NEWPID, "pid"),
                       (CLONE_NEWUSER | CLONE_NEWNS, "user+mnt")):
        denied(f"unshare:{name}", "unshare", flag)
    for ns in ("mnt", "user", "net", "pid"):
        try:
            fd = os.open(f"/proc/1/ns/{ns}", os.O_RDONLY)
        except OSError as e:
            report(True, f"setns:init-{ns}", errno.errorcode.get(e.errno, e.errno))
            continue
        denied(f"setns:init-{ns}", "setns", fd, 0)
        os.close(fd)
    denied("mount:tmpfs", "mount", b"none", b"/tmp", b"tmpfs", 0, 0)
    denied("mount:remount-rw", "mount", b"none", b"/", None, 0x20 | 0x1000, 0)  # MS_REMOUNT|MS_BIND
    denied("mount:bind-root", "mount", b"/", b"/tmp", None, 0x1000, 0)
    denied("umount:/run", "umount2", b"/run", 2)
    denied("umount:/home", "umount2", b"/home", 2)
    denied("open_tree:/", "open_tree", -100, b"/", 1)
    denied("fsopen:tmpfs", "fsopen", b"tmpfs", 0)
    # mount_setattr(/, clear RDONLY), the way a read-only mount would become writable again.
    attr = struct.pack("QQQQ", 0, 1, 0, 0)  # attr_set 0, attr_clr MOUNT_ATTR_RDONLY
    buf = ctypes.create_string_buffer(attr)
    denied("mount_setattr:/-rw", "mount_setattr", -100, b"/", 0x8000, buf, len(attr))  # AT_RECURSIVE


def chroot_escape():
    # The classic escape from a chroot (chroot(2) is allowed): it must end at the service's own root.
    before = os.stat("/")
    pid = os.fork()
    if pid == 0:
        try:
            os.makedirs("/tmp/jail", exist_ok=True)
            os.chroot("/tmp/jail")
            for _ in range(64):
                os.chdir("..")
            os.chroot(".")
            st = os.stat("/")
            ok = (st.st_dev, st.st_ino) == (before.st_dev, before.st_ino) and not os.path.exists("/run/isolated")
            os._exit(0 if ok else 1)
        except OSError:
            os._exit(0)
    _, st = os.waitpid(pid, 0)
    report(os.waitstatus_to_exitcode(st) == 0, "chroot:escape-ends-inside", f"exit {st}")


def supervisor():
    for f in ("environ", "mem", "cwd", "root", "exe", "map_files", "fd/3", "fd/4", "fd/5", "fd/6"):
        p = f"/proc/1/{f}"

        def attempt(p=p):
            if os.path.isdir(p) and not os.path.islink(p):
                os.listdir(p)
            elif f in ("cwd", "root", "exe") or f.startswith("fd/"):
                os.readlink(p)
                os.close(os.open(p, os.O_RDONLY))
            else:
                with open(p, "rb") as o:
                    o.read(16)
        try_os(f"init:/proc/1/{f}", attempt)
    # Every other fd of the init (a host directory, NAME.sock, NAME.exit would be one).
    try:
        fds = os.listdir("/proc/1/fd")
    except OSError:
        fds = []
    opened = []
    for n in fds:
        try:
            os.close(os.open(f"/proc/1/fd/{n}", os.O_RDONLY))
            opened.append(n)
        except OSError:
            pass
    report(not opened, "init:open-any-fd", ",".join(opened) or f"none of {len(fds)}")
    denied("init:ptrace-attach", "ptrace", 16, 1, 0, 0)  # PTRACE_ATTACH
    denied("init:ptrace-seize", "ptrace", 0x4206, 1, 0, 0)
    local = ctypes.create_string_buffer(16)
    iov_l = struct.pack("PL", ctypes.addressof(local), 16)
    iov_r = struct.pack("PL", 0x400000, 16)
    denied("init:process_vm_readv", "process_vm_readv", 1, ctypes.create_string_buffer(iov_l), 1,
           ctypes.create_string_buffer(iov_r), 1, 0)
    r, e = sc("pidfd_open", 1, 0)
    if r >= 0:
        denied("init:pidfd_getfd", "pidfd_getfd", r, 3, 0)
        os.close(r)
    else:
        report(True, "init:pidfd_getfd", f"pidfd_open {errno.errorcode.get(e, e)}")
    # Only the service's own PID namespace: nothing of the host to signal.
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    report(len(pids) < 16, "pidns:only-own", f"{len(pids)} processes")
    try:
        comm = open("/proc/1/comm").read().strip()
    except OSError:
        comm = "?"
    report(comm.startswith("isolate-init"), "pidns:pid1-is-the-init", comm)


def kernel():
    for p, what in (("/proc/sys/kernel/core_pattern", "|/tmp/x"), ("/proc/sys/kernel/modprobe", "/tmp/x"),
                    ("/proc/sys/vm/drop_caches", "3"), ("/proc/sysrq-trigger", "h"),
                    ("/sys/kernel/uevent_helper", "/tmp/x"), ("/sys/power/state", "mem")):
        def w(p=p, what=what):
            with open(p, "w") as o:
                o.write(what)
        try_os(f"kernel-write:{p}", w)
    try:
        text = open("/proc/kallsyms").read(4096)
        report(all(line.startswith("0000000000000000") for line in text.splitlines()[:20]),
               "kernel:kallsyms-hidden", "")
    except OSError as e:
        report(True, "kernel:kallsyms-hidden", errno.errorcode.get(e.errno, e.errno))
    for p in ("/proc/kmsg", "/dev/kmsg"):
        # Masked (an empty file) or absent: nothing of the kernel log reads.
        try:
            fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
            try:
                data = os.read(fd, 64)
            except OSError:
                data = b""
            os.close(fd)
        except OSError:
            data = b""
        report(data == b"", f"kernel:{p}", f"{len(data)} bytes")
    denied("kernel:syslog-read", "syslog", 3, ctypes.create_string_buffer(64), 64)
    denied("kernel:init_module", "init_module", 0, 0, b"")
    denied("kernel:kexec_load", "kexec_load", 0, 0, 0, 0)
    denied("kernel:iopl", "iopl", 3)
    denied("kernel:bpf", "bpf", 0, 0, 0)
    denied("kernel:perf_event_open", "perf_event_open", ctypes.create_string_buffer(128), 0, -1, -1, 0)
    denied("kernel:userfaultfd", "userfaultfd", 0)
    denied("kernel:io_uring_setup", "io_uring_setup", 8, ctypes.create_string_buffer(120))
    denied("kernel:keyctl-join", "keyctl", 1, b"redteam")  # KEYCTL_JOIN_SESSION_KEYRING
    denied("kernel:add_key", "add_key", b"user", b"redteam", b"x", 1, -3)
    denied("kernel:open_by_handle_at", "open_by_handle_at", -100, ctypes.create_string_buffer(16), 0)
    denied("kernel:swapon", "swapon", b"/tmp/x", 0)
    denied("kernel:reboot", "reboot", 0xfee1dead, 672274793, 0x4321fedc, 0)
    r, e = sc("personality", 0xffffffff)
    report(r >= 0, "personality:query-allowed", f"{r}")
    denied("personality:read-implies-exec", "personality", 0x0400000)
    for fam, name in ((40, "AF_VSOCK"), (17, "AF_PACKET"), (44, "AF_XDP"), (38, "AF_ALG"), (21, "AF_RDS"),
                      (30, "AF_TIPC"), (5, "AF_APPLETALK"), (3, "AF_AX25")):
        try:
            s = socket.socket(fam, socket.SOCK_DGRAM if fam != 44 else socket.SOCK_RAW, 0)
            s.close()
            report(False, f"socket:{name}", "opened")
        except OSError as e:
            report(True, f"socket:{name}", errno.errorcode.get(e.errno, e.errno))
    for proto, name in ((15, "uevent"), (12, "netfilter"), (6, "xfrm"), (9, "audit")):
        try:
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
            s.close()
            report(False, f"netlink:{name}", "opened")
        except OSError as e:
            report(True, f"netlink:{name}", errno.errorcode.get(e.errno, e.errno))


def host_reach():
    # No socket, bus or state of the host.
    for p in ("/run/isolated", "/run/systemd/private", "/run/dbus/system_bus_socket", "/run/systemd/journal/socket",
              "/run/systemd/notify", "/run/user", "/var/run/dbus/system_bus_socket"):
        report(not os.path.exists(p), f"host-reach:{p}", "exists" if os.path.exists(p) else "absent")
    for p in ("/etc/shadow", "/etc/gshadow"):
        try:
            data = open(p, "rb").read(64)
        except OSError:
            data = b""
        report(data == b"", f"host-secret:{p}", f"{len(data)} bytes")
    # Every service's description (another's Environment= secrets) is hidden.
    try:
        entries = os.listdir("/etc/isolated")
    except OSError:
        entries = []
    report(not entries, "host-secret:/etc/isolated", ",".join(entries) or "empty")
    try:
        nets = os.listdir("/sys/class/net")
    except OSError:
        nets = []
    report(nets == ["lo"], "sysfs:own-netdevs", ",".join(nets))
    for d in ("/dev/vda", "/dev/sda", "/dev/mem", "/dev/kmem", "/dev/port", "/dev/nvme0n1", "/dev/loop-control"):
        report(not os.path.exists(d), f"dev:{d}", "exists" if os.path.exists(d) else "absent")
    # cgroupfs: no release_agent, no moving into another cgroup, no raising its own limits.
    for p in ("/sys/fs/cgroup/release_agent", "/sys/fs/cgroup/systemd/release_agent",
              "/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
              "/sys/fs/cgroup/systemd/cgroup.procs", "/sys/fs/cgroup/pids/cgroup.procs",
              "/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/cgroup.subtree_control"):
        if not os.path.exists(p):
            report(True, f"cgroup-write:{p}", "absent")
            continue

        def w(p=p):
            with open(p, "w") as o:
                o.write("max" if p.endswith("max") else "/tmp/x" if "release" in p else str(os.getpid()))
        try_os(f"cgroup-write:{p}", w)
    try:
        subdirs = [e for e in os.listdir("/sys/fs/cgroup/systemd") if os.path.isdir("/sys/fs/cgroup/systemd/" + e)]
    except OSError:
        subdirs = []
    report(not any(s.endswith(".slice") or s.endswith(".service") for s in subdirs), "cgroup:no-host-units",
           ",".join(subdirs[:5]))


def ip_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def spoof(src, dst, port):
    payload = b"spoofed"
    udp = struct.pack("!HHHH", 4242, port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        for _ in range(3):
            s.sendto(ip + udp, (dst, 0))
        s.close()
        print(f"SPOOFED {src}", flush=True)
    except OSError as e:
        print(f"SPOOF-REFUSED {e}", flush=True)
    # Its own, for a while (the first may wait for ARP): the host must see these.
    g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(30):
        g.sendto(b"genuine", (dst, port))
        time.sleep(0.1)
    g.close()


def router_advertisement(prefix):
    # host0's link-local address must have passed duplicate address detection first.
    for _ in range(50):
        if "tentative" not in os.popen("ip -6 addr show dev host0 2>/dev/null").read():
            break
        time.sleep(0.1)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
    pio = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 600, 600, 0) + socket.inet_pton(socket.AF_INET6, prefix)
    sent = 0
    for _ in range(5):
        try:
            s.sendto(ra + pio, ("ff02::1", 0, 0, socket.if_nametoindex("host0")))
            sent += 1
        except OSError as e:
            print(f"RA-REFUSED {e}", flush=True)
        time.sleep(0.1)
    print(f"RA-SENT {sent}", flush=True)


def battery():
    sd = state_dir()
    identity()
    writes_host(sd)
    namespaces()
    chroot_escape()
    supervisor()
    kernel()
    host_reach()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "battery"
    if mode == "battery":
        battery()
    elif mode == "plant":
        link, target = sys.argv[2], sys.argv[3]
        try:
            if os.path.islink(link):
                os.unlink(link)
            elif os.path.lexists(link):
                try:
                    os.rename(link, f"{link}.moved-{os.getpid()}")
                except OSError as e:
                    if e.errno != errno.EBUSY:
                        raise
                    # A mount point (this run's own ReadWritePaths=): its parent is not one.
                    parent = os.path.dirname(link)
                    os.rename(parent, f"{parent}.moved-{os.getpid()}")
                    os.mkdir(parent)
            os.symlink(target, link)
            print(f"PLANTED {link} -> {target}", flush=True)
        except OSError as e:
            print(f"PLANT-FAILED {link}: {e}", flush=True)
    elif mode == "write":
        try_os(f"write:{sys.argv[2]}", lambda: os.close(os.open(sys.argv[2], os.O_CREAT | os.O_WRONLY, 0o644)))
    elif mode == "secret":
        old = os.umask(0o077)
        with open(sys.argv[2], "w") as o:
            o.write(sys.argv[3])
        os.umask(old)
        print(f"SECRET {sys.argv[2]}", flush=True)
    elif mode == "steal":
        try:
            data = open(sys.argv[2]).read()
        except OSError as e:
            data = f"<{errno.errorcode.get(e.errno, e.errno)}>"
        report(sys.argv[3] not in data, f"steal:{sys.argv[2]}", data[:40])
    elif mode == "escapes":
        sys.stdout.flush()
        for line in (b"ESC-TITLE \x1b]0;redteam-title\x07", b"ESC-CLEAR \x1b[2J\x1b[H", b"ESC-C1 \xc2\x9b31m",
                     b"ESC-RAW \x9b32m \x1b[8mhidden", b"ESC-TAB a\tb"):
            sys.stdout.buffer.write(line + b"\n")
        sys.stdout.buffer.flush()
        # And as its STATUS= (isolatectl status shows it).
        addr = os.environ.get("NOTIFY_SOCKET", "")
        if addr:
            n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            n.sendto(b"READY=1\nSTATUS=ESC-STATUS \x1b]0;redteam-status\x07\x1b[2J", "\0" + addr[1:] if addr[0] == "@" else addr)
            n.close()
    elif mode == "ra":
        router_advertisement(sys.argv[2])
    elif mode == "spoof":
        spoof(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "absent":
        for p in sys.argv[2:]:
            report(not os.path.lexists(p), f"absent:{p}", "exists" if os.path.lexists(p) else "")
    print("ATTACK-END", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
