/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

/* The sandboxing and credential keys of [Service], with systemd's names and
 * meanings, and isolated's secure defaults (DESIGN.md, "Secure by default").
 * Pure: no logging, no system state; isolate-init applies it. */

typedef enum ProtectSystem {
        PROTECT_SYSTEM_NO,
        PROTECT_SYSTEM_YES,    /* /usr, /boot, /efi read-only */
        PROTECT_SYSTEM_FULL,   /* ... and /etc: the default */
        PROTECT_SYSTEM_STRICT, /* everything but the API mounts and ReadWritePaths= */
        _PROTECT_SYSTEM_MAX,
        _PROTECT_SYSTEM_INVALID = -EINVAL,
} ProtectSystem;

typedef enum ProtectHome {
        PROTECT_HOME_NO, /* the default */
        PROTECT_HOME_YES,
        PROTECT_HOME_READ_ONLY,
        PROTECT_HOME_TMPFS,
        _PROTECT_HOME_MAX,
        _PROTECT_HOME_INVALID = -EINVAL,
} ProtectHome;

const char *protect_system_to_string(ProtectSystem p);
ProtectSystem protect_system_from_string(const char *s);
const char *protect_home_to_string(ProtectHome p);
ProtectHome protect_home_from_string(const char *s);

/* BindPaths=/BindReadOnlyPaths= entry: "[-]SRC[:DST[:OPTIONS]]". */
typedef struct BindMount {
        char *source;
        char *destination;
        bool read_only;
        bool recursive;      /* "rbind" (the default) or "norbind" */
        bool ignore_missing; /* "-" prefix */
} BindMount;

/* TemporaryFileSystem= entry: "PATH[:OPTIONS]". */
typedef struct TemporaryFileSystem {
        char *path;
        char *options; /* NULL: mode=0755; "ro" makes it read-only */
} TemporaryFileSystem;

#define SANDBOX_RLIMIT_MAX 16 /* RLIMIT_NLIMITS */

typedef struct SandboxRlimit {
        bool set;
        uint64_t soft; /* RLIM_INFINITY for infinity */
        uint64_t hard;
} SandboxRlimit;

typedef struct SandboxOptions {
        /* Mounts. Defaults are the secure ones: true, FULL, NO. */
        bool private_tmp;
        bool private_devices;
        bool protect_kernel_tunables;
        bool protect_kernel_modules;
        bool protect_control_groups;
        bool host_root; /* [Isolate] HostRoot=yes: no user namespace, the service's root is the host's */
        ProtectSystem protect_system;
        ProtectHome protect_home;
        /* Paths, normalized and absolute, a leading "-" kept for "ignore if missing". */
        char **read_only_paths;
        char **read_write_paths;
        char **inaccessible_paths;
        BindMount *bind_mounts;
        size_t n_bind_mounts;
        TemporaryFileSystem *temporary_filesystems;
        size_t n_temporary_filesystems;
        char *root_directory; /* NULL: / */

        /* Process. */
        uint64_t capability_bounding_set; /* bit per capability; default: all but SANDBOX_CAPS_DENIED */
        uint64_t ambient_capabilities;
        bool no_new_privileges; /* default true */
        char *user;             /* NULL: root */
        char *group;            /* NULL: the user's primary group */
        char **supplementary_groups;
        mode_t umask; /* default 0022 */
        SandboxRlimit rlimits[SANDBOX_RLIMIT_MAX];

        /* Seccomp. system_call_filter holds syscall names (groups expanded): with
         * system_call_allow_list only those are allowed; otherwise they are
         * denied on top of the default deny list. */
        bool system_call_filter_set;
        bool system_call_allow_list;
        char **system_call_filter;
        int system_call_error_number; /* errno, or SANDBOX_SYSCALL_KILL; default EPERM */
} SandboxOptions;

#define SANDBOX_SYSCALL_KILL (-1)

/* The capabilities no service gets by default (DESIGN.md). */
uint64_t sandbox_caps_denied(void);

void sandbox_options_init(SandboxOptions *o);
void sandbox_options_done(SandboxOptions *o);

/* Parses one [Service] KEY=VALUE if it is a sandboxing or credential key.
 * Returns 0 if it was handled (a notice may be appended to *ret_notice),
 * -ENOENT if the key is not one of these ("not mine"), or -EINVAL/-ENOMEM
 * with *ret_error set to what is wrong (without file:line). */
int sandbox_options_parse(
                SandboxOptions *o,
                const char *key,
                const char *value,
                char **ret_notice,
                char **ret_error);

/* Checks the whole set after parsing (contradictions). -EINVAL and *ret_error. */
int sandbox_options_verify(const SandboxOptions *o, char **ret_error);

/* The names of the syscall groups, and the members of one ("@mount"). NULL if unknown. */
const char *const *syscall_group_members(const char *group);

/* The default deny list: NULL-terminated names and @groups. */
extern const char *const sandbox_default_syscall_deny[];

/* Capability number of "CAP_SYS_ADMIN"/"cap_sys_admin"/"sys_admin", or -EINVAL. */
int capability_from_name(const char *name);
