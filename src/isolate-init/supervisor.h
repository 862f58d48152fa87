/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "description.h"
#include "init-listener.h"
#include "init-shell.h"
#include "spawn.h"
#include "time-util.h"

/* PID 1 the tini/bubblewrap way. The kernel drops a signal sent from an
 * ancestor PID namespace to a namespace init whose handler is SIG_DFL, so
 * every catchable, asynchronous signal gets a no-op handler, is blocked and
 * read from a signalfd instead. Call before anything else. */
int signals_setup(int *ret_signal_fd);

/* Where the service is, as systemd's service states go. */
typedef enum Phase {
        PHASE_CONDITION,    /* ExecCondition= */
        PHASE_START_PRE,    /* ExecStartPre= */
        PHASE_START,        /* forking: the started process runs; notify: waiting for READY=1 */
        PHASE_START_POST,   /* ExecStartPost= */
        PHASE_RUNNING,
        PHASE_RELOAD,       /* ExecReload= */
        PHASE_STOP,         /* ExecStop= */
        PHASE_STOP_SIGTERM, /* KillSignal= sent, waiting up to TimeoutStopSec= */
        PHASE_STOP_SIGKILL,
        PHASE_STOP_POST,    /* ExecStopPost=: everything else of the run is gone */
        PHASE_AUTO_RESTART, /* waiting RestartSec= */
        PHASE_DONE,
} Phase;

/* Where the supervisor reads the time (its deadlines, StartLimitIntervalSec=): CLOCK_MONOTONIC
 * unless a test gives a clock of its own. */
typedef usec_t (*SupervisorClock)(void *userdata);

typedef struct Supervisor {
        const Description *description;
        const SpawnContext *spawn;
        int control_fd; /* not owned; -EBADF once the daemon went away */
        int signal_fd;  /* not owned */
        int notify_fd;  /* not owned; -EBADF without NOTIFY_SOCKET */
        InitListener *listener; /* where a restarted daemon connects; may be NULL */

        Phase phase;
        bool started;        /* the first start completed (MAIN went out with STATE=running) */
        bool stop_requested; /* STOP, or KillSignal= from outside the namespace */
        bool restart_requested; /* RESTART: the stop ends in a restart in place, whatever Restart= says */
        bool start_failed;   /* the start under way failed: no restart of the first one */
        bool notify_reloading, notify_stopping;
        bool trim_pending;   /* entered PHASE_RUNNING: footprint_trim() before the next poll() */

        pid_t main_pid;      /* 0: none known */
        int main_pidfd;      /* owned */
        bool main_ran;       /* a main process was started (and may have ended) */
        int main_status;     /* wait status of the last main process that ended */

        pid_t control_pid;   /* the ExecStartPre=/.../ExecStop= command, or forking's started process */
        ExecCommand *const *control_list;
        size_t control_index;
        bool host_running;   /* a "+" command of control_list runs on the host, started by the daemon */
        uint64_t host_seq;   /* its number in EXEC-HOST (host-exec-protocol.h) */
        size_t start_index;  /* Type=oneshot: the ExecStart= command running (0: the first) */

        usec_t deadline;       /* of the phase; USEC_INFINITY for none */
        usec_t watchdog_deadline; /* WatchdogSec= since the last WATCHDOG=1; USEC_INFINITY: not armed */
        usec_t runtime_deadline;  /* RuntimeMaxSec= since the run started; USEC_INFINITY: none */
        bool watchdog_fired;   /* this run was ended by WatchdogSec= (RESULT=watchdog) */
        bool runtime_fired;    /* ... by RuntimeMaxSec= (RESULT=timeout) */
        bool condition_skipped; /* ExecCondition= exited 1..254: the start is skipped (RESULT=exec-condition) */
        bool stop_post_done;   /* ExecStopPost= ran for this run */
        unsigned n_restarts;
        usec_t *start_times;   /* ring of the last StartLimitBurst= starts */
        unsigned n_starts;
        const char *result;    /* EXITED's RESULT=: "start-limit-hit", "watchdog", "timeout", "exec-condition", or NULL */
        char *status_text;     /* STATUS= */
        char *last_report;     /* the last MAIN message sent, to send only changes */
        int exit_status;       /* the init's own, once PHASE_DONE */
        InitShells shells;     /* isolatectl shell */

        SupervisorClock clock; /* NULL: CLOCK_MONOTONIC */
        void *clock_userdata;
} Supervisor;

/* Runs the service's whole life: ExecStartPre=, the main process and its Type=,
 * ExecStartPost=, then forwards signals and KILL requests, answers STOP and
 * RELOAD, reaps every child and orphan, restarts in place as Restart= says,
 * and once the service ended stops what is left of the namespace (KillSignal=,
 * SIGKILL after TimeoutStopSec=). Returns the init's exit status
 * (init-protocol.h) or -errno. */
int supervisor_run(Supervisor *s);

/* supervisor_run() in steps, for a test that drives the clock: begin starts the service (the first
 * ExecStartPre=, or ExecStart=); step waits for one round of events, at most until the phase's
 * deadline by s->clock and at most max_wait_ms (-1: no bound of its own), then handles them and
 * every deadline that passed. -errno on a failure of the init itself. */
void supervisor_begin(Supervisor *s);
int supervisor_step(Supervisor *s, int max_wait_ms);
void supervisor_done(Supervisor *s);

/* 0, the exit status, or 128+SIG, for a waitpid() status. */
int exit_status_from_wait(int wait_status);

/* Opens NOTIFY_SOCKET (INIT_NOTIFY_SOCKET) with SO_PASSCRED. */
int notify_socket_open(int *ret_fd);
