/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "description.h"
#include "init-protocol.h"
#include "macro.h"
#include "spawn.h"
#include "uid-range.h"

#define NAMESPACE_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)

/* Runs in the freshly cloned child, a copy of the daemon: only async-signal-safe
 * calls until execve(). */
static _Noreturn void held_child_run(const char *init_path, int fd, int journal_fd) {
        static const char release[] = "RELEASE";
        char buf[sizeof(release)];
        sigset_t empty;
        ssize_t n;

        sigemptyset(&empty);
        (void) sigprocmask(SIG_SETMASK, &empty, NULL);

        /* The control socket becomes fd 3, the journal stream (if we have one) fd 4: lifted out of the
         * way first, so no dup2() clobbers the other. */
        fd = fcntl(fd, F_DUPFD, INIT_JOURNAL_FD + 1);
        if (fd < 0 || dup2(fd, INIT_CONTROL_FD) < 0)
                _exit(INIT_EXIT_START_FAILED);
        if (journal_fd >= 0) {
                journal_fd = fcntl(journal_fd, F_DUPFD, INIT_JOURNAL_FD + 1);
                if (journal_fd < 0 || dup2(journal_fd, INIT_JOURNAL_FD) < 0)
                        _exit(INIT_EXIT_START_FAILED);
        }
        /* The daemon's other fds (its listeners and relayed connections, other services' sockets) would
         * otherwise stay open in here until the exec: a closed connection would not end meanwhile. */
        (void) close_range(journal_fd >= 0 ? INIT_JOURNAL_FD + 1 : INIT_CONTROL_FD + 1, ~0U, 0);

        /* Blocks until the scope holds us; EOF means the daemon gave up or died. */
        do
                n = recv(INIT_CONTROL_FD, buf, sizeof(buf), 0);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) strlen(release) || memcmp(buf, release, n) != 0)
                _exit(INIT_EXIT_START_FAILED);

        /* The daemon raised its own soft limit (relayed connections); the service gets the usual one, as
         * systemd's rlimit_nofile_safe() does, so select() keeps working. Only now that the daemon's fds
         * are closed: with a thousand services they fill every number below FD_SETSIZE, and the
         * F_DUPFD above would find none free under the lowered limit. */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) >= 0 && nofile.rlim_cur > FD_SETSIZE) {
                nofile.rlim_cur = FD_SETSIZE;
                (void) setrlimit(RLIMIT_NOFILE, &nofile);
        }

        char *argv[] = { (char *) "isolate-init", NULL };
        char *envp[] = { (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         (char *) "GLIBC_TUNABLES=glibc.malloc.tcache_count=0", NULL };
        execve(init_path, argv, envp);
        _exit(INIT_EXIT_START_FAILED);
}

static void kill_and_reap(int pidfd) {
        siginfo_t si;

        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
}

static long clone3_pidfd(uint64_t flags, int *ret_pidfd) {
        struct clone_args args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                /* With CLONE_PARENT the child's signal is the caller's own: the kernel wants 0. */
                .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
        };
        return syscall(SYS_clone3, &args, sizeof(args));
}

/* The intermediate child: becomes the service's own host ID (no capability left), creates the
 * namespaces in one clone, the held child becoming the daemon's child, and reports its PID. Only
 * async-signal-safe calls. */
/* journald's stdout protocol: connect, then the header. Only system calls: we are a clone3() copy
 * of the daemon. -1 if journald is not there (the init then writes to its stderr). */
static int journal_connect(const char *header) {
        static const struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/stdout" };
        int large = 8 * 1024 * 1024;
        size_t n = strlen(header);
        int fd;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0 || shutdown(fd, SHUT_RD) < 0 ||
            write(fd, header, n) != (ssize_t) n) {
                (void) close(fd);
                return -1;
        }
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &large, sizeof(large));
        return fd;
}

/* The intermediate child's failure: its errno as its exit status, for the daemon to name the cause
 * (EMFILE is not EPERM). */
static int owner_exit_status(void) {
        return errno > 0 && errno < INIT_EXIT_START_FAILED ? errno : INIT_EXIT_START_FAILED;
}

static _Noreturn void owner_child_run(const char *init_path, int fd, uid_t uid_base, const char *journal_header) {
        int child_pidfd = -EBADF, journal_fd = -1;
        pid_t pid;

        /* The service's journal stream, opened while we are still root: journald trusts the unit named in
         * a stream's header only from root, and falls back to it when the stream's peer (we, soon gone)
         * cannot be looked up. From the service's own uid it would drop the unit of every line it reads
         * after the init ended. */
        if (journal_header)
                journal_fd = journal_connect(journal_header);

        /* Raw system calls: glibc's own would signal the daemon's other threads, which a child made
         * with clone3() does not have. CAP_SYS_ADMIN alone is kept across the switch, for the clone:
         * where unprivileged user namespaces are switched off (Debian's
         * kernel.unprivileged_userns_clone=0, AppArmor's restriction), they are still ours to make.
         * It does not reach the child, whose capabilities are those of its new namespace. */
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct caps[2] = {};
        if (syscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || syscall(SYS_setgroups, 0, NULL) < 0 ||
            syscall(SYS_setresgid, uid_base, uid_base, uid_base) < 0 ||
            syscall(SYS_setresuid, uid_base, uid_base, uid_base) < 0)
                _exit(owner_exit_status());
        caps[CAP_SYS_ADMIN / 32].effective = caps[CAP_SYS_ADMIN / 32].permitted = 1u << (CAP_SYS_ADMIN % 32);
        if (syscall(SYS_capset, &h, caps) < 0)
                _exit(owner_exit_status());
        pid = (pid_t) clone3_pidfd(CLONE_NEWUSER | NAMESPACE_FLAGS | CLONE_PARENT, &child_pidfd);
        if (pid < 0)
                _exit(owner_exit_status());
        if (pid == 0)
                held_child_run(init_path, fd, journal_fd);
        if (send(fd, &pid, sizeof(pid), MSG_NOSIGNAL) != sizeof(pid))
                _exit(owner_exit_status());
        _exit(0);
}

typedef struct OwnerArgs {
        const char *init_path;
        int fd;
        uid_t uid_base;
        const char *journal_header;
} OwnerArgs;

#if !defined(__SANITIZE_ADDRESS__)
/* The intermediate child's stack: we are single-threaded and suspended while it runs (CLONE_VFORK). */
static uint8_t owner_stack[64 * 1024] __attribute__((aligned(16)));

static int owner_child_main(void *userdata) {
        const OwnerArgs *a = userdata;

        owner_child_run(a->init_path, a->fd, a->uid_base, a->journal_header);
}
#endif

static int write_id_map(pid_t pid, const char *file, uid_t base) {
        char path[64], map[64];
        _cleanup_close_ int fd = -EBADF;
        int n;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        n = snprintf(map, sizeof(map), "0 %u %u\n", (unsigned) base, (unsigned) UID_RANGE_SIZE);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (write(fd, map, (size_t) n) != n)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* Runs the intermediate child to its end and takes the held child it made. */
static int spawn_in_user_namespace(const char *init_path, uid_t uid_base, const char *journal_header, int ours, int theirs,
                                   pid_t *ret_pid, int *ret_pidfd, int *ret_userns_fd) {
        _cleanup_close_ int owner_pidfd = -EBADF, pidfd = -EBADF, userns_fd = -EBADF;
        siginfo_t si = {};
        pid_t pid = 0;
        char path[64];
        ssize_t n;
        long owner;
        int r;

        /* vfork-like: the intermediate child shares our memory (and we wait, suspended, until it
         * exited), so the fork copies neither our page tables nor our fd table (both grow with the
         * services we run) and leaves no page of ours copy-on-write; only the held child it makes
         * gets a copy. It runs on a stack of its own, and only system calls. */
#if defined(__SANITIZE_ADDRESS__)
        /* Not under ASan: its instrumented frames on a stack it does not know, with its shadow and
         * thread state shared with us, abort it ("nested bug"). An ordinary fork there. */
        owner = clone3_pidfd(0, &owner_pidfd);
        if (owner < 0)
                return negative_errno();
        if (owner == 0)
                owner_child_run(init_path, theirs, uid_base, journal_header);
#else
        OwnerArgs args = { .init_path = init_path, .fd = theirs, .uid_base = uid_base, .journal_header = journal_header };
        owner = clone(owner_child_main, owner_stack + sizeof(owner_stack), CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                      &args, &owner_pidfd);
        if (owner < 0)
                return negative_errno();
#endif

        if (waitid(P_PIDFD, owner_pidfd, &si, WEXITED) < 0)
                return negative_errno();
        if (si.si_code != CLD_EXITED || si.si_status != 0)
                /* It could not become uid_base or not create the namespaces: its exit status is why. */
                return si.si_code == CLD_EXITED && si.si_status < INIT_EXIT_START_FAILED ? -si.si_status : -EPERM;
        n = recv(ours, &pid, sizeof(pid), MSG_DONTWAIT);
        if (n != sizeof(pid) || pid <= 0)
                return -EPROTO;

        /* Our child (CLONE_PARENT), so the PID stays its own until we reap it. */
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return negative_errno();
        r = write_id_map(pid, "uid_map", uid_base);
        if (r >= 0)
                r = write_id_map(pid, "gid_map", uid_base);
        if (r >= 0) {
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
                userns_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (userns_fd < 0)
                        r = negative_errno();
        }
        if (r < 0) {
                kill_and_reap(pidfd);
                return r;
        }

        *ret_pid = pid;
        *ret_pidfd = TAKE_FD(pidfd);
        *ret_userns_fd = TAKE_FD(userns_fd);
        return 0;
}

int held_child_spawn(const char *init_path, uid_t uid_base, const char *journal_header, HeldChild *ret) {
        _cleanup_close_ int pidfd = -EBADF, userns_fd = -EBADF;
        int pair[2];
        int sndbuf = INIT_MESSAGE_MAX + 4096;
        pid_t pid = 0;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return negative_errno();
        _cleanup_close_ int ours = pair[0], theirs = pair[1];

        /* The START message carries a whole description. */
        if (setsockopt(ours, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0 &&
            setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
                return negative_errno();
        (void) setsockopt(theirs, SOL_SOCKET, SO_RCVBUFFORCE, &sndbuf, sizeof(sndbuf));

        if (uid_base != (uid_t) -1) {
                r = spawn_in_user_namespace(init_path, uid_base, journal_header, ours, theirs, &pid, &pidfd, &userns_fd);
                if (r < 0)
                        return r;
        } else {
                long p = clone3_pidfd(NAMESPACE_FLAGS, &pidfd);

                if (p < 0)
                        return negative_errno();
                /* Connected here, not by the init: the init runs before the scope holds it (pipelined
                 * start), and we are root, whose header journald trusts. */
                if (p == 0)
                        held_child_run(init_path, theirs, journal_header ? journal_connect(journal_header) : -1);
                pid = (pid_t) p;
        }

        if (fcntl(ours, F_SETFL, O_NONBLOCK) < 0) {
                r = negative_errno();
                kill_and_reap(pidfd);
                return r;
        }

        /* Our child, unreaped: the PID is still its own. Only a speed-up: without it the init's exit
         * tears its mounts down itself. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) pid);
        int mntns_fd = open(path, O_RDONLY | O_CLOEXEC);

        *ret = (HeldChild) {
                .pid = pid,
                .pidfd = TAKE_FD(pidfd),
                .control_fd = TAKE_FD(ours),
                .userns_fd = TAKE_FD(userns_fd),
                .mntns_fd = mntns_fd < 0 ? -EBADF : mntns_fd,
        };
        return 0;
}

int held_child_release(int control_fd) {
        if (send(control_fd, "RELEASE", strlen("RELEASE"), MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}
