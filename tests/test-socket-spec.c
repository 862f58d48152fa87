/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "description.h"
#include "macro.h"
#include "socket-spec.h"

static const char *roundtrip(SocketKind kind, const char *s) {
        static char buf[SOCKET_SPEC_STRING_MAX];
        SocketSpec spec;

        ck_assert_msg(socket_spec_parse(kind, s, &spec) == 0, "socket_spec_parse(\"%s\") failed", s);
        return socket_spec_to_string(&spec, buf);
}

static SocketSpec parsed(SocketKind kind, const char *s) {
        SocketSpec spec;

        ck_assert_msg(socket_spec_parse(kind, s, &spec) == 0, "socket_spec_parse(\"%s\") failed", s);
        return spec;
}

START_TEST(test_parse) {
        SocketSpec s = { .size = 7 };

        ck_assert_str_eq(roundtrip(SOCKET_KIND_STREAM, "80"), "80");
        ck_assert_str_eq(roundtrip(SOCKET_KIND_STREAM, "127.0.0.1:8080"), "127.0.0.1:8080");
        ck_assert_str_eq(roundtrip(SOCKET_KIND_STREAM, "0.0.0.0:1"), "0.0.0.0:1");
        ck_assert_str_eq(roundtrip(SOCKET_KIND_STREAM, "[::1]:65535"), "[::1]:65535");
        ck_assert_str_eq(roundtrip(SOCKET_KIND_DATAGRAM, "[::]:53"), "[::]:53");
        ck_assert_str_eq(roundtrip(SOCKET_KIND_STREAM, "/run/demo/demo.sock"), "/run/demo/demo.sock");
        ck_assert_str_eq(roundtrip(SOCKET_KIND_STREAM, "@demo"), "@demo");

        s = parsed(SOCKET_KIND_STREAM, "80");
        ck_assert_int_eq(socket_spec_family(&s), AF_INET6);
        ck_assert(s.any_port_form);
        ck_assert_uint_eq(socket_spec_port(&s), 80);
        ck_assert_ptr_null(socket_spec_path(&s));

        s = parsed(SOCKET_KIND_DATAGRAM, "127.0.0.1:5353");
        ck_assert_int_eq(s.kind, SOCKET_KIND_DATAGRAM);
        ck_assert_int_eq(socket_spec_family(&s), AF_INET);
        ck_assert_uint_eq(s.address.in.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
        ck_assert_uint_eq(socket_spec_port(&s), 5353);
        ck_assert_uint_eq(s.size, sizeof(struct sockaddr_in));

        s = parsed(SOCKET_KIND_STREAM, "/run/x.sock");
        ck_assert_int_eq(socket_spec_family(&s), AF_UNIX);
        ck_assert_str_eq(socket_spec_path(&s), "/run/x.sock");
        ck_assert_uint_eq(socket_spec_port(&s), 0);
        ck_assert_uint_eq(s.size, offsetof(struct sockaddr_un, sun_path) + strlen("/run/x.sock") + 1);

        /* Abstract: a leading NUL, no trailing one, and no file. */
        s = parsed(SOCKET_KIND_STREAM, "@abc");
        ck_assert_int_eq(s.address.un.sun_path[0], 0);
        ck_assert_mem_eq(s.address.un.sun_path + 1, "abc", 3);
        ck_assert_uint_eq(s.size, offsetof(struct sockaddr_un, sun_path) + 4);
        ck_assert_ptr_null(socket_spec_path(&s));
}
END_TEST

START_TEST(test_parse_bad) {
        char long_path[200];
        SocketSpec s = { .size = 7 };

        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "0", &s), -ERANGE);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "65536", &s), -ERANGE);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "127.0.0.1:0", &s), -ERANGE);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "[::1]:70000", &s), -ERANGE);
        ck_assert_uint_eq(s.size, 7); /* untouched on failure */
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, NULL, &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "http", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "80 ", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "+80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "localhost:80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "1.2.3:80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "::1:80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "[::1:80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "[::1]80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "[1.2.3.4]:80", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "127.0.0.1:", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "/", &s), -EINVAL);
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, "@", &s), -EINVAL);
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = 0;
        ck_assert_int_eq(socket_spec_parse(SOCKET_KIND_STREAM, long_path, &s), -ENAMETOOLONG);
        ck_assert_uint_eq(s.size, 7);
}
END_TEST

START_TEST(test_clash) {
        SocketSpec a, b;

#define CLASH(ka, sa, kb, sb, want)                                                                           \
        do {                                                                                                   \
                a = parsed(ka, sa);                                                                            \
                b = parsed(kb, sb);                                                                            \
                ck_assert_msg(socket_spec_clash(&a, &b) == (want), "%s vs %s", sa, sb);                       \
                ck_assert_msg(socket_spec_clash(&b, &a) == (want), "%s vs %s", sb, sa);                       \
        } while (0)

        CLASH(SOCKET_KIND_STREAM, "80", SOCKET_KIND_STREAM, "80", true);
        CLASH(SOCKET_KIND_STREAM, "80", SOCKET_KIND_STREAM, "127.0.0.1:80", true);
        CLASH(SOCKET_KIND_STREAM, "80", SOCKET_KIND_STREAM, "[::1]:80", true);
        CLASH(SOCKET_KIND_STREAM, "0.0.0.0:80", SOCKET_KIND_STREAM, "127.0.0.1:80", true);
        CLASH(SOCKET_KIND_STREAM, "[::]:80", SOCKET_KIND_STREAM, "[::1]:80", true);
        CLASH(SOCKET_KIND_STREAM, "127.0.0.1:80", SOCKET_KIND_STREAM, "127.0.0.1:80", true);
        CLASH(SOCKET_KIND_STREAM, "/run/a", SOCKET_KIND_STREAM, "/run/a", true);
        CLASH(SOCKET_KIND_STREAM, "@a", SOCKET_KIND_STREAM, "@a", true);

        CLASH(SOCKET_KIND_STREAM, "80", SOCKET_KIND_DATAGRAM, "80", false); /* TCP and UDP */
        CLASH(SOCKET_KIND_STREAM, "80", SOCKET_KIND_STREAM, "81", false);
        CLASH(SOCKET_KIND_STREAM, "127.0.0.1:80", SOCKET_KIND_STREAM, "127.0.0.2:80", false);
        CLASH(SOCKET_KIND_STREAM, "[::]:80", SOCKET_KIND_STREAM, "127.0.0.1:80", false);
        CLASH(SOCKET_KIND_STREAM, "/run/a", SOCKET_KIND_STREAM, "/run/ab", false);
        CLASH(SOCKET_KIND_STREAM, "/run/a", SOCKET_KIND_STREAM, "@/run/a", false);
        CLASH(SOCKET_KIND_STREAM, "@a", SOCKET_KIND_STREAM, "@ab", false);
#undef CLASH
}
END_TEST

static char *error;

static const char *fails(const char *text) {
        Description *d = NULL;

        error = mfree(error);
        ck_assert_int_eq(description_parse("demo", "demo.service", text, &d, NULL, &error), -EINVAL);
        ck_assert_ptr_null(d);
        return error;
}

#define SERVICE "[Service]\nExecStart=/bin/true\n[Isolate]\n"

START_TEST(test_description_keys) {
        _cleanup_(description_freep) Description *d = NULL;
        char buf[SOCKET_SPEC_STRING_MAX];

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           SERVICE "ListenStream=127.0.0.1:80\nListenDatagram=53\n"
                                                   "ListenStream=/run//%N/./s.sock\nListenStream=@%N\n",
                                           &d, NULL, &error), 0);
        ck_assert_uint_eq(d->n_listen, 4);
        ck_assert_int_eq(d->listen[0].kind, SOCKET_KIND_STREAM);
        ck_assert_str_eq(socket_spec_to_string(&d->listen[0], buf), "127.0.0.1:80");
        ck_assert_int_eq(d->listen[1].kind, SOCKET_KIND_DATAGRAM);
        ck_assert_str_eq(socket_spec_to_string(&d->listen[1], buf), "53");
        ck_assert_str_eq(socket_spec_to_string(&d->listen[2], buf), "/run/demo/s.sock"); /* specifier, normalized */
        ck_assert_str_eq(socket_spec_to_string(&d->listen[3], buf), "@demo");
        d = description_free(d);

        /* An empty value resets the list, of both keys, as in systemd. */
        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           SERVICE "ListenStream=80\nListenDatagram=\nListenStream=81\n", &d, NULL,
                                           &error), 0);
        ck_assert_uint_eq(d->n_listen, 1);
        ck_assert_uint_eq(socket_spec_port(&d->listen[0]), 81);

        ck_assert_str_eq(fails(SERVICE "ListenStream=http\n"),
                         "demo.service:4: Invalid ListenStream= value 'http': expected PORT, IPV4:PORT, "
                         "[IPV6]:PORT, /PATH or @NAME");
        ck_assert_str_eq(fails(SERVICE "ListenDatagram=0\n"),
                         "demo.service:4: Invalid ListenDatagram= value '0': ports are 1..65535");
        ck_assert_str_eq(fails(SERVICE "ListenStream=/run/../etc/x\n"),
                         "demo.service:4: Invalid ListenStream= value '/run/../etc/x': a socket path may not "
                         "contain \"..\"");
        ck_assert_str_eq(fails(SERVICE "ListenStream=80\nListenStream=[::1]:80\n"),
                         "demo.service:5: ListenStream=[::1]:80 clashes with ListenStream=80 above");
        ck_assert_str_eq(fails(SERVICE "ListenStream=relative.sock\n"),
                         "demo.service:4: Invalid ListenStream= value 'relative.sock': expected PORT, IPV4:PORT, "
                         "[IPV6]:PORT, /PATH or @NAME");
}
END_TEST

START_TEST(test_description_limit) {
        char text[8192] = SERVICE;

        for (int i = 0; i <= SOCKET_SPECS_MAX; i++)
                snprintf(text + strlen(text), sizeof(text) - strlen(text), "ListenStream=%d\n", 1000 + i);
        ck_assert_str_eq(fails(text), "demo.service:68: ListenStream=1064: at most 64 listening sockets per service");
}
END_TEST

int main(void) {
        Suite *s = suite_create("socket-spec");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_parse);
        tcase_add_test(tc, test_parse_bad);
        tcase_add_test(tc, test_clash);
        tcase_add_test(tc, test_description_keys);
        tcase_add_test(tc, test_description_limit);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        free(error);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
