/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "init-protocol.h"
#include "shell-protocol.h"
#include "strv.h"

START_TEST(test_request_roundtrip) {
        char *argv[] = { (char *) "sh", (char *) "-c", (char *) "", (char *) "echo a b", NULL };
        char *env[] = { (char *) "HOME=/x", (char *) "TERM=xterm-256color", NULL };
        _cleanup_strv_free_ char **got = NULL;
        _cleanup_free_ char *msg = NULL, *term = NULL;
        size_t size;
        uint64_t id;

        ck_assert_int_eq(shell_request_encode(UINT64_MAX, argv, env, &msg, &size), 0);
        ck_assert_int_eq(msg[size], 0);
        ck_assert_int_eq(shell_request_id(msg, &id), 0);
        ck_assert(id == UINT64_MAX);
        ck_assert_int_eq(shell_request_decode(msg, size, &id, &got, &term), 0);
        ck_assert_uint_eq(strv_length(got), 4);
        ck_assert_str_eq(got[2], "");
        ck_assert_str_eq(got[3], "echo a b");
        ck_assert_str_eq(term, "xterm-256color"); /* HOME= of the caller is dropped */
}
END_TEST

START_TEST(test_request_empty_and_bad) {
        _cleanup_strv_free_ char **got = NULL;
        _cleanup_free_ char *msg = NULL, *term = NULL;
        char big[200];
        char *env[] = { big, NULL };
        size_t size;
        uint64_t id;

        /* No argv: the user's shell; a TERM that is too long, or a path, is dropped. */
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        memcpy(big, "TERM=", 5);
        ck_assert_int_eq(shell_request_encode(7, NULL, env, &msg, &size), 0);
        ck_assert_int_eq(shell_request_decode(msg, size, &id, &got, &term), 0);
        ck_assert(id == 7);
        ck_assert_ptr_nonnull(got);
        ck_assert_ptr_null(got[0]);
        ck_assert_ptr_null(term);
        got = strv_free(got);
        ck_assert_int_eq(shell_request_decode("SHELL 1 0\nTERM=../x", 19, &id, &got, &term), -EBADMSG);
        ck_assert_int_eq(shell_request_decode("SHELL 1 0\nTERM=../x\0", 20, &id, &got, &term), 0);
        ck_assert_ptr_null(term);
        got = strv_free(got);

        ck_assert_int_eq(shell_request_decode("SHELL 1 2\na\0", 12, &id, &got, &term), -EBADMSG); /* one arg short */
        ck_assert_int_eq(shell_request_decode("SHELL 1\na\0", 10, &id, &got, &term), -EBADMSG);
        ck_assert_int_eq(shell_request_decode("SHELL x 1\na\0", 12, &id, &got, &term), -EBADMSG);
        ck_assert_int_eq(shell_request_decode("SHELL 1 1 a\0", 12, &id, &got, &term), -EBADMSG);
        ck_assert_int_eq(shell_request_decode("SHELL -1 1\na\0", 13, &id, &got, &term), -EBADMSG);
        ck_assert_int_eq(shell_request_decode("SHELL 99999999999999999999 1\na\0", 31, &id, &got, &term), -EBADMSG);
        ck_assert_int_eq(shell_request_id("SHELL-KILL 1", &id), -EBADMSG);
        ck_assert_int_eq(shell_request_id("SHELL 5 garbage", &id), 0); /* still answerable */
        ck_assert(id == 5);
}
END_TEST

START_TEST(test_request_too_big) {
        _cleanup_free_ char *msg = NULL, *huge = NULL;
        char *argv[] = { NULL, NULL };
        size_t size;

        huge = malloc(INIT_SHELL_MESSAGE_MAX + 1);
        ck_assert_ptr_nonnull(huge);
        memset(huge, 'a', INIT_SHELL_MESSAGE_MAX);
        huge[INIT_SHELL_MESSAGE_MAX] = 0;
        argv[0] = huge;
        ck_assert_int_eq(shell_request_encode(1, argv, NULL, &msg, &size), -E2BIG);
        ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(test_simple) {
        char buf[64];
        uint64_t id;

        ck_assert_int_gt(shell_simple_format("PTY", 42, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "PTY 42");
        ck_assert_int_eq(shell_simple_decode("PTY", buf, &id), 0);
        ck_assert(id == 42);
        ck_assert_int_eq(shell_simple_decode("SHELL-KILL", "SHELL-KILL 3", &id), 0);
        ck_assert(id == 3);
        /* A health check's ID (the top bit set), killed after HealthTimeout=. */
        ck_assert_int_gt(shell_simple_format("SHELL-SIGKILL", (UINT64_C(1) << 63) | 5, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "SHELL-SIGKILL 9223372036854775813");
        ck_assert_int_eq(shell_simple_decode("SHELL-SIGKILL", buf, &id), 0);
        ck_assert(id == ((UINT64_C(1) << 63) | 5));
        ck_assert_int_eq(shell_simple_decode("SHELL-KILL", buf, &id), -EBADMSG);
        ck_assert_int_eq(shell_simple_decode("PTY", "PTY 3 0", &id), -EBADMSG);
        ck_assert_int_eq(shell_simple_decode("PTY", "PTYX 3", &id), -EBADMSG);
        ck_assert_int_eq(shell_simple_decode("PTY", "PTY ", &id), -EBADMSG);
        ck_assert_int_eq(shell_simple_format("PTY", 42, buf, 4), -ENOBUFS);
}
END_TEST

START_TEST(test_reply_roundtrip) {
        ShellReply r;
        char buf[512], text[400];

        ck_assert_int_gt(shell_reply_format_exited(9, W_EXITCODE(7, 0), buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "SHELL-EXITED 9 exited 7");
        ck_assert_int_eq(shell_reply_decode(buf, &r), 0);
        ck_assert_int_eq(r.type, SHELL_REPLY_EXITED);
        ck_assert(r.id == 9);
        ck_assert_int_eq(r.code, CLD_EXITED);
        ck_assert_int_eq(r.status, 7);

        ck_assert_int_gt(shell_reply_format_exited(10, W_EXITCODE(0, SIGKILL), buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "SHELL-EXITED 10 killed 9");
        ck_assert_int_eq(shell_reply_decode(buf, &r), 0);
        ck_assert_int_eq(r.code, CLD_KILLED);
        ck_assert_int_eq(r.status, SIGKILL);
        ck_assert_str_eq(shell_exit_code_to_string(r.code), "killed");

        ck_assert_int_gt(shell_reply_format_failed(11, -ENOENT, "Failed to execute x: No such file\nmore", buf,
                                                   sizeof(buf)), 0);
        ck_assert_int_eq(shell_reply_decode(buf, &r), 0);
        ck_assert_int_eq(r.type, SHELL_REPLY_FAILED);
        ck_assert_int_eq(r.error, ENOENT);
        ck_assert_str_eq(r.text, "Failed to execute x: No such file");

        /* A long text is cut to what the reply holds. */
        memset(text, 't', sizeof(text) - 1);
        text[sizeof(text) - 1] = 0;
        ck_assert_int_gt(shell_reply_format_failed(12, EBUSY, text, buf, sizeof(buf)), 0);
        ck_assert_int_eq(shell_reply_decode(buf, &r), 0);
        ck_assert_uint_eq(strlen(r.text), SHELL_TEXT_MAX - 1);

        ck_assert_int_gt(shell_reply_format_pty(13, 0, buf, sizeof(buf)), 0);
        ck_assert_int_eq(shell_reply_decode(buf, &r), 0);
        ck_assert_int_eq(r.type, SHELL_REPLY_PTY);
        ck_assert_int_eq(r.error, 0);
        ck_assert_int_gt(shell_reply_format_pty(14, -EMFILE, buf, sizeof(buf)), 0);
        ck_assert_int_eq(shell_reply_decode(buf, &r), 0);
        ck_assert_int_eq(r.error, EMFILE);
}
END_TEST

START_TEST(test_reply_garbled) {
        ShellReply r = { .id = 77 };

        ck_assert_int_eq(shell_reply_decode("MAIN 5\nSTATE=running", &r), -ENOMSG);
        ck_assert_int_eq(shell_reply_decode("RELOADED 0", &r), -ENOMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED 1 exited", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED 1 exited 256", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED 1 killed 0", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED 1 killed 999", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED 1 exploded 1", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED 1 exited 1 ", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-EXITED -1 exited 1", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-FAILED 1 0\nok?", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-FAILED 1 99999", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("SHELL-FAILED 1 2x", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("PTY 1", &r), -EBADMSG);
        ck_assert_int_eq(shell_reply_decode("PTY 1 0 0", &r), -EBADMSG);
        ck_assert(r.id == 77); /* untouched on failure */
        ck_assert_int_eq(shell_reply_decode("SHELL-FAILED 1 2", &r), 0);
        ck_assert_str_eq(r.text, "");
}
END_TEST

static Suite *shell_protocol_suite(void) {
        Suite *s = suite_create("shell-protocol");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_request_roundtrip);
        tcase_add_test(tc, test_request_empty_and_bad);
        tcase_add_test(tc, test_request_too_big);
        tcase_add_test(tc, test_simple);
        tcase_add_test(tc, test_reply_roundtrip);
        tcase_add_test(tc, test_reply_garbled);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(shell_protocol_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
