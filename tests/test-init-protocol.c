/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "init-protocol.h"

static int parse(const char *text, InitMessage *m) {
        static char buf[INIT_TEXT_MAX * 2 + 256];

        ck_assert_uint_lt(strlen(text), sizeof(buf));
        strcpy(buf, text);
        return init_message_parse(buf, strlen(buf), m);
}

/* Encoded by the init, decoded by the daemon: the same message. */
static void roundtrip(const InitMessage *in, InitMessage *out) {
        char buf[INIT_TEXT_MAX + 128];
        int n = init_message_format(in, buf, sizeof(buf));

        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(init_message_parse(buf, (size_t) n, out), 0);
        ck_assert_int_eq(out->type, in->type);
}

START_TEST(test_roundtrip) {
        InitMessage m;

        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_HELLO, .version = INIT_PROTOCOL_VERSION }, &m);
        ck_assert_uint_eq(m.version, INIT_PROTOCOL_VERSION);

        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_MAIN, .pid = 42, .state = INIT_STATE_RELOADING, .n_restarts = 3,
                                   .text = "busy: 3 clients\nsecond line dropped" },
                  &m);
        ck_assert_int_eq(m.pid, 42);
        ck_assert_int_eq(m.state, INIT_STATE_RELOADING);
        ck_assert_uint_eq(m.n_restarts, 3);
        ck_assert_str_eq(m.text, "busy: 3 clients");

        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_FAILED, .error = ENOENT, .text = "Failed to execute /x" }, &m);
        ck_assert_int_eq(m.error, ENOENT);
        ck_assert_str_eq(m.text, "Failed to execute /x");

        ck_assert_int_eq(init_message_exited(W_EXITCODE(3, 0), &m), 0);
        m.start_limit_hit = true;
        roundtrip(&m, &m);
        ck_assert_int_eq(m.code, CLD_EXITED);
        ck_assert_int_eq(m.status, 3);
        ck_assert(m.start_limit_hit);
        ck_assert_int_eq(m.end_result, INIT_END_START_LIMIT_HIT);

        /* RESULT= of WatchdogSec=, RuntimeMaxSec=, ExecCondition=. */
        for (InitEndResult er = INIT_END_WATCHDOG; er < _INIT_END_RESULT_MAX; er++) {
                ck_assert_int_eq(init_message_exited(W_EXITCODE(0, SIGABRT), &m), 0);
                m.end_result = er;
                roundtrip(&m, &m);
                ck_assert_int_eq(m.end_result, er);
                ck_assert(!m.start_limit_hit);
                ck_assert_int_eq(init_end_result_from_string(init_end_result_to_string(er)), er);
        }
        ck_assert_int_eq(init_end_result_from_string(""), _INIT_END_RESULT_INVALID);
        ck_assert_int_eq(init_end_result_from_string("success"), _INIT_END_RESULT_INVALID);

        ck_assert_int_eq(init_message_exited(W_EXITCODE(0, SIGSEGV) | 0x80, &m), 0);
        roundtrip(&m, &m);
        ck_assert_int_eq(m.code, CLD_DUMPED);
        ck_assert_int_eq(m.status, SIGSEGV);

        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_RELOADED }, &m);
        ck_assert_int_eq(m.error, 0);
        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_RELOADED, .error = EIO, .text = "" }, &m);
        ck_assert_int_eq(m.error, EIO);
        ck_assert_str_eq(m.text, "");
}
END_TEST

START_TEST(test_text_is_cleaned) {
        InitMessage m;

        /* What a service says in STATUS= reaches the daemon as the grammar allows it. */
        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_MAIN, .state = INIT_STATE_RUNNING, .text = "a\x1b[2Jb\x7f\tc" }, &m);
        ck_assert_str_eq(m.text, "a?[2Jb?\tc");
        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_FAILED, .error = EIO, .text = "bad \xff\xfe utf-8 \xc3\xa9" }, &m);
        ck_assert_str_eq(m.text, "bad ?? utf-8 ??");
        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_MAIN, .state = INIT_STATE_RUNNING, .text = "caf\xc3\xa9" }, &m);
        ck_assert_str_eq(m.text, "caf\xc3\xa9");
}
END_TEST

START_TEST(test_long_text_is_cut) {
        char text[INIT_TEXT_MAX + 100];
        InitMessage m;

        /* A multi-byte character across the limit is not split. */
        memset(text, 'a', sizeof(text) - 1);
        text[sizeof(text) - 1] = 0;
        memcpy(text + INIT_TEXT_MAX - 1, "\xc3\xa9", 2);
        roundtrip(&(InitMessage) { .type = INIT_MESSAGE_MAIN, .state = INIT_STATE_RUNNING, .text = text }, &m);
        ck_assert_uint_eq(strlen(m.text), INIT_TEXT_MAX - 1);
}
END_TEST

/* What a service that took its init over might send. */
START_TEST(test_rejects) {
        static const char *const bad[] = {
                "", "MAIN", "MAIN 1", "MAIN -1\nSTATE=running\nNRESTARTS=0\nSTATUS=",
                "MAIN 1\nSTATE=exploded\nNRESTARTS=0\nSTATUS=", "MAIN 1\nSTATE=running\nNRESTARTS=-1\nSTATUS=",
                "MAIN 01\nSTATE=running\nNRESTARTS=0\nSTATUS=", "MAIN 99999999999\nSTATE=running\nNRESTARTS=0\nSTATUS=",
                "MAIN 1\nSTATE=running\nNRESTARTS=0\nSTATUS=a\nb", "MAIN 1\nSTATE=running\nNRESTARTS=0\nSTATUS=\xff",
                "MAIN 1\nSTATE=running\nNRESTARTS=0\nSTATUS=\x1b[2J", "FAILED 1\na\x7f", "MAIN 1 \nSTATE=running\nNRESTARTS=0\nSTATUS=",
                "FAILED 0\nx", "FAILED 5000\nx", "FAILED 2", "FAILED x\ny", "EXITED exited 256", "EXITED killed 0",
                "EXITED killed 65", "EXITED vanished 1", "EXITED exited 1\nRESULT=success", "EXITED exited 1\nRESULT=", "EXITED exited 1\nRESULT=watchdog\n", "EXITED exited",
                "EXITED exited 1 ", "RELOADED 0\ntext", "RELOADED", "RELOADED 12", "HELLO", "HELLO five",
                "HELLO 70000", "SHELL-EXITED 1 exited 0", "PTY 1 0", "STOP", "KILL all 9", "hello 5",
        };
        InitMessage m;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(parse(bad[i], &m) == -EBADMSG, "accepted \"%s\"", bad[i]);

        /* An embedded NUL. */
        char buf[] = "HELLO 5\0junk";
        ck_assert_int_eq(init_message_parse(buf, sizeof(buf) - 1, &m), -EBADMSG);
}
END_TEST

START_TEST(test_exit_record) {
        char buf[64];
        int code, status;

        ck_assert_int_gt(init_exit_record_format(W_EXITCODE(7, 0), INIT_END_NONE, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "EXITED exited 7\n");
        ck_assert_int_eq(init_exit_record_parse(buf, &code, &status, NULL), 0);
        ck_assert_int_eq(code, CLD_EXITED);
        ck_assert_int_eq(status, 7);
        ck_assert_int_gt(init_exit_record_format(W_EXITCODE(0, SIGTERM), INIT_END_NONE, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "EXITED killed 15\n");

        ck_assert_int_eq(init_exit_record_parse("", &code, &status, NULL), -ENOENT);
        ck_assert_int_eq(init_exit_record_parse("EXITED exited 7", &code, &status, NULL), -EBADMSG);
        /* With RESULT=, as EXITED has it: a daemon that was away learns watchdog, timeout... */
        {
                InitEndResult result = INIT_END_NONE;

                ck_assert_int_gt(init_exit_record_format(W_EXITCODE(0, SIGABRT), INIT_END_WATCHDOG, buf, sizeof(buf)), 0);
                ck_assert_str_eq(buf, "EXITED killed 6\nRESULT=watchdog\n");
                ck_assert_int_eq(init_exit_record_parse(buf, &code, &status, &result), 0);
                ck_assert_int_eq(code, CLD_KILLED);
                ck_assert_int_eq(status, SIGABRT);
                ck_assert_int_eq(result, INIT_END_WATCHDOG);
                ck_assert_int_eq(init_exit_record_parse("EXITED exited 7\nRESULT=start-limit-hit\n", &code, &status,
                                                        &result), 0);
                ck_assert_int_eq(result, INIT_END_START_LIMIT_HIT);
                ck_assert_int_eq(init_exit_record_parse("EXITED exited 7\n", &code, &status, &result), 0);
                ck_assert_int_eq(result, INIT_END_NONE);
                ck_assert_int_eq(init_exit_record_parse("EXITED exited 7\nRESULT=bogus\n", &code, &status, &result),
                                 -EBADMSG);
        }
        ck_assert_int_eq(init_exit_record_parse("MAIN 1\n", &code, &status, NULL), -EBADMSG);
}
END_TEST

START_TEST(test_daemon_requests) {
        static const DaemonRequest requests[] = {
                { .type = DAEMON_REQUEST_HELLO, .version = INIT_PROTOCOL_VERSION },
                { .type = DAEMON_REQUEST_STOP },
                { .type = DAEMON_REQUEST_RELOAD },
                { .type = DAEMON_REQUEST_KILL, .kill_all = true, .signal = SIGKILL },
                { .type = DAEMON_REQUEST_KILL, .signal = SIGHUP },
                { .type = DAEMON_REQUEST_RESTART },
        };
        static const char *const bad[] = { "STOP now", "KILL main 0", "KILL main 65", "KILL some 9", "KILL main",
                                           "PTY 1", "SHELL-KILL 1", "RELOAD ", "HELLO", "start",
                                           "RESTART now", "RESTART " };
        char buf[64];
        DaemonRequest r;

        for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
                int n = daemon_request_format(&requests[i], buf, sizeof(buf));

                ck_assert_int_gt(n, 0);
                ck_assert_int_eq(daemon_request_parse(buf, (size_t) n, &r), 0);
                ck_assert_int_eq(r.type, requests[i].type);
                ck_assert_int_eq(r.kill_all, requests[i].kill_all);
                ck_assert_int_eq(r.signal, requests[i].signal);
                ck_assert_uint_eq(r.version, requests[i].version);
        }
        ck_assert_str_eq((daemon_request_format(&requests[3], buf, sizeof(buf)), buf), "KILL all 9");
        ck_assert_str_eq((daemon_request_format(&requests[5], buf, sizeof(buf)), buf), "RESTART");
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(daemon_request_parse(bad[i], strlen(bad[i]), &r) == -EBADMSG, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(daemon_request_format(&(DaemonRequest) { .type = DAEMON_REQUEST_KILL, .signal = 0 }, buf,
                                               sizeof(buf)),
                         -EINVAL);
}
END_TEST

int main(void) {
        Suite *s = suite_create("init-protocol");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_roundtrip);
        tcase_add_test(tc, test_long_text_is_cut);
        tcase_add_test(tc, test_text_is_cleaned);
        tcase_add_test(tc, test_rejects);
        tcase_add_test(tc, test_exit_record);
        tcase_add_test(tc, test_daemon_requests);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
