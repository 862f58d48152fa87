/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "description.h"

/* The plan of a service's private /run (tmpfiles-plan.h), made once per host configuration: the
 * daemon runs systemd-tmpfiles --create --prefix=/run (but /run/user and /run/isolated) as each
 * init would, in a throwaway mount namespace (the host's tree read-only, an empty tmpfs at /run),
 * records the tree it made (directories, files, symlinks, fifos: mode, owner, group, the IDs the
 * host's names resolve to, which the service's user namespace maps unchanged) and what the tool
 * said, and hands every init the same sealed memfd to replay. Made again when the configuration
 * it came from changed, checked at each start (device, inode, size and mtime of each tmpfiles.d
 * directory and of each file in them, of /etc/passwd, /etc/group, /etc/nsswitch.conf and of the
 * tool). /run/tmpfiles.d is not among them: the service's /run is empty before the plan, as the
 * scratch one is. A plan is of the daemon's hostname: when a tmpfiles.d file names %H or %l, a
 * service with another hostname (each has its own) runs the tool itself.
 *
 * *ret_fd: the cache's fd (the caller sends it, does not close it), or -EBADF when the service
 * runs the tool itself: a RootDirectory= (its own tmpfiles.d and names), a mount of the sandbox's
 * over one of those inputs (BindPaths=, TemporaryFileSystem=, InaccessiblePaths= on /etc, /usr...),
 * or no plan could be made (a tool that ran too long, a tree past TMPFILES_PLAN_SIZE_MAX, a socket
 * or a device node it made). -errno only for what the daemon itself lacks (-ENOMEM). */
int tmpfiles_plan_cache_get(const Description *d, int *ret_fd);

/* How long until every input is older than the granularity the cache relies on (its mtime could
 * not show a second change before that): 0 when a plan made now would be kept. What the daemon's
 * warm-up waits for, so that a tmpfiles.d file written just before the daemon started (a package's
 * postinst restarting it) does not make the first start build the plan again. */
int tmpfiles_plan_cache_unsettled_usec(uint64_t *ret_usec);

/* Forget the plan (tests; a daemon reload). */
void tmpfiles_plan_cache_flush(void);
