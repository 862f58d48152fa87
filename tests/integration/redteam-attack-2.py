#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A compromised daemon, second round (test-redteam-2.sh runs it as a service's ExecStart= under the
# defaults): what changed lately, the writable /dev, /etc/hosts of the service's /run, the fds and
# mounts it is given, its init. Each attack prints "PASS name detail" when it FAILED (the sandbox
# held) and "FAIL name detail" when it got through, then "ATTACK-END"; it then waits to be
# stopped, so the journal attributes every line. x86_64 system call numbers.
#
#   redteam-attack-2.py dev              the host's nodes in /dev, mknod, exec and set-ID there, the
#                                        mount points the init relies on (/dev/pts: its shells' ptys)
#   redteam-attack-2.py fill-dev         fills /dev (bytes, then inodes); says FILLED BYTES FILES
#   redteam-attack-2.py ptys N           opens up to N ptys of its devpts and holds them; says PTYS N ERRNO
#   redteam-attack-2.py hosts            tries to make its /etc/hosts writable, or to get its file back
#   redteam-attack-2.py init             SIGKILL and SIGSTOP to its PID 1 (the init)
#   redteam-attack-2.py fds              PASS unless it holds an fd beyond 0, 1, 2
#   redteam-attack-2.py mounts           PASS unless a mount of a host file system is writable (but
#                                        the device nodes and the paths named as arguments)
#   redteam-attack-2.py fds-post         says which fds it holds (POST-FDS N...) and ends
#   redteam-attack-2.py envfile FILE     writes FILE: assignments a "+" command must never get
#   redteam-attack-2.py getenv NAME      says GETENV NAME=VALUE of its environment
#   redteam-attack-2.py run-tamper       changes what tmpfiles.d made in its /run (/run/lock)
import ctypes
import errno
import os
import signal
import stat
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def report(ok, name, detail=""):
    print(f"{'PASS' if ok else 'FAIL'} {name} {detail}".rstrip(), flush=True)


def err(e):
    return errno.errorcode.get(e, str(e))


def try_os(name, f):
    """PASS if f() raises OSError (the attack failed)."""
    try:
        f()
    except OSError as e:
        report(True, name, err(e.errno))
        return
    report(False, name, "succeeded")


def sc(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return r, ctypes.get_errno()


def dev():
    nodes = [n for n in ("null", "zero", "full", "random", "urandom", "tty") if os.path.exists("/dev/" + n)]
    for n in nodes:
        p = "/dev/" + n
        before = os.stat(p)
        # The host's own inodes, bound here: nothing of them may change (mode, owner, xattrs).
        try_os(f"dev-node:chmod-{n}", lambda p=p: os.chmod(p, 0o600))
        try_os(f"dev-node:chown-{n}", lambda p=p: os.chown(p, 0, 0))
        try_os(f"dev-node:setxattr-{n}", lambda p=p: os.setxattr(p, "user.redteam", b"x"))
        try_os(f"dev-node:setxattr-trusted-{n}", lambda p=p: os.setxattr(p, "trusted.redteam", b"x"))
        # Nor may the name become something else (a file of its own that programs would write to).
        try_os(f"dev-node:unlink-{n}", lambda p=p: os.unlink(p))
        try_os(f"dev-node:rename-over-{n}", lambda p=p: (open("/dev/.rt-" + n, "w").close(), os.rename("/dev/.rt-" + n, p)))
        if os.path.exists("/dev/.rt-" + n):
            os.unlink("/dev/.rt-" + n)
        after = os.stat(p)
        report(stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_mode == before.st_mode,
               f"dev-node:still-{n}", f"{oct(after.st_mode)} {os.major(after.st_rdev)}:{os.minor(after.st_rdev)}")
    # No device node of its own: no CAP_MKNOD, and the tmpfs is nodev.
    try_os("dev:mknod-char-mem", lambda: os.mknod("/dev/rt-mem", stat.S_IFCHR | 0o600, os.makedev(1, 1)))
    try_os("dev:mknod-block", lambda: os.mknod("/dev/rt-sda", stat.S_IFBLK | 0o600, os.makedev(8, 0)))
    try_os("dev:mknod-char-null", lambda: os.mknod("/dev/rt-null", stat.S_IFCHR | 0o666, os.makedev(1, 3)))
    # A program written there does not run (noexec), and keeps no set-ID bit that counts (nosuid).
    prog = "/dev/rt-prog"
    with open(prog, "w") as o:
        o.write("#!/bin/sh\nexit 0\n")
    os.chmod(prog, 0o755)
    try_os("dev:exec-written-program", lambda: exec_in_child(prog))
    try:
        os.chmod(prog, 0o4755)
    except OSError:
        pass
    vfs = os.statvfs("/dev")
    report(bool(vfs.f_flag & os.ST_NOSUID) and bool(vfs.f_flag & os.ST_NODEV) and bool(vfs.f_flag & os.ST_NOEXEC),
           "dev:tmpfs-nosuid-nodev-noexec", f"flags {vfs.f_flag:#x}")
    os.unlink(prog)
    # The mount points the init opens (its shells' pty from /dev/pts/ptmx), and the others.
    for d in ("pts", "shm", "mqueue"):
        p = "/dev/" + d
        try_os(f"dev-mount:rename-{d}", lambda p=p: os.rename(p, p + ".moved"))
        try_os(f"dev-mount:rmdir-{d}", lambda p=p: os.rmdir(p))
    try_os("dev-mount:rename-/dev", lambda: os.rename("/dev", "/dev.moved"))
    try_os("dev-pts:unlink-ptmx", lambda: os.unlink("/dev/pts/ptmx"))
    # Its devpts is its own: it may chmod the ptmx node (the init opens it with its capabilities:
    # the host side checks that a shell still gets its pty).
    try:
        os.chmod("/dev/pts/ptmx", 0o000)
        print("PTMX-CHMOD 000", flush=True)
    except OSError as e:
        print(f"PTMX-CHMOD {err(e.errno)}", flush=True)
    try_os("dev-pts:create", lambda: open("/dev/pts/rt", "w").close())
    # mount(2) over /dev/pts (a devpts or tmpfs of its own would give the init's shells a fake ptmx).
    r, e = sc(165, b"devpts", b"/dev/pts", b"devpts", 0, b"newinstance,ptmxmode=0666")
    report(r < 0, "dev-pts:mount-devpts-over", f"-> {r} ({err(e)})")
    r, e = sc(165, b"none", b"/dev/pts", b"tmpfs", 0, 0)
    report(r < 0, "dev-pts:mount-tmpfs-over", f"-> {r} ({err(e)})")
    r, e = sc(166, b"/dev/pts", 2)  # umount2 MNT_DETACH
    report(r < 0, "dev-pts:umount", f"-> {r} ({err(e)})")
    st = os.stat("/dev/pts/ptmx")
    report(stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == 5 and os.minor(st.st_rdev) == 2,
           "dev-pts:ptmx-is-devpts-own", f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}")


def exec_in_child(prog):
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(prog, [prog])
        except OSError as e:
            os._exit(100 + e.errno)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code >= 100:
        raise OSError(code - 100, "exec")


def fill_dev():
    total = 0
    chunk = b"x" * 65536
    with open("/dev/rt-fill", "wb", buffering=0) as o:
        try:
            while True:
                total += o.write(chunk)
        except OSError:
            pass
    files = 0
    try:
        while True:
            os.close(os.open(f"/dev/rt-f{files}", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
            files += 1
    except OSError as e:
        why = err(e.errno)
    # And the names the init or a shell might want, taken: /dev/log and /dev/ptmx as FIFOs.
    for n in ("log", "ptmx"):
        try:
            os.unlink("/dev/" + n)
        except OSError:
            pass
        try:
            os.mkfifo("/dev/" + n)
        except OSError:
            pass
    print(f"FILLED {total} {files} {why}", flush=True)


def ptys(n):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    fds = []
    why = "-"
    for _ in range(n):
        try:
            fds.append(os.open("/dev/pts/ptmx", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC))
        except OSError as e:
            why = err(e.errno)
            break
    print(f"PTYS {len(fds)} {why}", flush=True)
    globals()["held"] = fds


def hosts():
    try:
        fd = os.open("/etc/hosts", os.O_RDONLY)
    except OSError as e:
        report(False, "hosts:readable", err(e.errno))
        return
    try_os("hosts:open-rw", lambda: os.close(os.open("/etc/hosts", os.O_RDWR)))
    try_os("hosts:reopen-rw-through-proc", lambda: os.close(os.open(f"/proc/self/fd/{fd}", os.O_RDWR)))
    try_os("hosts:chmod", lambda: os.chmod("/etc/hosts", 0o666))
    try_os("hosts:truncate", lambda: os.truncate("/etc/hosts", 0))
    # Its file back under a name of its /run (where it was made), to write it there.
    try_os("hosts:link-back-into-run", lambda: os.link(f"/proc/self/fd/{fd}", "/run/rt-hosts", follow_symlinks=True))
    AT_EMPTY_PATH = 0x1000
    libc.linkat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    ctypes.set_errno(0)
    r = libc.linkat(fd, b"", -100, b"/run/rt-hosts2", AT_EMPTY_PATH)
    report(r < 0, "hosts:linkat-empty-path-into-run", f"-> {r} ({err(ctypes.get_errno())})")
    r, e = sc(166, b"/etc/hosts", 2)
    report(r < 0, "hosts:umount", f"-> {r} ({err(e)})")
    names = [n for n in os.listdir("/run") if "hosts" in n]
    report(not names, "hosts:nothing-in-run", ",".join(names))
    os.close(fd)


def init():
    before = open("/proc/1/stat").read().split()[2]
    for sig in (signal.SIGKILL, signal.SIGSTOP):
        try:
            os.kill(1, sig)
            sent = "sent"
        except OSError as e:
            sent = err(e.errno)
        # A signal the kernel would act on lands at once; a look a moment after tells.
        time.sleep(0.2)
        try:
            state = open("/proc/1/stat").read().split()[2]
        except OSError:
            state = "gone"
        report(state in ("S", "R"), f"init:{signal.Signals(sig).name}", f"{sent}, state {before} -> {state}")


def fds():
    own = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    extra = []
    for n in os.listdir(f"/proc/self/fd"):
        if int(n) in (0, 1, 2, own):
            continue
        try:
            extra.append(f"{n}->{os.readlink('/proc/self/fd/' + n)}")
        except OSError as e:
            if e.errno != errno.ENOENT:  # (listdir's own, closed since)
                extra.append(f"{n}->{err(e.errno)}")
    os.close(own)
    report(not extra, "fds:only-stdio", " ".join(extra))
    for n in (0, 1, 2):
        try:
            t = os.readlink(f"/proc/self/fd/{n}")
        except OSError:
            t = "?"
        report(not t.startswith("/memfd:") and not t.startswith("anon_inode:"), f"fds:stdio-{n}", t)


def mounts(allowed):
    # Ours: what was made for the service (no host file system), and the device nodes of the host.
    own_types = ("tmpfs", "devpts", "mqueue", "proc", "sysfs", "cgroup", "cgroup2")
    bad = []
    for line in open("/proc/self/mountinfo"):
        left, right = line.split(" - ", 1)
        f = left.split()
        fstype = right.split()[0]
        root, point, opts = f[3], f[4], f[5].split(",")
        if "rw" not in opts or fstype in own_types:
            continue
        if fstype == "devtmpfs" and point in [f"/dev/{n}" for n in ("null", "zero", "full", "random", "urandom", "tty")]:
            continue
        if any(point == a or point.startswith(a.rstrip("/") + "/") for a in allowed):
            continue
        bad.append(f"{point}({fstype}:{root})")
    report(not bad, "mounts:no-writable-host-fs", " ".join(bad))


def envfile(path):
    with open(path, "w") as o:
        o.write("REDTEAM_FROM_SERVICE=1\nPATH=/var/lib/rt2plus:/usr/bin:/bin\nLD_PRELOAD=/var/lib/rt2plus/evil.so\n")
    print(f"ENVFILE {path}", flush=True)


def run_tamper():
    # What the plan made, changed: mode, a file, a link. Another service's /run must not show it.
    before = oct(os.stat("/run/lock").st_mode & 0o7777)
    os.chmod("/run/lock", 0o777)
    with open("/run/lock/rt-planted", "w") as o:
        o.write("x")
    os.symlink("/etc", "/run/rt-link")
    print(f"TAMPERED {before} {oct(os.stat('/run/lock').st_mode & 0o7777)}", flush=True)


def main():
    mode = sys.argv[1]
    if mode == "dev":
        dev()
    elif mode == "fill-dev":
        fill_dev()
    elif mode == "ptys":
        ptys(int(sys.argv[2]))
    elif mode == "hosts":
        hosts()
    elif mode == "init":
        init()
    elif mode == "fds":
        fds()
    elif mode == "mounts":
        mounts(sys.argv[2:])
    elif mode == "fds-post":
        # An ExecStartPost= the init starts: says which fds it holds, and ends.
        own = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        held = sorted(int(n) for n in os.listdir(f"/proc/self/fd/{own}") if os.path.exists(f"/proc/self/fd/{n}") and int(n) != own)
        print("POST-FDS " + " ".join(map(str, held)), flush=True)
        return
    elif mode == "getenv":
        print(f"GETENV {sys.argv[2]}={os.environ.get(sys.argv[2], '')}", flush=True)
    elif mode == "envfile":
        envfile(sys.argv[2])
    elif mode == "run-tamper":
        run_tamper()
    print("ATTACK-END", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
