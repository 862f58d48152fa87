/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"

static pid_t agent_pid;

/* As systemd's polkit_agent_open(): a non-root caller on a terminal gets
 * pkttyagent, which registers itself as the session's authentication agent and
 * closes the notify fd once it is ready; we go on only then, so that polkit's
 * question reaches it. Without a terminal (or with --no-ask-password) nothing
 * is spawned and polkit answers at once. Failures are not fatal: the call is
 * made anyway and polkit refuses it as it would have. */
void polkit_agent_open_if_enabled(void) {
        int pipe_fd[2];
        char notify_fd[16];
        pid_t pid;

        if (agent_pid > 0 || !arg_ask_password || arg_host)
                return;
        if (geteuid() == 0 || !isatty(STDIN_FILENO))
                return;
        if (pipe2(pipe_fd, O_CLOEXEC) < 0) {
                log_warning_errno(errno, "Cannot start the polkit agent: %m");
                return;
        }
        (void) fflush(stdout);
        (void) fflush(stderr);
        pid = fork();
        if (pid < 0) {
                log_warning_errno(errno, "Cannot start the polkit agent: %m");
                safe_close(pipe_fd[0]);
                safe_close(pipe_fd[1]);
                return;
        }
        if (pid == 0) {
                /* The agent dies with us; its notify fd is the one fd it keeps beyond stdio. */
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (fcntl(pipe_fd[1], F_SETFD, 0) < 0)
                        _exit(EXIT_FAILURE);
                snprintf(notify_fd, sizeof(notify_fd), "%d", pipe_fd[1]);
                execlp("pkttyagent", "pkttyagent", "--notify-fd", notify_fd, "--fallback", (char *) NULL);
                _exit(EXIT_FAILURE);
        }
        agent_pid = pid;
        safe_close(pipe_fd[1]);
        /* The agent closes its end when it is registered, or dies: POLLHUP either way. */
        struct pollfd p = { .fd = pipe_fd[0], .events = POLLIN };
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
        safe_close(pipe_fd[0]);
}

void polkit_agent_close(void) {
        if (agent_pid <= 0)
                return;
        (void) kill(agent_pid, SIGTERM);
        (void) kill(agent_pid, SIGCONT);
        while (waitpid(agent_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        agent_pid = 0;
}
