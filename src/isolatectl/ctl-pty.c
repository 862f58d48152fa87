/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "ctl-pty.h"
#include "macro.h"

int pty_open(int *ret_master, int *ret_slave) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        struct termios tio;
        struct winsize ws;
        char name[64];

        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return negative_errno();
        if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
                return negative_errno();
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return negative_errno();
        if (tcgetattr(STDIN_FILENO, &tio) >= 0)
                (void) tcsetattr(slave, TCSANOW, &tio);
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                (void) ioctl(slave, TIOCSWINSZ, &ws);
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

int pty_make_controlling(int slave) {
        if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
                return negative_errno();
        for (int fd = 0; fd < 3; fd++)
                if (dup2(slave, fd) < 0)
                        return negative_errno();
        if (slave > 2)
                safe_close(slave);
        return 0;
}

static int write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, buf, n);
                if (k < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return negative_errno();
                }
                buf += k;
                n -= (size_t) k;
        }
        return 0;
}

int pty_relay(int master, pid_t child, siginfo_t *ret_status) {
        _cleanup_close_ int sfd = -EBADF;
        struct termios saved, raw;
        bool restore = false, stdin_open = true, exited = false;
        sigset_t mask, old;
        siginfo_t si = {};
        char buf[4096];
        int r = 0;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
                return negative_errno();
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                r = negative_errno();
                goto finish;
        }
        if (tcgetattr(STDIN_FILENO, &saved) >= 0) {
                raw = saved;
                cfmakeraw(&raw);
                restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) >= 0;
        }

        for (;;) {
                struct pollfd p[3] = {
                        { .fd = master, .events = POLLIN },
                        { .fd = sfd, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                /* Once the child is gone, what it wrote last is drained, but
                 * a background process holding the terminal does not keep us. */
                int n = poll(p, ELEMENTSOF(p), exited ? 100 : -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        break;
                }
                if (n == 0)
                        break;
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo ssi;
                        while (read(sfd, &ssi, sizeof(ssi)) == sizeof(ssi)) {
                                struct winsize ws;
                                if (ssi.ssi_signo == SIGWINCH && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                                        (void) ioctl(master, TIOCSWINSZ, &ws);
                        }
                        if (!exited && waitid(P_PID, (id_t) child, &si, WEXITED | WNOHANG) >= 0 && si.si_pid == child)
                                exited = true;
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t k = read(master, buf, sizeof(buf));
                        if (k <= 0) {
                                if (k < 0 && errno == EINTR)
                                        continue;
                                /* EIO: every holder of the slave is gone. */
                                if (exited)
                                        break;
                                if (waitid(P_PID, (id_t) child, &si, WEXITED) >= 0)
                                        exited = true;
                                break;
                        }
                        r = write_all(STDOUT_FILENO, buf, (size_t) k);
                        if (r < 0)
                                break;
                }
                if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t k = read(STDIN_FILENO, buf, sizeof(buf));
                        if (k <= 0) {
                                if (k < 0 && errno == EINTR)
                                        continue;
                                stdin_open = false;
                        } else {
                                r = write_all(master, buf, (size_t) k);
                                if (r < 0)
                                        break;
                        }
                }
        }
        if (!exited && waitid(P_PID, (id_t) child, &si, WEXITED) < 0 && r >= 0)
                r = negative_errno();
finish:
        if (restore)
                (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0)
                return r;
        *ret_status = si;
        return 0;
}
