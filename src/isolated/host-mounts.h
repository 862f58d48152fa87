/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The host's file system as a service in a user namespace sees it: a detached
 * copy (open_tree) of every mount of the daemon's own mount table that holds
 * files — not the API file systems (/proc, /sys, /dev and what is mounted
 * below them, or any proc, sysfs, cgroup, devpts, ... mount), which the init
 * makes anew for the service — each nosuid and nodev, and idmapped to the
 * service's user namespace where the file system supports it, so a file shows
 * its real owner inside (root's configuration is root's, www-data's log
 * www-data's) and what the service writes on a writable path keeps the owner
 * it sees. A mount whose file system cannot be idmapped (tmpfs before Linux
 * 6.3, some network file systems) is copied as it is: inside, its files show
 * as the overflow user nobody, world-readable ones stay readable, and the
 * service's root has no right beyond "other" there.
 *
 * Only the daemon, root on the host, can make these (an idmapped mount needs
 * CAP_SYS_ADMIN over the file system's own namespace); the init attaches them in
 * its mount namespace, which belongs to the service's user namespace. */

#define HOST_MOUNTS_MAX 200

typedef struct HostMount {
        char *path; /* where it is mounted on the host, absolute */
        int fd;     /* the detached copy, O_CLOEXEC */
        bool idmapped;
        size_t order; /* in the mount table */
} HostMount;

typedef struct HostMounts {
        HostMount *mounts; /* parents before what is mounted below them */
        size_t n;
} HostMounts;

/* userns_fd: the service's user namespace. -errno; nothing is left on failure. */
int host_mounts_clone(int userns_fd, HostMounts *ret);
void host_mounts_done(HostMounts *m);
