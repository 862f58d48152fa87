/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "description.h"

/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=, as
 * systemd makes them: owned by User=, writable inside even under
 * ProtectSystem=strict.
 *
 * Before the mounts: StateDirectory=, CacheDirectory= and LogsDirectory= are
 * created on the host (below RootDirectory= if set) and added to
 * ReadWritePaths= of d, so the sandbox binds them writable. RuntimeDirectory=
 * lives in the service's own /run, a tmpfs of the sandbox, made after. */
int exec_directories_prepare_host(Description *d, char **ret_error);

/* The directories of the host the service can write, as host paths: ReadWritePaths= and
 * StateDirectory=, CacheDirectory=, LogsDirectory= (below RootDirectory=), the sources of
 * writable Bind*Paths=, /tmp and /var/tmp without PrivateTmp=, /dev/shm without PrivateDevices=;
 * "/" when ProtectSystem= is not strict. What a daemon acting on the host for the service must not
 * follow a symlink below (open_parent_confined()). -ENOMEM. */
int sandbox_host_writable_paths(const Description *d, char ***ret);

/* After the mounts, inside the sandbox: creates RuntimeDirectory=, and gives
 * every directory its mode and owner (uid/gid; (uid_t) -1 leaves root). */
int exec_directories_finish(const Description *d, uid_t uid, gid_t gid, char **ret_error);
