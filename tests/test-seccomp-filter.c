/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "macro.h"
#include "sandbox-options.h"
#include "seccomp-cache.h"
#include "seccomp-filter.h"

static void options(SandboxOptions *o, const char *key, const char *value) {
        char *notice = NULL, *error = NULL;

        sandbox_options_init(o);
        if (key)
                ck_assert_msg(sandbox_options_parse(o, key, value, &notice, &error) >= 0, "%s", error ?: "?");
        free(notice);
        free(error);
}

START_TEST(test_memfd_roundtrip) {
        _cleanup_free_ struct sock_fprog *prog = NULL, *back = NULL;
        SandboxOptions o;
        int fd;

        options(&o, NULL, NULL);
        ck_assert_int_eq(seccomp_filter_build(&o, &prog), 0);
        ck_assert_uint_gt(prog->len, 6);
        ck_assert_int_eq(seccomp_filter_to_memfd(prog, &fd), 0);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &back), 0);
        ck_assert_uint_eq(back->len, prog->len);
        ck_assert_mem_eq(back->filter, prog->filter, prog->len * sizeof(struct sock_filter));

        /* Sealed: no init can be handed a program someone changed afterwards. */
        ck_assert_int_eq(write(fd, "x", 1), -1);
        ck_assert_int_eq(errno, EPERM);
        ck_assert_int_eq(ftruncate(fd, 0), -1);
        close(fd);
        sandbox_options_done(&o);
}
END_TEST

START_TEST(test_from_fd_rejects) {
        struct sock_fprog *prog = (struct sock_fprog *) 0x1;
        int fd = memfd_create("t", MFD_CLOEXEC);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &prog), -EBADMSG); /* empty */
        ck_assert_int_eq(write(fd, "12345", 5), 5);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &prog), -EBADMSG); /* not whole instructions */
        ck_assert_int_eq(ftruncate(fd, (off_t) (BPF_MAXINSNS + 1) * sizeof(struct sock_filter)), 0);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &prog), -EBADMSG); /* longer than the kernel takes */
        ck_assert_ptr_eq(prog, (struct sock_fprog *) 0x1);
        close(fd);
}
END_TEST

START_TEST(test_cache) {
        _cleanup_(seccomp_cache_freep) SeccompCache *c = seccomp_cache_new();
        SandboxOptions a, b, a2;
        int fa, fb, fa2;

        ck_assert_ptr_nonnull(c);
        options(&a, NULL, NULL);
        options(&a2, NULL, NULL);
        options(&b, "SystemCallFilter", "~uname");
        ck_assert_int_eq(seccomp_cache_get(c, &a, &fa), 0);
        ck_assert_int_eq(seccomp_cache_get(c, &b, &fb), 0);
        ck_assert_int_eq(seccomp_cache_get(c, &a2, &fa2), 0);
        ck_assert_int_eq(fa, fa2); /* the same filter: built once */
        ck_assert_int_ne(fa, fb);

        /* More distinct filters than it keeps: the least recently used goes, a is kept in use. */
        for (int i = 0; i < (int) SECCOMP_CACHE_MAX + 2; i++) {
                SandboxOptions x;
                char errno_value[16];
                int fx;

                snprintf(errno_value, sizeof(errno_value), "%d", 1 + i);
                options(&x, "SystemCallErrorNumber", errno_value);
                ck_assert_int_eq(seccomp_cache_get(c, &x, &fx), 0);
                ck_assert_int_eq(fcntl(fx, F_GETFD), FD_CLOEXEC);
                ck_assert_int_eq(seccomp_cache_get(c, &a, &fa2), 0);
                sandbox_options_done(&x);
        }
        ck_assert_int_eq(fa2, fa);
        sandbox_options_done(&a);
        sandbox_options_done(&a2);
        sandbox_options_done(&b);
}
END_TEST

int main(void) {
        Suite *s = suite_create("seccomp-filter");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_memfd_roundtrip);
        tcase_add_test(tc, test_from_fd_rejects);
        tcase_add_test(tc, test_cache);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
