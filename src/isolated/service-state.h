/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "exit-status.h"

/* The lifecycle of a service, as systemd's src/core/service.c has it: one
 * state enum, one result enum, each with its string table (the strings are
 * what the bus shows), the transitions allowed between the states, and the
 * result derived from the facts of a service's end. Pure: no logging, no
 * system state; the daemon's service.c applies it (service_set_state()). */

typedef enum ServiceState {
        SERVICE_STARTING,
        SERVICE_RUNNING,
        SERVICE_RELOADING,
        SERVICE_STOPPING,
        SERVICE_EXITED,
        SERVICE_FAILED,
        SERVICE_ACTIVE_EXITED, /* Type=oneshot with RemainAfterExit=yes, its commands done: systemd's
                                * "active (exited)"; a stop runs ExecStop= and ends it */
        _SERVICE_STATE_MAX,
        _SERVICE_STATE_INVALID = -EINVAL,
} ServiceState;

typedef enum ServiceResult {
        SERVICE_SUCCESS,
        SERVICE_FAILURE_RESOURCES,
        SERVICE_FAILURE_PROTOCOL,
        SERVICE_FAILURE_TIMEOUT,
        SERVICE_FAILURE_EXIT_CODE,
        SERVICE_FAILURE_SIGNAL,
        SERVICE_FAILURE_CORE_DUMP,
        SERVICE_FAILURE_START_LIMIT_HIT,
        SERVICE_FAILURE_HEALTH, /* ended by its failed health checks (HealthOnFailure=kill, HealthReady=yes) */
        SERVICE_FAILURE_OOM_KILL,
        SERVICE_FAILURE_WATCHDOG, /* WatchdogSec= passed without WATCHDOG=1 */
        SERVICE_SKIP_CONDITION,   /* "exec-condition": ExecCondition= exited 1..254; no failure (state exited) */
        _SERVICE_RESULT_MAX,
        _SERVICE_RESULT_INVALID = -EINVAL,
} ServiceResult;

const char *service_state_to_string(ServiceState s);
ServiceState service_state_from_string(const char *s);
const char *service_result_to_string(ServiceResult r);
ServiceResult service_result_from_string(const char *s);

/* Something of the service may run: the init is not known to be gone. */
bool service_state_is_active(ServiceState s);

/* May a service in state from go to state to? A service starts in
 * SERVICE_STARTING; the active states follow the init's reports in any order
 * (a restart in place goes back to starting, a stop may follow anything); the
 * ended states are final (a new start of the name is a new record). Staying
 * in a state is no transition: false. */
bool service_state_transition_allowed(ServiceState from, ServiceState to);

/* The state a service ends in, by its result: exited for success and exec-condition (as systemd's
 * inactive), else failed. */
ServiceState service_state_of_result(ServiceResult r);

/* What is known of a service when its init is gone (or found gone). */
typedef struct ServiceEndFacts {
        int exit_code;        /* CLD_EXITED, CLD_KILLED, CLD_DUMPED: the main process's, or the init's own */
        int exit_status;      /* the exit status, or the signal */
        bool exit_reported;   /* the init reported the main process's end (EXITED) */
        bool released;        /* the held child was let go (or it was adopted, or found ended) */
        bool start_complete;  /* the init reported the start done */
        bool main_pid_known;  /* a main process was (or may have been) started */
        bool start_failed;    /* the start could not go on (an error for the caller) */
        bool start_cancelled; /* ... only because a stop was asked for while starting */
        int start_errno;      /* from the init's FAILED: a command of the start could not run */
        bool stop_requested;
        bool start_timed_out; /* TimeoutStartSec= passed */
        bool protocol_error;  /* the init broke the protocol */
        bool start_limit_hit; /* the init's restarts hit StartLimitBurst= */
        bool health_failed;   /* the daemon ended it for its failed health checks */
        bool oom_killed;      /* the kernel's OOM killer killed a process of the scope since the main
                               * process (re)started: systemd's scope Result, or the cgroup's oom_kill */
        bool oom_continue;    /* OOMPolicy=continue: an OOM kill is no failure of the service itself */
        bool watchdog;        /* the init ended it: WatchdogSec= passed (EXITED's RESULT=watchdog) */
        bool runtime_max;     /* the init ended it: RuntimeMaxSec= passed (RESULT=timeout) */
        bool exec_condition;  /* ExecCondition= skipped the start (RESULT=exec-condition) */
        const ExitStatusSet *success_status; /* SuccessExitStatus=, may be NULL */
} ServiceEndFacts;

/* The Result of a service's end; the first that applies:
 *   protocol error > start timeout > start limit > ExecCondition= skipped (exec-condition) >
 *   watchdog > RuntimeMaxSec= (timeout) > an OOM kill (oom-kill, unless
 *   OOMPolicy=continue, as systemd: then the killed main process is signal) > failed health
 *   checks (unless stopped) > a command of a failed start that the
 *   init reported (by its exit) > a start that failed otherwise (exit-code with an errno of
 *   the init's, success if only stopped, else resources) > no main process and no start
 *   (protocol) > the main process's exit: 0 or in SuccessExitStatus= success, else
 *   exit-code; dumped core-dump; killed success if stopped, by SIGTERM/SIGINT/SIGHUP/SIGPIPE or by
 *   a signal of SuccessExitStatus=, else signal. */
ServiceResult service_result_from_facts(const ServiceEndFacts *f);
