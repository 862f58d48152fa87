/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Creates every parent directory of the absolute path (mode 0755, like
 * mkdir -p), not the last component itself. -errno. */
int mkdir_parents(const char *path);

/* The directory holding the last component of the absolute path, opened O_PATH, walked without
 * letting a symlink someone else controls take the walk elsewhere: root (or a daemon acting for a
 * service) making or removing a file where a less trusted party can write. Outside the directories
 * of confined_roots symlinks are followed, as the kernel follows them; from the moment the walk
 * enters one of those (compared by device and inode: another name for it counts too) neither a
 * symlink nor ".." is (-ELOOP), so the walk stays below it. create: missing directories are made,
 * 0755. *ret_name points at the last component in path, which is not resolved. -errno. */
int open_parent_confined(const char *path, char *const *confined_roots, bool create, int *ret_fd,
                         const char **ret_name);
