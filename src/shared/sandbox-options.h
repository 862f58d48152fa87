/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "capability-names.h" /* capability_from_name() */
#include "macro.h"
#include "process-options.h"

/* The sandboxing and credential keys of [Service], with systemd's names and
 * meanings, and isolated's secure defaults (DESIGN.md, "Secure by default").
 * Pure: no logging, no system state; isolate-init applies it. */

typedef enum ProtectSystem {
        PROTECT_SYSTEM_NO,
        PROTECT_SYSTEM_YES,    /* /usr, /boot, /efi read-only */
        PROTECT_SYSTEM_FULL,   /* ... and /etc */
        PROTECT_SYSTEM_STRICT, /* everything but the API mounts and ReadWritePaths=: the default */
        _PROTECT_SYSTEM_MAX,
        _PROTECT_SYSTEM_INVALID = -EINVAL,
} ProtectSystem;

typedef enum ProtectHome {
        PROTECT_HOME_NO,
        PROTECT_HOME_YES, /* the default */
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

/* ProtectProc=, ProcSubset=: hidepid= and subset= of the service's own /proc. */
typedef enum ProtectProc {
        PROTECT_PROC_DEFAULT,
        PROTECT_PROC_NOACCESS,
        PROTECT_PROC_INVISIBLE,
        PROTECT_PROC_PTRACEABLE,
        _PROTECT_PROC_MAX,
        _PROTECT_PROC_INVALID = -EINVAL,
} ProtectProc;

typedef enum ProcSubset {
        PROC_SUBSET_ALL,
        PROC_SUBSET_PID,
        _PROC_SUBSET_MAX,
        _PROC_SUBSET_INVALID = -EINVAL,
} ProcSubset;

typedef enum KeyringMode {
        KEYRING_MODE_INHERIT,
        KEYRING_MODE_PRIVATE,
        KEYRING_MODE_SHARED,
        _KEYRING_MODE_MAX,
        _KEYRING_MODE_INVALID = -EINVAL,
} KeyringMode;

#define SANDBOX_RLIMIT_MAX 16 /* RLIMIT_NLIMITS */

typedef struct SandboxRlimit {
        bool set;
        uint64_t soft; /* RLIM_INFINITY for infinity */
        uint64_t hard;
} SandboxRlimit;

/* The defaults a systemd key of a stock unit can only tighten, each with the one [Isolate]
 * key that lets its systemd key loosen it (DESIGN.md: "only [Isolate] keys loosen, one per
 * default"). With the opt-out, the systemd key has exactly systemd's meaning and default. */
typedef enum SandboxLoosen {
        SANDBOX_LOOSEN_READ_ONLY_HOST,   /* ReadOnlyHost=no: ProtectSystem= */
        SANDBOX_LOOSEN_HIDE_HOME,        /* HideHome=no: ProtectHome= */
        SANDBOX_LOOSEN_PRIVATE_TMP,      /* HostTmp=yes: PrivateTmp= */
        SANDBOX_LOOSEN_PRIVATE_DEVICES,  /* HostDevices=yes: PrivateDevices= */
        SANDBOX_LOOSEN_KERNEL_TUNABLES,  /* KernelTunables=yes: ProtectKernelTunables= */
        SANDBOX_LOOSEN_CONTROL_GROUPS,   /* ControlGroups=yes: ProtectControlGroups= */
        SANDBOX_LOOSEN_NEW_PRIVILEGES,   /* NewPrivileges=yes: NoNewPrivileges= */
        SANDBOX_LOOSEN_KERNEL_LOGS,      /* KernelLogs=yes: ProtectKernelLogs= */
        SANDBOX_LOOSEN_SUID_SGID,        /* SUIDSGIDFiles=yes: RestrictSUIDSGID= */
        SANDBOX_LOOSEN_PERSONALITY,      /* Personality=yes: LockPersonality= */
        _SANDBOX_LOOSEN_MAX,
} SandboxLoosen;

/* The families socket() may create by default: RestrictAddressFamilies=AF_UNIX AF_INET
 * AF_INET6 AF_NETLINK. And of AF_NETLINK only the protocols that are namespaced and carry no
 * known attack surface (sandbox-options.c says why for each). */
uint64_t sandbox_default_address_families(void);
uint32_t sandbox_default_netlink_protocols(void);

/* The IP protocols a socket() of AF_INET or AF_INET6 may name besides TCP, UDP, UDP-Lite and
 * ICMP (SOCK_RAW may name any: a raw socket loads nothing): [Isolate] AllowIPProtocols=. Named,
 * the kernel loads the protocol's module (SCTP, DCCP, L2TP are modules on Debian's kernel) or
 * reaches code a daemon rarely needs (MPTCP, built in; its users fall back to TCP on the
 * EPROTONOSUPPORT they get, as on a kernel without it). */
typedef enum IPProtocolOptIn {
        IP_PROTOCOL_SCTP,
        IP_PROTOCOL_DCCP,
        IP_PROTOCOL_L2TP,
        IP_PROTOCOL_MPTCP,
        _IP_PROTOCOL_OPT_IN_MAX,
} IPProtocolOptIn;

/* "sctp" (or its number, 132) <-> IP_PROTOCOL_SCTP; the number of each. -EINVAL or NULL. */
int ip_protocol_opt_in_from_name(const char *name);
const char *ip_protocol_opt_in_to_name(IPProtocolOptIn p);
int ip_protocol_opt_in_number(IPProtocolOptIn p);

/* Names: "AF_PACKET" <-> 17; "audit"/"NETLINK_AUDIT" <-> 9. -EINVAL or NULL if unknown. */
int address_family_from_name(const char *name);
const char *address_family_to_name(int family);
int netlink_protocol_from_name(const char *name);
const char *netlink_protocol_to_name(int protocol);

/* The default sizes of the tmpfs mounts inside (/tmp, /var/tmp, /dev/shm, /run): systemd's
 * own limit for nested tmpfs mounts (NESTED_TMPFS_LIMITS), at most a quarter of RAM each. */
#define SANDBOX_TMPFS_SIZE_DEFAULT "10%"
#define SANDBOX_TMPFS_INODES_DEFAULT "400k"

typedef struct SandboxOptions {
        /* Mounts. Defaults are the secure ones: true, STRICT, YES. */
        bool private_tmp;
        bool private_devices;
        bool protect_kernel_tunables;
        bool protect_kernel_modules;
        bool protect_control_groups;
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
        bool protect_kernel_logs; /* /proc/kmsg, /dev/kmsg masked, syslog(2) denied, no CAP_SYSLOG; default true */
        char *tmpfs_size;   /* TmpfsSize=: "size=..." for fsconfig(); NULL: SANDBOX_TMPFS_SIZE_DEFAULT */
        char *tmpfs_inodes; /* "nr_inodes=..."; NULL: SANDBOX_TMPFS_INODES_DEFAULT */

        /* [Isolate] HostRoot=yes: no user namespace of its own (default false). */
        bool host_root;
        /* [Isolate] PasswordHashes=yes: /etc/shadow and /etc/gshadow stay visible (default false). */
        bool password_hashes;

        /* Process. */
        uint64_t capability_bounding_set; /* bit per capability; default: all but SANDBOX_CAPS_DENIED */
        uint64_t ambient_capabilities;
        bool capability_bounding_set_set; /* CapabilityBoundingSet= given */
        uint64_t allow_capabilities;      /* [Isolate] AllowCapabilities= */
        bool no_new_privileges; /* default true */
        char *user;             /* NULL: root */
        char *group;            /* NULL: the user's primary group */
        char **supplementary_groups;
        mode_t umask; /* default 0022 */
        SandboxRlimit rlimits[SANDBOX_RLIMIT_MAX];
        ProcessOptions process; /* scheduling, OOM score, stdio and logging: process-options.h */

        /* Seccomp. system_call_filter holds syscall names (groups expanded): with
         * system_call_allow_list only those are allowed; otherwise they are
         * denied on top of the default deny list. */
        bool system_call_filter_set;
        bool system_call_allow_list;
        char **system_call_filter;
        int system_call_error_number; /* errno, or SANDBOX_SYSCALL_KILL; default EPERM */
        char **system_call_errno;     /* "NAME:N": SystemCallFilter=~NAME:ERRNO, a deny list's own errno */
        char **allow_system_calls; /* [Isolate] AllowSystemCalls=: taken out of the default deny list */
        bool restrict_suid_sgid;   /* RestrictSUIDSGID=, default true */
        bool lock_personality;     /* LockPersonality=, default true: the query and PER_LINUX only */

        /* RestrictAddressFamilies=: bit per AF_*, what socket() may create. The file's own
         * list, and the effective one: default (plus AllowAddressFamilies=) and the file's. */
        uint64_t address_families;
        uint64_t address_families_asked;
        bool address_families_set;
        uint64_t allow_address_families; /* [Isolate] AllowAddressFamilies= */
        uint32_t netlink_protocols;      /* bit per NETLINK_*: default plus [Isolate] AllowNetlink= */
        uint32_t ip_protocols;           /* bit per IPProtocolOptIn: [Isolate] AllowIPProtocols=, default none */

        /* The hardening keys (hardening-options.c), each with systemd's meaning. */
        bool memory_deny_write_execute; /* MemoryDenyWriteExecute= */
        bool restrict_realtime;         /* RestrictRealtime= */
        bool protect_clock;             /* ProtectClock=: @clock denied whatever AllowSystemCalls= says */
        unsigned long restrict_namespaces; /* CLONE_NEW* RestrictNamespaces= leaves; default all */
        bool allow_namespaces; /* [Isolate] Namespaces=yes: those may be created; default none */
        ProtectProc protect_proc;
        ProcSubset proc_subset;
        char **no_exec_paths; /* NoExecPaths=, ExecPaths=: as the path lists above */
        char **exec_paths;
        KeyringMode keyring_mode; /* default private */
        bool private_users;       /* PrivateUsers=: the service's user namespace is its own anyway */
        bool dynamic_user;        /* DynamicUser=: User= unknown inside is a uid of the range */

        /* The [Isolate] opt-outs, and what the file's systemd key asked for each (-1: nothing,
         * systemd's default applies once loosened). */
        bool loosen[_SANDBOX_LOOSEN_MAX];
        int asked[_SANDBOX_LOOSEN_MAX];
} SandboxOptions;

#define SANDBOX_SYSCALL_KILL (-1)

/* The capabilities no service gets by default (DESIGN.md), and those o may have: all but
 * these, plus what its [Isolate] opt-outs grant. */
uint64_t sandbox_caps_denied(void);
uint64_t sandbox_caps_allowed(const SandboxOptions *o);

/* "LimitNOFILE" of RLIMIT_NOFILE. */
const char *sandbox_rlimit_key(int resource);

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

/* Parses one [Isolate] key if it is one of the opt-outs (HostRoot=, ReadOnlyHost=,
 * AllowCapabilities=, AllowSystemCalls=, AllowAddressFamilies=, AllowNetlink=, TmpfsSize=, ...).
 * As sandbox_options_parse(). */
int sandbox_options_parse_isolate(
                SandboxOptions *o,
                const char *key,
                const char *value,
                char **ret_notice,
                char **ret_error);

/* The names of the [Isolate] opt-out keys, NULL-terminated (for documentation checks). */
extern const char *const sandbox_isolate_keys[];

/* After the last file: applies the opt-outs (a systemd key asking for less than a default
 * gets it only with that default's [Isolate] opt-out), withholds the capabilities the
 * defaults leave out, masks the kernel logs. Idempotent. -ENOMEM. */
int sandbox_options_finalize(SandboxOptions *o);

/* "size=..." and "nr_inodes=..." for a tmpfs inside. */
const char *sandbox_tmpfs_size(const SandboxOptions *o);
const char *sandbox_tmpfs_inodes(const SandboxOptions *o);

/* Checks the whole set after parsing (contradictions). -EINVAL and *ret_error. */
int sandbox_options_verify(const SandboxOptions *o, char **ret_error);

/* Do User= and Group= name a user and a group of this host (which the sandbox's /etc is, unless
 * RootDirectory=)? Host state, not the file's: start refuses the description, verify says so and
 * passes it (as systemd-analyze verify, which looks no user up). -ESRCH and *ret_error. */
int sandbox_options_check_users(const SandboxOptions *o, char **ret_error);

/* The names of the syscall groups, and the members of one ("@mount"). NULL if unknown. */
const char *const *syscall_group_members(const char *group);

/* The default deny list: NULL-terminated names and @groups. */
extern const char *const sandbox_default_syscall_deny[];

