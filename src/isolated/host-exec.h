/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

typedef struct Service Service;
typedef struct HostExec HostExec;

/* The "+" commands (host-exec-protocol.h): the init asks, the daemon runs the administrator's
 * command of the description on the host, as root with every capability, in the service's scope
 * (moved into the cgroups of its init before it execs), stdin /dev/null, stdout and
 * stderr to the journal as the service's, in /, with an environment of the description's
 * Environment=, PATH, INVOCATION_ID and MAINPID (the main process's PID as the host sees it): no
 * fd, environment, directory or file of the service's reaches it. Returns false if msg is none of
 * its messages; takes fds then. */
bool host_exec_handle_message(Service *s, const char *msg, int *fds, size_t n_fds);

/* The service ended: a "+" command that still runs is killed. */
void host_exec_abort(Service *s);

HostExec *host_exec_free(HostExec *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(HostExec *, host_exec_free);
