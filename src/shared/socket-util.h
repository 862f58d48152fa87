/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* One datagram of size bytes, with n_fds fds as SCM_RIGHTS if there are any;
 * MSG_NOSIGNAL. -errno. */
int send_with_fds(int fd, const void *buf, size_t size, const int *fds, size_t n_fds);
