/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "manager.h"
#include "service.h"
#include "time-util.h"

/* A record with no bus and no loop: service_set_state() alone. */
static Service *new_service(Manager *m) {
        Service *s = NULL;

        *m = (Manager) { .state_dir = "/nonexistent" };
        ck_assert_int_eq(service_new(m, "web", NULL, NULL, &s), 0);
        ck_assert_int_eq(s->state, SERVICE_STARTING);
        ck_assert_int_eq(s->result, SERVICE_SUCCESS);
        ck_assert(service_is_active(s));
        ck_assert(!service_init_exited(s));
        return s;
}

START_TEST(test_lifecycle) {
        Manager m;
        Service *s = new_service(&m);
        usec_t before = now_usec(CLOCK_REALTIME), started;

        ck_assert_uint_eq(s->start_timestamp, 0);
        service_set_state(s, SERVICE_STARTING); /* no move */
        ck_assert_uint_eq(s->start_timestamp, 0);

        service_set_state(s, SERVICE_RUNNING);
        ck_assert_int_eq(s->state, SERVICE_RUNNING);
        ck_assert_uint_ge(s->start_timestamp, before);
        started = s->start_timestamp;
        ck_assert_uint_eq(s->exit_timestamp, 0);

        /* Restart= in place: back to starting and running, the start's timestamp is the first one. */
        service_set_state(s, SERVICE_STARTING);
        service_set_state(s, SERVICE_RUNNING);
        ck_assert_uint_eq(s->start_timestamp, started);
        service_set_state(s, SERVICE_RELOADING);
        service_set_state(s, SERVICE_RUNNING);
        service_set_state(s, SERVICE_STOPPING);
        ck_assert(service_is_active(s));
        ck_assert(!service_init_exited(s));

        service_set_state(s, SERVICE_FAILED);
        ck_assert_int_eq(s->state, SERVICE_FAILED);
        ck_assert(!service_is_active(s));
        ck_assert(service_init_exited(s));
        ck_assert_uint_ge(s->exit_timestamp, s->start_timestamp);

        /* Final: any move from an end is refused, the state and the timestamps stay. */
        for (int to = 0; to < _SERVICE_STATE_MAX; to++) {
                usec_t exited = s->exit_timestamp;

                service_set_state(s, to);
                ck_assert_int_eq(s->state, SERVICE_FAILED);
                ck_assert_uint_eq(s->exit_timestamp, exited);
                ck_assert_uint_eq(s->start_timestamp, started);
        }
        service_free(s);
}
END_TEST

START_TEST(test_failed_start) {
        Manager m;
        Service *s = new_service(&m);

        /* A start that never completed: an end, and no start timestamp. */
        service_set_state(s, SERVICE_STOPPING);
        service_set_state(s, SERVICE_EXITED);
        ck_assert_int_eq(s->state, SERVICE_EXITED);
        ck_assert_uint_eq(s->start_timestamp, 0);
        ck_assert_uint_gt(s->exit_timestamp, 0);
        service_set_state(s, SERVICE_FAILED);
        ck_assert_int_eq(s->state, SERVICE_EXITED);
        service_free(s);
}
END_TEST

START_TEST(test_found_ended) {
        Manager m;
        Service *s = new_service(&m);

        /* A service that ended while the daemon was away: judged by its recorded end. */
        service_set_ended(s, CLD_EXITED, 0, "ended while isolated was not running");
        ck_assert_int_eq(s->state, SERVICE_EXITED);
        ck_assert_int_eq(s->result, SERVICE_SUCCESS);
        ck_assert_str_eq(s->status_text, "ended while isolated was not running");
        ck_assert_uint_gt(s->exit_timestamp, 0);
        service_free(s);

        s = new_service(&m);
        service_set_ended(s, CLD_KILLED, SIGKILL, NULL);
        ck_assert_int_eq(s->state, SERVICE_FAILED);
        ck_assert_int_eq(s->result, SERVICE_FAILURE_SIGNAL);
        ck_assert_int_eq(s->exit_code, CLD_KILLED);
        ck_assert_int_eq(s->exit_status, SIGKILL);
        service_free(s);

        s = new_service(&m);
        service_set_ended(s, CLD_EXITED, 4, NULL);
        ck_assert_int_eq(s->state, SERVICE_FAILED);
        ck_assert_int_eq(s->result, SERVICE_FAILURE_EXIT_CODE);
        service_free(s);

        s = new_service(&m);
        service_set_ended(s, CLD_DUMPED, SIGSEGV, NULL);
        ck_assert_int_eq(s->result, SERVICE_FAILURE_CORE_DUMP);
        service_free(s);
}
END_TEST

static Suite *service_suite(void) {
        Suite *s = suite_create("service");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_lifecycle);
        tcase_add_test(tc, test_failed_start);
        tcase_add_test(tc, test_found_ended);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(service_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
