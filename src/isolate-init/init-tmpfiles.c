/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init-tmpfiles.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"

#define TMPFILES_PATH "/usr/bin/systemd-tmpfiles"
#define TMPFILES_TIMEOUT_MS 10000

#define CAP(c) (UINT64_C(1) << (c))

__attribute__((noreturn)) static void tmpfiles_child(int stream_fd) {
        /* Not /run/user: hidden as ProtectHome=yes hides it (a system daemon's is logind's work). Not
         * /run/isolated: the daemon's own, of which a service sees nothing, not even a lookalike. */
        static char *const argv[] = { (char *) "systemd-tmpfiles", (char *) "--create", (char *) "--prefix=/run",
                                      (char *) "--exclude-prefix=/run/user", (char *) "--exclude-prefix=/run/isolated",
                                      NULL };
        static char *const envp[] = { (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        const uint64_t keep = CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FOWNER) | CAP(CAP_FSETID);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (null < 0 || dup2(null, STDIN_FILENO) < 0)
                _exit(EXIT_FAILURE);
        if (stream_fd >= 0 && (dup2(stream_fd, STDOUT_FILENO) < 0 || dup2(stream_fd, STDERR_FILENO) < 0))
                _exit(EXIT_FAILURE);
        /* Nothing of the init's: its control socket, the host's mounts it still holds. */
        if (close_range(3, ~0U, 0) < 0)
                _exit(EXIT_FAILURE);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(EXIT_FAILURE);
        /* As root, the exec gives it its bounding set (no file capabilities, no_new_privs). */
        for (unsigned long c = 0; c < 64; c++)
                if (!(keep & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        _exit(EXIT_FAILURE);
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                _exit(EXIT_FAILURE);
        (void) signal(SIGPIPE, SIG_DFL);
        {
                sigset_t all;

                sigemptyset(&all);
                (void) sigprocmask(SIG_SETMASK, &all, NULL);
        }
        execve(TMPFILES_PATH, argv, envp);
        _exit(127);
}

int init_tmpfiles_run(int stream_fd) {
        _cleanup_close_ int pidfd = -EBADF;
        uint64_t start = now_usec(CLOCK_MONOTONIC);
        siginfo_t si = {};
        pid_t pid;
        int r;

        if (access(TMPFILES_PATH, X_OK) < 0) /* none here (a RootDirectory= without it), or not to run */
                return errno == ENOENT || errno == EACCES ? 0 : negative_errno();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                tmpfiles_child(stream_fd);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };

                do
                        r = poll(&p, 1, TMPFILES_TIMEOUT_MS);
                while (r < 0 && errno == EINTR);
                if (r == 0) {
                        log_warning("systemd-tmpfiles --create --prefix=/run took longer than %d s, killed; "
                                    "the service starts with /run as far as it got.", TMPFILES_TIMEOUT_MS / 1000);
                        (void) kill(pid, SIGKILL);
                }
        }
        while (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return negative_errno();
        log_debug("systemd-tmpfiles --create --prefix=/run: %" PRIu64 " us, %s %d",
                  now_usec(CLOCK_MONOTONIC) - start, si.si_code == CLD_EXITED ? "status" : "signal", si.si_status);
        if (si.si_code != CLD_EXITED || si.si_status == 127)
                return si.si_code == CLD_EXITED ? -ENOEXEC : -EINTR;
        if (si.si_status != 0)
                log_warning("systemd-tmpfiles --create --prefix=/run exited with status %d: some of tmpfiles.d's "
                            "/run lines are not applied (its own lines above say which).", si.si_status);
        return 0;
}
