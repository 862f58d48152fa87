/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>

#include "capability-names.h"
#include "macro.h"

#define CAP(c) (UINT64_C(1) << (c))

START_TEST(test_from_name) {
        ck_assert_int_eq(capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
        ck_assert_int_eq(capability_from_name("cap_sys_admin"), CAP_SYS_ADMIN);
        ck_assert_int_eq(capability_from_name("Cap_Net_Bind_Service"), CAP_NET_BIND_SERVICE);
        ck_assert_int_eq(capability_from_name("CAP_CHOWN"), CAP_CHOWN);
        ck_assert_int_eq(capability_from_name("CAP_CHECKPOINT_RESTORE"), CAP_CHECKPOINT_RESTORE);
        /* systemd takes the CAP_ names only. */
        ck_assert_int_eq(capability_from_name("sys_admin"), -EINVAL);
        ck_assert_int_eq(capability_from_name("CAP_NO_SUCH"), -EINVAL);
        ck_assert_int_eq(capability_from_name("CAP_"), -EINVAL);
        ck_assert_int_eq(capability_from_name(""), -EINVAL);
        ck_assert_int_eq(capability_from_name(NULL), -EINVAL);
}
END_TEST

START_TEST(test_to_name) {
        _cleanup_free_ char *a = capability_to_name(CAP_SYS_ADMIN), *b = capability_to_name(CAP_CHOWN);

        ck_assert_str_eq(a, "CAP_SYS_ADMIN");
        ck_assert_str_eq(b, "CAP_CHOWN");
        /* Every name round-trips. */
        for (int c = 0; c <= CAP_LAST_CAP; c++) {
                _cleanup_free_ char *n = capability_to_name(c);

                ck_assert_ptr_nonnull(n);
                ck_assert_int_eq(capability_from_name(n), c);
        }
}
END_TEST

START_TEST(test_set_to_string) {
        _cleanup_free_ char *s = NULL, *e = (char *) 0x1;

        ck_assert_int_eq(capability_set_to_string(CAP(CAP_KILL) | CAP(CAP_CHOWN) | CAP(CAP_SYS_TIME), &s), 0);
        ck_assert_str_eq(s, "CAP_CHOWN CAP_KILL CAP_SYS_TIME");
        ck_assert_int_eq(capability_set_to_string(0, &e), 0);
        ck_assert_ptr_null(e);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("capability-names");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_from_name);
        tcase_add_test(tc, test_to_name);
        tcase_add_test(tc, test_set_to_string);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
