/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* One datagram of size bytes, with n_fds fds as SCM_RIGHTS if there are any;
 * MSG_NOSIGNAL. -errno. */
int send_with_fds(int fd, const void *buf, size_t size, const int *fds, size_t n_fds);

struct msghdr;
/* recvmsg() of a SOCK_SEQPACKET (or datagram) peer that may be gone: when a peer closes with
 * datagrams of ours unread, Linux reports ECONNRESET once, to the next receive, before the
 * datagrams it sent us that are still queued (sock_error() comes first). Read again then: what the
 * peer said before it went (an init's FAILED and its reason) is not lost. -errno (-EAGAIN: nothing
 * now), 0 at the end. */
ssize_t recvmsg_from_gone_peer(int fd, struct msghdr *mh, int flags);
