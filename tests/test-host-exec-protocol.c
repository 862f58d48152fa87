/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <string.h>
#include <sys/wait.h>

#include "host-exec-protocol.h"
#include "macro.h"

static const char *format(const HostExecMessage *m) {
        static char buf[HOST_EXEC_MESSAGE_MAX];

        ck_assert_int_gt(host_exec_message_format(m, buf, sizeof(buf)), 0);
        return buf;
}

START_TEST(test_round_trip) {
        HostExecMessage m;

        ck_assert_str_eq(format(&(HostExecMessage) { .type = HOST_EXEC_RUN, .seq = 7, .key = HOST_EXEC_RELOAD, .index = 1 }),
                         "EXEC-HOST 7 ExecReload 1");
        ck_assert_int_eq(host_exec_message_parse("EXEC-HOST 7 ExecReload 1", &m), 0);
        ck_assert(m.type == HOST_EXEC_RUN && m.seq == 7 && m.key == HOST_EXEC_RELOAD && m.index == 1);

        ck_assert_str_eq(format(&(HostExecMessage) { .type = HOST_EXEC_KILL, .seq = UINT64_MAX }),
                         "EXEC-HOST-KILL 18446744073709551615");
        ck_assert_int_eq(host_exec_message_parse("EXEC-HOST-KILL 18446744073709551615", &m), 0);
        ck_assert(m.type == HOST_EXEC_KILL && m.seq == UINT64_MAX);

        ck_assert_str_eq(format(&(HostExecMessage) { .type = HOST_EXEC_DONE, .seq = 2, .wait_status = W_EXITCODE(4, 0) }),
                         "EXEC-HOST-DONE 2 1024 0");
        ck_assert_int_eq(host_exec_message_parse("EXEC-HOST-DONE 2 0 13", &m), 0);
        ck_assert(m.type == HOST_EXEC_DONE && m.seq == 2 && m.wait_status == 0 && m.error == 13);
}
END_TEST

/* What an init that its service took over may send: nothing but a known key and numbers. */
START_TEST(test_garbled) {
        static const char *const bad[] = {
                "EXEC-HOST 1 ExecStart 0",      /* the main process is never run on the host */
                "EXEC-HOST 1 ExecReload",       "EXEC-HOST 1 ExecReload 0 x", "EXEC-HOST 1 ExecReload -1",
                "EXEC-HOST 01 ExecReload 0",    "EXEC-HOST 1  ExecReload 0",  "EXEC-HOST 1 ExecReload 65536",
                "EXEC-HOST 18446744073709551616 ExecStop 0", "EXEC-HOST x ExecStop 0", "EXEC-HOST-KILL ",
                "EXEC-HOST-KILL 1 2",           "EXEC-HOST-DONE 1 2",         "EXEC-HOST-DONE 1 65536 0",
                "EXEC-HOST-DONE 1 0 4096",      "EXEC-HOST-DONE 1 0 -1",      "EXEC-HOST /bin/sh 0 0",
        };
        HostExecMessage m;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(host_exec_message_parse(bad[i], &m) == -EBADMSG, "%s", bad[i]);
        ck_assert_int_eq(host_exec_message_parse("MAIN 1", &m), -ENOMSG);
        ck_assert_int_eq(host_exec_message_parse("EXEC-HOSTX 1", &m), -ENOMSG);
        ck_assert_int_eq(host_exec_message_format(&(HostExecMessage) { .type = HOST_EXEC_RUN, .key = 9 }, (char[64]) {}, 64),
                         -EINVAL);
}
END_TEST

START_TEST(test_keys) {
        Description d = {};

        ck_assert_str_eq(host_exec_key_to_string(HOST_EXEC_START_PRE), "ExecStartPre");
        ck_assert_int_eq(host_exec_key_from_string("ExecStop"), HOST_EXEC_STOP);
        ck_assert_int_eq(host_exec_key_from_string("ExecStart"), _HOST_EXEC_KEY_INVALID);
        ck_assert_ptr_null(host_exec_key_to_string(_HOST_EXEC_KEY_MAX));
        d.exec_reload = (ExecCommand **) &d;
        ck_assert_ptr_eq(host_exec_key_list(&d, HOST_EXEC_RELOAD), (ExecCommand **) &d);
        ck_assert_ptr_null(host_exec_key_list(&d, HOST_EXEC_STOP));
        ck_assert_int_eq(host_exec_key_from_string("ExecCondition"), HOST_EXEC_CONDITION);
        ck_assert_int_eq(host_exec_key_from_string("ExecStopPost"), HOST_EXEC_STOP_POST);
        d.exec_condition = (ExecCommand **) &d.exec_reload;
        d.exec_stop_post = (ExecCommand **) &d.exec_condition;
        ck_assert_ptr_eq(host_exec_key_list(&d, HOST_EXEC_CONDITION), (ExecCommand **) &d.exec_reload);
        ck_assert_ptr_eq(host_exec_key_list(&d, HOST_EXEC_STOP_POST), (ExecCommand **) &d.exec_condition);
}
END_TEST

static Suite *host_exec_suite(void) {
        Suite *s = suite_create("host-exec-protocol");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_garbled);
        tcase_add_test(tc, test_keys);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(host_exec_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? 0 : 1;
}
