/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "specifier.h"

static int fake_hostname(char **ret) {
        *ret = strdup("box.example.org");
        return *ret ? 0 : -ENOMEM;
}

static int fake_machine_id(char **ret) {
        *ret = strdup("0123456789abcdef0123456789abcdef");
        return *ret ? 0 : -ENOMEM;
}

static int fake_boot_id(char **ret) {
        *ret = strdup("fedcba9876543210fedcba9876543210");
        return *ret ? 0 : -ENOMEM;
}

static int fake_release(char **ret) {
        *ret = strdup("6.1.0-test");
        return *ret ? 0 : -ENOMEM;
}

static int fake_user(const char *user, char **ret_home, char **ret_shell, uid_t *ret_uid) {
        if (strcmp(user, "www") != 0)
                return -ESRCH;
        *ret_home = strdup("/var/www");
        *ret_shell = strdup("/usr/sbin/nologin");
        *ret_uid = 33;
        return 0;
}

static const SpecifierContext context = {
        .name = "web-front",
        .get_hostname = fake_hostname,
        .get_machine_id = fake_machine_id,
        .get_boot_id = fake_boot_id,
        .get_kernel_release = fake_release,
        .get_user = fake_user,
};

static char *result;

static const char *expand_ok(const SpecifierContext *c, const char *text) {
        _cleanup_free_ char *error = NULL;

        result = mfree(result);
        ck_assert_msg(specifier_expand(text, c, &result, &error) == 0, "%s: %s", text, error);
        return result;
}

static const char *expand_fails(const char *text) {
        char *out = (char *) 0x1;

        result = mfree(result);
        ck_assert_int_eq(specifier_expand(text, &context, &out, &result), -EBADSLT);
        ck_assert_ptr_eq(out, (char *) 0x1);
        ck_assert_ptr_nonnull(result);
        return result;
}

START_TEST(test_names) {
        ck_assert_str_eq(expand_ok(&context, "%n"), "web-front.service");
        ck_assert_str_eq(expand_ok(&context, "%N %p"), "web-front web-front");
        ck_assert_str_eq(expand_ok(&context, "%P|%f|%j|%J"), "web/front|/web/front|front|front");
        ck_assert_str_eq(expand_ok(&context, "[%i][%I]"), "[][]");
        ck_assert_str_eq(expand_ok(&context, "a%%b%%%%c"), "a%b%%c");
}
END_TEST

/* As systemd 252's unit-printf.c for PREFIX@INSTANCE.service. */
START_TEST(test_instance) {
        SpecifierContext c = context;
        char *out = NULL;

        c.name = "postgresql@15-main";
        ck_assert_str_eq(expand_ok(&c, "%n|%N|%p|%P"), "postgresql@15-main.service|postgresql@15-main|postgresql|postgresql");
        ck_assert_str_eq(expand_ok(&c, "%i|%I|%f|%j|%J"), "15-main|15/main|/15/main|postgresql|postgresql");
        ck_assert_str_eq(expand_ok(&c, "/run/postgresql/%i.pid /etc/postgresql/%I/postgresql.conf"),
                         "/run/postgresql/15-main.pid /etc/postgresql/15/main/postgresql.conf");

        c.name = "web-front@a\\x2db-c:d@e";
        ck_assert_str_eq(expand_ok(&c, "%n|%N"), "web-front@a\\x2db-c:d@e.service|web-front@a\\x2db-c:d@e");
        ck_assert_str_eq(expand_ok(&c, "%p|%P|%j|%J"), "web-front|web/front|front|front");
        ck_assert_str_eq(expand_ok(&c, "%i|%I|%f"), "a\\x2db-c:d@e|a-b/c:d@e|/a-b/c:d@e");

        c.name = "a-b-c@-";
        ck_assert_str_eq(expand_ok(&c, "%p|%P|%j|%J|%i|%I|%f"), "a-b-c|a/b/c|c|c|-|/|/");

        /* A bad escape, or a path with an empty component, fails as systemd's does. */
        c.name = "a@b\\q";
        result = mfree(result);
        ck_assert_int_eq(specifier_expand("%I", &c, &out, &result), -EINVAL);
        ck_assert_str_eq(result, "Failed to resolve specifier %I in '%I': Invalid argument");
        c.name = "a@b--c";
        ck_assert_str_eq(expand_ok(&c, "%I"), "b//c");
        result = mfree(result);
        ck_assert_int_eq(specifier_expand("%f", &c, &out, &result), -EINVAL);
        c.name = "a@b-";
        result = mfree(result);
        ck_assert_int_eq(specifier_expand("%f", &c, &out, &result), -EINVAL);
        ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_host) {
        ck_assert_str_eq(expand_ok(&context, "%H"), "box.example.org");
        ck_assert_str_eq(expand_ok(&context, "%l"), "box");
        ck_assert_str_eq(expand_ok(&context, "%m-%b"), "0123456789abcdef0123456789abcdef-fedcba9876543210fedcba9876543210");
        ck_assert_str_eq(expand_ok(&context, "%v"), "6.1.0-test");
}
END_TEST

START_TEST(test_directories) {
        ck_assert_str_eq(expand_ok(&context, "%t %S %C %L %T %V %E"), "/run /var/lib /var/cache /var/log /tmp /var/tmp /etc");
        ck_assert_str_eq(expand_ok(&context, "%t/%N.sock"), "/run/web-front.sock");
}
END_TEST

START_TEST(test_user) {
        SpecifierContext c = context;

        ck_assert_str_eq(expand_ok(&c, "%u %U %h %s %g %G"), "root 0 /root /bin/sh root 0");
        c.user = "www";
        ck_assert_str_eq(expand_ok(&c, "%u %U %h %s"), "www 33 /var/www /usr/sbin/nologin");
        c.user = "nobody-here";
        result = mfree(result);
        {
                char *out = NULL;
                ck_assert_int_eq(specifier_expand("%h", &c, &out, &result), -ESRCH);
                ck_assert_str_eq(result, "Failed to resolve specifier %h in '%h': No such process");
        }
}
END_TEST

START_TEST(test_verbatim) {
        /* As systemd: "%" before a non-alphanumeric character, or at the end, stays. */
        ck_assert_str_eq(expand_ok(&context, "100%"), "100%");
        ck_assert_str_eq(expand_ok(&context, "%-%/%.% "), "%-%/%.% ");
        ck_assert_str_eq(expand_ok(&context, ""), "");
        ck_assert_str_eq(expand_ok(&context, "plain text"), "plain text");
}
END_TEST

START_TEST(test_unknown) {
        ck_assert_str_eq(expand_fails("x%zy"), "Failed to resolve specifiers in 'x%zy': unknown specifier %z");
        ck_assert_str_eq(expand_fails("%5"), "Failed to resolve specifiers in '%5': unknown specifier %5");
        ck_assert_str_eq(expand_fails("%a"), "Failed to resolve specifiers in '%a': %a is not supported by isolated");
        ck_assert_str_eq(expand_fails("%y"), "Failed to resolve specifiers in '%y': %y is not supported by isolated");
}
END_TEST

START_TEST(test_real_host) {
        SpecifierContext c = { .name = "x" };
        char *out = NULL;

        /* Only that the real lookups work and have the right shape. */
        ck_assert_int_eq(specifier_expand("%H", &c, &out, NULL), 0);
        ck_assert_int_gt(strlen(out), 0);
        free(out);
        if (specifier_expand("%b", &c, &out, NULL) == 0) {
                ck_assert_uint_eq(strlen(out), 32);
                free(out);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("specifier");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_instance);
        tcase_add_test(tc, test_host);
        tcase_add_test(tc, test_directories);
        tcase_add_test(tc, test_user);
        tcase_add_test(tc, test_verbatim);
        tcase_add_test(tc, test_unknown);
        tcase_add_test(tc, test_real_host);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        free(result);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
