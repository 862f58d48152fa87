/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "socket-util.h"

int send_with_fds(int fd, const void *buf, size_t size, const int *fds, size_t n_fds) {
        struct iovec iov = { .iov_base = (void *) buf, .iov_len = size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        _cleanup_free_ void *control = NULL;

        if (n_fds > 0) {
                struct cmsghdr *c;

                control = calloc(1, CMSG_SPACE(n_fds * sizeof(int)));
                if (!control)
                        return -ENOMEM;
                mh.msg_control = control;
                mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
                memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
        }
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

ssize_t recvmsg_from_gone_peer(int fd, struct msghdr *mh, int flags) {
        ssize_t n;

        for (int attempt = 0;; attempt++) {
                n = recvmsg(fd, mh, flags);
                if (n >= 0)
                        return n;
                if (errno == EINTR)
                        continue;
                /* The error is cleared by the receive that reported it: once is enough. */
                if (errno != ECONNRESET || attempt > 0)
                        return negative_errno();
        }
}
