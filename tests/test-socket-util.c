/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "socket-util.h"

static ssize_t receive(int fd, char *buf, size_t size) {
        struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n = recvmsg_from_gone_peer(fd, &mh, MSG_DONTWAIT);

        if (n >= 0)
                buf[n] = 0;
        return n;
}

/* An init that fails with the daemon's GO unread: its FAILED still reaches the daemon. */
START_TEST(test_last_words_behind_a_reset) {
        int pair[2];
        char buf[64];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
        ck_assert_int_eq(send_with_fds(pair[0], "GO\nx", 4, NULL, 0), 0); /* never read */
        ck_assert_int_eq(send_with_fds(pair[1], "FAILED 2 why", 12, NULL, 0), 0);
        ck_assert_int_eq(close(pair[1]), 0);

        /* What the kernel does: a plain recv() sees the reset first. */
        {
                int again[2];

                ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, again), 0);
                ck_assert_int_eq(send_with_fds(again[0], "GO", 2, NULL, 0), 0);
                ck_assert_int_eq(send_with_fds(again[1], "FAILED", 6, NULL, 0), 0);
                ck_assert_int_eq(close(again[1]), 0);
                ck_assert_int_eq(recv(again[0], buf, sizeof(buf), MSG_DONTWAIT), -1);
                ck_assert_int_eq(errno, ECONNRESET);
                ck_assert_int_eq(recv(again[0], buf, sizeof(buf), MSG_DONTWAIT), 6);
                close(again[0]);
        }

        ck_assert_int_eq(receive(pair[0], buf, sizeof(buf)), 12);
        ck_assert_str_eq(buf, "FAILED 2 why");
        ck_assert_int_eq(receive(pair[0], buf, sizeof(buf)), 0); /* then the end */
        close(pair[0]);
}
END_TEST

START_TEST(test_nothing_yet) {
        int pair[2];
        char buf[16];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
        ck_assert_int_eq(receive(pair[0], buf, sizeof(buf)), -EAGAIN);
        ck_assert_int_eq(send_with_fds(pair[1], "MAIN 2", 6, NULL, 0), 0);
        ck_assert_int_eq(receive(pair[0], buf, sizeof(buf)), 6);
        ck_assert_str_eq(buf, "MAIN 2");
        close(pair[0]);
        close(pair[1]);
}
END_TEST

static Suite *socket_util_suite(void) {
        Suite *s = suite_create("socket-util");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_last_words_behind_a_reset);
        tcase_add_test(tc, test_nothing_yet);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(socket_util_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? 0 : 1;
}
