/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sandbox-options.h"

/* The hardening of the main process, applied in the forked child just before
 * exec. Everything that allocates or reads files (User= lookup in the
 * sandbox's own /etc/passwd, the seccomp program) is prepared in the init
 * after the mounts, so the child only makes system calls. */

typedef struct SandboxProcess {
        const SandboxOptions *options;
        bool switch_user; /* User=/Group= given */
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* SupplementaryGroups=, plus the user's own groups for User= */
        size_t n_groups;
        char *home;    /* for $HOME, $USER, $LOGNAME, $SHELL as systemd sets them */
        char *user_name;
        char *shell;
        struct sock_fprog *seccomp; /* the filter as BPF, or NULL; one allocation */
        /* PermissionsStartOnly=, a command but ExecStart=: as in systemd, the unit's own
         * CapabilityBoundingSet=/AmbientCapabilities= are not applied to it; the sandbox's set is. */
        bool sandbox_capabilities;
} SandboxProcess;

/* Resolves User=, Group= and SupplementaryGroups= (names looked up in the
 * sandbox's /etc, so run after the mounts) and takes seccomp, the filter the
 * daemon built (see seccomp-filter.h), also on failure; NULL: builds it.
 * -errno and *ret_error. */
int sandbox_process_prepare(const SandboxOptions *o, struct sock_fprog *seccomp, SandboxProcess *ret,
                            char **ret_error);
void sandbox_process_done(SandboxProcess *p);

/* In the child: umask, setgroups/setgid/setuid, the capability
 * bounding, inheritable and ambient sets, no_new_privs. -errno. */
int sandbox_process_apply_credentials(const SandboxProcess *p);

/* In the init, once its sandbox is built: keeps only the capabilities its
 * commands may get and those it needs itself (see there); CAP_SYS_ADMIN goes,
 * so its mounts can no longer be changed. -errno. */
int sandbox_init_drop_capabilities(const SandboxOptions *o, bool permissions_start_only);

/* In the child, last before exec: loads the seccomp filter. -errno. */
int sandbox_process_apply_seccomp(const SandboxProcess *p);
