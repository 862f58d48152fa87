/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "init-protocol.h"
#include "spawn.h"

/* The commands started for isolatectl shell (SHELL, PTY of init-protocol.h).
 * The init starts them as it starts ExecReload=, reaps them with the rest,
 * and reports each end to the connection that asked for it. */

typedef struct InitShell {
        uint64_t id;
        pid_t pid;
        unsigned connection; /* of the daemon that asked */
} InitShell;

typedef struct InitShells {
        InitShell running[INIT_SHELLS_MAX];
        size_t n;
        unsigned connection; /* counts the daemon's connections: a new one learns nothing of older shells */
} InitShells;

/* "SHELL ID N\nARGV...ENV..." with its fds (always taken over and closed).
 * running: the service runs, a shell may start. Answers with SHELL-FAILED
 * itself when it cannot start it. */
void init_shell_start(InitShells *sh, const SpawnContext *c, int control_fd, bool running, char *msg, size_t size,
                      int *fds, size_t n_fds);

/* "PTY ID": a pty from the service's own /dev/ptmx, answered by PTY. */
void init_shell_open_pty(const SpawnContext *c, int control_fd, const char *msg);

/* "SHELL-KILL ID": the caller went away; SIGHUP to the shell's process group.
 * "SHELL-SIGKILL ID" (a health check past its HealthTimeout=): SIGKILL to it. */
void init_shell_hang_up(InitShells *sh, const char *msg);

/* A child was reaped: if it is a shell, reports its end and returns true. */
bool init_shells_reaped(InitShells *sh, int control_fd, pid_t pid, int wait_status);

/* Sends sig (and SIGCONT) to every shell: the service stops. */
void init_shells_kill(InitShells *sh, int sig);
