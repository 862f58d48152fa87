/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "description.h"
#include "port-spec.h"

static const char *roundtrip(const char *s) {
        static char buf[PORT_SPEC_STRING_MAX];
        PortSpec p;

        ck_assert_msg(port_spec_parse(s, &p) == 0, "port_spec_parse(\"%s\") failed", s);
        return port_spec_to_string(&p, buf);
}

START_TEST(test_port_parse) {
        PortSpec p = { .host_port = 7 };

        ck_assert_str_eq(roundtrip("8080:80"), "0.0.0.0:8080:80/tcp");
        ck_assert_str_eq(roundtrip("127.0.0.1:18080:80"), "127.0.0.1:18080:80/tcp");
        ck_assert_str_eq(roundtrip("127.0.0.1:53:5353/udp"), "127.0.0.1:53:5353/udp");
        ck_assert_str_eq(roundtrip("1:65535/tcp"), "0.0.0.0:1:65535/tcp");
        ck_assert_str_eq(roundtrip("[::1]:8080:80"), "[::1]:8080:80/tcp");
        ck_assert_str_eq(roundtrip("[::]:443:8443/tcp"), "[::]:443:8443/tcp");

        ck_assert_int_eq(port_spec_parse("127.0.0.1:18080:80", &p), 0);
        ck_assert_int_eq(p.family, AF_INET);
        ck_assert_uint_eq(p.host_port, 18080);
        ck_assert_uint_eq(p.service_port, 80);
        ck_assert_int_eq(p.protocol, PORT_PROTOCOL_TCP);
        ck_assert_uint_eq(p.address.in.s_addr, htonl(INADDR_LOOPBACK));

        p.host_port = 7;
        ck_assert_int_eq(port_spec_parse("0:80", &p), -ERANGE);
        ck_assert_int_eq(port_spec_parse("65536:80", &p), -ERANGE);
        ck_assert_int_eq(port_spec_parse("80:0", &p), -ERANGE);
        ck_assert_uint_eq(p.host_port, 7); /* untouched on failure */
        ck_assert_int_eq(port_spec_parse("", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse(NULL, &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("80:", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse(":80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("80:80/sctp", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("80:80/", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("+80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("080000:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("localhost:80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("1.2.3:80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("::1:80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("[::1:80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("[1.2.3.4]:80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("1.2.3.4:80:80:80", &p), -EINVAL);
        ck_assert_int_eq(port_spec_parse("80:80 ", &p), -EINVAL);
}
END_TEST

START_TEST(test_port_conflict) {
        PortSpec a, b;

        ck_assert_int_eq(port_spec_parse("127.0.0.1:8080:80", &a), 0);
        ck_assert_int_eq(port_spec_parse("8080:81", &b), 0);
        ck_assert(port_spec_conflict(&a, &b)); /* the wildcard covers 127.0.0.1 */
        ck_assert_int_eq(port_spec_parse("127.0.0.2:8080:80", &b), 0);
        ck_assert(!port_spec_conflict(&a, &b));
        ck_assert_int_eq(port_spec_parse("127.0.0.1:8080:80/udp", &b), 0);
        ck_assert(!port_spec_conflict(&a, &b));
        ck_assert_int_eq(port_spec_parse("[::1]:8080:80", &b), 0);
        ck_assert(!port_spec_conflict(&a, &b));
        ck_assert_int_eq(port_spec_parse("127.0.0.1:8081:80", &b), 0);
        ck_assert(!port_spec_conflict(&a, &b));
}
END_TEST

static const char *ntoa(struct in_addr a) {
        static char buf[INET_ADDRSTRLEN];
        return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

START_TEST(test_ipv4_prefix) {
        Ipv4Prefix p = { .prefixlen = 99 }, q;

        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/30", &p), 0);
        ck_assert_uint_eq(p.prefixlen, 30);
        ck_assert_str_eq(ntoa(ipv4_prefix_peer(&p)), "10.231.5.1");
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.1/30", &p), 0);
        ck_assert_str_eq(ntoa(ipv4_prefix_peer(&p)), "10.231.5.2");
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.5/31", &p), 0);
        ck_assert_str_eq(ntoa(ipv4_prefix_peer(&p)), "10.231.5.4");
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.4/31", &p), 0);
        ck_assert_str_eq(ntoa(ipv4_prefix_peer(&p)), "10.231.5.5");
        ck_assert_int_eq(ipv4_prefix_parse("192.168.7.20/24", &p), 0);
        ck_assert_str_eq(ntoa(ipv4_prefix_peer(&p)), "192.168.7.1");

        p.prefixlen = 99;
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.0/30", &p), -EINVAL); /* network */
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.3/30", &p), -EINVAL); /* broadcast */
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/32", &p), -ERANGE);
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/7", &p), -ERANGE);
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2", &p), -EINVAL);
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/", &p), -EINVAL);
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/3x", &p), -EINVAL);
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/030", &p), -EINVAL);
        ck_assert_int_eq(ipv4_prefix_parse("fe80::1/64", &p), -EINVAL);
        ck_assert_uint_eq(p.prefixlen, 99);

        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.2/30", &p), 0);
        ck_assert_int_eq(ipv4_prefix_parse("10.231.5.6/30", &q), 0);
        ck_assert(!ipv4_prefix_overlap(&p, &q));
        ck_assert_int_eq(ipv4_prefix_parse("10.231.1.1/16", &q), 0);
        ck_assert(ipv4_prefix_overlap(&p, &q));
        ck_assert(ipv4_prefix_overlap(&q, &p));
}
END_TEST

START_TEST(test_pool) {
        Ipv4Prefix pool = { .address = { htonl(0x0ae70000) }, .prefixlen = 16 }, p;

        ck_assert_int_eq(ipv4_prefix_pool_slot(&pool, 0, &p), 0);
        ck_assert_str_eq(ntoa(p.address), "10.231.0.2");
        ck_assert_str_eq(ntoa(ipv4_prefix_peer(&p)), "10.231.0.1");
        ck_assert_int_eq(ipv4_prefix_pool_slot(&pool, 1, &p), 0);
        ck_assert_str_eq(ntoa(p.address), "10.231.0.6");
        ck_assert_int_eq(ipv4_prefix_pool_slot(&pool, 16383, &p), 0);
        ck_assert_str_eq(ntoa(p.address), "10.231.255.254");
        ck_assert_int_eq(ipv4_prefix_pool_slot(&pool, 16384, &p), -ERANGE);
}
END_TEST

static int parse(const char *text, Description **ret, char **ret_error) {
        return description_parse("web", "web.service", text, ret, NULL, ret_error);
}

START_TEST(test_description_keys) {
        Description *d = NULL;
        char *error = NULL;

        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nPort=127.0.0.1:18080:80\nPort=8443:443/tcp\n",
                               &d, &error), 0);
        ck_assert_uint_eq(d->n_ports, 2);
        ck_assert_uint_eq(d->ports[1].host_port, 8443);
        ck_assert_int_eq(d->network, NETWORK_PRIVATE);
        d = description_free(d);

        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nPort=1:1\nPort=\nPort=2:2\n", &d, &error), 0);
        ck_assert_uint_eq(d->n_ports, 1);
        ck_assert_uint_eq(d->ports[0].host_port, 2);
        d = description_free(d);

        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nNetwork=veth\nAddress=10.231.5.2/30\n", &d,
                               &error), 0);
        ck_assert_int_eq(d->network, NETWORK_VETH);
        ck_assert(d->address_set);
        ck_assert_uint_eq(d->address.prefixlen, 30);
        d = description_free(d);

        /* The same port number over TCP and UDP are two sockets. */
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nPort=8080:80/udp\nPort=8080:80\n", &d,
                               &error), 0);
        ck_assert_uint_eq(d->n_ports, 2);
        ck_assert_int_eq(d->ports[0].protocol, PORT_PROTOCOL_UDP);
        ck_assert_int_eq(d->ports[1].protocol, PORT_PROTOCOL_TCP);
        d = description_free(d);
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nPort=53:53/udp\nPort=127.0.0.1:53:5353/udp\n",
                               &d, &error), -EINVAL);
        ck_assert_str_eq(error, "web.service:5: Port=127.0.0.1:53:5353/udp clashes with Port=0.0.0.0:53:53/udp "
                                "published already");
        error = mfree(error);
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nPort=8080\n", &d, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "web.service:4: Invalid Port= value '8080'"));
        error = mfree(error);
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nPort=8080:80\nPort=127.0.0.1:8080:81\n", &d,
                               &error), -EINVAL);
        ck_assert_str_eq(error, "web.service:5: Port=127.0.0.1:8080:81/tcp clashes with Port=0.0.0.0:8080:80/tcp "
                                "published already");
        error = mfree(error);
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nAddress=10.231.5.2/30\n", &d, &error),
                         -EINVAL);
        ck_assert_str_eq(error, "web.service:4: Address= needs Network=veth");
        error = mfree(error);
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nNetwork=veth\nAddress=10.231.5.3/30\n", &d,
                               &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "web.service:5: Invalid Address= value"));
        error = mfree(error);
        ck_assert_int_eq(parse("[Service]\nExecStart=/bin/true\n[Isolate]\nNetwork=bridge\n", &d, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "web.service:4:"));
        error = mfree(error);
        ck_assert_ptr_null(d);
}
END_TEST

static Suite *port_spec_suite(void) {
        Suite *s = suite_create("port-spec");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_port_parse);
        tcase_add_test(tc, test_port_conflict);
        tcase_add_test(tc, test_ipv4_prefix);
        tcase_add_test(tc, test_pool);
        tcase_add_test(tc, test_description_keys);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(port_spec_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
