/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* SuccessExitStatus=, RestartPreventExitStatus=, RestartForceExitStatus=, as
 * systemd.service(5) has them: a set of exit statuses (0..255) and of signals
 * (1..64). Pure: no logging, used by the parser, the init and the daemon. */
typedef struct ExitStatusSet {
        uint64_t status[4]; /* bit N: exit status N */
        uint64_t signal;    /* bit N-1: signal N */
} ExitStatusSet;

/* One assignment: words of exit statuses (numbers 0..255) and signal names
 * (SIGTERM, TERM; "SIGRTMIN+1"); an empty value resets the set. -EINVAL with
 * *ret_word (if not NULL) pointing at a malloc'd copy of the bad word. */
int exit_status_set_parse(ExitStatusSet *set, const char *value, char **ret_word);

bool exit_status_set_is_empty(const ExitStatusSet *set);
/* Does the set hold that end (code CLD_EXITED: status; CLD_KILLED, CLD_DUMPED: signal)? */
bool exit_status_set_test(const ExitStatusSet *set, int code, int status);

/* A clean end of a main process, as systemd's is_clean_exit(): exit status 0 or one of
 * success; killed by SIGHUP, SIGINT, SIGTERM, SIGPIPE or a signal of success. A core dump
 * is never clean. success may be NULL. */
bool exit_is_clean(int code, int status, const ExitStatusSet *success);

/* How a run of the service ended, as Restart= tells them apart (systemd's service results). */
typedef enum ExitOutcome {
        EXIT_OUTCOME_SUCCESS,
        EXIT_OUTCOME_EXIT_CODE,
        EXIT_OUTCOME_SIGNAL,
        EXIT_OUTCOME_CORE_DUMP,
        EXIT_OUTCOME_TIMEOUT,  /* RuntimeMaxSec=, or a start that timed out */
        EXIT_OUTCOME_WATCHDOG, /* WatchdogSec= passed without WATCHDOG=1 */
        _EXIT_OUTCOME_MAX,
} ExitOutcome;

/* The outcome of a main process's end without a deadline involved. */
ExitOutcome exit_outcome_of(int code, int status, const ExitStatusSet *success);

/* systemd's service_shall_restart() without the stop: RestartPreventExitStatus= first (no), then
 * RestartForceExitStatus= (yes), then Restart= (an int of ServiceRestart, description.h) by the
 * outcome. code/status: the main process's end (0/0 if none is known). prevent, force may be NULL. */
bool exit_restart_wanted(int restart, ExitOutcome outcome, int code, int status, const ExitStatusSet *prevent,
                         const ExitStatusSet *force);
