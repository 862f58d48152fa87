/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* isolate-init's supervisor (src/isolate-init/supervisor.c) under a fake clock: its deadlines
 * (TimeoutStopSec= then SIGKILL, ExecStop='s timeout, RestartSec=, StartLimitIntervalSec=) pass
 * when the test moves the clock, not when time does; the processes are real (/bin/sh, sleep).
 * The test plays the daemon on the control socket: it sends STOP and RELOAD, and reads MAIN,
 * EXITED, FAILED, RELOADED.
 *
 * The supervisor is a namespace's PID 1 (KillMode=control-group is kill(-1), every orphan is its
 * child): so is this test, in a PID namespace of its own (and a user namespace if not root). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "description.h"
#include "host-exec-protocol.h"
#include "init-protocol.h"
#include "macro.h"
#include "spawn.h"
#include "supervisor.h"
#include "time-util.h"

#define T0 (1000 * USEC_PER_SEC) /* where the fake clock starts: anything but 0 */

static int signal_fd = -EBADF;
static char tmpdir[] = "/tmp/test-supervisor.XXXXXX";

static usec_t fake_now;
static usec_t fake_clock(void *userdata) {
        return *(usec_t *) userdata;
}

typedef struct Rig {
        Description *description;
        SpawnContext spawn;
        Supervisor s;
        int daemon_fd; /* the test's end of the control socket */
} Rig;

static void kill_all(void) {
        (void) kill(-1, SIGKILL);
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                ;
}

static void rig_up(Rig *rig, const char *text) {
        _cleanup_free_ char *error = NULL;
        int pair[2];

        kill_all(); /* what a failed test before left */
        *rig = (Rig) { .daemon_fd = -EBADF };
        ck_assert_msg(description_parse("sv", "sv.service", text, &rig->description, NULL, &error) == 0, "%s", error);
        ck_assert_msg(spawn_context_prepare(&rig->spawn, rig->description, -EBADF, NULL, NULL, &error) == 0, "%s",
                      error ?: "spawn_context_prepare");
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
        fake_now = T0;
        rig->s = (Supervisor) {
                .description = rig->description,
                .spawn = &rig->spawn,
                .control_fd = pair[0],
                .signal_fd = signal_fd,
                .notify_fd = -EBADF,
                .main_pidfd = -EBADF,
                .clock = fake_clock,
                .clock_userdata = &fake_now,
        };
        rig->daemon_fd = pair[1];
}

static void rig_down(Rig *rig) {
        kill_all(); /* whatever the test left running (we are the namespace's PID 1) */
        rig->s.control_fd = safe_close(rig->s.control_fd);
        supervisor_done(&rig->s);
        spawn_context_done(&rig->spawn);
        rig->description = description_free(rig->description);
        rig->daemon_fd = safe_close(rig->daemon_fd);
}

/* Steps until the phase is reached (false if the supervisor is done before), for at most 10 s of
 * real time: the processes are real. */
static bool step_until(Rig *rig, Phase phase) {
        usec_t limit = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;

        while (rig->s.phase != phase) {
                if (rig->s.phase == PHASE_DONE || now_usec(CLOCK_MONOTONIC) > limit)
                        return false;
                ck_assert_int_ge(supervisor_step(&rig->s, 100), 0);
        }
        return true;
}

/* A few rounds of events (50 ms of real time each): what the service does now is handled. */
static void settle(Rig *rig) {
        for (int i = 0; i < 4 && rig->s.phase != PHASE_DONE; i++)
                ck_assert_int_ge(supervisor_step(&rig->s, 50), 0);
}

static void send_request(Rig *rig, DaemonRequestType type) {
        DaemonRequest req = { .type = type };
        char buf[64];
        int n;

        n = daemon_request_format(&req, buf, sizeof(buf));
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(send(rig->daemon_fd, buf, (size_t) n, MSG_NOSIGNAL), n);
}

/* The next message of that type the supervisor sent (others before it are skipped), parsed into
 * *ret with its text copied to text. false if none is waiting. */
static bool next_message(Rig *rig, InitMessageType type, InitMessage *ret, char *text, size_t text_size) {
        for (;;) {
                char buf[4096];
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int) * 4)];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                                     .msg_controllen = sizeof(control) };
                ssize_t n;

                n = recvmsg(rig->daemon_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
                if (n < 0)
                        return false;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                                for (int *fd = (int *) CMSG_DATA(c); (char *) fd < (char *) c + c->cmsg_len; fd++)
                                        (void) close(*fd); /* MAIN's pidfd */
                buf[n] = 0;
                ck_assert_int_eq(init_message_parse(buf, (size_t) n, ret), 0);
                if (ret->type != type)
                        continue;
                if (text)
                        snprintf(text, text_size, "%s", ret->text ?: "");
                return true;
        }
}

/* Steps until a message of that type came (see next_message()), for at most 10 s of real time. */
static bool step_until_message(Rig *rig, InitMessageType type, InitMessage *ret, char *text, size_t text_size) {
        usec_t limit = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;

        while (!next_message(rig, type, ret, text, text_size)) {
                if (now_usec(CLOCK_MONOTONIC) > limit)
                        return false;
                ck_assert_int_ge(supervisor_step(&rig->s, 100), 0);
        }
        return true;
}

static bool alive(pid_t pid) {
        siginfo_t si = {};

        /* A zombie counts as ended, without reaping it (the supervisor does). */
        return waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

static void wait_for_file(const char *path) {
        usec_t limit = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;

        while (access(path, F_OK) < 0) {
                ck_assert_msg(now_usec(CLOCK_MONOTONIC) < limit, "%s never appeared", path);
                usleep(10 * 1000);
        }
}

/* The service's own end: the exit status goes out as EXITED, and is the init's. */
START_TEST(test_exit_reporting) {
        Rig rig;
        InitMessage m;

        rig_up(&rig, "[Service]\nExecStart=/bin/sh -c 'exit 3'\n");
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING); /* Type=simple: started once forked */
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, 3);
        ck_assert(next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.code, CLD_EXITED);
        ck_assert_int_eq(m.status, 3);
        ck_assert(!m.start_limit_hit);
        ck_assert_uint_eq(rig.s.n_restarts, 0);
        rig_down(&rig);
}
END_TEST

/* STOP: KillSignal=; a process that ignores it gets SIGKILL once TimeoutStopSec= passed by the
 * clock, and not a microsecond before. */
START_TEST(test_stop_timeout_sigkill) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;
        pid_t main_pid;
        usec_t deadline;

        ck_assert_int_ge(asprintf(&mark, "%s/ignoring", tmpdir), 0);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nTimeoutStopSec=90\n"
                                         "ExecStart=/bin/sh -c 'trap \"\" TERM; touch %s; exec sleep 1000'\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        main_pid = rig.s.main_pid;
        ck_assert_int_gt(main_pid, 1);
        wait_for_file(mark); /* the trap is set */

        fake_now = T0 + 5 * USEC_PER_SEC;
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_STOP_SIGTERM));
        deadline = fake_now + 90 * USEC_PER_SEC;
        ck_assert_uint_eq(rig.s.deadline, deadline);

        fake_now = deadline - 1;
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_STOP_SIGTERM);
        ck_assert(alive(main_pid));

        fake_now = deadline;
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert(WIFSIGNALED(rig.s.main_status));
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGKILL);
        ck_assert_int_eq(rig.s.exit_status, 128 + SIGKILL);
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.code, CLD_KILLED);
        ck_assert_int_eq(m.status, SIGKILL);
        rig_down(&rig);
}
END_TEST

/* A process that dies of KillSignal= ends the stop at once, no deadline involved. */
START_TEST(test_stop_sigterm) {
        Rig rig;
        InitMessage m;

        rig_up(&rig, "[Service]\nTimeoutStopSec=90\nExecStart=/bin/sleep 1000\n");
        supervisor_begin(&rig.s);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_uint_eq(fake_now, T0);
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGTERM);
        ck_assert_int_eq(rig.s.exit_status, 128 + SIGTERM);
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.code, CLD_KILLED);
        ck_assert_int_eq(m.status, SIGTERM);
        rig_down(&rig);
}
END_TEST

/* ExecStop= that hangs is killed at TimeoutStopSec=, then KillSignal= with a new deadline. */
START_TEST(test_exec_stop_timeout) {
        Rig rig;
        usec_t deadline;

        rig_up(&rig, "[Service]\nTimeoutStopSec=30\nExecStart=/bin/sleep 1000\nExecStop=/bin/sleep 1000\n");
        supervisor_begin(&rig.s);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_STOP));
        ck_assert_int_gt(rig.s.control_pid, 1);
        deadline = T0 + 30 * USEC_PER_SEC;
        ck_assert_uint_eq(rig.s.deadline, deadline);

        fake_now = deadline - 1;
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_STOP);
        ck_assert(alive(rig.s.control_pid));
        ck_assert(alive(rig.s.main_pid));

        fake_now = deadline;
        ck_assert(step_until(&rig, PHASE_DONE)); /* the main process dies of SIGTERM */
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGTERM);
        rig_down(&rig);
}
END_TEST

/* Type=oneshot: the ExecStart= commands run one after the other, each the main process while it
 * runs; the start completes (MAIN STATE=running) only after the last and ExecStartPost=; without
 * RemainAfterExit= the service then ends (ExecStop= runs, as systemd runs it) with success. */
START_TEST(test_oneshot) {
        _cleanup_free_ char *text = NULL, *log = NULL, *cmd = NULL;
        char buf[256] = {};
        Rig rig;
        InitMessage m;
        int fd;

        ck_assert_int_ge(asprintf(&log, "%s/oneshot-log", tmpdir), 0);
        (void) unlink(log);
        ck_assert_int_ge(asprintf(&text, "[Service]\nType=oneshot\n"
                                         "ExecStart=/bin/sh -c 'sleep 0.2; echo one >>%s'\n"
                                         "ExecStart=-/bin/sh -c 'echo two >>%s; exit 4'\n"
                                         "ExecStart=/bin/sh -c 'echo three >>%s'\n"
                                         "ExecStartPost=/bin/sh -c 'echo post >>%s'\n"
                                         "ExecStop=/bin/sh -c 'echo stop >>%s'\n",
                                  log, log, log, log, log), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_START); /* not started before the commands are done */
        ck_assert_int_gt(rig.s.main_pid, 1);
        ck_assert(!next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert(next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.code, CLD_EXITED);
        ck_assert_int_eq(m.status, 0); /* the "-" command's 4 is no failure */
        ck_assert_int_eq(rig.s.exit_status, 0);
        fd = open(log, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_gt(read(fd, buf, sizeof(buf) - 1), 0);
        close(fd);
        ck_assert_str_eq(buf, "one\ntwo\nthree\npost\nstop\n");
        rig_down(&rig);
}
END_TEST

/* RemainAfterExit=yes: active with no process once the commands are done, until STOP runs ExecStop=. */
START_TEST(test_oneshot_remain) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;

        ck_assert_int_ge(asprintf(&mark, "%s/oneshot-stopped", tmpdir), 0);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n"
                                         "ExecStop=/bin/touch %s\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_RUNNING));
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        ck_assert_int_eq(rig.s.main_pid, 0);
        ck_assert(next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));
        ck_assert_int_eq(m.state, INIT_STATE_RUNNING);
        ck_assert_int_ne(access(mark, F_OK), 0);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(access(mark, F_OK), 0);
        ck_assert_int_eq(rig.s.exit_status, 0);
        rig_down(&rig);
}
END_TEST

/* RemainAfterExit=yes with Type=simple, as systemd: a clean end of the main process leaves the
 * service running without one (reported with no main PID); a failed end ends it. */
START_TEST(test_remain_after_exit_simple) {
        InitMessage m;
        Rig rig;

        rig_up(&rig, "[Service]\nRemainAfterExit=yes\nExecStart=/bin/true\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        ck_assert_int_eq(rig.s.main_pid, 0);
        while (next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0))
                ;
        ck_assert_int_eq(m.pid, 0);
        ck_assert_int_eq(m.state, INIT_STATE_RUNNING);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, 0);
        rig_down(&rig);

        rig_up(&rig, "[Service]\nRemainAfterExit=yes\nExecStart=/bin/false\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, 1);
        rig_down(&rig);
}
END_TEST

/* A failing command fails the start there: FAILED with its status, the later ones never run. */
START_TEST(test_oneshot_failure) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;
        char what[256];

        ck_assert_int_ge(asprintf(&mark, "%s/oneshot-second", tmpdir), 0);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'exit 5'\n"
                                         "ExecStart=/bin/touch %s\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, INIT_EXIT_START_FAILED);
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.code, CLD_EXITED);
        ck_assert_int_eq(m.status, 5);
        ck_assert(next_message(&rig, INIT_MESSAGE_FAILED, &m, what, sizeof(what)));
        ck_assert_msg(strstr(what, "ExecStart=") && strstr(what, "status 5"), "%s", what);
        ck_assert_int_ne(access(mark, F_OK), 0);
        rig_down(&rig);
}
END_TEST

/* The next EXEC-HOST request the supervisor sent (other messages before it are skipped). */
static bool next_host_exec(Rig *rig, HostExecMessage *ret, bool *ret_pidfd) {
        for (;;) {
                char buf[4096];
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int) * 4)];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                                     .msg_controllen = sizeof(control) };
                bool fd = false;
                ssize_t n;

                n = recvmsg(rig->daemon_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
                if (n < 0)
                        return false;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                                for (int *f = (int *) CMSG_DATA(c); (char *) f < (char *) c + c->cmsg_len; f++) {
                                        (void) close(*f);
                                        fd = true;
                                }
                buf[n] = 0;
                if (host_exec_message_parse(buf, ret) < 0)
                        continue;
                if (ret_pidfd)
                        *ret_pidfd = fd;
                return true;
        }
}

static bool step_until_host_exec(Rig *rig, HostExecMessage *ret, bool *ret_pidfd) {
        usec_t limit = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;

        while (!next_host_exec(rig, ret, ret_pidfd)) {
                if (now_usec(CLOCK_MONOTONIC) > limit)
                        return false;
                ck_assert_int_ge(supervisor_step(&rig->s, 100), 0);
        }
        return true;
}

static void send_host_done(Rig *rig, uint64_t seq, int wait_status, int error) {
        char buf[HOST_EXEC_MESSAGE_MAX];
        int n;

        n = host_exec_message_format(&(HostExecMessage) { .type = HOST_EXEC_DONE, .seq = seq, .wait_status = wait_status,
                                                           .error = error },
                                     buf, sizeof(buf));
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(send(rig->daemon_fd, buf, (size_t) n, MSG_NOSIGNAL), n);
}

/* "+": the init never runs the command itself; it asks the daemon (EXEC-HOST, with the main
 * process's pidfd for $MAINPID) and takes EXEC-HOST-DONE as the command's end: 0 goes on, a
 * failure fails the reload; an answer to another SEQ is not taken. */
START_TEST(test_plus_reload) {
        HostExecMessage h;
        InitMessage m;
        bool pidfd = false;
        char what[256];
        Rig rig;

        rig_up(&rig, "[Service]\nExecStart=/bin/sleep 1000\nExecReload=+/bin/kill -HUP $MAINPID\n"
                     "ExecReload=/bin/true\n");
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        send_request(&rig, DAEMON_REQUEST_RELOAD);
        ck_assert(step_until_host_exec(&rig, &h, &pidfd));
        ck_assert_int_eq(h.type, HOST_EXEC_RUN);
        ck_assert_int_eq(h.key, HOST_EXEC_RELOAD);
        ck_assert_uint_eq(h.index, 0);
        ck_assert(pidfd);
        ck_assert_int_eq(rig.s.control_pid, 0); /* nothing of it runs inside */
        ck_assert(rig.s.host_running);
        send_host_done(&rig, h.seq + 1, 0, 0); /* not its answer */
        settle(&rig);
        ck_assert(rig.s.host_running);
        ck_assert_int_eq(rig.s.phase, PHASE_RELOAD);
        send_host_done(&rig, h.seq, 0, 0);
        ck_assert(step_until_message(&rig, INIT_MESSAGE_RELOADED, &m, NULL, 0));
        ck_assert_int_eq(m.error, 0); /* then /bin/true ran inside */
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);

        send_request(&rig, DAEMON_REQUEST_RELOAD);
        ck_assert(step_until_host_exec(&rig, &h, NULL));
        send_host_done(&rig, h.seq, W_EXITCODE(3, 0), 0);
        ck_assert(step_until_message(&rig, INIT_MESSAGE_RELOADED, &m, what, sizeof(what)));
        ck_assert_int_ne(m.error, 0);
        ck_assert_msg(strstr(what, "ExecReload=") && strstr(what, "status 3"), "%s", what);

        send_request(&rig, DAEMON_REQUEST_RELOAD);
        ck_assert(step_until_host_exec(&rig, &h, NULL));
        send_host_done(&rig, h.seq, 0, EPERM); /* the daemon refused to run it */
        ck_assert(step_until_message(&rig, INIT_MESSAGE_RELOADED, &m, what, sizeof(what)));
        ck_assert_int_eq(m.error, EPERM);
        ck_assert_msg(strstr(what, "on the host"), "%s", what);
        ck_assert(alive(rig.s.main_pid));
        rig_down(&rig);
}
END_TEST

/* ExecStop=+ that does not end within TimeoutStopSec=: EXEC-HOST-KILL, then KillSignal=. A "+"
 * ExecStartPre= that the daemon reports failed fails the first start. */
START_TEST(test_plus_stop_timeout) {
        HostExecMessage h;
        InitMessage m;
        Rig rig;

        rig_up(&rig, "[Service]\nTimeoutStopSec=30\nExecStart=/bin/sleep 1000\nExecStop=+/bin/sleep 1000\n");
        supervisor_begin(&rig.s);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until_host_exec(&rig, &h, NULL));
        ck_assert_int_eq(h.key, HOST_EXEC_STOP);
        ck_assert_int_eq(rig.s.phase, PHASE_STOP);
        fake_now = T0 + 30 * USEC_PER_SEC;
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert(!rig.s.host_running);
        ck_assert(next_host_exec(&rig, &h, NULL));
        ck_assert_int_eq(h.type, HOST_EXEC_KILL);
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGTERM);
        rig_down(&rig);

        rig_up(&rig, "[Service]\nExecStartPre=+/bin/false\nExecStart=/bin/sleep 1000\n");
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_START_PRE);
        ck_assert(step_until_host_exec(&rig, &h, NULL));
        ck_assert_int_eq(h.key, HOST_EXEC_START_PRE);
        send_host_done(&rig, h.seq, W_EXITCODE(1, 0), 0);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, INIT_EXIT_START_FAILED);
        ck_assert(next_message(&rig, INIT_MESSAGE_FAILED, &m, NULL, 0));
        ck_assert_int_eq(rig.s.main_pid, 0); /* ExecStart= never ran */
        rig_down(&rig);

        /* No daemon to ask: the command cannot run, the start fails at once. */
        rig_up(&rig, "[Service]\nExecStartPre=+/bin/true\nExecStart=/bin/sleep 1000\n");
        rig.s.control_fd = safe_close(rig.s.control_fd);
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_DONE);
        ck_assert_int_eq(rig.s.exit_status, INIT_EXIT_START_FAILED);
        rig_down(&rig);
}
END_TEST

/* Restart=always: the restart waits RestartSec= by the clock, then runs the start again in place. */
START_TEST(test_restart_sec) {
        Rig rig;
        InitMessage m;

        rig_up(&rig, "[Service]\nRestart=always\nRestartSec=5\nStartLimitBurst=0\nExecStart=/bin/true\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_AUTO_RESTART));
        ck_assert_uint_eq(rig.s.deadline, T0 + 5 * USEC_PER_SEC);
        ck_assert_uint_eq(rig.s.n_restarts, 0);

        fake_now = T0 + 5 * USEC_PER_SEC - 1;
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_AUTO_RESTART);
        ck_assert_uint_eq(rig.s.n_restarts, 0);

        fake_now = T0 + 5 * USEC_PER_SEC;
        ck_assert_int_ge(supervisor_step(&rig.s, 100), 0);
        ck_assert_uint_eq(rig.s.n_restarts, 1);
        /* /bin/true ends again: the next restart is due RestartSec= after that. */
        ck_assert(step_until(&rig, PHASE_AUTO_RESTART));
        ck_assert_uint_eq(rig.s.deadline, T0 + 10 * USEC_PER_SEC);
        ck_assert(next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));

        /* A stop while it waits ends the service there. */
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_uint_eq(rig.s.n_restarts, 1);
        ck_assert_int_eq(rig.s.exit_status, 0);
        rig_down(&rig);
}
END_TEST

/* StartLimitBurst=3 in StartLimitIntervalSec=10: restarts 1 s apart hit the limit at the fourth
 * start; 6 s apart they never do (the oldest of the last three is always 12 s old). */
static unsigned run_restarts(usec_t restart_sec, unsigned max_restarts, const char **ret_result) {
        _cleanup_free_ char *text = NULL;
        Rig rig;
        InitMessage m;
        unsigned n;

        ck_assert_int_ge(asprintf(&text, "[Unit]\nStartLimitIntervalSec=10\nStartLimitBurst=3\n"
                                         "[Service]\nRestart=on-failure\nRestartSec=%llu\nExecStart=/bin/false\n",
                                  (unsigned long long) (restart_sec / USEC_PER_SEC)), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        for (;;) {
                ck_assert(step_until(&rig, PHASE_AUTO_RESTART) || rig.s.phase == PHASE_DONE);
                if (rig.s.phase == PHASE_DONE || rig.s.n_restarts >= max_restarts)
                        break;
                fake_now = rig.s.deadline;
                ck_assert_int_ge(supervisor_step(&rig.s, 100), 0);
        }
        n = rig.s.n_restarts;
        *ret_result = rig.s.result;
        if (rig.s.phase == PHASE_DONE) {
                ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
                ck_assert_int_eq(m.start_limit_hit, rig.s.result != NULL);
                ck_assert_int_eq(m.code, CLD_EXITED);
                ck_assert_int_eq(m.status, 1);
        }
        rig_down(&rig);
        return n;
}

START_TEST(test_start_limit) {
        const char *result = NULL;

        ck_assert_uint_eq(run_restarts(1 * USEC_PER_SEC, 10, &result), 2);
        ck_assert_str_eq(result, "start-limit-hit");
        ck_assert_uint_eq(run_restarts(6 * USEC_PER_SEC, 6, &result), 6);
        ck_assert_ptr_null(result);
}
END_TEST

/* Restart=on-failure: a clean exit is not restarted. */
START_TEST(test_no_restart_on_success) {
        Rig rig;

        rig_up(&rig, "[Service]\nRestart=on-failure\nRestartSec=1\nExecStart=/bin/true\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_uint_eq(rig.s.n_restarts, 0);
        ck_assert_int_eq(rig.s.exit_status, 0);
        rig_down(&rig);
}
END_TEST

/* RELOAD runs ExecReload= and answers RELOADED: 0, or the failure's errno and text; the service
 * goes on running either way. Without ExecReload=: EOPNOTSUPP. */
START_TEST(test_reload) {
        _cleanup_free_ char *text = NULL, *flag = NULL;
        Rig rig;
        InitMessage m;
        char what[256];

        ck_assert_int_ge(asprintf(&flag, "%s/reload-fails", tmpdir), 0);
        (void) unlink(flag);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/bin/sleep 1000\n"
                                         "ExecReload=/bin/sh -c '! test -e %s'\n", flag), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);

        /* (ExecReload= may be done within one step: PHASE_RELOAD need not be seen.) */
        send_request(&rig, DAEMON_REQUEST_RELOAD);
        ck_assert(step_until_message(&rig, INIT_MESSAGE_RELOADED, &m, NULL, 0));
        ck_assert_int_eq(m.error, 0);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);

        ck_assert_int_eq(close(open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
        send_request(&rig, DAEMON_REQUEST_RELOAD);
        ck_assert(step_until_message(&rig, INIT_MESSAGE_RELOADED, &m, what, sizeof(what)));
        ck_assert_int_ne(m.error, 0);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        ck_assert_msg(strstr(what, "ExecReload=") && strstr(what, "status 1"), "%s", what);
        ck_assert(alive(rig.s.main_pid));
        rig_down(&rig);

        rig_up(&rig, "[Service]\nExecStart=/bin/sleep 1000\n");
        supervisor_begin(&rig.s);
        send_request(&rig, DAEMON_REQUEST_RELOAD);
        ck_assert(step_until_message(&rig, INIT_MESSAGE_RELOADED, &m, NULL, 0));
        ck_assert_int_eq(m.error, EOPNOTSUPP);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        rig_down(&rig);
}
END_TEST

/* A failing ExecStartPre= fails the first start: FAILED goes out, nothing is left, the init's
 * status says so; ExecStart= never runs. */
START_TEST(test_start_pre_failure) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;
        char what[256];

        ck_assert_int_ge(asprintf(&mark, "%s/main-ran", tmpdir), 0);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/touch %s\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, INIT_EXIT_START_FAILED);
        ck_assert(next_message(&rig, INIT_MESSAGE_FAILED, &m, what, sizeof(what)));
        ck_assert_msg(strstr(what, "ExecStartPre=") && strstr(what, "status 1"), "%s", what);
        ck_assert_int_eq(access(mark, F_OK), -1);
        rig_down(&rig);
}
END_TEST

/* Type=forking with PIDFile=: the file is looked for every 100 ms by the clock until it names the
 * main process. */
START_TEST(test_forking_pid_file) {
        _cleanup_free_ char *text = NULL, *pid_file = NULL, *go = NULL;
        Rig rig;

        ck_assert_int_ge(asprintf(&pid_file, "%s/forking.pid", tmpdir), 0);
        ck_assert_int_ge(asprintf(&go, "%s/forking.go", tmpdir), 0);
        (void) unlink(pid_file);
        (void) unlink(go);
        /* The daemon forks, and writes its PID file only once the test says so. */
        ck_assert_int_ge(asprintf(&text, "[Service]\nType=forking\nPIDFile=%s\n"
                                         "ExecStart=/bin/sh -c 'sleep 1000 & p=$!; (while ! test -e %s; do sleep 0.01; done; "
                                         "echo $p > %s.tmp; mv %s.tmp %s) & exit 0'\n",
                                  pid_file, go, pid_file, pid_file, pid_file), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_START);
        /* The started process exits: no PID file yet, so a look again 100 ms later. */
        for (int i = 0; i < 100 && rig.s.deadline == USEC_INFINITY; i++)
                ck_assert_int_ge(supervisor_step(&rig.s, 100), 0);
        ck_assert_uint_eq(rig.s.deadline, T0 + 100 * USEC_PER_MSEC);
        ck_assert_int_eq(rig.s.phase, PHASE_START);
        ck_assert_int_eq(rig.s.main_pid, 0);

        fake_now = rig.s.deadline;
        ck_assert_int_ge(supervisor_step(&rig.s, 100), 0);
        ck_assert_int_eq(rig.s.phase, PHASE_START); /* still none: and the next look */
        ck_assert_uint_eq(rig.s.deadline, fake_now + 100 * USEC_PER_MSEC);

        ck_assert_int_eq(close(open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
        wait_for_file(pid_file);
        fake_now = rig.s.deadline;
        ck_assert(step_until(&rig, PHASE_RUNNING));
        ck_assert_int_gt(rig.s.main_pid, 1);
        ck_assert(alive(rig.s.main_pid));
        rig_down(&rig);
}
END_TEST

/* Type=notify: the start completes at READY=1 from the main process, not at its fork; STATUS= goes
 * out with MAIN. */
START_TEST(test_notify_ready) {
        _cleanup_free_ char *text = NULL, *go = NULL, *script = NULL;
        _cleanup_close_ int notify_fd = -EBADF;
        FILE *f;
        Rig rig;
        InitMessage m;
        char status[256];

        if (access("/usr/bin/python3", X_OK) < 0)
                return; /* nothing to send READY=1 with */
        ck_assert_int_ge(asprintf(&go, "%s/notify.go", tmpdir), 0);
        (void) unlink(go);
        ck_assert_int_ge(asprintf(&script, "%s/notify.py", tmpdir), 0);
        f = fopen(script, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "import os, socket, time\n"
                   "while not os.path.exists('%s'):\n"
                   "    time.sleep(0.01)\n"
                   "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                   "s.connect('\\0%s')\n"
                   "s.send(b'READY=1\\nSTATUS=serving')\n"
                   "time.sleep(1000)\n",
                go, INIT_NOTIFY_SOCKET + 1);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_int_ge(asprintf(&text, "[Service]\nType=notify\nExecStart=/usr/bin/python3 %s\n", script), 0);
        rig_up(&rig, text);
        ck_assert_int_eq(notify_socket_open(&notify_fd), 0);
        rig.s.notify_fd = notify_fd;
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_START);
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_START); /* forked, not ready */
        ck_assert(!next_message(&rig, INIT_MESSAGE_MAIN, &m, NULL, 0));

        ck_assert_int_eq(close(open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
        ck_assert(step_until(&rig, PHASE_RUNNING));
        ck_assert(step_until_message(&rig, INIT_MESSAGE_MAIN, &m, status, sizeof(status)));
        ck_assert_int_eq(m.state, INIT_STATE_RUNNING);
        ck_assert_int_eq(m.pid, rig.s.main_pid);
        ck_assert_str_eq(status, "serving");
        rig_down(&rig);
}
END_TEST

/* KillMode=mixed: KillSignal= to the main process alone; once it is gone, SIGKILL to the rest at
 * once, without waiting for TimeoutStopSec=. */
START_TEST(test_kill_mode_mixed) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;

        ck_assert_int_ge(asprintf(&mark, "%s/mixed", tmpdir), 0);
        (void) unlink(mark);
        /* The main process (sh) dies of SIGTERM; its child ignores SIGTERM. */
        ck_assert_int_ge(asprintf(&text, "[Service]\nKillMode=mixed\nTimeoutStopSec=90\n"
                                         "ExecStart=/bin/sh -c '(trap \"\" TERM; touch %s; exec sleep 1000) & wait'\n",
                                  mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        wait_for_file(mark);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_uint_eq(fake_now, T0); /* no deadline was needed */
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGTERM);
        rig_down(&rig);
}
END_TEST

static void touch_file(const char *path) {
        ck_assert_int_eq(close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
}

static char *read_small(const char *path) {
        char buf[512];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return NULL;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(buf);
}

/* WatchdogSec=: WATCHDOG=1 of the main process moves the deadline; once it passes by the clock,
 * WatchdogSignal= (SIGABRT) ends the run, Restart=on-watchdog restarts it, and the last end says
 * RESULT=watchdog. WATCHDOG_USEC and WATCHDOG_PID are the main process's. */
START_TEST(test_watchdog) {
        _cleanup_free_ char *text = NULL, *go = NULL, *script = NULL, *env = NULL, *seen = NULL;
        _cleanup_close_ int notify_fd = -EBADF;
        char expected[128];
        FILE *f;
        Rig rig;
        InitMessage m;
        pid_t first;

        if (access("/usr/bin/python3", X_OK) < 0)
                return; /* nothing to send WATCHDOG=1 with */
        ck_assert_int_ge(asprintf(&go, "%s/watchdog.go", tmpdir), 0);
        ck_assert_int_ge(asprintf(&env, "%s/watchdog.env", tmpdir), 0);
        ck_assert_int_ge(asprintf(&script, "%s/watchdog.py", tmpdir), 0);
        (void) unlink(go);
        (void) unlink(env);
        f = fopen(script, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "import os, socket, time\n"
                   "open('%s', 'w').write('%%s %%s %%d' %% (os.environ.get('WATCHDOG_USEC'), os.environ.get('WATCHDOG_PID'), os.getpid()))\n"
                   "while not os.path.exists('%s'):\n"
                   "    time.sleep(0.01)\n"
                   "os.unlink('%s')\n"
                   "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                   "s.connect('\\0%s')\n"
                   "s.send(b'WATCHDOG=1')\n"
                   "time.sleep(1000)\n",
                env, go, go, INIT_NOTIFY_SOCKET + 1);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_int_ge(asprintf(&text, "[Service]\nWatchdogSec=10\nRestart=on-watchdog\nRestartSec=1\n"
                                         "StartLimitBurst=0\nExecStart=/usr/bin/python3 %s\n", script), 0);
        rig_up(&rig, text);
        ck_assert_int_eq(notify_socket_open(&notify_fd), 0);
        rig.s.notify_fd = notify_fd;
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        first = rig.s.main_pid;
        ck_assert_uint_eq(rig.s.watchdog_deadline, T0 + 10 * USEC_PER_SEC);
        wait_for_file(env);
        for (usec_t limit = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC; !(seen = read_small(env)) || !*seen;) {
                ck_assert(now_usec(CLOCK_MONOTONIC) < limit);
                seen = mfree(seen);
                usleep(10 * 1000);
        }
        snprintf(expected, sizeof(expected), "10000000 %d %d", (int) first, (int) first);
        ck_assert_str_eq(seen, expected);

        /* A ping at 8 s: the deadline is 18 s now. */
        fake_now = T0 + 8 * USEC_PER_SEC;
        touch_file(go);
        for (usec_t limit = now_usec(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;
             rig.s.watchdog_deadline != T0 + 18 * USEC_PER_SEC;) {
                ck_assert(now_usec(CLOCK_MONOTONIC) < limit);
                ck_assert_int_ge(supervisor_step(&rig.s, 50), 0);
        }
        fake_now = T0 + 18 * USEC_PER_SEC - 1;
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        ck_assert(alive(first));

        /* Missed: SIGABRT, then a restart in place (Restart=on-watchdog). */
        fake_now = T0 + 18 * USEC_PER_SEC;
        ck_assert(step_until(&rig, PHASE_AUTO_RESTART));
        ck_assert(WIFSIGNALED(rig.s.main_status));
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGABRT);
        fake_now = T0 + 19 * USEC_PER_SEC;
        ck_assert(step_until(&rig, PHASE_RUNNING));
        ck_assert_uint_eq(rig.s.n_restarts, 1);
        ck_assert_uint_eq(rig.s.watchdog_deadline, T0 + 29 * USEC_PER_SEC);
        ck_assert(!rig.s.watchdog_fired);
        rig_down(&rig);

        /* Without Restart=: the end says RESULT=watchdog. */
        text = mfree(text);
        ck_assert_int_ge(asprintf(&text, "[Service]\nWatchdogSec=3\nExecStart=/bin/sleep 1000\n"), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        fake_now = T0 + 3 * USEC_PER_SEC;
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGABRT);
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.end_result, INIT_END_WATCHDOG);
        rig_down(&rig);
}
END_TEST

/* RuntimeMaxSec=: stopped once it passed by the clock (ExecStop= too), RESULT=timeout. */
START_TEST(test_runtime_max) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;

        ck_assert_int_ge(asprintf(&mark, "%s/runtime-stop", tmpdir), 0);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nRuntimeMaxSec=5\nExecStart=/bin/sleep 1000\nExecStop=/bin/touch %s\n",
                                  mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        ck_assert_uint_eq(rig.s.runtime_deadline, T0 + 5 * USEC_PER_SEC);
        fake_now = T0 + 5 * USEC_PER_SEC - 1;
        settle(&rig);
        ck_assert_int_eq(rig.s.phase, PHASE_RUNNING);
        fake_now = T0 + 5 * USEC_PER_SEC;
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(access(mark, F_OK), 0);
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGTERM);
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.end_result, INIT_END_TIMEOUT);
        rig_down(&rig);
}
END_TEST

/* Type=forking whose daemon died before it wrote PIDFile=: the start fails as soon as nothing but
 * the init is left, not at TimeoutStartSec=. */
START_TEST(test_forking_daemon_gone) {
        _cleanup_free_ char *text = NULL, *pid_file = NULL;
        Rig rig;
        InitMessage m;
        char what[512];

        ck_assert_int_ge(asprintf(&pid_file, "%s/gone.pid", tmpdir), 0);
        (void) unlink(pid_file);
        ck_assert_int_ge(asprintf(&text, "[Service]\nType=forking\nPIDFile=%s\n"
                                         "ExecStart=/bin/sh -c '(sleep 0.2; exit 1) & exit 0'\n", pid_file), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, INIT_EXIT_START_FAILED);
        ck_assert(next_message(&rig, INIT_MESSAGE_FAILED, &m, what, sizeof(what)));
        ck_assert_msg(strstr(what, "PIDFile=") && strstr(what, "ended before"), "%s", what);
        ck_assert_int_eq(m.error, ESRCH);
        rig_down(&rig);
}
END_TEST

/* ExecCondition=: exit 1..254 skips the start (no main process, no FAILED, RESULT=exec-condition,
 * no restart whatever Restart= says); 255 fails it. */
START_TEST(test_exec_condition) {
        _cleanup_free_ char *text = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;
        char what[256];

        ck_assert_int_ge(asprintf(&mark, "%s/condition-main", tmpdir), 0);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nRestart=always\nExecCondition=/bin/sh -c 'exit 1'\n"
                                         "ExecStart=/bin/touch %s\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(access(mark, F_OK), -1);
        ck_assert_uint_eq(rig.s.n_restarts, 0);
        ck_assert(!next_message(&rig, INIT_MESSAGE_FAILED, &m, NULL, 0));
        rig_down(&rig);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        ck_assert_int_eq(m.code, CLD_EXITED);
        ck_assert_int_eq(m.status, 1);
        ck_assert_int_eq(m.end_result, INIT_END_EXEC_CONDITION);
        rig_down(&rig);

        /* 0 goes on. */
        text = mfree(text);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecCondition=/bin/true\nExecStart=/bin/touch %s\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(access(mark, F_OK), 0);
        ck_assert_int_eq(rig.s.exit_status, 0);
        rig_down(&rig);
        (void) unlink(mark);

        /* 255: a failure of the start. */
        text = mfree(text);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecCondition=/bin/sh -c 'exit 255'\nExecStart=/bin/touch %s\n", mark),
                         0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(rig.s.exit_status, INIT_EXIT_START_FAILED);
        ck_assert(next_message(&rig, INIT_MESSAGE_FAILED, &m, what, sizeof(what)));
        ck_assert_msg(strstr(what, "ExecCondition=") && strstr(what, "status 255"), "%s", what);
        ck_assert_int_eq(access(mark, F_OK), -1);
        rig_down(&rig);
}
END_TEST

/* ExecStopPost=: after every process of the run is gone, on a stop and after a failed start (before
 * FAILED goes out); "-" ignores its failure. */
START_TEST(test_exec_stop_post) {
        _cleanup_free_ char *text = NULL, *pid_file = NULL, *mark = NULL;
        Rig rig;
        InitMessage m;

        ck_assert_int_ge(asprintf(&pid_file, "%s/post-main.pid", tmpdir), 0);
        ck_assert_int_ge(asprintf(&mark, "%s/post-ran", tmpdir), 0);
        (void) unlink(pid_file);
        (void) unlink(mark);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/bin/sh -c 'echo $$ > %s; exec sleep 1000'\n"
                                         "ExecStopPost=-/bin/false\n"
                                         "ExecStopPost=/bin/sh -c 'kill -0 $(cat %s) || touch %s'\n",
                                  pid_file, pid_file, mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        wait_for_file(pid_file);
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_STOP_POST));
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_int_eq(access(mark, F_OK), 0); /* ran, and the main process was gone by then */
        ck_assert_int_eq(WTERMSIG(rig.s.main_status), SIGTERM);
        ck_assert(next_message(&rig, INIT_MESSAGE_EXITED, &m, NULL, 0));
        rig_down(&rig);
        (void) unlink(mark);

        /* A failed start: ExecStopPost= runs before the failure is reported. */
        text = mfree(text);
        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/true\n"
                                         "ExecStopPost=/bin/touch %s\n", mark), 0);
        rig_up(&rig, text);
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert(next_message(&rig, INIT_MESSAGE_FAILED, &m, NULL, 0));
        ck_assert_int_eq(access(mark, F_OK), 0);
        rig_down(&rig);
}
END_TEST

/* SuccessExitStatus= and the Restart*ExitStatus= keys in the restart decision. */
START_TEST(test_exit_status_restart) {
        Rig rig;

        /* exit 7 is success: Restart=on-failure does not restart. */
        rig_up(&rig, "[Service]\nRestart=on-failure\nSuccessExitStatus=7\nExecStart=/bin/sh -c 'exit 7'\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_uint_eq(rig.s.n_restarts, 0);
        rig_down(&rig);
        /* RestartPreventExitStatus= over Restart=always. */
        rig_up(&rig, "[Service]\nRestart=always\nRestartPreventExitStatus=3\nExecStart=/bin/sh -c 'exit 3'\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_DONE));
        ck_assert_uint_eq(rig.s.n_restarts, 0);
        rig_down(&rig);
        /* RestartForceExitStatus= over Restart=no. */
        rig_up(&rig, "[Service]\nRestartForceExitStatus=5\nRestartSec=2\nExecStart=/bin/sh -c 'exit 5'\n");
        supervisor_begin(&rig.s);
        ck_assert(step_until(&rig, PHASE_AUTO_RESTART));
        send_request(&rig, DAEMON_REQUEST_STOP);
        ck_assert(step_until(&rig, PHASE_DONE));
        rig_down(&rig);
}
END_TEST

static Suite *supervisor_suite(void) {
        Suite *s = suite_create("supervisor");
        TCase *tc = tcase_create("fake-clock");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_exit_reporting);
        tcase_add_test(tc, test_stop_timeout_sigkill);
        tcase_add_test(tc, test_stop_sigterm);
        tcase_add_test(tc, test_exec_stop_timeout);
        tcase_add_test(tc, test_restart_sec);
        tcase_add_test(tc, test_start_limit);
        tcase_add_test(tc, test_no_restart_on_success);
        tcase_add_test(tc, test_reload);
        tcase_add_test(tc, test_oneshot);
        tcase_add_test(tc, test_oneshot_remain);
        tcase_add_test(tc, test_oneshot_failure);
        tcase_add_test(tc, test_remain_after_exit_simple);
        tcase_add_test(tc, test_plus_reload);
        tcase_add_test(tc, test_plus_stop_timeout);
        tcase_add_test(tc, test_start_pre_failure);
        tcase_add_test(tc, test_forking_pid_file);
        tcase_add_test(tc, test_notify_ready);
        tcase_add_test(tc, test_kill_mode_mixed);
        tcase_add_test(tc, test_watchdog);
        tcase_add_test(tc, test_runtime_max);
        tcase_add_test(tc, test_forking_daemon_gone);
        tcase_add_test(tc, test_exec_condition);
        tcase_add_test(tc, test_exec_stop_post);
        tcase_add_test(tc, test_exit_status_restart);
        suite_add_tcase(s, tc);
        return s;
}

static int run_tests(void) {
        SRunner *sr = srunner_create(supervisor_suite());
        int failed;

        if (signals_setup(&signal_fd) < 0) {
                fprintf(stderr, "signals_setup: %m\n");
                return EXIT_FAILURE;
        }
        if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "mkdtemp: %m\n");
                return EXIT_FAILURE;
        }
        (void) chmod(tmpdir, 0755);
        /* In this process, the namespace's PID 1: orphans come to it, as to the init. */
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        {
                char cmd[128];
                snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
                (void) !system(cmd);
        }
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, text, strlen(text));
        close(fd);
        return n == (ssize_t) strlen(text) ? 0 : -EIO;
}

int main(void) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        int flags = CLONE_NEWPID | CLONE_NEWNET, status;
        pid_t pid;

        if (uid != 0)
                flags |= CLONE_NEWUSER;
        if (unshare(flags) < 0) {
                fprintf(stderr, "Skipping: cannot make a PID namespace: %m\n");
                return 77; /* meson: skipped */
        }
        if (uid != 0) {
                char map[64];

                snprintf(map, sizeof(map), "0 %u 1", (unsigned) uid);
                if (write_file("/proc/self/uid_map", map) < 0 || write_file("/proc/self/setgroups", "deny") < 0)
                        return 77;
                snprintf(map, sizeof(map), "0 %u 1", (unsigned) gid);
                if (write_file("/proc/self/gid_map", map) < 0)
                        return 77;
        }
        /* The first child is the new namespace's PID 1: the tests run there. */
        pid = fork();
        if (pid < 0)
                return EXIT_FAILURE;
        if (pid == 0)
                exit(run_tests()); /* exit(): LeakSanitizer looks at the tests' process */
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(EXIT_FAILURE);
        /* _exit(): this process can fork no more (its PID namespace's init is gone), as LeakSanitizer
         * would at exit(). */
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
}
