/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tmpfiles-plan.h"

#define FOREACH_STRING(x, ...) for (const char *const *x##_i = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_i); x##_i++)

static TmpfilesPlanEntry e;

START_TEST(test_round_trip) {
        _cleanup_(tmpfiles_plan_writer_done) TmpfilesPlanWriter w = {};
        static const char file[] = "hello\0world\n"; /* any bytes */
        TmpfilesPlanReader r;
        size_t n;

        ck_assert_int_eq(tmpfiles_plan_write_header(&w, 65, "Failed to create x\n", 19), 0);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'd', 02755, 0, 101, "lock", NULL, 0), 0);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'f', 0640, 0, 5, "lock/with space\nand line", file, sizeof(file)), 0);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'l', 0, 0, 0, "link", "/var/lib/x", 10), 0);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'p', 0600, 65534, 65534, "lock/fifo", NULL, 0), 0);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'f', 0, 4294967294u, 0, "empty", NULL, 0), 0);
        ck_assert_uint_eq(w.n_entries, 5);

        ck_assert_int_eq(tmpfiles_plan_validate(w.buf, w.size, &n), 0);
        ck_assert_uint_eq(n, 5);
        ck_assert_int_eq(tmpfiles_plan_reader_init(&r, w.buf, w.size), 0);
        ck_assert_int_eq(r.status, 65);
        ck_assert_uint_eq(r.messages_size, 19);
        ck_assert(memcmp(r.messages, "Failed to create x\n", 19) == 0);

        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 1);
        ck_assert_int_eq(e.type, 'd');
        ck_assert_uint_eq(e.mode, 02755);
        ck_assert_uint_eq(e.uid, 0);
        ck_assert_uint_eq(e.gid, 101);
        ck_assert_str_eq(e.path, "lock");
        ck_assert_uint_eq(e.data_size, 0);

        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 1);
        ck_assert_int_eq(e.type, 'f');
        ck_assert_str_eq(e.path, "lock/with space\nand line");
        ck_assert_uint_eq(e.data_size, sizeof(file));
        ck_assert(memcmp(e.data, file, sizeof(file)) == 0);

        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 1);
        ck_assert_int_eq(e.type, 'l');
        ck_assert_str_eq(e.target, "/var/lib/x");

        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 1);
        ck_assert_int_eq(e.type, 'p');
        ck_assert_uint_eq(e.uid, 65534);

        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 1);
        ck_assert_uint_eq(e.uid, 4294967294u);
        ck_assert_uint_eq(e.data_size, 0);
        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 0);
        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 0);
}
END_TEST

START_TEST(test_writer_refuses) {
        _cleanup_(tmpfiles_plan_writer_done) TmpfilesPlanWriter w = {};
        _cleanup_free_ char *big = calloc(1, TMPFILES_PLAN_FILE_MAX + 1);
        char messages[TMPFILES_PLAN_MESSAGES_MAX + 10];
        TmpfilesPlanReader r;

        ck_assert_ptr_nonnull(big);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'd', 0755, 0, 0, "x", NULL, 0), -EINVAL); /* no header */
        ck_assert_int_eq(tmpfiles_plan_write_header(&w, 256, NULL, 0), -EINVAL);
        memset(messages, 'm', sizeof(messages));
        ck_assert_int_eq(tmpfiles_plan_write_header(&w, 0, messages, sizeof(messages)), 0); /* cut */
        FOREACH_STRING(p, "", "/abs", "a//b", "a/", "./a", "a/./b", "..", "a/../b", "a/..")
                ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'd', 0755, 0, 0, p, NULL, 0), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'c', 0755, 0, 0, "x", NULL, 0), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'd', 010000, 0, 0, "x", NULL, 0), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'd', 0755, (uid_t) -1, 0, "x", NULL, 0), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'd', 0755, 0, 0, "x", "y", 1), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'l', 0, 0, 0, "x", NULL, 0), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'l', 0, 0, 0, "x", "a\0b", 3), -EINVAL);
        ck_assert_int_eq(tmpfiles_plan_write_entry(&w, 'f', 0644, 0, 0, "x", big, TMPFILES_PLAN_FILE_MAX + 1), -EINVAL);
        ck_assert_uint_eq(w.n_entries, 0);
        ck_assert_int_eq(tmpfiles_plan_reader_init(&r, w.buf, w.size), 0);
        ck_assert_uint_eq(r.messages_size, TMPFILES_PLAN_MESSAGES_MAX);
        ck_assert_int_eq(tmpfiles_plan_next(&r, &e), 0);
}
END_TEST

static int validate(const char *text) {
        return tmpfiles_plan_validate(text, strlen(text), NULL);
}

#define HEADER TMPFILES_PLAN_MAGIC "STATUS 0\nMESSAGES 0\n"

START_TEST(test_reader_refuses) {
        ck_assert_int_eq(validate(HEADER), 0);
        ck_assert_int_eq(validate(HEADER "d 755 0 0 3 0\nrun"), 0);
        ck_assert_int_eq(validate(TMPFILES_PLAN_MAGIC "STATUS 1\nMESSAGES 3\nabc"), 0);
        FOREACH_STRING(bad, "", "TMPFILES-PLAN 2\nSTATUS 0\nMESSAGES 0\n", TMPFILES_PLAN_MAGIC "STATUS 256\nMESSAGES 0\n",
                       TMPFILES_PLAN_MAGIC "STATUS 01\nMESSAGES 0\n", TMPFILES_PLAN_MAGIC "STATUS 0\nMESSAGES 4\nabc",
                       TMPFILES_PLAN_MAGIC "STATUS 0\nMESSAGES 99999\n", TMPFILES_PLAN_MAGIC "STATUS -1\nMESSAGES 0\n",
                       HEADER "d 755 0 0 3 0\nru",           /* short path */
                       HEADER "d 755 0 0 3 0\nrunx",         /* trailing */
                       HEADER "d 755 0 0 3 1\nrunx",         /* data on a directory */
                       HEADER "x 755 0 0 3 0\nrun",          /* type */
                       HEADER "d 758 0 0 3 0\nrun",          /* not octal */
                       HEADER "d 17777 0 0 3 0\nrun",        /* mode */
                       HEADER "d 755 4294967295 0 3 0\nrun", /* (uid_t) -1 */
                       HEADER "d 755 0 0 0 0\n",             /* empty path */
                       HEADER "d 755 0 0 2 0\n..",           /* .. */
                       HEADER "d 755 0 0 4 0\n/run",         /* absolute */
                       HEADER "d 755 0 0 4 0\na//b",         /* empty component */
                       HEADER "l 0 0 0 1 0\na",              /* symlink without a target */
                       HEADER "f 644 0 0 1 99999999999999999999\na",
                       HEADER "d  755 0 0 1 0\na", HEADER "d 755 0 0 1 0 \na", HEADER "d 755 0 0 1 0")
                ck_assert_msg(validate(bad) == -EBADMSG, "accepted: %s", bad);
        /* A NUL in a path or a target. */
        {
                static const char nul_path[] = HEADER "d 755 0 0 3 0\na\0b";
                static const char nul_target[] = HEADER "l 0 0 0 1 3\nxa\0b";

                ck_assert_int_eq(tmpfiles_plan_validate(nul_path, sizeof(nul_path) - 1, NULL), -EBADMSG);
                ck_assert_int_eq(tmpfiles_plan_validate(nul_target, sizeof(nul_target) - 1, NULL), -EBADMSG);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("tmpfiles-plan");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_writer_refuses);
        tcase_add_test(tc, test_reader_refuses);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
