/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* What lets a restarted daemon find the init again: a listening socket
 * NAME.sock in the daemon's state directory (a path, since an abstract socket
 * belongs to a network namespace, and the init has its own), and the record
 * NAME.exit of how the main process ended, for a daemon that was away then.
 * Both are made through a directory fd opened before the sandbox covers /run,
 * so the payload cannot reach them. */
typedef struct InitListener {
        int dir_fd;    /* the state directory; -EBADF when there is none (no daemon, a test driver) */
        int listen_fd; /* SOCK_SEQPACKET, listening; -EBADF when disabled */
        char *name;    /* NAME */
} InitListener;

#define INIT_LISTENER_NULL ((InitListener) { .dir_fd = -EBADF, .listen_fd = -EBADF })

/* Opens state_dir/NAME.sock for listening. Returns 0, or -errno (the caller
 * goes on without: only re-adoption is lost). */
int init_listener_open(InitListener *l, const char *state_dir, const char *name);

/* Accepts the next daemon; returns its fd (O_CLOEXEC) or -errno. */
int init_listener_accept(InitListener *l);

/* Writes NAME.exit ("EXITED CODE STATUS\n") atomically. */
int init_listener_record_exit(InitListener *l, int wait_status);

/* Removes NAME.sock and closes everything. */
void init_listener_done(InitListener *l);
