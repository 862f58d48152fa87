/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "sandbox-options.h"

/* SystemCallFilter=, SystemCallErrorNumber=, SystemCallArchitectures= as a
 * seccomp BPF program. The daemon builds it once per distinct filter and
 * hands it to each init in a sealed memfd; an init given none builds it
 * itself. */

/* Builds the filter of o with libseccomp and keeps only the BPF program to
 * load (struct and instructions in one allocation, freed with free()):
 * libseccomp's program behind a prefix that answers ENOSYS for syscalls
 * libseccomp cannot name. -errno. */
int seccomp_filter_build(const SandboxOptions *o, struct sock_fprog **ret);

/* The same filter for isolatectl learn: every call it would refuse (the deny action, and the
 * personality changes our prefix refuses) is SECCOMP_RET_USER_NOTIF instead, for a supervisor
 * that records it and lets it go on. Load it with SECCOMP_FILTER_FLAG_NEW_LISTENER. -errno. */
int seccomp_filter_build_learn(const SandboxOptions *o, struct sock_fprog **ret);

/* Everything seccomp_filter_build() reads of o, as one string (a cache key), or NULL. */
char *seccomp_filter_key(const SandboxOptions *o);

/* Loads prog with prctl(PR_SET_SECCOMP); NULL loads nothing. Without
 * CAP_SYS_ADMIN and with no_new_privileges false, sets no_new_privs first,
 * as systemd does. -errno. */
int seccomp_filter_load(const struct sock_fprog *prog, bool no_new_privileges);

/* The program's instructions in a sealed memfd (O_CLOEXEC), and back. -errno;
 * -EBADMSG for a file that cannot be a program. */
int seccomp_filter_to_memfd(const struct sock_fprog *prog, int *ret_fd);
int seccomp_filter_from_fd(int fd, struct sock_fprog **ret);
