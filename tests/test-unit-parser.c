/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "description.h"
#include "strv.h"
#include "unit-parser.h"

/* Records every call as "LINE [SECTION] KEY=VALUE" or "LINE [SECTION]". */
static int record(const char *section, const char *key, const char *value, unsigned line, void *userdata, char **ret_error) {
        char ***seen = userdata;
        char *s;

        if (asprintf(&s, "%u [%s] %s=%s", line, section, key, value) < 0)
                return -ENOMEM;
        return strv_consume(seen, s);
}

static int record_section(const char *section, unsigned line, void *userdata, char **ret_error) {
        char ***seen = userdata;
        char *s;

        if (asprintf(&s, "%u [%s]", line, section) < 0)
                return -ENOMEM;
        return strv_consume(seen, s);
}

static char *joined;

/* Parses text and returns the calls joined with "|", or "ERROR r: text". */
static const char *parse(const char *text) {
        _cleanup_strv_free_ char **seen = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n = 0;
        int r;

        joined = mfree(joined);
        r = unit_file_parse_full("test.service", text, record_section, record, &seen, &error);
        if (r < 0) {
                ck_assert_ptr_nonnull(error);
                ck_assert_int_eq(asprintf(&joined, "ERROR %d: %s", r, error) >= 0, 1);
                return joined;
        }
        ck_assert_ptr_null(error);

        for (char **i = seen; i && *i; i++)
                n += strlen(*i) + 1;
        joined = calloc(1, n + 1);
        ck_assert_ptr_nonnull(joined);
        for (char **i = seen; i && *i; i++) {
                if (i != seen)
                        strcat(joined, "|");
                strcat(joined, *i);
        }
        return joined;
}

START_TEST(test_basic) {
        ck_assert_str_eq(parse("[Unit]\nDescription=Hello\n\n[Service]\nExecStart=/bin/true\n"),
                         "1 [Unit]|2 [Unit] Description=Hello|4 [Service]|5 [Service] ExecStart=/bin/true");
        ck_assert_str_eq(parse(""), "");
        ck_assert_str_eq(parse("\n\n\n"), "");
        /* No newline at the end. */
        ck_assert_str_eq(parse("[A]\nk=v"), "1 [A]|2 [A] k=v");
        /* A section may repeat. */
        ck_assert_str_eq(parse("[A]\nk=1\n[B]\nk=2\n[A]\nk=3\n"),
                         "1 [A]|2 [A] k=1|3 [B]|4 [B] k=2|5 [A]|6 [A] k=3");
}
END_TEST

START_TEST(test_whitespace) {
        ck_assert_str_eq(parse("[S]\n  Key  =  value with  spaces  \n"), "1 [S]|2 [S] Key=value with  spaces");
        ck_assert_str_eq(parse("[S]\n\tKey\t=\tv\t\n"), "1 [S]|2 [S] Key=v");
        ck_assert_str_eq(parse("  [S]  \nKey=\n"), "1 [S]|2 [S] Key=");
        ck_assert_str_eq(parse("[S]\nKey=   \n"), "1 [S]|2 [S] Key=");
        /* Only the first "=" splits. */
        ck_assert_str_eq(parse("[S]\nEnvironment=A=B=C\n"), "1 [S]|2 [S] Environment=A=B=C");
        /* CRLF line ends. */
        ck_assert_str_eq(parse("[S]\r\nA=1\r\nB=2\r\n"), "1 [S]|2 [S] A=1|3 [S] B=2");
}
END_TEST

START_TEST(test_comments) {
        ck_assert_str_eq(parse("# comment\n; other\n[S]\n#A=1\n;B=2\nC=3\n"), "3 [S]|6 [S] C=3");
        ck_assert_str_eq(parse("[S]\n   # indented comment\n\t; tab\nC=3\n"), "1 [S]|4 [S] C=3");
        /* "#" after the start of a line is part of the value. */
        ck_assert_str_eq(parse("[S]\nA=1 # not a comment\n"), "1 [S]|2 [S] A=1 # not a comment");
        ck_assert_str_eq(parse("[S]\nA=x;y\n"), "1 [S]|2 [S] A=x;y");
        /* A comment line ending in a backslash does not continue. */
        ck_assert_str_eq(parse("[S]\n# comment \\\nA=1\n"), "1 [S]|3 [S] A=1");
}
END_TEST

START_TEST(test_continuation) {
        /* The backslash becomes a space; the next line is appended as it is. */
        ck_assert_str_eq(parse("[S]\nA=one \\\n  two\n"), "1 [S]|2 [S] A=one    two");
        ck_assert_str_eq(parse("[S]\nA=one\\\ntwo\nB=3\n"), "1 [S]|2 [S] A=one two|4 [S] B=3");
        /* Several lines; reported at the first. */
        ck_assert_str_eq(parse("[S]\nA=a\\\nb\\\nc\\\nd\nB=x\n"), "1 [S]|2 [S] A=a b c d|6 [S] B=x");
        /* Comment lines inside a continuation are skipped. */
        ck_assert_str_eq(parse("[S]\nA=a \\\n# skipped\n; skipped too\n  b\n"), "1 [S]|2 [S] A=a    b");
        /* Two backslashes are an escaped backslash, not a continuation. */
        ck_assert_str_eq(parse("[S]\nA=a\\\\\nB=b\n"), "1 [S]|2 [S] A=a\\\\|3 [S] B=b");
        /* Three: escaped backslash plus continuation. */
        ck_assert_str_eq(parse("[S]\nA=a\\\\\\\nb\n"), "1 [S]|2 [S] A=a\\\\ b");
        /* An empty line ends the continuation. */
        ck_assert_str_eq(parse("[S]\nA=a\\\n\nB=b\n"), "1 [S]|2 [S] A=a|4 [S] B=b");
        /* A continuation at the end of the text is used. */
        ck_assert_str_eq(parse("[S]\nA=a\\\n"), "1 [S]|2 [S] A=a");
        ck_assert_str_eq(parse("[S]\nA=a\\"), "1 [S]|2 [S] A=a");
        /* A key may be continued too. */
        ck_assert_str_eq(parse("[S]\nLong\\\nKey=v\n"), "1 [S]|2 [S] Long Key=v");
        /* Error in a continued line names its first line. */
        ck_assert_str_eq(parse("[S]\nA=1\nno equals \\\nsign here\n"),
                         "ERROR -22: test.service:3: Missing '=' in line 'no equals  sign here'");
}
END_TEST

START_TEST(test_bom) {
        ck_assert_str_eq(parse("\xef\xbb\xbf[S]\nA=1\n"), "1 [S]|2 [S] A=1");
        ck_assert_str_eq(parse("\xef\xbb\xbf# c\n[S]\nA=1\n"), "2 [S]|3 [S] A=1");
        /* Only at the very start: elsewhere it is text. */
        ck_assert_str_eq(parse("[S]\n\xef\xbb\xbf" "A=1\n"), "1 [S]|2 [S] \xef\xbb\xbf" "A=1");
        /* A lone BOM is an empty file. */
        ck_assert_str_eq(parse("\xef\xbb\xbf"), "");
}
END_TEST

START_TEST(test_errors) {
        ck_assert_str_eq(parse("A=1\n"), "ERROR -22: test.service:1: Assignment outside of any section");
        ck_assert_str_eq(parse("# x\n\nA=1\n[S]\n"), "ERROR -22: test.service:3: Assignment outside of any section");
        ck_assert_str_eq(parse("[S]\nA=1\nfoo\n"), "ERROR -22: test.service:3: Missing '=' in line 'foo'");
        ck_assert_str_eq(parse("[S]\n=value\n"), "ERROR -22: test.service:2: Missing key name before '='");
        ck_assert_str_eq(parse("[S\nA=1\n"), "ERROR -22: test.service:1: Invalid section header '[S'");
        ck_assert_str_eq(parse("[]\n"), "ERROR -22: test.service:1: Invalid section header '[]'");
        ck_assert_str_eq(parse("[A]B]\n"), "ERROR -22: test.service:1: Invalid section header '[A]B]'");
        ck_assert_str_eq(parse("[S]\n[Bad\n"), "ERROR -22: test.service:2: Invalid section header '[Bad'");
}
END_TEST

static int fail_on_b(const char *section, const char *key, const char *value, unsigned line, void *userdata, char **ret_error) {
        if (strcmp(key, "B") == 0) {
                *ret_error = strdup("B is bad");
                return -EINVAL;
        }
        if (strcmp(key, "C") == 0)
                return -ERANGE; /* no text: the errno is described */
        return 0;
}

START_TEST(test_callback_error) {
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(unit_file_parse("x.service", "[S]\nA=1\nB=2\n", fail_on_b, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "x.service:3: B is bad");
        error = mfree(error);

        ck_assert_int_eq(unit_file_parse("x.service", "[S]\n\nC=2\n", fail_on_b, NULL, &error), -ERANGE);
        ck_assert_str_eq(error, "x.service:3: Numerical result out of range");
        error = mfree(error);

        ck_assert_int_eq(unit_file_parse("x.service", "[S]\nA=1\n", fail_on_b, NULL, &error), 0);
        ck_assert_ptr_null(error);

        /* ret_error may be NULL. */
        ck_assert_int_eq(unit_file_parse("x.service", "[S]\nB=1\n", fail_on_b, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_limits) {
        _cleanup_free_ char *big = NULL, *error = NULL;
        size_t n = DESCRIPTION_SIZE_MAX + 1;

        big = malloc(n + 1);
        ck_assert_ptr_nonnull(big);

        /* Whole file over the cap. */
        memset(big, '#', n);
        big[n] = '\0';
        ck_assert_int_eq(unit_file_parse("big.service", big, fail_on_b, NULL, &error), -E2BIG);
        ck_assert_str_eq(error, "big.service: File is larger than 1048576 bytes");
        error = mfree(error);

        /* Exactly at the cap is fine (all comment). */
        big[n - 1] = '\0';
        ck_assert_int_eq(unit_file_parse("big.service", big, fail_on_b, NULL, &error), 0);

        /* The cap counts bytes before any BOM is skipped. */
        memcpy(big, "\xef\xbb\xbf", 3);
        big[n - 1] = '#';
        big[n] = '\0';
        ck_assert_int_eq(unit_file_parse("big.service", big, fail_on_b, NULL, &error), -E2BIG);
        ck_assert_str_eq(error, "big.service: File is larger than 1048576 bytes");
}
END_TEST

static int record_error(const char *error, unsigned line, void *userdata) {
        char ***seen = userdata;
        char *s;

        if (asprintf(&s, "%u ERROR %s", line, error) < 0)
                return -ENOMEM;
        return strv_consume(seen, s);
}

/* unit_file_parse_each(): a bad line is one more call, and the parse goes on. */
START_TEST(test_each) {
        _cleanup_strv_free_ char **seen = NULL;
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(unit_file_parse_each("t.service",
                                              "a=0\n[S]\nb=1\nbroken\n[Bad\nc=2\n[T]\nd=3\n[ S]\ne=4\n[U]\nf=\\\n5\n",
                                              record_section, record, record_error, &seen, &error),
                         0);
        ck_assert_ptr_null(error);
        ck_assert_str_eq(seen[0], "1 ERROR t.service:1: Assignment outside of any section");
        ck_assert_str_eq(seen[1], "2 [S]");
        ck_assert_str_eq(seen[2], "3 [S] b=1");
        ck_assert_str_eq(seen[3], "4 ERROR t.service:4: Missing '=' in line 'broken'");
        ck_assert_str_eq(seen[4], "5 ERROR t.service:5: Invalid section header '[Bad'");
        ck_assert_str_eq(seen[5], "7 [T]"); /* c=2 belongs to no section: skipped */
        ck_assert_str_eq(seen[6], "8 [T] d=3");
        ck_assert_str_eq(seen[7], "9 ERROR t.service:9: Invalid section header '[ S]'");
        ck_assert_str_eq(seen[8], "11 [U]");
        ck_assert_str_eq(seen[9], "12 [U] f=5");
        ck_assert_ptr_null(seen[10]);
        ck_assert_int_eq(unit_file_parse_each("t.service", "", NULL, record, NULL, &seen, &error), -EINVAL);
}
END_TEST

static Suite *unit_parser_suite(void) {
        Suite *s = suite_create("unit-parser");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_basic);
        tcase_add_test(tc, test_whitespace);
        tcase_add_test(tc, test_comments);
        tcase_add_test(tc, test_continuation);
        tcase_add_test(tc, test_bom);
        tcase_add_test(tc, test_errors);
        tcase_add_test(tc, test_callback_error);
        tcase_add_test(tc, test_limits);
        tcase_add_test(tc, test_each);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(unit_parser_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        free(joined);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
