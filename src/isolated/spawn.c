/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "description.h"
#include "init-protocol.h"
#include "macro.h"
#include "spawn.h"

#define NAMESPACE_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)

/* Runs in the freshly cloned child, a copy of the daemon: only async-signal-safe
 * calls until execve(). */
static _Noreturn void held_child_run(const char *init_path, int fd) {
        static const char release[] = "RELEASE";
        char buf[sizeof(release)];
        sigset_t empty;
        ssize_t n;

        sigemptyset(&empty);
        (void) sigprocmask(SIG_SETMASK, &empty, NULL);

        /* The daemon raised its own soft limit (relayed connections); the service gets the usual one, as
         * systemd's rlimit_nofile_safe() does, so select() keeps working. */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) >= 0 && nofile.rlim_cur > FD_SETSIZE) {
                nofile.rlim_cur = FD_SETSIZE;
                (void) setrlimit(RLIMIT_NOFILE, &nofile);
        }

        if (fd != INIT_CONTROL_FD) {
                if (dup2(fd, INIT_CONTROL_FD) < 0)
                        _exit(INIT_EXIT_START_FAILED);
        } else if (fcntl(fd, F_SETFD, 0) < 0)
                _exit(INIT_EXIT_START_FAILED);
        /* The daemon's other fds (its listeners and relayed connections, other services' sockets) would
         * otherwise stay open in here until the exec: a closed connection would not end meanwhile. */
        (void) close_range(INIT_CONTROL_FD + 1, ~0U, 0);

        /* Blocks until the scope holds us; EOF means the daemon gave up or died. */
        do
                n = recv(INIT_CONTROL_FD, buf, sizeof(buf), 0);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) strlen(release) || memcmp(buf, release, n) != 0)
                _exit(INIT_EXIT_START_FAILED);

        char *argv[] = { (char *) "isolate-init", NULL };
        char *envp[] = { (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         (char *) "GLIBC_TUNABLES=glibc.malloc.tcache_count=0", NULL };
        execve(init_path, argv, envp);
        _exit(INIT_EXIT_START_FAILED);
}

int held_child_spawn(const char *init_path, HeldChild *ret) {
        _cleanup_close_ int pidfd = -EBADF;
        int pair[2];
        int sndbuf = INIT_MESSAGE_MAX + 4096;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return negative_errno();
        _cleanup_close_ int ours = pair[0], theirs = pair[1];

        /* The START message carries a whole description. */
        if (setsockopt(ours, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0 &&
            setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
                return negative_errno();
        (void) setsockopt(theirs, SOL_SOCKET, SO_RCVBUFFORCE, &sndbuf, sizeof(sndbuf));

        struct clone_args args = {
                .flags = NAMESPACE_FLAGS | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        long pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                held_child_run(init_path, theirs);

        if (fcntl(ours, F_SETFL, O_NONBLOCK) < 0) {
                int r = negative_errno();
                siginfo_t si;
                (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, pidfd, &si, WEXITED);
                return r;
        }

        *ret = (HeldChild) {
                .pid = (pid_t) pid,
                .pidfd = TAKE_FD(pidfd),
                .control_fd = TAKE_FD(ours),
        };
        return 0;
}

int held_child_release(int control_fd) {
        if (send(control_fd, "RELEASE", strlen("RELEASE"), MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}
