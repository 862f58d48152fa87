/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "init-protocol.h"

/* What lets a restarted daemon find the init again: a listening socket
 * NAME.sock in the daemon's state directory (a path, since an abstract socket
 * belongs to a network namespace, and the init has its own), and the record
 * NAME.exit of how the main process ended, for a daemon that was away then.
 * The daemon makes both and hands them over with START: the init holds no fd
 * of a host directory, and nothing the service can reach leads to them. */
typedef struct InitListener {
        int listen_fd; /* SOCK_SEQPACKET, listening; -EBADF when there is none (a test driver) */
        int exit_fd;   /* NAME.exit, open for writing; -EBADF when there is none */
} InitListener;

#define INIT_LISTENER_NULL ((InitListener) { .listen_fd = -EBADF, .exit_fd = -EBADF })

/* Takes both fds (either may be -EBADF). */
void init_listener_take(InitListener *l, int listen_fd, int exit_fd);

/* Accepts the next daemon; returns its fd (O_CLOEXEC) or -errno. A peer inside
 * our PID namespace (a process of the service, holding a stolen fd) is turned
 * away with -EPERM. */
int init_listener_accept(InitListener *l);

/* Writes "EXITED CODE STATUS\n" into NAME.exit. */
int init_listener_record_exit(InitListener *l, int wait_status, InitEndResult result);

/* Closes everything (the daemon removes the files). */
void init_listener_done(InitListener *l);
