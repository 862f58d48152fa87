/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "uid-range.h"

#define BASE(k) ((uid_t) (UID_RANGE_FIRST + (k) * UID_RANGE_SIZE))

START_TEST(test_is_base) {
        ck_assert(uid_range_is_base(BASE(0)));
        ck_assert(uid_range_is_base(BASE(1)));
        ck_assert(uid_range_is_base(BASE(UID_RANGE_SLOTS - 1)));
        ck_assert(!uid_range_is_base(BASE(UID_RANGE_SLOTS)));
        ck_assert(!uid_range_is_base(BASE(0) + 1));
        ck_assert(!uid_range_is_base(BASE(0) - UID_RANGE_SIZE));
        ck_assert(!uid_range_is_base(0));
        ck_assert(!uid_range_is_base(UID_RANGE_NONE));
        /* Below the end of systemd's container range (1879048191). */
        ck_assert_uint_le((uint64_t) BASE(UID_RANGE_SLOTS - 1) + UID_RANGE_SIZE - 1, 1879048191u);
}
END_TEST

START_TEST(test_allocate_in_order_and_exhaust) {
        UidRangePool p;
        uid_t base = 0;

        uid_range_pool_init(&p);
        for (unsigned k = 0; k < UID_RANGE_SLOTS; k++) {
                ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
                ck_assert_uint_eq(base, BASE(k));
        }
        base = 7;
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), -EBUSY);
        ck_assert_uint_eq(base, 7); /* untouched on failure */

        /* One freed: it is the only one, so it comes back. */
        uid_range_pool_release(&p, BASE(42));
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
        ck_assert_uint_eq(base, BASE(42));
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), -EBUSY);
}
END_TEST

START_TEST(test_round_robin) {
        UidRangePool p;
        uid_t a, b, c;

        uid_range_pool_init(&p);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &a), 0);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &b), 0);
        ck_assert_uint_eq(a, BASE(0));
        ck_assert_uint_eq(b, BASE(1));
        /* A freed slot goes to the back of the line: the next start gets a fresh one. */
        uid_range_pool_release(&p, a);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &c), 0);
        ck_assert_uint_eq(c, BASE(2));
        /* Releasing what is not a base, or twice, changes nothing. */
        uid_range_pool_release(&p, BASE(0) + 5);
        uid_range_pool_release(&p, a);
        uid_range_pool_release(&p, UID_RANGE_NONE);
        ck_assert_int_eq(uid_range_pool_claim(&p, b), -EBUSY);
        ck_assert_int_eq(uid_range_pool_claim(&p, c), -EBUSY);

        /* Wrapping round: after the last slot, the search starts again at the first free one. */
        for (unsigned k = 3; k < UID_RANGE_SLOTS; k++)
                ck_assert_int_eq(uid_range_pool_allocate(&p, &c), 0);
        ck_assert_uint_eq(c, BASE(UID_RANGE_SLOTS - 1));
        ck_assert_int_eq(uid_range_pool_allocate(&p, &c), 0);
        ck_assert_uint_eq(c, BASE(0));
}
END_TEST

START_TEST(test_claim) {
        UidRangePool p;
        uid_t base;

        uid_range_pool_init(&p);
        ck_assert_int_eq(uid_range_pool_claim(&p, BASE(0) + 1), -EINVAL);
        ck_assert_int_eq(uid_range_pool_claim(&p, 1000), -EINVAL);
        ck_assert_int_eq(uid_range_pool_claim(&p, BASE(UID_RANGE_SLOTS)), -EINVAL);
        /* A re-adopted service keeps its range; no new one gets it. */
        ck_assert_int_eq(uid_range_pool_claim(&p, BASE(0)), 0);
        ck_assert_int_eq(uid_range_pool_claim(&p, BASE(0)), -EBUSY);
        ck_assert_int_eq(uid_range_pool_claim(&p, BASE(2)), 0);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
        ck_assert_uint_eq(base, BASE(1));
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
        ck_assert_uint_eq(base, BASE(3));
        uid_range_pool_release(&p, BASE(0));
        ck_assert_int_eq(uid_range_pool_claim(&p, BASE(0)), 0);
}
END_TEST

START_TEST(test_reserved) {
        UidRangePool p;
        uid_t base;

        uid_range_pool_init(&p);
        /* Out of the pool's span: ignored. */
        uid_range_pool_reserve_id(&p, 0);
        uid_range_pool_reserve_id(&p, 65534);
        uid_range_pool_reserve_id(&p, UID_RANGE_FIRST - 1);
        uid_range_pool_reserve_id(&p, (uint32_t) BASE(UID_RANGE_SLOTS));
        /* A host user in slot 0 (not at its base) and one at slot 1's last ID. */
        uid_range_pool_reserve_id(&p, (uint32_t) BASE(0) + 1000);
        uid_range_pool_reserve_id(&p, (uint32_t) BASE(2) - 1);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
        ck_assert_uint_eq(base, BASE(2));
        /* Claiming a reserved slot is the caller's business (a record of ours), allocating it never. */
        for (unsigned k = 3; k < UID_RANGE_SLOTS; k++)
                ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), -EBUSY);
}
END_TEST

START_TEST(test_reserve_file) {
        char path[] = "/tmp/test-uid-range-XXXXXX";
        UidRangePool p;
        uid_t base;
        FILE *f;
        int fd;

        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        f = fdopen(fd, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "root:x:0:0:root:/root:/bin/bash\n"
                   "odd:x:%u:100::/:/bin/false\n"         /* slot 0 */
                   "garbage line without colons\n"
                   "bad:x:notanumber:1::/:\n"
                   "huge:x:99999999999999:1::/:\n"
                   "group1:x:%u:\n", /* group format, slot 1 */
                (unsigned) BASE(0) + 5, (unsigned) BASE(1));
        fclose(f);

        uid_range_pool_init(&p);
        ck_assert_int_eq(uid_range_pool_reserve_file(&p, path), 0);
        ck_assert_int_eq(uid_range_pool_allocate(&p, &base), 0);
        ck_assert_uint_eq(base, BASE(2));
        unlink(path);
        /* A missing file is fine. */
        ck_assert_int_eq(uid_range_pool_reserve_file(&p, path), 0);
}
END_TEST

static Suite *uid_range_suite(void) {
        Suite *s = suite_create("uid-range");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_is_base);
        tcase_add_test(tc, test_allocate_in_order_and_exhaust);
        tcase_add_test(tc, test_round_robin);
        tcase_add_test(tc, test_claim);
        tcase_add_test(tc, test_reserved);
        tcase_add_test(tc, test_reserve_file);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(uid_range_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
