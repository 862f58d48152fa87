/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse-util.h"

START_TEST(test_boolean) {
        ck_assert_int_eq(parse_boolean("yes"), 1);
        ck_assert_int_eq(parse_boolean("YES"), 1);
        ck_assert_int_eq(parse_boolean("true"), 1);
        ck_assert_int_eq(parse_boolean("On"), 1);
        ck_assert_int_eq(parse_boolean("1"), 1);
        ck_assert_int_eq(parse_boolean("y"), 1);
        ck_assert_int_eq(parse_boolean("no"), 0);
        ck_assert_int_eq(parse_boolean("False"), 0);
        ck_assert_int_eq(parse_boolean("off"), 0);
        ck_assert_int_eq(parse_boolean("0"), 0);
        ck_assert_int_eq(parse_boolean(""), -EINVAL);
        ck_assert_int_eq(parse_boolean("2"), -EINVAL);
        ck_assert_int_eq(parse_boolean("yess"), -EINVAL);
        ck_assert_int_eq(parse_boolean(" yes"), -EINVAL);
        ck_assert_int_eq(parse_boolean(NULL), -EINVAL);
}
END_TEST

START_TEST(test_uint64) {
        uint64_t v = 7;

        ck_assert_int_eq(parse_uint64("0", &v), 0);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(parse_uint64("18446744073709551615", &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);
        ck_assert_int_eq(parse_uint64("18446744073709551616", &v), -ERANGE);
        ck_assert_int_eq(parse_uint64("99999999999999999999", &v), -ERANGE);
        ck_assert_uint_eq(v, UINT64_MAX); /* untouched on failure */
        ck_assert_int_eq(parse_uint64("-1", &v), -EINVAL);
        ck_assert_int_eq(parse_uint64("+1", &v), -EINVAL);
        ck_assert_int_eq(parse_uint64("1 ", &v), -EINVAL);
        ck_assert_int_eq(parse_uint64("0x10", &v), -EINVAL);
        ck_assert_int_eq(parse_uint64("", &v), -EINVAL);
}
END_TEST

static uint64_t size(const char *s) {
        uint64_t v = 12345;

        ck_assert_msg(parse_size(s, &v) == 0, "parse_size(\"%s\") failed", s);
        return v;
}

START_TEST(test_size) {
        uint64_t v = 99;

        ck_assert_uint_eq(size("0"), 0);
        ck_assert_uint_eq(size("1024"), 1024);
        ck_assert_uint_eq(size("1B"), 1);
        ck_assert_uint_eq(size("10K"), 10240);
        ck_assert_uint_eq(size("1M"), 1048576);
        ck_assert_uint_eq(size("2G"), 2147483648ULL);
        ck_assert_uint_eq(size("1T"), 1099511627776ULL);
        ck_assert_uint_eq(size("1P"), 1ULL << 50);
        ck_assert_uint_eq(size("1.5G"), 1610612736ULL);
        ck_assert_uint_eq(size("0.5K"), 512);
        ck_assert_uint_eq(size("1.25M"), 1310720);
        ck_assert_uint_eq(size(" 64M "), 64ULL << 20);
        ck_assert_uint_eq(size("64 M"), 64ULL << 20);
        ck_assert_uint_eq(size("infinity"), UINT64_MAX);
        ck_assert_uint_eq(size(" infinity "), UINT64_MAX);
        ck_assert_uint_eq(size("15E"), 15ULL << 60);

        ck_assert_int_eq(parse_size("16E", &v), -ERANGE);
        ck_assert_int_eq(parse_size("-1", &v), -ERANGE);
        ck_assert_int_eq(parse_size("", &v), -EINVAL);
        ck_assert_int_eq(parse_size("K", &v), -EINVAL);
        ck_assert_int_eq(parse_size("1k", &v), -EINVAL);
        ck_assert_int_eq(parse_size("1KB", &v), -EINVAL);
        ck_assert_int_eq(parse_size("1X", &v), -EINVAL);
        ck_assert_int_eq(parse_size("1.G", &v), -EINVAL);
        ck_assert_int_eq(parse_size("xyz", &v), -EINVAL);
        ck_assert_int_eq(parse_size("infinityX", &v), -EINVAL);
        ck_assert_int_eq(parse_size("10%", &v), -EINVAL);
        ck_assert_uint_eq(v, 99);
}
END_TEST

START_TEST(test_percent) {
        ck_assert_int_eq(parse_percent("0%"), 0);
        ck_assert_int_eq(parse_percent("20%"), 20);
        ck_assert_int_eq(parse_percent("100%"), 100);
        ck_assert_int_eq(parse_percent("101%"), -ERANGE);
        ck_assert_int_eq(parse_percent("1.5%"), -EINVAL);
        ck_assert_int_eq(parse_percent("20"), -EINVAL);
        ck_assert_int_eq(parse_percent("%"), -EINVAL);
        ck_assert_int_eq(parse_percent("-5%"), -EINVAL);

        ck_assert_int_eq(parse_permyriad_unbounded("1%"), 100);
        ck_assert_int_eq(parse_permyriad_unbounded("12.5%"), 1250);
        ck_assert_int_eq(parse_permyriad_unbounded("12.55%"), 1255);
        ck_assert_int_eq(parse_permyriad_unbounded("12.555%"), -EINVAL);
        ck_assert_int_eq(parse_permyriad_unbounded("250%"), 25000);
        ck_assert_int_eq(parse_permyriad_unbounded("5\u2030"), 50);
        ck_assert_int_eq(parse_permyriad_unbounded("7\u2031"), 7);
        ck_assert_int_eq(parse_permyriad_unbounded("7"), -EINVAL);
}
END_TEST

START_TEST(test_cpu_quota) {
        usec_t u = 1;

        ck_assert_int_eq(parse_cpu_quota("20%", &u), 0);
        ck_assert_uint_eq(u, 200000);
        ck_assert_int_eq(parse_cpu_quota("100%", &u), 0);
        ck_assert_uint_eq(u, 1000000);
        ck_assert_int_eq(parse_cpu_quota("150%", &u), 0);
        ck_assert_uint_eq(u, 1500000);
        ck_assert_int_eq(parse_cpu_quota("0.5%", &u), 0);
        ck_assert_uint_eq(u, 5000);
        ck_assert_int_eq(parse_cpu_quota("0%", &u), -ERANGE);
        ck_assert_int_eq(parse_cpu_quota("20", &u), -EINVAL);
        ck_assert_int_eq(parse_cpu_quota("", &u), -EINVAL);
        ck_assert_uint_eq(u, 5000);
}
END_TEST

static usec_t sec(const char *s) {
        usec_t u = 12345;

        ck_assert_msg(parse_sec(s, &u) == 0, "parse_sec(\"%s\") failed", s);
        return u;
}

START_TEST(test_sec) {
        usec_t u = 42;

        ck_assert_uint_eq(sec("5s"), 5 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("5"), 5 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("0"), 0);
        ck_assert_uint_eq(sec("1min 30s"), 90 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("1min30s"), 90 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("1m"), 60 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("500ms"), 500 * USEC_PER_MSEC);
        ck_assert_uint_eq(sec("500msec"), 500 * USEC_PER_MSEC);
        ck_assert_uint_eq(sec("2h"), 7200 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("2 hours"), 7200 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("1d"), 86400 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("1w"), 7 * 86400 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("1y"), 31557600 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("1M"), 2629800 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("10us"), 10);
        ck_assert_uint_eq(sec("10\xc2\xb5s"), 10);
        ck_assert_uint_eq(sec("1.5s"), 1500 * USEC_PER_MSEC);
        ck_assert_uint_eq(sec("0.5min"), 30 * USEC_PER_SEC);
        ck_assert_uint_eq(sec(" 1h 2min 3s 4ms 5us "), 3723004005ULL);
        ck_assert_uint_eq(sec("3 s"), 3 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("2seconds"), 2 * USEC_PER_SEC);
        ck_assert_uint_eq(sec("infinity"), USEC_INFINITY);

        ck_assert_int_eq(parse_sec("", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("   ", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("5x", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("5sx", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("5mo", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("s", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("-5s", &u), -ERANGE);
        ck_assert_int_eq(parse_sec("5s -1s", &u), -ERANGE);
        ck_assert_int_eq(parse_sec("1.s", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("5%", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("infinity 5s", &u), -EINVAL);
        ck_assert_int_eq(parse_sec("99999999999999y", &u), -ERANGE);
        ck_assert_uint_eq(u, 42);
}
END_TEST

START_TEST(test_tasks_max) {
        uint64_t v = 3, pid_max;
        FILE *f;

        ck_assert_int_eq(parse_tasks_max("100", &v), 0);
        ck_assert_uint_eq(v, 100);
        ck_assert_int_eq(parse_tasks_max("infinity", &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);

        f = fopen("/proc/sys/kernel/pid_max", "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fscanf(f, "%" SCNu64, &pid_max), 1);
        fclose(f);

        ck_assert_int_eq(parse_tasks_max("10%", &v), 0);
        ck_assert_uint_eq(v, pid_max / 10);
        ck_assert_int_eq(parse_tasks_max("100%", &v), 0);
        ck_assert_uint_eq(v, pid_max);
        ck_assert_int_eq(parse_tasks_max("12.5%", &v), 0);
        ck_assert_uint_eq(v, pid_max * 125 / 1000);

        v = 3;
        ck_assert_int_eq(parse_tasks_max("0", &v), -ERANGE);
        ck_assert_int_eq(parse_tasks_max("0%", &v), -ERANGE);
        ck_assert_int_eq(parse_tasks_max("101%", &v), -ERANGE);
        ck_assert_int_eq(parse_tasks_max("-1", &v), -EINVAL);
        ck_assert_int_eq(parse_tasks_max("10K", &v), -EINVAL);
        ck_assert_int_eq(parse_tasks_max("", &v), -EINVAL);
        ck_assert_uint_eq(v, 3);
}
END_TEST

START_TEST(test_memory_limit) {
        uint64_t v = 5, phys = (uint64_t) sysconf(_SC_PHYS_PAGES) * (uint64_t) sysconf(_SC_PAGESIZE);

        ck_assert_int_eq(parse_memory_limit("512M", &v), 0);
        ck_assert_uint_eq(v, 512ULL << 20);
        ck_assert_int_eq(parse_memory_limit("infinity", &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);
        ck_assert_int_eq(parse_memory_limit("50%", &v), 0);
        ck_assert_uint_eq(v, phys / 2);
        ck_assert_int_eq(parse_memory_limit("0", &v), -ERANGE);
        ck_assert_int_eq(parse_memory_limit("0%", &v), -ERANGE);
        ck_assert_int_eq(parse_memory_limit("200%", &v), -ERANGE);
        ck_assert_int_eq(parse_memory_limit("xyz", &v), -EINVAL);
        ck_assert_uint_eq(v, phys / 2);
}
END_TEST

START_TEST(test_signal) {
        ck_assert_int_eq(parse_signal("SIGTERM"), SIGTERM);
        ck_assert_int_eq(parse_signal("TERM"), SIGTERM);
        ck_assert_int_eq(parse_signal("15"), SIGTERM);
        ck_assert_int_eq(parse_signal("SIGKILL"), SIGKILL);
        ck_assert_int_eq(parse_signal("HUP"), SIGHUP);
        ck_assert_int_eq(parse_signal("SIGUSR2"), SIGUSR2);
        ck_assert_int_eq(parse_signal("SIGWINCH"), SIGWINCH);
        ck_assert_int_eq(parse_signal("SIGRTMIN"), SIGRTMIN);
        ck_assert_int_eq(parse_signal("SIGRTMIN+3"), SIGRTMIN + 3);
        ck_assert_int_eq(parse_signal("RTMIN+0"), SIGRTMIN);
        ck_assert_int_eq(parse_signal("SIGRTMAX"), SIGRTMAX);
        ck_assert_int_eq(parse_signal("RTMAX-1"), SIGRTMAX - 1);
        ck_assert_int_eq(parse_signal("64"), 64);

        ck_assert_int_eq(parse_signal("0"), -EINVAL);
        ck_assert_int_eq(parse_signal("65"), -EINVAL);
        ck_assert_int_eq(parse_signal("sigterm"), -EINVAL);
        ck_assert_int_eq(parse_signal("SIGFOO"), -EINVAL);
        ck_assert_int_eq(parse_signal("SIG"), -EINVAL);
        ck_assert_int_eq(parse_signal("SIGRTMIN+99"), -EINVAL);
        ck_assert_int_eq(parse_signal("SIGRTMIN+"), -EINVAL);
        ck_assert_int_eq(parse_signal("15x"), -EINVAL);
        ck_assert_int_eq(parse_signal(""), -EINVAL);

        ck_assert_str_eq(signal_to_string(SIGTERM), "TERM");
        ck_assert_str_eq(signal_to_string(SIGRTMIN + 2), "RTMIN+2");
        ck_assert_ptr_null(signal_to_string(0));
}
END_TEST

static Suite *parse_util_suite(void) {
        Suite *s = suite_create("parse-util");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_boolean);
        tcase_add_test(tc, test_uint64);
        tcase_add_test(tc, test_size);
        tcase_add_test(tc, test_percent);
        tcase_add_test(tc, test_cpu_quota);
        tcase_add_test(tc, test_sec);
        tcase_add_test(tc, test_tasks_max);
        tcase_add_test(tc, test_memory_limit);
        tcase_add_test(tc, test_signal);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(parse_util_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
