/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* The daemon stays in the host's network namespace. A socket belongs to the
 * namespace it was created in, for its whole life: so a socket for a
 * service's namespace is made by a short-lived thread that entered it
 * (setns() with CLONE_NEWNET is per thread), and then used from the loop. */

/* /proc/PID/ns/net, O_RDONLY|O_CLOEXEC; -errno. The fd keeps the namespace
 * alive: close it when the service ends. */
int netns_open(pid_t pid);

/* n sockets (type should carry SOCK_CLOEXEC) created inside the network
 * namespace netns_fd, in one trip of one thread. All or nothing; -errno. */
int netns_sockets(int netns_fd, int family, int type, int protocol, size_t n, int *ret_fds);

static inline int netns_socket(int netns_fd, int family, int type, int protocol) {
        int fd, r;

        r = netns_sockets(netns_fd, family, type, protocol, 1, &fd);
        return r < 0 ? r : fd;
}
