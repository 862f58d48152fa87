/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "description.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The service's environment: PATH, JOURNAL_STREAM when stream_fd is a journal
 * stream, then Environment= in order, a later KEY replacing an earlier one. */
int spawn_build_environment(const Description *d, int stream_fd, char ***ret);

/* Forks and execs ExecStart= of d with stdin on /dev/null and stdout/stderr on
 * stream_fd (the init's stderr if negative). Returns once the exec succeeded,
 * with the PID. If the exec or anything before it failed, reaps the child,
 * returns -errno and sets *ret_error ("Failed to execute /x: No such file or
 * directory"). */
int spawn_main(const Description *d, int stream_fd, pid_t *ret_pid, char **ret_error);
