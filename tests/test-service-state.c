/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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
                                                "health", "oom-kill" };

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
        for (int i = 1; i < _SERVICE_RESULT_MAX; i++)
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
