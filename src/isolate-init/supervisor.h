/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "description.h"
#include "init-listener.h"

/* PID 1 the tini/bubblewrap way. The kernel drops a signal sent from an
 * ancestor PID namespace to a namespace init whose handler is SIG_DFL, so
 * every catchable, asynchronous signal gets a no-op handler, is blocked and
 * read from a signalfd instead. Call before anything else. */
int signals_setup(int *ret_signal_fd);

typedef struct Supervisor {
        const Description *description;
        int control_fd; /* not owned; -EBADF once the daemon went away */
        int signal_fd;  /* not owned */
        pid_t main_pid; /* 0 once reaped */
        int main_pidfd; /* owned; handed to every daemon that connects */
        int main_status;
        InitListener *listener; /* where a restarted daemon connects; may be NULL */
} Supervisor;

/* Forwards signals and KILL requests to the main process, reaps every child
 * and orphan, reports EXITED when the main process ends, then stops what is
 * left of the namespace: KillSignal=, SIGKILL after TimeoutStopSec=. Returns
 * the init's exit status (init-protocol.h) or -errno. */
int supervisor_run(Supervisor *s);

/* 0, the exit status, or 128+SIG, for a waitpid() status. */
int exit_status_from_wait(int wait_status);
