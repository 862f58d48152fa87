/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env-file.h"
#include "strv.h"

static char *joined;

static const char *join(char **l) {
        size_t n = 1;

        joined = mfree(joined);
        for (char **i = l; i && *i; i++)
                n += strlen(*i) + 1;
        joined = calloc(1, n);
        ck_assert_ptr_nonnull(joined);
        for (char **i = l; i && *i; i++) {
                if (i != l)
                        strcat(joined, "|");
                strcat(joined, *i);
        }
        return joined;
}

static const char *parse_ok(const char *text) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *error = NULL;

        ck_assert_msg(environment_file_parse(text, &env, &error) == 0, "%s", error);
        return join(env);
}

START_TEST(test_basic) {
        ck_assert_str_eq(parse_ok(""), "");
        ck_assert_str_eq(parse_ok("A=1\nB=2\n"), "A=1|B=2");
        ck_assert_str_eq(parse_ok("A=1\nB=2"), "A=1|B=2"); /* no final newline */
        ck_assert_str_eq(parse_ok("  A = 1  \n\tB=\t2\t\n"), "A=1|B=2");
        ck_assert_str_eq(parse_ok("# comment\n; comment\n  # indented\nA=1\n"), "A=1");
        ck_assert_str_eq(parse_ok("A=1\nA=2\n"), "A=2");
        ck_assert_str_eq(parse_ok("EMPTY=\nE2=\n"), "EMPTY=|E2=");
        ck_assert_str_eq(parse_ok("no equals sign\nA=1\n"), "A=1");
        ck_assert_str_eq(parse_ok("A=1\r\nB=2\r\n"), "A=1|B=2");
        ck_assert_str_eq(parse_ok("A=x # not a comment\n"), "A=x # not a comment");
        ck_assert_str_eq(parse_ok("A=a=b\n"), "A=a=b");
}
END_TEST

START_TEST(test_quotes) {
        ck_assert_str_eq(parse_ok("A='single $X \\n'\n"), "A=single $X \\n");
        ck_assert_str_eq(parse_ok("A=\"dq \\\"x\\\" \\$HOME \\\\ \\n\"\n"), "A=dq \"x\" $HOME \\ \\n");
        ck_assert_str_eq(parse_ok("A=\"two\nlines\"\nB=1\n"), "A=two\nlines|B=1");
        ck_assert_str_eq(parse_ok("A=\"con\\\ntinued\"\n"), "A=continued");
        ck_assert_str_eq(parse_ok("A='x' \"y\"z\n"), "A=xyz");
        ck_assert_str_eq(parse_ok("A=\"  spaced  \"\n"), "A=  spaced  ");
        ck_assert_str_eq(parse_ok("A=\"unterminated"), "A=unterminated");
}
END_TEST

START_TEST(test_continuation) {
        ck_assert_str_eq(parse_ok("A=one \\\ntwo\nB=3\n"), "A=one two|B=3");
        ck_assert_str_eq(parse_ok("A=a\\ b\\\\c\n"), "A=a b\\c");
        ck_assert_str_eq(parse_ok("# comment \\\nA=hidden\nB=1\n"), "B=1");
}
END_TEST

START_TEST(test_errors) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(strv_extend(&env, "KEEP=1"), 0);
        ck_assert_int_eq(environment_file_parse("A=1\n\n1BAD=x\n", &env, &error), -EINVAL);
        ck_assert_str_eq(error, "3: Invalid variable name '1BAD'");
        ck_assert_str_eq(join(env), "KEEP=1"); /* unchanged on failure */
        error = mfree(error);
        ck_assert_int_eq(environment_file_parse("A-B=x\n", &env, &error), -EINVAL);
        ck_assert_str_eq(error, "1: Invalid variable name 'A-B'");
        error = mfree(error);
        ck_assert_int_eq(environment_file_parse("A=\xff\n", &env, &error), -EINVAL);
        ck_assert_str_eq(error, "1: Invalid UTF-8 in the value of A");
        ck_assert_str_eq(parse_ok("A=\xc3\xa9t\xc3\xa9\n"), "A=\xc3\xa9t\xc3\xa9");
}
END_TEST

START_TEST(test_files) {
        char dir[] = "/tmp/test-env-file.XXXXXX", a[64], b[64], missing[64];
        _cleanup_strv_free_ char **env = NULL, **files = NULL;
        _cleanup_free_ char *error = NULL;
        FILE *f;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(a, sizeof(a), "%s/a", dir);
        snprintf(b, sizeof(b), "-%s/b", dir);
        snprintf(missing, sizeof(missing), "-%s/missing", dir);
        f = fopen(a, "we");
        fputs("FOO=from-a\nBAR=a\n", f);
        fclose(f);
        f = fopen(b + 1, "we");
        fputs("BAR=from-b\n", f);
        fclose(f);

        ck_assert_int_eq(strv_extend(&env, "FOO=env"), 0);
        ck_assert_int_eq(strv_extend(&files, a), 0);
        ck_assert_int_eq(strv_extend(&files, missing), 0);
        ck_assert_int_eq(strv_extend(&files, b), 0);
        ck_assert_int_eq(environment_files_apply(files, &env, &error), 0);
        ck_assert_str_eq(join(env), "FOO=from-a|BAR=from-b");

        /* Without "-" a missing file is an error naming it. */
        strv_free(files);
        files = NULL;
        ck_assert_int_eq(strv_extend(&files, missing + 1), 0);
        ck_assert_int_eq(environment_files_apply(files, &env, &error), -ENOENT);
        ck_assert_ptr_nonnull(strstr(error, "/missing: No such file or directory"));

        /* A bad line names file:line. */
        f = fopen(a, "we");
        fputs("OK=1\nnot valid=2\n", f);
        fclose(f);
        strv_free(files);
        files = NULL;
        ck_assert_int_eq(strv_extend(&files, a), 0);
        ck_assert_int_eq(environment_files_apply(files, &env, &error), -EINVAL);
        {
                char expected[128];
                snprintf(expected, sizeof(expected), "%s:2: Invalid variable name 'not valid'", a);
                ck_assert_str_eq(error, expected);
        }

        unlink(a);
        unlink(b + 1);
        rmdir(dir);
}
END_TEST

static char **list(const char *joined_by_bar) {
        char **l = NULL;
        _cleanup_free_ char *copy = strdup(joined_by_bar);

        ck_assert_ptr_nonnull(copy);
        for (char *save = NULL, *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save))
                ck_assert_int_eq(strv_extend(&l, w), 0);
        return l;
}

START_TEST(test_unset) {
        _cleanup_strv_free_ char **env = list("A=1|AB=2|B=1 2|C=|D=x=y|E=3");
        _cleanup_strv_free_ char **patterns = list("A|B=1|B=1 2|C=|D=x|F|E=");

        /* A name: every assignment of it (not of a name it begins); NAME=VALUE: that one only. */
        environment_unset(env, patterns);
        ck_assert_str_eq(join(env), "AB=2|D=x=y|E=3");
        environment_unset(env, NULL);
        ck_assert_str_eq(join(env), "AB=2|D=x=y|E=3");
        environment_unset(NULL, patterns);
}
END_TEST

int main(void) {
        Suite *s = suite_create("env-file");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_basic);
        tcase_add_test(tc, test_quotes);
        tcase_add_test(tc, test_continuation);
        tcase_add_test(tc, test_errors);
        tcase_add_test(tc, test_files);
        tcase_add_test(tc, test_unset);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        free(joined);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
