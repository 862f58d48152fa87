/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "veth.h"

static Ipv4Prefix prefix(const char *address, unsigned prefixlen) {
        Ipv4Prefix p = { .prefixlen = prefixlen };

        ck_assert_int_eq(inet_pton(AF_INET, address, &p.address), 1);
        return p;
}

static const char *ntoa(const Ipv4Prefix *p) {
        static char buf[INET_ADDRSTRLEN];

        return inet_ntop(AF_INET, &p->address, buf, sizeof(buf));
}

/* The host's end: "ve-" and the name cut to IFNAMSIZ; an instance's "@" (ip(8)'s "dev@link"),
 * ":" (the kernel refuses it) and "\\" are "-". */
START_TEST(test_host_ifname) {
        char ifname[IFNAMSIZ];

        veth_host_ifname("web", ifname);
        ck_assert_str_eq(ifname, "ve-web");
        veth_host_ifname("postgresql@15-main", ifname);
        ck_assert_str_eq(ifname, "ve-postgresql-1");
        veth_host_ifname("a@b:c\\x2d", ifname);
        ck_assert_str_eq(ifname, "ve-a-b-c-x2d");
}
END_TEST

/* The default addresses: the first /30 of 10.231.0.0/16 that nothing else holds. */
START_TEST(test_pool_first) {
        Ipv4Prefix p;

        ck_assert_int_eq(veth_pool_pick(NULL, 0, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.0.2");
        ck_assert_uint_eq(p.prefixlen, 30);
}
END_TEST

START_TEST(test_pool_skips_taken) {
        Ipv4Prefix taken[3], p;

        taken[0] = prefix("10.231.0.2", 30);
        ck_assert_int_eq(veth_pool_pick(taken, 1, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.0.6");
        /* Any address of a /30 takes it: the peer's too. */
        taken[1] = prefix("10.231.0.5", 30);
        ck_assert_int_eq(veth_pool_pick(taken, 2, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.0.10");
        /* A freed one (not in the list any more) is handed out again first. */
        taken[0] = taken[1];
        ck_assert_int_eq(veth_pool_pick(taken, 1, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.0.2");
        /* A wider host address covers many /30s: 10.231.0.0/24 pushes it to the next /24. */
        taken[0] = prefix("10.231.0.77", 24);
        ck_assert_int_eq(veth_pool_pick(taken, 1, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.1.2");
        /* Something outside the pool changes nothing. */
        taken[0] = prefix("192.168.1.1", 24);
        taken[1] = prefix("10.230.255.254", 30);
        taken[2] = prefix("10.232.0.2", 30);
        ck_assert_int_eq(veth_pool_pick(taken, 3, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.0.2");
}
END_TEST

START_TEST(test_pool_exhausted) {
        Ipv4Prefix taken[2], p = prefix("1.2.3.4", 32);

        /* The whole pool behind one host address (a /16, or wider). */
        taken[0] = prefix("10.231.12.1", 16);
        ck_assert_int_eq(veth_pool_pick(taken, 1, &p), -EADDRNOTAVAIL);
        ck_assert_str_eq(ntoa(&p), "1.2.3.4"); /* untouched */
        taken[0] = prefix("10.0.0.1", 8);
        ck_assert_int_eq(veth_pool_pick(taken, 1, &p), -EADDRNOTAVAIL);
        /* All but the last /30. */
        taken[0] = prefix("10.231.0.0", 17);
        taken[1] = prefix("10.231.128.0", 18);
        ck_assert_int_eq(veth_pool_pick(taken, 2, &p), 0);
        ck_assert_str_eq(ntoa(&p), "10.231.192.2");
}
END_TEST

/* Every /30 one by one, as 16384 services would take them. */
START_TEST(test_pool_fill) {
        static Ipv4Prefix taken[16384];
        Ipv4Prefix p;
        size_t n = 0;

        for (;;) {
                int r = veth_pool_pick(taken, n, &p);
                if (r < 0) {
                        ck_assert_int_eq(r, -EADDRNOTAVAIL);
                        break;
                }
                ck_assert_uint_lt(n, sizeof(taken) / sizeof(taken[0]));
                if (n > 0)
                        ck_assert_uint_eq(ntohl(p.address.s_addr), ntohl(taken[n - 1].address.s_addr) + 4);
                taken[n++] = p;
                if (n == 200) /* quadratic: enough to see the order; the end by a jump */
                        break;
        }
        ck_assert_uint_eq(n, 200);
        ck_assert_str_eq(ntoa(&taken[199]), "10.231.3.30");
}
END_TEST

static Suite *veth_pool_suite(void) {
        Suite *s = suite_create("veth-pool");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_host_ifname);
        tcase_add_test(tc, test_pool_first);
        tcase_add_test(tc, test_pool_skips_taken);
        tcase_add_test(tc, test_pool_exhausted);
        tcase_add_test(tc, test_pool_fill);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(veth_pool_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
