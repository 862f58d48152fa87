/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "description.h"
#include "exit-status.h"
#include "macro.h"
#include "service-state.h"

/* The strings are the bus's: they must not change. */
START_TEST(test_state_strings) {
        static const char *const expected[] = { "starting", "running", "reloading", "stopping",
                                                "exited",   "failed",  "active-exited" };

        ck_assert_int_eq(ELEMENTSOF(expected), _SERVICE_STATE_MAX);
        for (int i = 0; i < _SERVICE_STATE_MAX; i++) {
                ck_assert_str_eq(service_state_to_string(i), expected[i]);
                ck_assert_int_eq(service_state_from_string(expected[i]), i);
        }
        ck_assert_ptr_null(service_state_to_string(_SERVICE_STATE_MAX));
        ck_assert_ptr_null(service_state_to_string(-1));
        ck_assert_int_eq(service_state_from_string("active"), _SERVICE_STATE_INVALID);
        ck_assert_int_eq(service_state_from_string(""), _SERVICE_STATE_INVALID);
        ck_assert_int_eq(service_state_from_string(NULL), _SERVICE_STATE_INVALID);
}
END_TEST

START_TEST(test_result_strings) {
        static const char *const expected[] = { "success",   "resources", "protocol",  "timeout",
                                                "exit-code", "signal",    "core-dump", "start-limit-hit",
                                                "health", "oom-kill", "watchdog", "exec-condition" };

        ck_assert_int_eq(ELEMENTSOF(expected), _SERVICE_RESULT_MAX);
        for (int i = 0; i < _SERVICE_RESULT_MAX; i++) {
                ck_assert_str_eq(service_result_to_string(i), expected[i]);
                ck_assert_int_eq(service_result_from_string(expected[i]), i);
        }
        ck_assert_ptr_null(service_result_to_string(_SERVICE_RESULT_MAX));
        ck_assert_ptr_null(service_result_to_string(-1));
        ck_assert_int_eq(service_result_from_string("Success"), _SERVICE_RESULT_INVALID);
        ck_assert_int_eq(service_result_from_string(NULL), _SERVICE_RESULT_INVALID);
        ck_assert_int_eq(service_state_of_result(SERVICE_SUCCESS), SERVICE_EXITED);
        /* exec-condition is systemd's inactive (dead), not failed. */
        ck_assert_int_eq(service_state_of_result(SERVICE_SKIP_CONDITION), SERVICE_EXITED);
        for (int i = 1; i < _SERVICE_RESULT_MAX; i++)
                if (i != SERVICE_SKIP_CONDITION)
                        ck_assert_int_eq(service_state_of_result(i), SERVICE_FAILED);
}
END_TEST

START_TEST(test_active) {
        ck_assert(service_state_is_active(SERVICE_STARTING));
        ck_assert(service_state_is_active(SERVICE_RUNNING));
        ck_assert(service_state_is_active(SERVICE_RELOADING));
        ck_assert(service_state_is_active(SERVICE_STOPPING));
        ck_assert(!service_state_is_active(SERVICE_EXITED));
        ck_assert(!service_state_is_active(SERVICE_FAILED));
        ck_assert(service_state_is_active(SERVICE_ACTIVE_EXITED));
        ck_assert(!service_state_is_active(_SERVICE_STATE_INVALID));
}
END_TEST

/* Every pair of states, against the table written out by hand. */
START_TEST(test_transitions) {
        /* from \ to:        starting running reloading stopping exited failed active-exited */
        static const bool allowed[_SERVICE_STATE_MAX][_SERVICE_STATE_MAX] = {
                [SERVICE_STARTING] = { 0, 1, 1, 1, 1, 1, 1 },
                [SERVICE_RUNNING] = { 1, 0, 1, 1, 1, 1, 1 },   /* back to starting: Restart= in place */
                [SERVICE_RELOADING] = { 1, 1, 0, 1, 1, 1, 1 },
                [SERVICE_STOPPING] = { 1, 1, 1, 0, 1, 1, 1 },  /* the init's own stop before a restart */
                [SERVICE_EXITED] = { 0, 0, 0, 0, 0, 0, 0 },    /* final: a new start is a new record */
                [SERVICE_FAILED] = { 0, 0, 0, 0, 0, 0, 0 },
                [SERVICE_ACTIVE_EXITED] = { 1, 1, 1, 1, 1, 1, 0 }, /* oneshot, RemainAfterExit=yes */
        };
        unsigned n_allowed = 0;

        for (int from = 0; from < _SERVICE_STATE_MAX; from++)
                for (int to = 0; to < _SERVICE_STATE_MAX; to++) {
                        ck_assert_msg(service_state_transition_allowed(from, to) == allowed[from][to],
                                      "%s -> %s", service_state_to_string(from), service_state_to_string(to));
                        n_allowed += allowed[from][to];
                }
        ck_assert_uint_eq(n_allowed, 5 * 4 + 5 * 2);
        ck_assert(!service_state_transition_allowed(_SERVICE_STATE_INVALID, SERVICE_RUNNING));
        ck_assert(!service_state_transition_allowed(SERVICE_RUNNING, _SERVICE_STATE_INVALID));
        ck_assert(!service_state_transition_allowed(SERVICE_RUNNING, _SERVICE_STATE_MAX));
}
END_TEST

/* A service that started and ran: the facts of a normal life. */
static ServiceEndFacts ran(int code, int status) {
        return (ServiceEndFacts) {
                .exit_code = code,
                .exit_status = status,
                .exit_reported = true,
                .released = true,
                .start_complete = true,
                .main_pid_known = true,
        };
}

#define ck_result(facts, expected)                                                                                 \
        do {                                                                                                       \
                ServiceEndFacts _f = (facts);                                                                      \
                ck_assert_str_eq(service_result_to_string(service_result_from_facts(&_f)),                        \
                                 service_result_to_string(expected));                                              \
        } while (0)

START_TEST(test_result_main_exit) {
        ServiceEndFacts f;

        ck_result(ran(CLD_EXITED, 0), SERVICE_SUCCESS);
        ck_result(ran(CLD_EXITED, 1), SERVICE_FAILURE_EXIT_CODE);
        ck_result(ran(CLD_EXITED, 255), SERVICE_FAILURE_EXIT_CODE);
        ck_result(ran(CLD_DUMPED, SIGSEGV), SERVICE_FAILURE_CORE_DUMP);
        ck_result(ran(CLD_KILLED, SIGKILL), SERVICE_FAILURE_SIGNAL);
        ck_result(ran(CLD_KILLED, SIGUSR1), SERVICE_FAILURE_SIGNAL);
        /* The clean signals of a stop from outside. */
        ck_result(ran(CLD_KILLED, SIGTERM), SERVICE_SUCCESS);
        ck_result(ran(CLD_KILLED, SIGINT), SERVICE_SUCCESS);
        ck_result(ran(CLD_KILLED, SIGHUP), SERVICE_SUCCESS);
        ck_result(ran(CLD_KILLED, SIGPIPE), SERVICE_SUCCESS);

        /* Stopped: any signal is the stop's, but an exit status or a core is the service's. */
        f = ran(CLD_KILLED, SIGKILL);
        f.stop_requested = true;
        ck_result(f, SERVICE_SUCCESS);
        f = ran(CLD_EXITED, 3);
        f.stop_requested = true;
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
        f = ran(CLD_DUMPED, SIGABRT);
        f.stop_requested = true;
        ck_result(f, SERVICE_FAILURE_CORE_DUMP);

        /* No EXITED from the init: its own end (128+SIGKILL as exit status, or killed) is judged alike. */
        f = ran(CLD_KILLED, SIGKILL);
        f.exit_reported = false;
        ck_result(f, SERVICE_FAILURE_SIGNAL);
        f = ran(CLD_EXITED, 0);
        f.exit_reported = false;
        ck_result(f, SERVICE_SUCCESS);

        /* Found ended after a restart of the daemon (main PID unknown but it ran): by the record. */
        f = ran(CLD_EXITED, 0);
        f.start_complete = false;
        ck_result(f, SERVICE_SUCCESS);
        f = ran(CLD_KILLED, SIGKILL);
        f.start_complete = false;
        f.exit_reported = false;
        ck_result(f, SERVICE_FAILURE_SIGNAL);
}
END_TEST

START_TEST(test_result_start) {
        ServiceEndFacts f;

        /* The held child never let go: systemd refused the scope, the network failed... */
        f = (ServiceEndFacts) { .exit_code = CLD_KILLED, .exit_status = SIGKILL, .start_failed = true };
        ck_result(f, SERVICE_FAILURE_RESOURCES);
        f.start_failed = false; /* the init died before the release, no error recorded */
        ck_result(f, SERVICE_FAILURE_RESOURCES);
        /* The init could not run a command of the start (FAILED with an errno). */
        f = (ServiceEndFacts) { .exit_code = CLD_EXITED, .exit_status = 1, .released = true, .start_failed = true,
                                .start_errno = ENOENT };
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
        /* Released, the start failed without an exit report nor an errno: resources. */
        f = (ServiceEndFacts) { .exit_code = CLD_KILLED, .exit_status = SIGKILL, .released = true, .start_failed = true };
        ck_result(f, SERVICE_FAILURE_RESOURCES);
        /* A command of the start failed and the init reported its end: by that end. */
        f = (ServiceEndFacts) { .exit_code = CLD_EXITED, .exit_status = 2, .exit_reported = true, .released = true,
                                .main_pid_known = true, .start_failed = true };
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
        f.exit_code = CLD_DUMPED;
        f.exit_status = SIGSEGV;
        ck_result(f, SERVICE_FAILURE_CORE_DUMP);
        f.exit_code = CLD_KILLED;
        f.exit_status = SIGTERM;
        ck_result(f, SERVICE_FAILURE_SIGNAL); /* in a start, even a clean signal is a failure */
        f.exit_code = CLD_EXITED;
        f.exit_status = 0;
        ck_result(f, SERVICE_SUCCESS);

        /* Stopped while starting: no failure of the service, as in systemd. */
        f = (ServiceEndFacts) { .exit_code = CLD_KILLED, .exit_status = SIGKILL, .start_failed = true,
                                .start_cancelled = true, .stop_requested = true };
        ck_result(f, SERVICE_SUCCESS);
        f.released = true;
        f.exit_reported = true; /* the stop's own end is reported: still the stop's */
        ck_result(f, SERVICE_SUCCESS);
        /* ... unless the start had failed first, or with an errno of the init's. */
        f.start_cancelled = false;
        ck_result(f, SERVICE_FAILURE_RESOURCES);
        f.start_cancelled = true;
        f.start_errno = EACCES;
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
        /* A stop of a start that never began without a recorded error: resources, as before. */
        f = (ServiceEndFacts) { .exit_code = CLD_KILLED, .exit_status = SIGKILL, .stop_requested = true };
        ck_result(f, SERVICE_FAILURE_RESOURCES);

        /* Released, but the init never named a main process nor completed the start. */
        f = (ServiceEndFacts) { .exit_code = CLD_EXITED, .exit_status = 0, .released = true };
        ck_result(f, SERVICE_FAILURE_PROTOCOL);
        f.stop_requested = true; /* stopped before it did: judged by the end */
        ck_result(f, SERVICE_SUCCESS);
        f.stop_requested = false;
        f.start_complete = true; /* completed, no main process (Type=oneshot, RemainAfterExit=) */
        ck_result(f, SERVICE_SUCCESS);
}
END_TEST

/* OOM as systemd reports it: OOMPolicy=stop (the default) or kill make any OOM kill of the
 * scope the result; under continue the main process's own end decides (signal if it was the one
 * killed), as systemd's TEST-32-OOMPOLICY expects. */
START_TEST(test_result_oom) {
        ServiceEndFacts f;

        /* The main process killed by the OOM killer. */
        f = ran(CLD_KILLED, SIGKILL);
        f.oom_killed = true;
        ck_result(f, SERVICE_FAILURE_OOM_KILL);
        f.oom_continue = true;
        ck_result(f, SERVICE_FAILURE_SIGNAL);

        /* A child killed; systemd then stopped the scope: the main process ends by SIGTERM. */
        f = ran(CLD_KILLED, SIGTERM);
        f.oom_killed = true;
        ck_result(f, SERVICE_FAILURE_OOM_KILL);
        f = ran(CLD_EXITED, 0);
        f.oom_killed = true;
        ck_result(f, SERVICE_FAILURE_OOM_KILL);
        f.oom_continue = true;
        ck_result(f, SERVICE_SUCCESS);

        /* A stop asked for later does not undo it (systemd keeps the first failure). */
        f = ran(CLD_KILLED, SIGTERM);
        f.oom_killed = true;
        f.stop_requested = true;
        ck_result(f, SERVICE_FAILURE_OOM_KILL);

        /* A failed start by an OOM kill (ExecStartPre=, forking's parent). */
        f = (ServiceEndFacts) { .exit_code = CLD_KILLED, .exit_status = SIGKILL, .exit_reported = true,
                                .released = true, .start_failed = true, .oom_killed = true };
        ck_result(f, SERVICE_FAILURE_OOM_KILL);

        /* The rest keeps precedence. */
        f = ran(CLD_KILLED, SIGKILL);
        f.oom_killed = true;
        f.protocol_error = true;
        ck_result(f, SERVICE_FAILURE_PROTOCOL);
        f.protocol_error = false;
        f.start_limit_hit = true;
        ck_result(f, SERVICE_FAILURE_START_LIMIT_HIT);

        /* No OOM kill: as before. */
        ck_result(ran(CLD_KILLED, SIGKILL), SERVICE_FAILURE_SIGNAL);
}
END_TEST

/* Over every combination of the flags and of a few ends: the order of precedence holds. */
START_TEST(test_result_exhaustive) {
        static const int ends[][2] = {
                { CLD_EXITED, 0 },      { CLD_EXITED, 1 },       { CLD_KILLED, SIGTERM },
                { CLD_KILLED, SIGKILL }, { CLD_DUMPED, SIGSEGV },
        };
        unsigned n = 0;

        for (unsigned bits = 0; bits < (1u << 14); bits++)
                for (size_t e = 0; e < ELEMENTSOF(ends); e++) {
                        ServiceEndFacts f = {
                                .exit_code = ends[e][0],
                                .exit_status = ends[e][1],
                                .exit_reported = bits & (1u << 0),
                                .released = bits & (1u << 1),
                                .start_complete = bits & (1u << 2),
                                .main_pid_known = bits & (1u << 3),
                                .start_failed = bits & (1u << 4),
                                .start_cancelled = bits & (1u << 5),
                                .start_errno = bits & (1u << 6) ? EIO : 0,
                                .stop_requested = bits & (1u << 7),
                                .start_timed_out = bits & (1u << 8),
                                .protocol_error = bits & (1u << 9),
                                .start_limit_hit = bits & (1u << 10),
                                .health_failed = bits & (1u << 11),
                                .oom_killed = bits & (1u << 12),
                                .oom_continue = bits & (1u << 13),
                        };
                        ServiceResult r = service_result_from_facts(&f);

                        n++;
                        ck_assert(r >= 0 && r < _SERVICE_RESULT_MAX);
                        if (f.protocol_error) {
                                ck_assert_int_eq(r, SERVICE_FAILURE_PROTOCOL);
                                continue;
                        }
                        if (f.start_timed_out) {
                                ck_assert_int_eq(r, SERVICE_FAILURE_TIMEOUT);
                                continue;
                        }
                        if (f.start_limit_hit) {
                                ck_assert_int_eq(r, SERVICE_FAILURE_START_LIMIT_HIT);
                                continue;
                        }
                        /* An OOM kill under OOMPolicy=stop/kill decides, as systemd's oom-kill does. */
                        if (f.oom_killed && !f.oom_continue) {
                                ck_assert_int_eq(r, SERVICE_FAILURE_OOM_KILL);
                                continue;
                        }
                        ck_assert(r != SERVICE_FAILURE_OOM_KILL);
                        ck_assert(r != SERVICE_FAILURE_TIMEOUT && r != SERVICE_FAILURE_START_LIMIT_HIT);
                        /* Ended for its health: health, unless a stop was asked for. */
                        ck_assert_int_eq(r == SERVICE_FAILURE_HEALTH, f.health_failed && !f.stop_requested);
                        if (r == SERVICE_FAILURE_HEALTH)
                                continue;
                        /* A failed start is never judged by the clean-signal rule. */
                        if (f.start_failed && r == SERVICE_SUCCESS)
                                ck_assert((f.exit_reported && !f.stop_requested && f.exit_code == CLD_EXITED &&
                                           f.exit_status == 0) ||
                                          (f.stop_requested && f.start_cancelled && !f.start_errno));
                        /* Success after a signal only by a stop or a clean signal. */
                        if (r == SERVICE_SUCCESS && f.exit_code == CLD_KILLED && !f.start_failed)
                                ck_assert(f.stop_requested || f.exit_status == SIGTERM);
                        /* A core dump is the service's, whatever else happened, once released and past the start. */
                        if (f.released && !f.start_failed && f.exit_code == CLD_DUMPED &&
                            (f.main_pid_known || f.start_complete || f.stop_requested))
                                ck_assert_int_eq(r, SERVICE_FAILURE_CORE_DUMP);
                        /* Never released and not failed: resources whatever the end. */
                        if (!f.released && !f.start_failed)
                                ck_assert_int_eq(r, f.start_errno ? SERVICE_FAILURE_EXIT_CODE : SERVICE_FAILURE_RESOURCES);
                        /* Protocol only for a released service that never said what it runs. */
                        if (r == SERVICE_FAILURE_PROTOCOL)
                                ck_assert(f.released && !f.main_pid_known && !f.start_complete && !f.stop_requested);
                }
        ck_assert_uint_eq(n, 16384 * 5);
}
END_TEST

/* SuccessExitStatus= and kin: numbers and signal names, "" resets, a bad word is named. */
START_TEST(test_exit_status_set) {
        ExitStatusSet set = {};
        char *word = NULL;

        ck_assert(exit_status_set_is_empty(&set));
        ck_assert_int_eq(exit_status_set_parse(&set, "1 7 255 SIGUSR1 TERM", NULL), 0);
        ck_assert(exit_status_set_test(&set, CLD_EXITED, 1));
        ck_assert(exit_status_set_test(&set, CLD_EXITED, 7));
        ck_assert(exit_status_set_test(&set, CLD_EXITED, 255));
        ck_assert(!exit_status_set_test(&set, CLD_EXITED, 0));
        ck_assert(!exit_status_set_test(&set, CLD_EXITED, 8));
        ck_assert(exit_status_set_test(&set, CLD_KILLED, SIGUSR1));
        ck_assert(exit_status_set_test(&set, CLD_DUMPED, SIGTERM));
        ck_assert(!exit_status_set_test(&set, CLD_KILLED, SIGKILL));
        /* A status number is no signal number. */
        ck_assert(!exit_status_set_test(&set, CLD_KILLED, 7));
        /* Assignments add up. */
        ck_assert_int_eq(exit_status_set_parse(&set, "SIGKILL", NULL), 0);
        ck_assert(exit_status_set_test(&set, CLD_KILLED, SIGKILL));
        ck_assert(exit_status_set_test(&set, CLD_EXITED, 7));
        /* A bad word leaves the set as it was. */
        ck_assert_int_eq(exit_status_set_parse(&set, "3 256", &word), -EINVAL);
        ck_assert_str_eq(word, "256");
        word = mfree(word);
        ck_assert(!exit_status_set_test(&set, CLD_EXITED, 3));
        ck_assert_int_eq(exit_status_set_parse(&set, "SIGNOPE", &word), -EINVAL);
        ck_assert_str_eq(word, "SIGNOPE");
        word = mfree(word);
        ck_assert_int_eq(exit_status_set_parse(&set, "", NULL), 0);
        ck_assert(exit_status_set_is_empty(&set));
}
END_TEST

/* The keys in a description: parsed into the sets, errors named file:line. */
START_TEST(test_exit_status_keys) {
        _cleanup_free_ char *error = NULL;
        Description *d = NULL;

        ck_assert_int_eq(description_parse("x", "x.service",
                                           "[Service]\nExecStart=/bin/true\nSuccessExitStatus=143 SIGUSR2\n"
                                           "RestartPreventExitStatus=255\nRestartForceExitStatus=3 SIGHUP\n"
                                           "WatchdogSec=5\nRuntimeMaxSec=2\nWatchdogSignal=SIGKILL\n",
                                           &d, NULL, &error), 0);
        ck_assert(exit_status_set_test(&d->success_status, CLD_EXITED, 143));
        ck_assert(exit_status_set_test(&d->success_status, CLD_KILLED, SIGUSR2));
        ck_assert(exit_status_set_test(&d->restart_prevent_status, CLD_EXITED, 255));
        ck_assert(exit_status_set_test(&d->restart_force_status, CLD_KILLED, SIGHUP));
        ck_assert_uint_eq(d->watchdog_usec, 5 * USEC_PER_SEC);
        ck_assert_uint_eq(d->runtime_max_usec, 2 * USEC_PER_SEC);
        ck_assert_int_eq(d->watchdog_signal, SIGKILL);
        /* WatchdogSec= makes NotifyAccess= main, as systemd. */
        ck_assert_int_eq(description_notify_access(d), NOTIFY_ACCESS_MAIN);
        d = description_free(d);

        ck_assert_int_eq(description_parse("x", "x.service", "[Service]\nExecStart=/bin/true\nSuccessExitStatus=1 300\n",
                                           &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "x.service:3: Invalid SuccessExitStatus= value '300': not an exit status (0..255) nor a "
                                "signal name");
}
END_TEST

/* iperf3 and privoxy: a main process killed by SIGTERM, or ending with a status of
 * SuccessExitStatus=, ends in success; others as before. */
START_TEST(test_result_success_exit_status) {
        ExitStatusSet success = {};
        ServiceEndFacts f;

        ck_assert_int_eq(exit_status_set_parse(&success, "1 7 SIGUSR1", NULL), 0);
        f = ran(CLD_EXITED, 7);
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
        f.success_status = &success;
        ck_result(f, SERVICE_SUCCESS);
        f.exit_status = 8;
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
        f = ran(CLD_KILLED, SIGUSR1);
        ck_result(f, SERVICE_FAILURE_SIGNAL);
        f.success_status = &success;
        ck_result(f, SERVICE_SUCCESS);
        f = ran(CLD_DUMPED, SIGUSR1);
        f.success_status = &success;
        ck_result(f, SERVICE_FAILURE_CORE_DUMP); /* a core dump is never clean */
        /* A command of the start is judged without it, as systemd's control processes are. */
        f = (ServiceEndFacts) { .exit_code = CLD_EXITED, .exit_status = 7, .exit_reported = true, .released = true,
                                .main_pid_known = true, .start_failed = true, .success_status = &success };
        ck_result(f, SERVICE_FAILURE_EXIT_CODE);
}
END_TEST

/* What the init reports with EXITED's RESULT=: watchdog, timeout, exec-condition; a stop asked for
 * overrides them, the protocol and the start limit come first. */
START_TEST(test_result_init_ends) {
        ServiceEndFacts f;

        f = ran(CLD_DUMPED, SIGABRT);
        f.watchdog = true;
        ck_result(f, SERVICE_FAILURE_WATCHDOG);
        f.stop_requested = true;
        ck_result(f, SERVICE_FAILURE_CORE_DUMP);
        f = ran(CLD_KILLED, SIGTERM);
        f.runtime_max = true;
        ck_result(f, SERVICE_FAILURE_TIMEOUT);
        f.start_limit_hit = true;
        ck_result(f, SERVICE_FAILURE_START_LIMIT_HIT);
        /* ExecCondition= exited 1: no main process ever ran, the start was skipped. */
        f = (ServiceEndFacts) { .exit_code = CLD_EXITED, .exit_status = 1, .exit_reported = true, .released = true,
                                .exec_condition = true };
        ck_result(f, SERVICE_SKIP_CONDITION);
        ck_assert_int_eq(service_state_of_result(service_result_from_facts(&f)), SERVICE_EXITED);
        f.protocol_error = true;
        ck_result(f, SERVICE_FAILURE_PROTOCOL);
}
END_TEST

/* systemd's service_shall_restart(): RestartPreventExitStatus= wins, then RestartForceExitStatus=,
 * then Restart= by the outcome. Written out as systemd.service(5)'s table. */
START_TEST(test_restart_decisions) {
        /* rows: outcome; columns: no, always, on-success, on-failure, on-abnormal, on-abort, on-watchdog */
        static const ServiceRestart restarts[] = { SERVICE_RESTART_NO,          SERVICE_RESTART_ALWAYS,
                                                   SERVICE_RESTART_ON_SUCCESS,  SERVICE_RESTART_ON_FAILURE,
                                                   SERVICE_RESTART_ON_ABNORMAL, SERVICE_RESTART_ON_ABORT,
                                                   SERVICE_RESTART_ON_WATCHDOG };
        static const struct {
                ExitOutcome outcome;
                int code, status;
                bool want[7];
        } table[] = {
                { EXIT_OUTCOME_SUCCESS, CLD_EXITED, 0, { 0, 1, 1, 0, 0, 0, 0 } },
                { EXIT_OUTCOME_EXIT_CODE, CLD_EXITED, 1, { 0, 1, 0, 1, 0, 0, 0 } },
                { EXIT_OUTCOME_SIGNAL, CLD_KILLED, SIGKILL, { 0, 1, 0, 1, 1, 1, 0 } },
                { EXIT_OUTCOME_CORE_DUMP, CLD_DUMPED, SIGSEGV, { 0, 1, 0, 1, 1, 1, 0 } },
                { EXIT_OUTCOME_TIMEOUT, CLD_KILLED, SIGTERM, { 0, 1, 0, 1, 1, 0, 0 } },
                { EXIT_OUTCOME_WATCHDOG, CLD_DUMPED, SIGABRT, { 0, 1, 0, 1, 1, 0, 1 } },
        };
        ExitStatusSet prevent = {}, force = {};

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                for (size_t j = 0; j < ELEMENTSOF(restarts); j++)
                        ck_assert_msg(exit_restart_wanted(restarts[j], table[i].outcome, table[i].code, table[i].status,
                                                          NULL, NULL) == table[i].want[j],
                                      "outcome %d, Restart=%s", (int) table[i].outcome,
                                      service_restart_to_string(restarts[j]));

        ck_assert_int_eq(exit_status_set_parse(&prevent, "255 SIGKILL", NULL), 0);
        ck_assert_int_eq(exit_status_set_parse(&force, "0 3 SIGKILL", NULL), 0);
        /* Prevent: no restart whatever Restart= says, even over force. */
        ck_assert(!exit_restart_wanted(SERVICE_RESTART_ALWAYS, EXIT_OUTCOME_EXIT_CODE, CLD_EXITED, 255, &prevent, &force));
        ck_assert(!exit_restart_wanted(SERVICE_RESTART_ALWAYS, EXIT_OUTCOME_SIGNAL, CLD_KILLED, SIGKILL, &prevent, &force));
        ck_assert(exit_restart_wanted(SERVICE_RESTART_ALWAYS, EXIT_OUTCOME_EXIT_CODE, CLD_EXITED, 254, &prevent, &force));
        /* Force: a restart whatever Restart= says. */
        ck_assert(exit_restart_wanted(SERVICE_RESTART_NO, EXIT_OUTCOME_EXIT_CODE, CLD_EXITED, 3, &prevent, &force));
        ck_assert(exit_restart_wanted(SERVICE_RESTART_ON_FAILURE, EXIT_OUTCOME_SUCCESS, CLD_EXITED, 0, &prevent, &force));
        ck_assert(!exit_restart_wanted(SERVICE_RESTART_NO, EXIT_OUTCOME_EXIT_CODE, CLD_EXITED, 4, &prevent, &force));
        /* SuccessExitStatus= turns an exit into success, and so Restart=on-failure away. */
        ck_assert_int_eq(exit_outcome_of(CLD_EXITED, 3, &force), EXIT_OUTCOME_SUCCESS);
        ck_assert_int_eq(exit_outcome_of(CLD_KILLED, SIGTERM, NULL), EXIT_OUTCOME_SUCCESS);
        ck_assert_int_eq(exit_outcome_of(CLD_KILLED, SIGPIPE, NULL), EXIT_OUTCOME_SUCCESS);
        ck_assert_int_eq(exit_outcome_of(CLD_KILLED, SIGUSR1, NULL), EXIT_OUTCOME_SIGNAL);
        ck_assert_int_eq(exit_outcome_of(CLD_DUMPED, SIGTERM, NULL), EXIT_OUTCOME_CORE_DUMP);
}
END_TEST

static Suite *service_state_suite(void) {
        Suite *s = suite_create("service-state");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_state_strings);
        tcase_add_test(tc, test_result_strings);
        tcase_add_test(tc, test_active);
        tcase_add_test(tc, test_transitions);
        tcase_add_test(tc, test_result_main_exit);
        tcase_add_test(tc, test_result_start);
        tcase_add_test(tc, test_result_oom);
        tcase_add_test(tc, test_result_exhaustive);
        tcase_add_test(tc, test_exit_status_set);
        tcase_add_test(tc, test_exit_status_keys);
        tcase_add_test(tc, test_result_success_exit_status);
        tcase_add_test(tc, test_result_init_ends);
        tcase_add_test(tc, test_restart_decisions);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(service_state_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
