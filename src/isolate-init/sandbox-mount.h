/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sandbox-options.h"

/* Builds the service's view of the file system in the init's own mount
 * namespace (propagation already private, fresh /proc mounted, the journal
 * stream already open): read-only system, minimal /dev, private /tmp and
 * /var/tmp, a tmpfs over /run, hardened /proc and /sys, the path keys, and
 * RootDirectory= last (pivot_root, old root detached).
 *
 * Every source (host device nodes, BindPaths= sources) is cloned with
 * open_tree() before anything covers it; every target is opened with
 * openat2(RESOLVE_IN_ROOT) inside the new root, so a symlink cannot lead a
 * mount outside. Read-only is set with mount_setattr(), which keeps
 * nosuid/nodev/noexec and covers submounts.
 *
 * Returns -errno and sets *ret_error ("Failed to ...: PATH: reason"). On
 * failure the init exits, and the half-built namespace dies with it. */
/* With host mounts (paths and detached mounts, parents first, the first one "/"), the service's
 * root is built from them on a staging tmpfs, and entered as RootDirectory= is, after which nothing
 * of the init's original tree is reachable: every mount of that tree is locked to the user
 * namespace's owner anyway, and the copies are idmapped (host-mounts.h in the daemon). */
int sandbox_mount_apply(const SandboxOptions *o, char *const *mount_paths, const int *mount_fds, size_t n_mounts,
                        char **ret_error);

/* The pipelined start (isolate-init.c): with defer, sandbox_mount_apply() records the cgroup
 * hierarchies it would mount anew (with a user namespace) instead of mounting them, since the init
 * is not yet in the scope's cgroup and has no cgroup namespace yet; sandbox_mount_cgroupfs(), in
 * the entered root after the cgroup namespace was made, mounts them (a no-op if none were
 * recorded). */
void sandbox_mount_defer_cgroupfs(bool defer);
int sandbox_mount_cgroupfs(const SandboxOptions *o, char **ret_error);
