/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exit-status.h"
#include "footprint.h"
#include "host-exec-protocol.h"
#include "init-control.h"
#include "init-protocol.h"
#include "log.h"
#include "parse-util.h"
#include "learn.h"
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

static unsigned burst_of(const Description *d) {
        return d->start_limit_burst < 4096U ? d->start_limit_burst : 4096U;
}

static usec_t now_mono(const Supervisor *s) {
        return s->clock ? s->clock(s->clock_userdata) : now_usec(CLOCK_MONOTONIC);
}

static usec_t deadline_after(const Supervisor *s, usec_t timeout) {
        usec_t n = now_mono(s);

        if (timeout == 0 || timeout == USEC_INFINITY)
                return USEC_INFINITY;
        return timeout > USEC_INFINITY - n ? USEC_INFINITY : n + timeout;
}

static InitState phase_state(const Supervisor *s) {
        switch (s->phase) {
        case PHASE_CONDITION:
        case PHASE_START_PRE:
        case PHASE_START:
        case PHASE_START_POST:
        case PHASE_AUTO_RESTART:
                return INIT_STATE_STARTING;
        case PHASE_RUNNING:
                return s->notify_stopping ? INIT_STATE_STOPPING : s->notify_reloading ? INIT_STATE_RELOADING : INIT_STATE_RUNNING;
        case PHASE_RELOAD:
                return INIT_STATE_RELOADING;
        default:
                return INIT_STATE_STOPPING;
        }
}

/* Tells the daemon where the service is, once the first start completed, and
 * only what changed (force: a daemon that just connected). */
static void report(Supervisor *s, bool force) {
        char key[512];
        int r;

        if (!s->started || s->control_fd < 0 || s->phase == PHASE_DONE)
                return;
        snprintf(key, sizeof(key), "%d %s %u %s", (int) s->main_pid, init_state_to_string(phase_state(s)), s->n_restarts,
                 s->status_text ?: "");
        if (!force && s->last_report && strcmp(key, s->last_report) == 0)
                return;
        free(s->last_report);
        s->last_report = strdup(key);

        r = control_send_main(s->control_fd, s->main_pid, s->main_pid > 0 ? s->main_pidfd : -EBADF, phase_state(s),
                              s->n_restarts, s->status_text);
        if (r < 0)
                log_warning_errno(r, "Failed to report the state of the service: %m");
}

static void set_main(Supervisor *s, pid_t pid) {
        if (pid == s->main_pid)
                return;
        s->main_pidfd = safe_close(s->main_pidfd);
        s->main_pid = pid;
        s->main_ran = true;
        /* Watched through the pidfd too: a main process named by PIDFile= or MAINPID= need not be our child. */
        s->main_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (s->main_pidfd < 0) {
                s->main_pidfd = -EBADF;
                log_warning_errno(errno, "Failed to open pidfd of the main process %d: %m", (int) pid);
        }
}

static void finish(Supervisor *s) {
        int r;

        s->phase = PHASE_DONE;
        s->deadline = USEC_INFINITY;
        /* Recorded first: a daemon that is away now reads it when it comes back. */
        if (s->listener) {
                InitEndResult er = s->result ? init_end_result_from_string(s->result) : INIT_END_NONE;

                r = init_listener_record_exit(s->listener, s->main_status, er < 0 ? INIT_END_NONE : er);
                if (r < 0)
                        log_warning_errno(r, "Failed to record the exit of the main process: %m");
        }
        learn_report(); /* isolatectl learn: before the daemon hears of the end */
        if (s->control_fd >= 0) {
                r = control_send_exited(s->control_fd, s->main_status, s->result);
                if (r < 0)
                        log_warning_errno(r, "Failed to report the exit of the main process: %m");
        }
        s->exit_status = exit_status_from_wait(s->main_status);
}

static void kill_logged(pid_t pid, int sig) {
        if (kill(pid, sig) < 0 && errno != ESRCH)
                log_warning_errno(errno, "Failed to send signal %d to %d: %m", sig, (int) pid);
}

/* "+": the daemon runs the command on the host (host-exec-protocol.h); its end comes as EXEC-HOST-DONE. */
static int host_exec_send(Supervisor *s, const HostExecMessage *m, int pidfd) {
        char text[HOST_EXEC_MESSAGE_MAX];
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        int n;

        if (s->control_fd < 0)
                return -ENOTCONN;
        n = host_exec_message_format(m, text, sizeof(text));
        if (n < 0)
                return n;
        iov = (struct iovec) { .iov_base = text, .iov_len = (size_t) n };
        if (pidfd >= 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &pidfd, sizeof(int));
        }
        if (sendmsg(s->control_fd, &mh, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

static int host_exec_start(Supervisor *s) {
        HostExecKey key = s->phase == PHASE_START_PRE    ? HOST_EXEC_START_PRE
                          : s->phase == PHASE_START_POST ? HOST_EXEC_START_POST
                          : s->phase == PHASE_RELOAD     ? HOST_EXEC_RELOAD
                          : s->phase == PHASE_STOP       ? HOST_EXEC_STOP
                          : s->phase == PHASE_CONDITION  ? HOST_EXEC_CONDITION
                          : s->phase == PHASE_STOP_POST  ? HOST_EXEC_STOP_POST
                                                         : _HOST_EXEC_KEY_INVALID;
        int r;

        if (key < 0)
                return -EINVAL;
        r = host_exec_send(s,
                           &(HostExecMessage) { .type = HOST_EXEC_RUN, .seq = s->host_seq + 1, .key = key,
                                                .index = (unsigned) s->control_index },
                           s->main_pid > 0 ? s->main_pidfd : -EBADF);
        if (r < 0)
                return r;
        s->host_seq++;
        s->host_running = true;
        return 0;
}

/* A phase ends early (a timeout, a stop): the "+" command with it. */
static void host_exec_kill(Supervisor *s) {
        if (!s->host_running)
                return;
        s->host_running = false;
        (void) host_exec_send(s, &(HostExecMessage) { .type = HOST_EXEC_KILL, .seq = s->host_seq }, -EBADF);
}

static void enter_sigkill(Supervisor *s) {
        s->phase = PHASE_STOP_SIGKILL;
        s->deadline = USEC_INFINITY;
        log_warning("Processes remain after TimeoutStopSec=, killing them.");
        init_shells_kill(&s->shells, SIGKILL);
        if (s->description->kill_mode == KILL_PROCESS) {
                if (s->main_pid > 0)
                        kill_logged(s->main_pid, SIGKILL);
                if (s->control_pid > 0)
                        kill_logged(s->control_pid, SIGKILL);
        } else
                kill_logged(-1, SIGKILL);
        host_exec_kill(s);
}

/* KillSignal= as KillMode= says: every process (control-group), or the main
 * process alone (mixed: the rest get SIGKILL at the end; process: the rest are
 * left, and die with the namespace once the init exits). */
static void disarm_run_timers(Supervisor *s) {
        s->watchdog_deadline = USEC_INFINITY;
        s->runtime_deadline = USEC_INFINITY;
}

static void enter_signal_with(Supervisor *s, int sig) {
        disarm_run_timers(s);
        s->phase = PHASE_STOP_SIGTERM;
        s->deadline = deadline_after(s, s->description->timeout_stop_usec);
        report(s, false);
        /* A shell ends with the service, whatever KillMode= leaves. */
        init_shells_kill(&s->shells, sig);

        if (s->description->kill_mode == KILL_CONTROL_GROUP) {
                kill_logged(-1, sig);
                if (sig != SIGKILL && sig != SIGCONT)
                        /* As systemd does: a stopped process has to run to die of its KillSignal=. */
                        (void) kill(-1, SIGCONT);
                return;
        }
        for (int i = 0; i < 2; i++) {
                pid_t p = i == 0 ? s->main_pid : s->control_pid;

                if (p <= 0)
                        continue;
                kill_logged(p, sig);
                if (sig != SIGKILL && sig != SIGCONT)
                        (void) kill(p, SIGCONT);
        }
}

static void enter_signal(Supervisor *s) {
        enter_signal_with(s, s->description->kill_signal > 0 ? s->description->kill_signal : SIGTERM);
}

static void run_control(Supervisor *s);

static void set_control(Supervisor *s, Phase phase, ExecCommand *const *list) {
        s->phase = phase;
        s->control_list = list;
        s->control_index = 0;
        run_control(s);
}

/* The service ends (its main process did, or a stop was asked for): ExecStop=
 * if the start had got that far, then the signals. */
static void enter_stop(Supervisor *s) {
        bool stop_commands = s->phase == PHASE_START_POST || s->phase == PHASE_RUNNING || s->phase == PHASE_RELOAD;

        if (s->control_pid > 0) {
                /* A reload under way: abandoned, as systemd does. */
                kill_logged(s->control_pid, SIGKILL);
                s->control_pid = 0;
        }
        host_exec_kill(s);
        disarm_run_timers(s);
        s->phase = PHASE_STOP;
        s->deadline = deadline_after(s, s->description->timeout_stop_usec);
        report(s, false);
        if (!stop_commands || !s->description->exec_stop) {
                enter_signal(s);
                return;
        }
        set_control(s, PHASE_STOP, s->description->exec_stop);
}

static void record_start(Supervisor *s) {
        unsigned burst = burst_of(s->description);

        if (burst == 0 || !s->start_times)
                return;
        s->start_times[s->n_starts % burst] = now_mono(s);
        s->n_starts++;
}

/* systemd's StartLimitIntervalSec=/StartLimitBurst=: at most BURST starts in INTERVAL. */
static bool start_limit_hit(Supervisor *s) {
        unsigned burst = burst_of(s->description);
        usec_t interval = s->description->start_limit_interval_usec;

        if (burst == 0 || interval == 0 || interval == USEC_INFINITY || !s->start_times || s->n_starts < burst)
                return false;
        /* The oldest of the last BURST starts. */
        return now_mono(s) - s->start_times[s->n_starts % burst] < interval;
}

/* As systemd's service_shall_restart(): the run's result (SuccessExitStatus= applied; watchdog
 * and RuntimeMaxSec= are results of their own), RestartPreventExitStatus= and
 * RestartForceExitStatus= before Restart=. A skipped ExecCondition= never restarts. */
static bool should_restart(const Supervisor *s) {
        const Description *d = s->description;
        int st = s->main_status;
        int code = WIFEXITED(st) ? CLD_EXITED : WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
        int status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
        ExitOutcome outcome = s->watchdog_fired  ? EXIT_OUTCOME_WATCHDOG
                              : s->runtime_fired ? EXIT_OUTCOME_TIMEOUT
                                                 : exit_outcome_of(code, status, &d->success_status);

        if (s->condition_skipped)
                return false;
        return exit_restart_wanted(d->restart, outcome, code, status, &d->restart_prevent_status,
                                   &d->restart_force_status);
}

/* Why the init ended the run, for EXITED's RESULT= (NULL: the exit status tells). */
static const char *run_result(const Supervisor *s) {
        if (s->stop_requested)
                return NULL;
        return s->condition_skipped ? "exec-condition" : s->watchdog_fired ? "watchdog" : s->runtime_fired ? "timeout" : NULL;
}

/* Everything of the service is gone (or, KillMode=process, its main process): ExecStopPost=
 * first, then the end or a restart. */
static void stop_finished(Supervisor *s) {
        if (s->description->exec_stop_post && !s->stop_post_done) {
                s->stop_post_done = true;
                s->deadline = deadline_after(s, s->description->timeout_stop_usec);
                set_control(s, PHASE_STOP_POST, s->description->exec_stop_post);
                return;
        }
        if (s->stop_requested || s->condition_skipped || (!s->restart_requested && !should_restart(s))) {
                s->result = s->result ?: run_result(s);
                finish(s);
                return;
        }
        if (start_limit_hit(s)) {
                log_warning("Start request repeated too quickly, not restarting (StartLimitBurst=%u in %llu s).",
                            s->description->start_limit_burst,
                            (unsigned long long) (s->description->start_limit_interval_usec / USEC_PER_SEC));
                s->result = "start-limit-hit";
                finish(s);
                return;
        }
        log_info("Main process ended, restarting in place in %llu ms.",
                 (unsigned long long) (s->description->restart_usec / USEC_PER_MSEC));
        s->phase = PHASE_AUTO_RESTART;
        s->deadline = deadline_after(s, s->description->restart_usec);
        if (s->deadline == USEC_INFINITY)
                s->deadline = now_mono(s); /* RestartSec=0 */
        report(s, false);
}

static void reap_all(void) {
        for (;;)
                if (waitpid(-1, NULL, 0) < 0 && errno != EINTR)
                        break;
}

/* ExecStopPost= after a first start that failed, before the failure is reported (as systemd: the
 * job fails once stop-post ran). Nothing else of the service runs any more; each command gets
 * TimeoutStopSec= (of the real clock), then SIGKILL. */
static void run_stop_post_sync(Supervisor *s) {
        for (ExecCommand *const *c = s->description->exec_stop_post; c && *c; c++) {
                _cleanup_free_ char *error = NULL;
                usec_t timeout = s->description->timeout_stop_usec, limit;
                pid_t pid;
                int st = 0, r;

                /* "+": the daemon answers asynchronously, and tears the scope down on this failure. */
                if ((*c)->privileged) {
                        log_warning("ExecStopPost=+%s: not run on the host after a failed first start.", (*c)->path);
                        continue;
                }
                r = spawn_command(s->spawn, *c, 0, &pid, &error);
                if (r < 0) {
                        log_warning("ExecStopPost=: %s", error ?: "Failed to start a command");
                        continue;
                }
                limit = timeout == USEC_INFINITY ? USEC_INFINITY : now_usec(CLOCK_MONOTONIC) + timeout;
                for (;;) {
                        pid_t k = waitpid(pid, &st, WNOHANG);

                        if (k == pid || (k < 0 && errno != EINTR))
                                break;
                        if (now_usec(CLOCK_MONOTONIC) >= limit) {
                                log_warning("ExecStopPost= %s did not finish within TimeoutStopSec=, killing it.",
                                            (*c)->path);
                                (void) kill(pid, SIGKILL);
                                (void) waitpid(pid, &st, 0);
                                break;
                        }
                        (void) usleep(5 * 1000);
                }
                if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !(*c)->ignore_failure)
                        log_warning("ExecStopPost= %s failed (%s %d).", (*c)->path,
                                    WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
                (void) kill(-1, SIGKILL); /* what it left */
                reap_all();
        }
}

/* A start that failed: the first one is reported and ends the init; a
 * restart's failure ends the service like a failed main process would. */
static void start_failure(Supervisor *s, int wait_status, int error, const char *text) {
        log_error("%s", text);
        if (!s->started) {
                (void) kill(-1, SIGKILL);
                reap_all();
                s->main_pid = s->control_pid = 0;
                run_stop_post_sync(s);
                learn_report();
                if (s->control_fd >= 0) {
                        if (wait_status >= 0)
                                (void) control_send_exited(s->control_fd, wait_status, NULL);
                        (void) control_send_failed(s->control_fd, error, text);
                }
                s->main_pid = s->control_pid = 0;
                s->phase = PHASE_DONE;
                s->exit_status = INIT_EXIT_START_FAILED;
                return;
        }
        /* 203 is systemd's EXIT_EXEC. */
        s->main_status = wait_status >= 0 ? wait_status : W_EXITCODE(203, 0);
        if (s->main_pid > 0 && wait_status >= 0 && s->phase != PHASE_START)
                s->main_status = wait_status;
        enter_signal(s);
}

static void start_failuref(Supervisor *s, int wait_status, const char *what, const char *path) {
        char text[512];

        if (WIFEXITED(wait_status))
                snprintf(text, sizeof(text), "%s %s exited with status %d", what, path, WEXITSTATUS(wait_status));
        else
                snprintf(text, sizeof(text), "%s %s was killed by signal %s", what, path,
                         signal_to_string(WTERMSIG(wait_status)) ?: "?");
        start_failure(s, wait_status, 0, text);
}

/* RemainAfterExit=yes, as systemd: a main process that ended cleanly leaves the service active
 * ("active (exited)") until it is stopped; a failed one ends it. */
static bool main_succeeded(const Supervisor *s, int st) {
        int code = WIFEXITED(st) ? CLD_EXITED : WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;

        /* SuccessExitStatus= counts, as for the restart. */
        return exit_outcome_of(code, WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), &s->description->success_status) ==
               EXIT_OUTCOME_SUCCESS;
}

static bool remains_after_exit(const Supervisor *s) {
        return s->description->remain_after_exit && main_succeeded(s, s->main_status);
}

/* WatchdogSec=: armed (again) from now. */
static void watchdog_reset(Supervisor *s) {
        if (s->description->watchdog_usec > 0)
                s->watchdog_deadline = deadline_after(s, s->description->watchdog_usec);
}

static void enter_running(Supervisor *s) {
        bool first = !s->started;

        if (s->phase == PHASE_START_POST) {
                watchdog_reset(s);
                /* RuntimeMaxSec= counts from here, as systemd counts from entering running. */
                s->runtime_deadline = deadline_after(s, s->description->runtime_max_usec);
        }
        s->phase = PHASE_RUNNING;
        s->deadline = USEC_INFINITY;
        s->started = true;
        if (first)
                log_debug("Started, main PID %d.", (int) s->main_pid);
        s->trim_pending = true;
        report(s, false);
        /* The main process ended during ExecStartPost= (oneshot: always). */
        if (s->main_ran && s->main_pid == 0) {
                if (!remains_after_exit(s))
                        enter_stop(s);
                else
                        s->watchdog_deadline = USEC_INFINITY; /* no main process to ping it */
        }
}

static void enter_start_post(Supervisor *s) {
        s->deadline = USEC_INFINITY;
        watchdog_reset(s);
        set_control(s, PHASE_START_POST, s->description->exec_start_post);
}

/* Reads PIDFile= inside the sandbox. -ENOENT until it exists, -ESRCH if it names no process. */
static int read_pid_file(const char *path, pid_t *ret) {
        char buf[32];
        ssize_t n;
        long v;
        char *end;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        do
                n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        (void) close(fd);
        if (n <= 0)
                return -ENOENT; /* being written */
        buf[n] = 0;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno != 0 || end == buf || v <= 1 || v > INT32_MAX || (*end != 0 && *end != '\n'))
                return -EBADMSG;
        if (kill((pid_t) v, 0) < 0 && errno == ESRCH)
                return -ESRCH;
        *ret = (pid_t) v;
        return 0;
}

/* systemd's guess without PIDFile=: the one process whose parent is PID 1 (here:
 * the init), and only if there is exactly one. */
static pid_t guess_main_pid(void) {
        struct dirent *de;
        pid_t found = 0;
        DIR *d;

        d = opendir("/proc");
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                char path[300], buf[512], *p, state;
                int ppid, fd;
                ssize_t n;

                if (de->d_name[0] < '0' || de->d_name[0] > '9' || strcmp(de->d_name, "1") == 0)
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                n = read(fd, buf, sizeof(buf) - 1);
                (void) close(fd);
                if (n <= 0)
                        continue;
                buf[n] = 0;
                p = strrchr(buf, ')'); /* comm may hold anything */
                if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
                        continue;
                if (ppid != 1 || state == 'Z')
                        continue;
                if (found != 0) {
                        found = 0; /* ambiguous: none, as systemd */
                        break;
                }
                found = (pid_t) atoi(de->d_name);
        }
        closedir(d);
        return found;
}

/* Type=forking: the started process exited successfully. */
static void forking_started(Supervisor *s) {
        const char *pid_file = s->description->pid_file;
        pid_t pid = 0;
        int r;

        if (pid_file) {
                r = read_pid_file(pid_file, &pid);
                if (r == -ENOENT) {
                        /* Not there yet: look again shortly; TimeoutStartSec= bounds the wait. */
                        s->deadline = deadline_after(s, 100 * USEC_PER_MSEC);
                        return;
                }
                if (r < 0) {
                        char text[512];

                        snprintf(text, sizeof(text), "PIDFile=%s: %s", pid_file,
                                 r == -ESRCH ? "names no running process" : "holds no valid PID");
                        start_failure(s, -1, -r, text);
                        return;
                }
        } else {
                pid = guess_main_pid();
                if (pid == 0)
                        log_warning("Type=forking without PIDFile=: cannot tell the main process, "
                                    "the service runs while any of its processes does.");
        }
        if (pid > 0)
                set_main(s, pid);
        enter_start_post(s);
}

/* The ExecStart= command of start_index: the first, or (Type=oneshot) one of the later ones. */
static const ExecCommand *start_command(const Supervisor *s) {
        if (s->start_index == 0)
                return s->description->exec_start;
        return s->description->exec_start_more ? s->description->exec_start_more[s->start_index - 1] : NULL;
}

static void enter_start(Supervisor *s) {
        _cleanup_free_ char *error = NULL;
        pid_t pid;
        int r;

        s->phase = PHASE_START;
        s->deadline = USEC_INFINITY;
        s->start_index = 0;
        r = spawn_main_command(s->spawn, &pid, &error);
        if (r < 0) {
                start_failure(s, spawn_failure_wait_status(), r, error ?: "Failed to start the main process");
                return;
        }
        s->control_list = NULL;
        switch (s->description->type) {
        case SERVICE_FORKING:
                s->control_pid = pid; /* its exit completes the start */
                break;
        case SERVICE_NOTIFY:
        case SERVICE_ONESHOT:
                set_main(s, pid); /* READY=1 completes the start; oneshot: the last command's exit */
                break;
        default:
                set_main(s, pid);
                enter_start_post(s);
        }
}

/* Type=oneshot: a command of ExecStart= exited; the next one runs, and after the last ExecStartPost=,
 * as systemd runs them: one at a time, each the main process while it runs. */
static void oneshot_exited(Supervisor *s, int wait_status) {
        const ExecCommand *c = start_command(s);
        _cleanup_free_ char *error = NULL;
        pid_t pid;
        int r;

        if (!main_succeeded(s, wait_status)) {
                if (!c || !c->ignore_failure) {
                        start_failuref(s, wait_status, "ExecStart=", c ? c->path : "?");
                        return;
                }
                s->main_status = 0; /* "-": the failure is no failure of the service */
        }
        s->start_index++;
        c = start_command(s);
        if (!c) {
                enter_start_post(s);
                return;
        }
        r = spawn_main_command_of(s->spawn, c, &pid, &error);
        if (r < 0) {
                start_failure(s, spawn_failure_wait_status(), r, error ?: "Failed to start the main process");
                return;
        }
        set_main(s, pid);
}

static void reload_finished(Supervisor *s, int error, const char *text) {
        if (s->control_fd >= 0)
                (void) control_send_reloaded(s->control_fd, error, text);
        if (s->phase == PHASE_RELOAD) {
                s->phase = PHASE_RUNNING;
                s->trim_pending = true;
                report(s, false);
        }
}

/* The commands of the list are done, or there were none. */
static void control_list_done(Supervisor *s) {
        switch (s->phase) {
        case PHASE_CONDITION:
                set_control(s, PHASE_START_PRE, s->description->exec_start_pre);
                break;
        case PHASE_START_PRE:
                enter_start(s);
                break;
        case PHASE_STOP_POST:
                s->deadline = USEC_INFINITY;
                stop_finished(s);
                break;
        case PHASE_START_POST:
                enter_running(s);
                break;
        case PHASE_RELOAD:
                reload_finished(s, 0, NULL);
                break;
        case PHASE_STOP:
                enter_signal(s);
                break;
        default:
                break;
        }
}

static const char *phase_key(Phase p) {
        switch (p) {
        case PHASE_CONDITION:
                return "ExecCondition=";
        case PHASE_STOP_POST:
                return "ExecStopPost=";
        case PHASE_START_PRE:
                return "ExecStartPre=";
        case PHASE_START_POST:
                return "ExecStartPost=";
        case PHASE_RELOAD:
                return "ExecReload=";
        case PHASE_STOP:
                return "ExecStop=";
        default:
                return "ExecStart=";
        }
}

/* A command of the list failed (and has no "-" prefix). */
static void control_failed(Supervisor *s, int wait_status, int error, const char *text) {
        const ExecCommand *c = s->control_list ? s->control_list[s->control_index] : start_command(s);
        char buf[512];

        if (!text) {
                if (WIFEXITED(wait_status))
                        snprintf(buf, sizeof(buf), "%s %s exited with status %d", phase_key(s->phase), c->path,
                                 WEXITSTATUS(wait_status));
                else
                        snprintf(buf, sizeof(buf), "%s %s was killed by signal %s", phase_key(s->phase), c->path,
                                 signal_to_string(WTERMSIG(wait_status)) ?: "?");
                text = buf;
        }
        switch (s->phase) {
        case PHASE_CONDITION:
        case PHASE_START_PRE:
        case PHASE_START:
        case PHASE_START_POST:
                start_failure(s, wait_status, error, text);
                break;
        case PHASE_RELOAD:
                log_warning("%s", text);
                reload_finished(s, error > 0 ? error : EPROTO, text);
                break;
        default:
                log_warning("%s", text);
                s->control_index++;
                run_control(s);
        }
}

static void run_control(Supervisor *s) {
        for (;;) {
                _cleanup_free_ char *error = NULL;
                const ExecCommand *c = s->control_list ? s->control_list[s->control_index] : NULL;
                pid_t pid;
                int r;

                if (!c) {
                        control_list_done(s);
                        return;
                }
                if (c->privileged) {
                        r = host_exec_start(s);
                        if (r >= 0)
                                return;
                        if (asprintf(&error, "Failed to have the daemon run '+%s' on the host: %s", c->path,
                                     r == -ENOTCONN ? "the daemon is not connected" : strerror(-r)) < 0)
                                error = NULL;
                } else {
                        r = spawn_command(s->spawn, c, s->main_pid, &pid, &error);
                        if (r >= 0) {
                                s->control_pid = pid;
                                return;
                        }
                }
                if (!c->ignore_failure) {
                        control_failed(s, -1, -r, error ?: "Failed to start a command");
                        return;
                }
                log_warning("%s (ignored: '-' prefix)", error ?: "Failed to start a command");
                s->control_index++;
        }
}

static void control_exited(Supervisor *s, int wait_status) {
        const ExecCommand *c = s->control_list ? s->control_list[s->control_index] : NULL;
        bool ok = (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) || (c && c->ignore_failure);

        s->control_pid = 0;
        switch (s->phase) {
        case PHASE_START:
                /* Type=forking: the process we started is done forking. */
                if (ok)
                        forking_started(s);
                else
                        start_failuref(s, wait_status, "ExecStart=", s->description->exec_start->path);
                return;
        case PHASE_CONDITION:
                /* As systemd: 1..254 skips the start cleanly; 255 or a signal fails it. */
                if (!ok && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) >= 1 && WEXITSTATUS(wait_status) <= 254) {
                        log_info("ExecCondition= %s exited with status %d: skipping the start.", c ? c->path : "?",
                                 WEXITSTATUS(wait_status));
                        s->condition_skipped = true;
                        s->main_status = wait_status;
                        enter_signal(s); /* what the command left; then ExecStopPost= */
                        return;
                }
                __attribute__((fallthrough));
        case PHASE_START_PRE:
        case PHASE_START_POST:
        case PHASE_RELOAD:
        case PHASE_STOP:
        case PHASE_STOP_POST:
                if (!ok) {
                        control_failed(s, wait_status, 0, NULL);
                        return;
                }
                s->control_index++;
                run_control(s);
                return;
        default:
                return;
        }
}

static void main_exited(Supervisor *s, int wait_status) {
        log_debug("Main process %d ended.", (int) s->main_pid);
        s->main_status = wait_status;
        s->main_pid = 0;
        s->main_pidfd = safe_close(s->main_pidfd);

        switch (s->phase) {
        case PHASE_START:
                if (s->description->type == SERVICE_NOTIFY)
                        start_failuref(s, wait_status, "Main process", s->description->exec_start->path);
                else if (s->description->type == SERVICE_ONESHOT)
                        oneshot_exited(s, wait_status);
                break;
        case PHASE_RUNNING:
                if (remains_after_exit(s)) {
                        s->watchdog_deadline = USEC_INFINITY; /* no main process to ping it */
                        report(s, false); /* no main process any more */
                        break;
                }
                enter_stop(s);
                break;
        case PHASE_RELOAD:
                if (s->control_fd >= 0)
                        (void) control_send_reloaded(s->control_fd, ESRCH, "the main process ended during the reload");
                enter_stop(s);
                break;
        default:
                break; /* ExecStartPost= goes on; a stop notices it below */
        }
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

                /* Detected here, in the drain loop, never with kill(pid, 0) on a possible zombie. */
                if (pid == s->main_pid)
                        main_exited(s, status);
                else if (pid == s->control_pid)
                        control_exited(s, status);
                else
                        (void) init_shells_reaped(&s->shells, s->control_fd, pid, status);
                if (s->phase == PHASE_DONE)
                        return 0;
        }
}

/* After every event: has the stop come to its end, or a service without a known main process? */
static void check_progress(Supervisor *s, int children) {
        switch (s->phase) {
        case PHASE_START:
                /* Type=forking waiting for PIDFile=: nothing but the init is left, it never comes. */
                if (s->description->type == SERVICE_FORKING && s->control_pid == 0 && children == 0) {
                        char text[512];

                        snprintf(text, sizeof(text), "ExecStart= %s: every process of the service ended before "
                                 "the start completed (PIDFile=%s was never written)",
                                 s->description->exec_start->path, s->description->pid_file ?: "");
                        start_failure(s, -1, ESRCH, text);
                }
                break;
        case PHASE_RUNNING:
                /* Type=forking whose main process could not be told: ends when nothing is left. */
                if (s->main_pid == 0 && !s->main_ran && children == 0) {
                        s->main_status = 0;
                        enter_stop(s);
                }
                break;
        case PHASE_STOP_SIGTERM:
        case PHASE_STOP_SIGKILL:
                if (s->control_pid > 0)
                        break;
                if (s->description->kill_mode == KILL_PROCESS) {
                        if (s->main_pid == 0)
                                stop_finished(s);
                } else if (s->description->kill_mode == KILL_MIXED && s->main_pid == 0 && children > 0) {
                        /* The main process is gone: the rest get SIGKILL now, as mixed means. */
                        if (s->phase == PHASE_STOP_SIGTERM)
                                enter_sigkill(s);
                } else if (children == 0)
                        stop_finished(s);
                break;
        default:
                break;
        }
}

static void handle_stop(Supervisor *s) {
        if (s->stop_requested)
                return;
        s->stop_requested = true;
        switch (s->phase) {
        case PHASE_CONDITION:
        case PHASE_START_PRE:
        case PHASE_START:
                enter_signal(s);
                break;
        case PHASE_START_POST:
        case PHASE_RUNNING:
        case PHASE_RELOAD:
                if (s->phase == PHASE_RELOAD && s->control_fd >= 0)
                        (void) control_send_reloaded(s->control_fd, ECANCELED, "the service is being stopped");
                enter_stop(s);
                break;
        case PHASE_AUTO_RESTART:
                finish(s);
                break;
        default:
                break;
        }
}

/* HealthOnFailure=restart: stopped as by STOP, then started again in place, whatever Restart= says. */
static void handle_restart(Supervisor *s) {
        if (s->stop_requested || (s->phase != PHASE_RUNNING && s->phase != PHASE_RELOAD))
                return;
        log_info("Restart in place asked for by the daemon (a failed health check).");
        s->restart_requested = true;
        if (s->phase == PHASE_RELOAD && s->control_fd >= 0)
                (void) control_send_reloaded(s->control_fd, ECANCELED, "the service is being restarted");
        enter_stop(s);
}

static void handle_reload(Supervisor *s) {
        if (s->phase != PHASE_RUNNING) {
                if (s->control_fd >= 0)
                        (void) control_send_reloaded(s->control_fd, EBUSY, "the service is not running");
                return;
        }
        if (!s->description->exec_reload) {
                if (s->control_fd >= 0)
                        (void) control_send_reloaded(s->control_fd, EOPNOTSUPP, "no ExecReload=");
                return;
        }
        s->phase = PHASE_RELOAD;
        report(s, false);
        set_control(s, PHASE_RELOAD, s->description->exec_reload);
}

static void do_restart(Supervisor *s) {
        s->n_restarts++;
        s->stop_requested = s->restart_requested = false;
        s->notify_reloading = s->notify_stopping = false;
        s->main_ran = false;
        s->main_status = 0;
        s->watchdog_fired = s->runtime_fired = s->condition_skipped = s->stop_post_done = false;
        disarm_run_timers(s);
        record_start(s);
        log_info("Restarting (restart %u).", s->n_restarts);
        s->phase = PHASE_CONDITION;
        report(s, false);
        set_control(s, PHASE_CONDITION, s->description->exec_condition);
}

static void on_timeout(Supervisor *s) {
        s->deadline = USEC_INFINITY;
        switch (s->phase) {
        case PHASE_START:
                forking_started(s); /* the PID file, once more */
                break;
        case PHASE_STOP:
                log_warning("ExecStop= did not finish within TimeoutStopSec=, killing it.");
                if (s->control_pid > 0)
                        kill_logged(s->control_pid, SIGKILL);
                s->control_pid = 0;
                host_exec_kill(s);
                enter_signal(s);
                break;
        case PHASE_STOP_SIGTERM:
                enter_sigkill(s);
                break;
        case PHASE_STOP_POST:
                log_warning("ExecStopPost= did not finish within TimeoutStopSec=, killing it.");
                if (s->control_pid > 0)
                        kill_logged(s->control_pid, SIGKILL);
                s->control_pid = 0;
                stop_finished(s); /* done: stop_post_done */
                break;
        case PHASE_AUTO_RESTART:
                do_restart(s);
                break;
        default:
                break;
        }
}

/* WatchdogSec= passed without WATCHDOG=1: WatchdogSignal= (SIGABRT) as KillMode= says, as systemd. */
static void on_watchdog(Supervisor *s) {
        log_warning("Watchdog timeout (limit %llu ms)! Sending signal %s.",
                    (unsigned long long) (s->description->watchdog_usec / USEC_PER_MSEC),
                    signal_to_string(s->description->watchdog_signal) ?: "?");
        s->watchdog_fired = true;
        if (s->control_pid > 0) {
                if (s->phase == PHASE_RELOAD && s->control_fd >= 0)
                        (void) control_send_reloaded(s->control_fd, ECANCELED, "the watchdog ended the service");
                kill_logged(s->control_pid, SIGKILL);
                s->control_pid = 0;
        }
        enter_signal_with(s, s->description->watchdog_signal > 0 ? s->description->watchdog_signal : SIGABRT);
}

/* RuntimeMaxSec= passed: stopped as by STOP (ExecStop= included), Result=timeout. */
static void on_runtime_max(Supervisor *s) {
        log_warning("Reached RuntimeMaxSec=%llu s, stopping.",
                    (unsigned long long) (s->description->runtime_max_usec / USEC_PER_SEC));
        s->runtime_fired = true;
        if (s->phase == PHASE_RELOAD && s->control_fd >= 0)
                (void) control_send_reloaded(s->control_fd, ECANCELED, "RuntimeMaxSec= ended the service");
        enter_stop(s);
}

static int handle_signals(Supervisor *s) {
        struct signalfd_siginfo si[16];
        ssize_t n;

        for (;;) {
                n = read(s->signal_fd, si, sizeof(si));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return log_error_errno(errno, "Failed to read signalfd: %m");
                }

                for (size_t i = 0; i < (size_t) n / sizeof(si[0]); i++) {
                        int sig = (int) si[i].ssi_signo;

                        if (sig == SIGCHLD)
                                continue; /* the drain loop after every event reaps */
                        /* Raised by the init itself (SIGPIPE of a write to a closed stderr): not for the service. */
                        if ((pid_t) si[i].ssi_pid == getpid())
                                continue;
                        /* KillSignal= from outside the namespace (PID 0 here): systemd stops the scope. */
                        if (si[i].ssi_pid == 0 && si[i].ssi_code == SI_USER && sig == s->description->kill_signal) {
                                log_debug("Signal %d from outside the namespace: stopping.", sig);
                                handle_stop(s);
                                continue;
                        }
                        if (s->main_pid <= 0)
                                continue;

                        log_debug("Forwarding signal %d to the main process.", sig);
                        kill_logged(s->main_pid, sig);
                }
        }
}

/* EXEC-HOST-DONE: the "+" command ended on the host, or could not run there. */
static void host_exec_done(Supervisor *s, const char *msg) {
        const ExecCommand *c = s->control_list ? s->control_list[s->control_index] : NULL;
        HostExecMessage m;
        char text[512];

        if (host_exec_message_parse(msg, &m) < 0 || m.type != HOST_EXEC_DONE) {
                log_warning("Ignoring garbled message \"%.32s\".", msg);
                return;
        }
        if (!s->host_running || m.seq != s->host_seq || !c || !c->privileged)
                return; /* killed already, or an answer of an earlier one */
        s->host_running = false;
        if (m.error == 0) {
                control_exited(s, m.wait_status);
                return;
        }
        snprintf(text, sizeof(text), "Failed to run '+%s' on the host: %s", c->path, strerror(m.error));
        if (c->ignore_failure) {
                log_warning("%s (ignored: '-' prefix)", text);
                s->control_index++;
                run_control(s);
                return;
        }
        control_failed(s, -1, m.error, text);
}

/* The daemon went away while a "+" command ran: nobody will tell its end. */
static void host_exec_lost(Supervisor *s) {
        if (!s->host_running)
                return;
        s->host_running = false;
        control_failed(s, -1, ECONNRESET, "The daemon went away while a '+' command ran on the host");
}

static void handle_control(Supervisor *s) {
        _cleanup_free_ char *msg = NULL;
        int fds[3];
        size_t size = 0, n_fds = 0;
        DaemonRequest req;
        int r;

        r = control_receive_fds(s->control_fd, INIT_SHELL_MESSAGE_MAX, &msg, &size, fds, ELEMENTSOF(fds), &n_fds);
        if (r > 0 && strncmp(msg, "SHELL ", 6) == 0) {
                init_shell_start(&s->shells, s->spawn, s->control_fd,
                                 s->phase == PHASE_RUNNING || s->phase == PHASE_RELOAD, msg, size, fds, n_fds);
                return;
        }
        for (size_t i = 0; i < n_fds; i++)
                safe_close(fds[i]);
        if (r > 0 && strncmp(msg, "EXEC-HOST-DONE ", 15) == 0) {
                host_exec_done(s, msg);
                return;
        }
        if (r > 0 && strncmp(msg, "PTY ", 4) == 0) {
                init_shell_open_pty(s->spawn, s->control_fd, msg);
                return;
        }
        if (r > 0 && (strncmp(msg, "SHELL-KILL ", 11) == 0 || strncmp(msg, "SHELL-SIGKILL ", 14) == 0)) {
                init_shell_hang_up(&s->shells, msg);
                return;
        }
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
                s->control_fd = safe_close(s->control_fd);
                s->shells.connection++;
                host_exec_lost(s);
                return;
        }

        r = daemon_request_parse(msg, size, &req);
        if (r < 0) {
                log_warning("Ignoring unknown control message \"%.32s\".", msg);
                return;
        }
        switch (req.type) {
        case DAEMON_REQUEST_HELLO:
                if (req.version != INIT_PROTOCOL_VERSION)
                        log_notice("The daemon speaks protocol %u, we %d.", req.version, INIT_PROTOCOL_VERSION);
                break;
        case DAEMON_REQUEST_STOP:
                handle_stop(s);
                break;
        case DAEMON_REQUEST_RELOAD:
                handle_reload(s);
                break;
        case DAEMON_REQUEST_RESTART:
                handle_restart(s);
                break;
        case DAEMON_REQUEST_KILL:
                if (!req.kill_all) {
                        if (s->main_pid > 0)
                                kill_logged(s->main_pid, req.signal);
                } else
                        kill_logged(-1, req.signal);
                break;
        default:
                break;
        }
}

/* A daemon (restarted, or re-adopting) connects: it becomes the one we talk
 * to, and learns at once where the service is. */
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
        s->shells.connection++;
        log_debug("A daemon connected.");
        r = control_send_hello(s->control_fd);
        if (r < 0)
                log_warning_errno(r, "Failed to greet the daemon: %m");
        report(s, true);
}

/* NOTIFY_SOCKET: READY=1, STATUS=, MAINPID=, RELOADING=1, STOPPING=1, from whom NotifyAccess= allows. */
static void handle_notify(Supervisor *s) {
        for (;;) {
                char buf[4097];
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                                     .msg_controllen = sizeof(control) };
                struct ucred *cred = NULL;
                NotifyAccess access = description_notify_access(s->description);
                bool ready = false, allowed, ping = false, trigger = false;
                ssize_t n;

                n = recvmsg(s->notify_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return; /* EAGAIN, or nothing we can do */
                }
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                        if (c->cmsg_level != SOL_SOCKET)
                                continue;
                        if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                                cred = (struct ucred *) CMSG_DATA(c);
                        else if (c->cmsg_type == SCM_RIGHTS) /* FDSTORE=1 is not supported: drop them */
                                for (int *fd = (int *) CMSG_DATA(c);
                                     (char *) fd < (char *) c + c->cmsg_len; fd++)
                                        (void) close(*fd);
                }
                if ((size_t) n >= sizeof(buf) || !cred)
                        continue;
                buf[n] = 0;

                allowed = access == NOTIFY_ACCESS_ALL ||
                          (access != NOTIFY_ACCESS_NONE && s->main_pid > 0 && cred->pid == s->main_pid) ||
                          (access == NOTIFY_ACCESS_EXEC && s->control_pid > 0 && cred->pid == s->control_pid);
                if (!allowed) {
                        log_warning("Ignoring notification from PID %d: NotifyAccess=%s.", (int) cred->pid,
                                    notify_access_to_string(access));
                        continue;
                }

                for (char *line = buf, *next; line && *line; line = next) {
                        next = strchr(line, '\n');
                        if (next)
                                *next++ = 0;
                        if (strcmp(line, "READY=1") == 0)
                                ready = true;
                        else if (strcmp(line, "RELOADING=1") == 0)
                                s->notify_reloading = true;
                        else if (strcmp(line, "STOPPING=1") == 0)
                                s->notify_stopping = true;
                        else if (strcmp(line, "WATCHDOG=1") == 0)
                                ping = true;
                        else if (strcmp(line, "WATCHDOG=trigger") == 0)
                                trigger = true;
                        else if (strncmp(line, "STATUS=", 7) == 0) {
                                free(s->status_text);
                                s->status_text = strdup(line + 7);
                        } else if (strncmp(line, "MAINPID=", 8) == 0) {
                                char *end;
                                long v;

                                errno = 0;
                                v = strtol(line + 8, &end, 10);
                                if (errno == 0 && *end == 0 && v > 1 && v <= INT32_MAX && kill((pid_t) v, 0) >= 0)
                                        set_main(s, (pid_t) v);
                                else
                                        log_warning("Ignoring invalid MAINPID=%s.", line + 8);
                        }
                }
                if ((ping || trigger) && s->description->watchdog_usec > 0 &&
                    (s->phase == PHASE_START || s->phase == PHASE_START_POST || s->phase == PHASE_RUNNING ||
                     s->phase == PHASE_RELOAD))
                        s->watchdog_deadline = trigger ? now_mono(s) : deadline_after(s, s->description->watchdog_usec);
                if (ready) {
                        s->notify_reloading = false;
                        if (s->phase == PHASE_START && s->description->type == SERVICE_NOTIFY)
                                enter_start_post(s);
                }
                report(s, false);
        }
}

static int wait_events(Supervisor *s, int max_wait_ms) {
        struct pollfd p[5] = {
                { .fd = s->signal_fd, .events = POLLIN },
                { .fd = s->control_fd, .events = POLLIN }, /* poll() skips a negative fd */
                { .fd = s->listener ? s->listener->listen_fd : -EBADF, .events = POLLIN },
                { .fd = s->notify_fd, .events = POLLIN },
                { .fd = s->main_pidfd, .events = POLLIN },
        };
        int timeout_ms = -1, r;
        usec_t next = s->deadline;

        if (s->watchdog_deadline < next)
                next = s->watchdog_deadline;
        if (s->runtime_deadline < next)
                next = s->runtime_deadline;
        if (next != USEC_INFINITY) {
                usec_t n = now_mono(s), left = next > n ? next - n : 0;

                /* Rounded up, so the deadline has passed when poll() returns. */
                timeout_ms = left >= 60 * USEC_PER_SEC ? 60 * 1000 : (int) ((left + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
        }
        if (max_wait_ms >= 0 && (timeout_ms < 0 || timeout_ms > max_wait_ms))
                timeout_ms = max_wait_ms;

        /* When the loop goes idle with the service running (after the start, a restart, a reload): the
         * setup's pages and those of the commands just run go back to the kernel. Right before poll(),
         * since whatever runs between the trim and the wait faults its pages in again. */
        if (s->trim_pending) {
                s->trim_pending = false;
                if (s->phase == PHASE_RUNNING) {
                        r = footprint_trim();
                        if (r < 0)
                                log_debug_errno(r, "Failed to give back the memory: %m");
                }
        }

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
        if (p[1].revents != 0 && s->phase != PHASE_DONE && p[1].fd == s->control_fd)
                handle_control(s);
        if (p[2].revents != 0 && s->phase != PHASE_DONE)
                handle_accept(s);
        if (p[3].revents != 0 && s->phase != PHASE_DONE)
                handle_notify(s);
        if (p[4].revents != 0 && s->phase != PHASE_DONE && p[4].fd == s->main_pidfd && s->main_pid > 0) {
                siginfo_t si = {};

                /* Our child: reaped here or by the drain loop below. Not our child (PIDFile= named a
                 * process whose parent lives): its status is unknown, and counts as success, as in systemd. */
                if (waitid(P_PIDFD, (id_t) s->main_pidfd, &si, WEXITED | WNOHANG) >= 0) {
                        if (si.si_pid != 0)
                                main_exited(s, si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0)
                                                   : si.si_code == CLD_DUMPED ? (si.si_status | 0x80)
                                                                              : si.si_status);
                } else if (errno == ECHILD)
                        main_exited(s, W_EXITCODE(0, 0));
        }

        for (;;) {
                int children;

                if (s->phase == PHASE_DONE)
                        return 0;
                children = reap_children(s);
                if (children < 0)
                        return children;
                if (s->phase == PHASE_DONE)
                        return 0;
                if (s->deadline != USEC_INFINITY && now_mono(s) >= s->deadline) {
                        on_timeout(s);
                        continue;
                }
                if (s->watchdog_deadline != USEC_INFINITY && now_mono(s) >= s->watchdog_deadline) {
                        s->watchdog_deadline = USEC_INFINITY;
                        on_watchdog(s);
                        continue;
                }
                if (s->runtime_deadline != USEC_INFINITY && now_mono(s) >= s->runtime_deadline) {
                        s->runtime_deadline = USEC_INFINITY;
                        on_runtime_max(s);
                        continue;
                }
                {
                        Phase before = s->phase;
                        check_progress(s, children);
                        if (s->phase == before)
                                return 0;
                }
        }
}

void supervisor_done(Supervisor *s) {
        s->main_pidfd = safe_close(s->main_pidfd);
        s->start_times = mfree(s->start_times);
        s->status_text = mfree(s->status_text);
        s->last_report = mfree(s->last_report);
}

void supervisor_begin(Supervisor *s) {
        unsigned burst = burst_of(s->description);

        s->deadline = USEC_INFINITY;
        disarm_run_timers(s);
        if (burst > 0)
                s->start_times = calloc(burst, sizeof(usec_t));
        record_start(s);
        set_control(s, PHASE_CONDITION, s->description->exec_condition);
}

int supervisor_step(Supervisor *s, int max_wait_ms) {
        if (s->phase == PHASE_DONE)
                return 0;
        return wait_events(s, max_wait_ms);
}

int supervisor_run(Supervisor *s) {
        int r;

        supervisor_begin(s);
        while (s->phase != PHASE_DONE) {
                r = wait_events(s, -1);
                if (r < 0)
                        return r;
        }

        /* KillMode=process leaves processes; they die with the namespace when the init exits. */
        return s->exit_status;
}

int notify_socket_open(int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *name = INIT_NOTIFY_SOCKET + 1; /* after the '@' */
        _cleanup_close_ int fd = -EBADF;
        int one = 1;

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        memcpy(sa.sun_path + 1, name, strlen(name)); /* abstract: a leading NUL */
        if (bind(fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) < 0)
                return negative_errno();
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}
