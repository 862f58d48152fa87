/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init-control.h"
#include "log.h"
#include "supervisor.h"
#include "time-util.h"

/* Raised by a fault of the init itself: left at their default, or a fault would loop forever. */
static bool signal_is_synchronous(int sig) {
        return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
               sig == SIGTRAP || sig == SIGSYS || sig == SIGABRT;
}

static void signal_nop(int sig) {
}

int signals_setup(int *ret_signal_fd) {
        struct sigaction sa = {
                .sa_handler = signal_nop,
                .sa_flags = SA_NOCLDSTOP,
        };
        sigset_t mask;
        int fd;

        sigfillset(&mask);
        sigdelset(&mask, SIGKILL);
        sigdelset(&mask, SIGSTOP);
        for (int sig = 1; sig < _NSIG; sig++)
                if (signal_is_synchronous(sig))
                        sigdelset(&mask, sig);

        /* Block first, so nothing lands on a handler that would swallow it. */
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();

        for (int sig = 1; sig < _NSIG; sig++)
                if (sigismember(&mask, sig) == 1)
                        (void) sigaction(sig, &sa, NULL);

        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return negative_errno();

        *ret_signal_fd = fd;
        return 0;
}

int exit_status_from_wait(int wait_status) {
        if (WIFEXITED(wait_status))
                return WEXITSTATUS(wait_status);
        if (WIFSIGNALED(wait_status))
                return 128 + WTERMSIG(wait_status);
        return 255; /* not reached: waitpid() without WUNTRACED reports only ends */
}

/* Returns 1 while children remain, 0 once there are none. */
static int reap_children(Supervisor *s) {
        for (;;) {
                int status;
                pid_t pid;

                pid = waitpid(-1, &status, WNOHANG);
                if (pid < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ECHILD)
                                return 0;
                        return log_error_errno(errno, "Failed to reap children: %m");
                }
                if (pid == 0)
                        return 1;

                if (pid == s->main_pid) {
                        s->main_status = status;
                        s->main_pid = 0;
                }
        }
}

static int handle_signals(Supervisor *s) {
        struct signalfd_siginfo si[16];
        bool reap = false;
        ssize_t n;

        for (;;) {
                n = read(s->signal_fd, si, sizeof(si));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        return log_error_errno(errno, "Failed to read signalfd: %m");
                }

                for (size_t i = 0; i < (size_t) n / sizeof(si[0]); i++) {
                        int sig = (int) si[i].ssi_signo;

                        if (sig == SIGCHLD) {
                                reap = true;
                                continue;
                        }
                        /* Raised by the init itself (SIGPIPE of a write to a closed stderr): not for the service. */
                        if ((pid_t) si[i].ssi_pid == getpid())
                                continue;
                        if (s->main_pid <= 0)
                                continue;

                        log_debug("Forwarding signal %d to the main process.", sig);
                        if (kill(s->main_pid, sig) < 0 && errno != ESRCH)
                                log_warning_errno(errno, "Failed to forward signal %d: %m", sig);
                }
        }

        if (reap)
                return reap_children(s);
        return 0;
}

static void handle_control(Supervisor *s) {
        _cleanup_free_ char *msg = NULL;
        KillWhom whom;
        int r, sig;

        r = control_receive(s->control_fd, 256, &msg, NULL);
        if (r == -EMSGSIZE) {
                log_warning("Ignoring oversized control message.");
                return;
        }
        if (r <= 0) {
                /* The daemon went away. It may come back and re-adopt the service; until then the
                 * service runs on. */
                if (r < 0)
                        log_warning_errno(r, "Failed to read control socket, no longer listening: %m");
                else
                        log_debug("Control socket closed.");
                s->control_fd = -EBADF;
                return;
        }

        r = control_parse_kill(msg, &whom, &sig);
        if (r < 0) {
                log_warning("Ignoring unknown control message \"%.32s\".", msg);
                return;
        }

        if (whom == KILL_WHOM_MAIN) {
                if (s->main_pid > 0 && kill(s->main_pid, sig) < 0 && errno != ESRCH)
                        log_warning_errno(errno, "Failed to send signal %d to the main process: %m", sig);
        } else if (kill(-1, sig) < 0 && errno != ESRCH)
                log_warning_errno(errno, "Failed to send signal %d to all processes: %m", sig);
}

/* A daemon (restarted, or re-adopting) connects: it becomes the one we talk
 * to, and learns at once what it missed. */
static void handle_accept(Supervisor *s) {
        int fd, r;

        fd = init_listener_accept(s->listener);
        if (fd < 0) {
                if (fd != -EAGAIN && fd != -EINTR)
                        log_warning_errno(fd, "Failed to accept a daemon connection: %m");
                return;
        }
        if (s->control_fd >= 0)
                (void) close(s->control_fd);
        s->control_fd = fd;
        log_debug("A daemon connected.");
        if (s->main_pid > 0)
                r = control_send_main(fd, s->main_pid, s->main_pidfd);
        else
                r = control_send_exited(fd, s->main_status);
        if (r < 0)
                log_warning_errno(r, "Failed to tell the daemon about the main process: %m");
}

static int wait_events(Supervisor *s, int timeout_ms) {
        struct pollfd p[3] = {
                { .fd = s->signal_fd, .events = POLLIN },
                { .fd = s->control_fd, .events = POLLIN }, /* poll() skips a negative fd */
                { .fd = s->listener ? s->listener->listen_fd : -EBADF, .events = POLLIN },
        };
        int r;

        r = poll(p, ELEMENTSOF(p), timeout_ms);
        if (r < 0) {
                if (errno == EINTR)
                        return 0;
                return log_error_errno(errno, "Failed to poll: %m");
        }

        if (p[0].revents != 0) {
                r = handle_signals(s);
                if (r < 0)
                        return r;
        }
        if (p[1].revents != 0)
                handle_control(s);
        if (p[2].revents != 0)
                handle_accept(s);
        return 0;
}

static int stop_remaining(Supervisor *s) {
        usec_t timeout = s->description->timeout_stop_usec, deadline;
        int sig = s->description->kill_signal > 0 ? s->description->kill_signal : SIGTERM, r;

        if (kill(-1, sig) < 0) {
                if (errno != ESRCH)
                        return log_error_errno(errno, "Failed to send signal %d to remaining processes: %m", sig);
        } else if (sig != SIGKILL && sig != SIGCONT)
                /* As systemd does: a stopped process has to run to die of its KillSignal=. */
                (void) kill(-1, SIGCONT);

        /* TimeoutStopSec=0 disables the timeout, as in systemd. */
        if (timeout == 0 || timeout == USEC_INFINITY)
                deadline = USEC_INFINITY;
        else {
                usec_t n = now_usec(CLOCK_MONOTONIC);
                deadline = timeout > USEC_INFINITY - n ? USEC_INFINITY : n + timeout;
        }

        for (;;) {
                int timeout_ms = -1;

                r = reap_children(s);
                if (r <= 0)
                        return r;

                if (deadline != USEC_INFINITY) {
                        usec_t n = now_usec(CLOCK_MONOTONIC), left;

                        if (n >= deadline)
                                break;
                        left = deadline - n;
                        /* Rounded up, so the deadline has passed when poll() returns. */
                        timeout_ms = left >= 60 * USEC_PER_SEC ? 60 * 1000
                                                               : (int) ((left + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
                }

                r = wait_events(s, timeout_ms);
                if (r < 0)
                        return r;
        }

        log_warning("Processes remain after TimeoutStopSec=, killing them.");
        if (kill(-1, SIGKILL) < 0 && errno != ESRCH)
                return log_error_errno(errno, "Failed to kill remaining processes: %m");

        for (;;) {
                if (waitpid(-1, NULL, 0) >= 0 || errno == EINTR)
                        continue;
                if (errno == ECHILD)
                        return 0;
                return log_error_errno(errno, "Failed to reap children: %m");
        }
}

int supervisor_run(Supervisor *s) {
        int r;

        while (s->main_pid > 0) {
                r = wait_events(s, -1);
                if (r < 0)
                        return r;
        }

        /* Recorded first: a daemon that is away now reads it when it comes back. */
        if (s->listener) {
                r = init_listener_record_exit(s->listener, s->main_status);
                if (r < 0)
                        log_warning_errno(r, "Failed to record the exit of the main process: %m");
        }
        if (s->control_fd >= 0) {
                r = control_send_exited(s->control_fd, s->main_status);
                if (r < 0)
                        log_warning_errno(r, "Failed to report the exit of the main process: %m");
        }

        r = stop_remaining(s);
        if (r < 0)
                return r;

        return exit_status_from_wait(s->main_status);
}
