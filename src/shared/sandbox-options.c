/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <limits.h>
#include <pthread.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "extract-word.h"
#include "hardening-options.h"
#include "parse-util.h"
#include "capability-names.h"
#include "description.h"
#include "sandbox-options.h"
#include "service-keys.h"
#include "syscall-groups.h"
#include "string-util.h"
#include "strv.h"

#define FOREACH_STRING(x, ...)                                                                     \
        for (const char *const *x##_l = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_l); x##_l++)

static const char *const protect_system_table[_PROTECT_SYSTEM_MAX] = {
        [PROTECT_SYSTEM_NO] = "no",
        [PROTECT_SYSTEM_YES] = "yes",
        [PROTECT_SYSTEM_FULL] = "full",
        [PROTECT_SYSTEM_STRICT] = "strict",
};

static const char *const protect_home_table[_PROTECT_HOME_MAX] = {
        [PROTECT_HOME_NO] = "no",
        [PROTECT_HOME_YES] = "yes",
        [PROTECT_HOME_READ_ONLY] = "read-only",
        [PROTECT_HOME_TMPFS] = "tmpfs",
};

const char *protect_system_to_string(ProtectSystem p) {
        return p >= 0 && p < _PROTECT_SYSTEM_MAX ? protect_system_table[p] : NULL;
}

const char *protect_home_to_string(ProtectHome p) {
        return p >= 0 && p < _PROTECT_HOME_MAX ? protect_home_table[p] : NULL;
}

/* Both take systemd's booleans too: "yes"/"true" is YES, "no" is NO. */
ProtectSystem protect_system_from_string(const char *s) {
        int p = table_lookup(protect_system_table, _PROTECT_SYSTEM_MAX, s), b;

        if (p >= 0 || !s)
                return p;
        b = parse_boolean(s);
        if (b < 0)
                return _PROTECT_SYSTEM_INVALID;
        return b ? PROTECT_SYSTEM_YES : PROTECT_SYSTEM_NO;
}

ProtectHome protect_home_from_string(const char *s) {
        int p = table_lookup(protect_home_table, _PROTECT_HOME_MAX, s), b;

        if (p >= 0 || !s)
                return p;
        b = parse_boolean(s);
        if (b < 0)
                return _PROTECT_HOME_INVALID;
        return b ? PROTECT_HOME_YES : PROTECT_HOME_NO;
}

/* What every service is denied unless the description gives an allow list. In
 * the spirit of @system-service, whose complement this roughly is; namespace
 * creation, TIOCSTI, personality changes, socket families and set-user-ID modes
 * are handled by argument (seccomp-filter.c). @mount but chroot(2), which
 * daemons use to drop privileges (it cannot leave the sandbox's root: mounts
 * stay denied). io_uring: a large kernel surface whose operations bypass this
 * filter. [Isolate] AllowSystemCalls= takes names out of it. */
const char *const sandbox_default_syscall_deny[] = {
        "@clock", "@cpu-emulation", "@debug", "@keyring", "@module", "@obsolete", "@raw-io", "@reboot", "@swap",
        "process_vm_readv", "process_vm_writev",
        "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr", "move_mount", "open_tree",
        "pivot_root", "umount", "umount2",
        "acct", "bpf", "fanotify_init", "nfsservctl", "open_by_handle_at", "quotactl", "quotactl_fd",
        "setns", "syslog", "userfaultfd", "vhangup",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        NULL,
};

/* @known, every call the native arch has, computed from libseccomp's table; the other groups
 * are systemd 252's (syscall-groups.c). */
static const char *const pseudo_groups[] = { "@known" };

const char *const *syscall_group_members(const char *group) {
        const SyscallGroup *g = syscall_group_find(group);

        return g ? g->members : NULL;
}

static bool syscall_name_is_known(const char *name) {
        return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

static int syscall_set_add(char ***set, const char *name) {
        if (strv_contains(*set, name))
                return 0;
        return strv_extend(set, name);
}

static void syscall_set_remove(char **set, const char *name) {
        size_t n = strv_length(set);

        for (size_t i = 0; i < n; i++)
                if (strcmp(set[i], name) == 0) {
                        free(set[i]);
                        memmove(set + i, set + i + 1, (n - i) * sizeof(char *));
                        return;
                }
}

/* Native syscall numbers stay below this on every architecture Linux has. */
#define SYSCALL_NR_MAX 1024

/* The native name of each syscall number, looked up once: libseccomp scans a
 * table for every lookup, and @system-service asks for all of them. The same
 * answer every time, so this cache is no state a parse could see. */
static char *native_syscall_names[SYSCALL_NR_MAX];

static void native_syscall_names_fill(void) {
        for (int nr = 0; nr < SYSCALL_NR_MAX; nr++)
                native_syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}

static const char *native_syscall_name(int nr) {
        static pthread_once_t once = PTHREAD_ONCE_INIT;

        (void) pthread_once(&once, native_syscall_names_fill);
        return nr >= 0 && nr < SYSCALL_NR_MAX ? native_syscall_names[nr] : NULL;
}

static int syscall_expand(const char *name, int depth, char ***ret) {
        const char *const *members;
        int r;

        if (name[0] != '@') {
                /* Group members absent from this arch are simply not there; a named
                 * syscall must exist somewhere. */
                if (depth == 0 && !syscall_name_is_known(name))
                        return -EINVAL;
                if (depth > 0 && seccomp_syscall_resolve_name(name) < 0)
                        return 0;
                return syscall_set_add(ret, name);
        }

        for (size_t i = 0; i < ELEMENTSOF(pseudo_groups); i++)
                if (strcmp(name, pseudo_groups[i]) == 0) {
                        /* Names by number are unique: into an empty set they go without a lookup. */
                        bool fresh = strv_length(*ret) == 0;

                        for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
                                const char *s = native_syscall_name(nr);

                                if (!s)
                                        continue;
                                r = fresh ? strv_extend(ret, s) : syscall_set_add(ret, s);
                                if (r < 0)
                                        return r;
                        }
                        return 0;
                }

        members = syscall_group_members(name);
        if (!members || depth > 4)
                return -EINVAL;
        for (const char *const *m = members; *m; m++) {
                r = syscall_expand(*m, depth + 1, ret);
                if (r < 0)
                        return r;
        }
        return 0;
}

#define CAP(c) (UINT64_C(1) << (c))

/* CAP_SYSLOG: the kernel log and kernel addresses (/proc/kallsyms); CAP_IPC_LOCK: mlock()
 * past RLIMIT_MEMLOCK, memory the host cannot reclaim, and CAP_SYS_RESOURCE, which raises
 * that limit's hard value (and every other) for a service that is the host's root
 * (HostRoot=yes); CAP_LINUX_IMMUTABLE: +i/+a files the
 * host's root must first notice to remove; CAP_SETFCAP: file capabilities, a privileged
 * executable made from inside; CAP_AUDIT_*: the host's audit log and rules, which no
 * namespace separates. */
uint64_t sandbox_caps_denied(void) {
        return CAP(CAP_SYS_ADMIN) | CAP(CAP_SYS_MODULE) | CAP(CAP_SYS_PTRACE) | CAP(CAP_SYS_RAWIO) |
               CAP(CAP_SYS_BOOT) | CAP(CAP_MAC_ADMIN) | CAP(CAP_MAC_OVERRIDE) | CAP(CAP_BPF) |
               CAP(CAP_PERFMON) | CAP(CAP_SYS_TIME) | CAP(CAP_MKNOD) | CAP(CAP_NET_ADMIN) |
               CAP(CAP_DAC_READ_SEARCH) | CAP(CAP_SYSLOG) | CAP(CAP_IPC_LOCK) | CAP(CAP_SYS_RESOURCE) | CAP(CAP_LINUX_IMMUTABLE) |
               CAP(CAP_SETFCAP) | CAP(CAP_AUDIT_CONTROL) | CAP(CAP_AUDIT_READ) | CAP(CAP_AUDIT_WRITE);
}

static uint64_t caps_all(void) {
        return CAP(CAP_LAST_CAP + 1) - 1;
}

#define BIT(n) (UINT64_C(1) << (n))

uint64_t sandbox_default_address_families(void) {
        return BIT(AF_UNIX) | BIT(AF_INET) | BIT(AF_INET6) | BIT(AF_NETLINK);
}

/* NETLINK_ROUTE (addresses, routes, links: of its own network namespace), NETLINK_SOCK_DIAG
 * (ss(8), of its own namespace) and NETLINK_GENERIC (nl80211, taskstats, ...: families check
 * their own capabilities) are what daemons use. Denied, among the rest: KOBJECT_UEVENT (the
 * host's device events), AUDIT (not namespaced: it forges the host's audit log), NETFILTER
 * and XFRM (nf_tables and IPsec state, each with a history of privilege escalations reachable
 * from a user namespace), CONNECTOR (the host's process events), CRYPTO, RDMA, SCSITRANSPORT,
 * ISCSI, SELINUX, FIB_LOOKUP, USERSOCK, NFLOG, ECRYPTFS, SMC. */
uint32_t sandbox_default_netlink_protocols(void) {
        return (uint32_t) (BIT(NETLINK_ROUTE) | BIT(NETLINK_SOCK_DIAG) | BIT(NETLINK_GENERIC));
}

static const char *const address_family_names[] = {
        [AF_UNIX] = "AF_UNIX",           [AF_INET] = "AF_INET",       [AF_AX25] = "AF_AX25",
        [AF_IPX] = "AF_IPX",             [AF_APPLETALK] = "AF_APPLETALK", [AF_NETROM] = "AF_NETROM",
        [AF_BRIDGE] = "AF_BRIDGE",       [AF_ATMPVC] = "AF_ATMPVC",   [AF_X25] = "AF_X25",
        [AF_INET6] = "AF_INET6",         [AF_ROSE] = "AF_ROSE",       [AF_DECnet] = "AF_DECnet",
        [AF_NETBEUI] = "AF_NETBEUI",     [AF_SECURITY] = "AF_SECURITY", [AF_KEY] = "AF_KEY",
        [AF_NETLINK] = "AF_NETLINK",     [AF_PACKET] = "AF_PACKET",   [AF_ASH] = "AF_ASH",
        [AF_ECONET] = "AF_ECONET",       [AF_ATMSVC] = "AF_ATMSVC",   [AF_RDS] = "AF_RDS",
        [AF_SNA] = "AF_SNA",             [AF_IRDA] = "AF_IRDA",       [AF_PPPOX] = "AF_PPPOX",
        [AF_WANPIPE] = "AF_WANPIPE",     [AF_LLC] = "AF_LLC",         [AF_IB] = "AF_IB",
        [AF_MPLS] = "AF_MPLS",           [AF_CAN] = "AF_CAN",         [AF_TIPC] = "AF_TIPC",
        [AF_BLUETOOTH] = "AF_BLUETOOTH", [AF_IUCV] = "AF_IUCV",       [AF_RXRPC] = "AF_RXRPC",
        [AF_ISDN] = "AF_ISDN",           [AF_PHONET] = "AF_PHONET",   [AF_IEEE802154] = "AF_IEEE802154",
        [AF_CAIF] = "AF_CAIF",           [AF_ALG] = "AF_ALG",         [AF_NFC] = "AF_NFC",
        [AF_VSOCK] = "AF_VSOCK",         [AF_KCM] = "AF_KCM",         [AF_QIPCRTR] = "AF_QIPCRTR",
        [AF_SMC] = "AF_SMC",             [44] = "AF_XDP",             [45] = "AF_MCTP",
};

int address_family_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(address_family_names); i++)
                if (address_family_names[i] && strcmp(address_family_names[i], name) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *address_family_to_name(int family) {
        return family >= 0 && (size_t) family < ELEMENTSOF(address_family_names) ? address_family_names[family] : NULL;
}

static const char *const netlink_protocol_names[32] = {
        [NETLINK_ROUTE] = "route",
        [NETLINK_USERSOCK] = "usersock",
        [NETLINK_FIREWALL] = "firewall",
        [NETLINK_SOCK_DIAG] = "sock_diag",
        [NETLINK_NFLOG] = "nflog",
        [NETLINK_XFRM] = "xfrm",
        [NETLINK_SELINUX] = "selinux",
        [NETLINK_ISCSI] = "iscsi",
        [NETLINK_AUDIT] = "audit",
        [NETLINK_FIB_LOOKUP] = "fib_lookup",
        [NETLINK_CONNECTOR] = "connector",
        [NETLINK_NETFILTER] = "netfilter",
        [NETLINK_IP6_FW] = "ip6_fw",
        [NETLINK_DNRTMSG] = "dnrtmsg",
        [NETLINK_KOBJECT_UEVENT] = "kobject_uevent",
        [NETLINK_GENERIC] = "generic",
        [NETLINK_SCSITRANSPORT] = "scsitransport",
        [NETLINK_ECRYPTFS] = "ecryptfs",
        [NETLINK_RDMA] = "rdma",
        [NETLINK_CRYPTO] = "crypto",
        [NETLINK_SMC] = "smc",
};

/* "audit", "AUDIT", "NETLINK_AUDIT", or the number. */
int netlink_protocol_from_name(const char *name) {
        const char *n = name;
        uint64_t v;

        if (parse_uint64(name, &v) >= 0)
                return v < ELEMENTSOF(netlink_protocol_names) ? (int) v : -EINVAL;
        if (strncasecmp(n, "NETLINK_", 8) == 0)
                n += 8;
        for (size_t i = 0; i < ELEMENTSOF(netlink_protocol_names); i++)
                if (netlink_protocol_names[i] && strcasecmp(netlink_protocol_names[i], n) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *netlink_protocol_to_name(int protocol) {
        if (protocol < 0 || (size_t) protocol >= ELEMENTSOF(netlink_protocol_names))
                return NULL;
        return netlink_protocol_names[protocol];
}

static const struct {
        const char *name;
        int number;
} ip_protocol_opt_ins[_IP_PROTOCOL_OPT_IN_MAX] = {
        [IP_PROTOCOL_SCTP] = { "sctp", 132 },
        [IP_PROTOCOL_DCCP] = { "dccp", 33 },
        [IP_PROTOCOL_L2TP] = { "l2tp", 115 },
        [IP_PROTOCOL_MPTCP] = { "mptcp", 262 },
};

int ip_protocol_opt_in_from_name(const char *name) {
        uint64_t v;
        bool number = parse_uint64(name, &v) >= 0;

        for (size_t i = 0; i < _IP_PROTOCOL_OPT_IN_MAX; i++)
                if (number ? v == (uint64_t) ip_protocol_opt_ins[i].number
                           : strcasecmp(ip_protocol_opt_ins[i].name, name) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *ip_protocol_opt_in_to_name(IPProtocolOptIn p) {
        return p >= 0 && p < _IP_PROTOCOL_OPT_IN_MAX ? ip_protocol_opt_ins[p].name : NULL;
}

int ip_protocol_opt_in_number(IPProtocolOptIn p) {
        return p >= 0 && p < _IP_PROTOCOL_OPT_IN_MAX ? ip_protocol_opt_ins[p].number : -EINVAL;
}

/* One row per default a stock unit's systemd key can only tighten: its [Isolate] opt-out, the
 * opt-out's loosening value, the secure default and systemd's own. */
typedef struct LoosenKey {
        const char *isolate_key;
        bool loosen_value;
        const char *service_key;
        int secure;
        int systemd_default;
} LoosenKey;

static const LoosenKey loosen_keys[_SANDBOX_LOOSEN_MAX] = {
        [SANDBOX_LOOSEN_READ_ONLY_HOST] = { "ReadOnlyHost", false, "ProtectSystem", PROTECT_SYSTEM_STRICT,
                                            PROTECT_SYSTEM_NO },
        [SANDBOX_LOOSEN_HIDE_HOME] = { "HideHome", false, "ProtectHome", PROTECT_HOME_YES, PROTECT_HOME_NO },
        [SANDBOX_LOOSEN_PRIVATE_TMP] = { "HostTmp", true, "PrivateTmp", true, false },
        [SANDBOX_LOOSEN_PRIVATE_DEVICES] = { "HostDevices", true, "PrivateDevices", true, false },
        [SANDBOX_LOOSEN_KERNEL_TUNABLES] = { "KernelTunables", true, "ProtectKernelTunables", true, false },
        [SANDBOX_LOOSEN_CONTROL_GROUPS] = { "ControlGroups", true, "ProtectControlGroups", true, false },
        [SANDBOX_LOOSEN_NEW_PRIVILEGES] = { "NewPrivileges", true, "NoNewPrivileges", true, false },
        [SANDBOX_LOOSEN_KERNEL_LOGS] = { "KernelLogs", true, "ProtectKernelLogs", true, false },
        [SANDBOX_LOOSEN_SUID_SGID] = { "SUIDSGIDFiles", true, "RestrictSUIDSGID", true, false },
        [SANDBOX_LOOSEN_PERSONALITY] = { "Personality", true, "LockPersonality", true, false },
};

const char *const sandbox_isolate_keys[] = {
        "HostRoot", "ReadOnlyHost", "HideHome", "HostTmp", "HostDevices", "KernelTunables", "ControlGroups",
        "NewPrivileges", "KernelLogs", "SUIDSGIDFiles", "Personality", "AllowCapabilities", "AllowSystemCalls",
        "AllowAddressFamilies", "AllowNetlink", "AllowIPProtocols", "TmpfsSize", "PasswordHashes", "Namespaces", NULL,
};

static void loosen_store(SandboxOptions *o, SandboxLoosen l, int v) {
        switch (l) {
        case SANDBOX_LOOSEN_READ_ONLY_HOST: o->protect_system = (ProtectSystem) v; break;
        case SANDBOX_LOOSEN_HIDE_HOME: o->protect_home = (ProtectHome) v; break;
        case SANDBOX_LOOSEN_PRIVATE_TMP: o->private_tmp = v; break;
        case SANDBOX_LOOSEN_PRIVATE_DEVICES: o->private_devices = v; break;
        case SANDBOX_LOOSEN_KERNEL_TUNABLES: o->protect_kernel_tunables = v; break;
        case SANDBOX_LOOSEN_CONTROL_GROUPS: o->protect_control_groups = v; break;
        case SANDBOX_LOOSEN_NEW_PRIVILEGES: o->no_new_privileges = v; break;
        case SANDBOX_LOOSEN_KERNEL_LOGS: o->protect_kernel_logs = v; break;
        case SANDBOX_LOOSEN_SUID_SGID: o->restrict_suid_sgid = v; break;
        case SANDBOX_LOOSEN_PERSONALITY: o->lock_personality = v; break;
        default: break;
        }
}

/* The stricter of the secure default and what the file asked. ProtectHome=tmpfs hides as
 * much as yes (an empty read-only tmpfs): kept as asked. */
static int loosen_stricter(SandboxLoosen l, int asked) {
        if (l == SANDBOX_LOOSEN_HIDE_HOME && asked == PROTECT_HOME_TMPFS)
                return PROTECT_HOME_TMPFS;
        return loosen_keys[l].secure;
}

/* The effective value: as the file says (systemd's default if it says nothing) with the
 * opt-out, else the stricter of the two. */
static void loosen_apply(SandboxOptions *o, SandboxLoosen l) {
        int asked = o->asked[l];

        if (o->loosen[l])
                loosen_store(o, l, asked >= 0 ? asked : loosen_keys[l].systemd_default);
        else
                loosen_store(o, l, loosen_stricter(l, asked));
}

const char *sandbox_tmpfs_size(const SandboxOptions *o) {
        return o->tmpfs_size ?: "size=" SANDBOX_TMPFS_SIZE_DEFAULT;
}

const char *sandbox_tmpfs_inodes(const SandboxOptions *o) {
        return o->tmpfs_inodes ?: "nr_inodes=" SANDBOX_TMPFS_INODES_DEFAULT;
}

void sandbox_options_init(SandboxOptions *o) {
        *o = (SandboxOptions) {
                .private_tmp = true,
                .private_devices = true,
                .protect_kernel_tunables = true,
                .protect_kernel_modules = false, /* caps and seccomp already deny loading */
                .protect_control_groups = true,
                .protect_system = PROTECT_SYSTEM_STRICT,
                .protect_home = PROTECT_HOME_YES,
                .protect_kernel_logs = true,
                .capability_bounding_set = caps_all() & ~sandbox_caps_denied(),
                .no_new_privileges = true,
                .umask = 0022,
                .system_call_error_number = EPERM,
                .restrict_suid_sgid = true,
                .lock_personality = true,
                .address_families = sandbox_default_address_families(),
                .address_families_asked = UINT64_MAX,
                .netlink_protocols = sandbox_default_netlink_protocols(),
                .restrict_namespaces = ULONG_MAX,
                .keyring_mode = KEYRING_MODE_PRIVATE,
        };
        for (SandboxLoosen l = 0; l < _SANDBOX_LOOSEN_MAX; l++)
                o->asked[l] = -1;
        process_options_init(&o->process);
}

void sandbox_options_done(SandboxOptions *o) {
        strv_free(o->read_only_paths);
        strv_free(o->read_write_paths);
        strv_free(o->inaccessible_paths);
        for (size_t i = 0; i < o->n_bind_mounts; i++) {
                free(o->bind_mounts[i].source);
                free(o->bind_mounts[i].destination);
        }
        free(o->bind_mounts);
        for (size_t i = 0; i < o->n_temporary_filesystems; i++) {
                free(o->temporary_filesystems[i].path);
                free(o->temporary_filesystems[i].options);
        }
        free(o->temporary_filesystems);
        free(o->root_directory);
        free(o->user);
        free(o->group);
        strv_free(o->supplementary_groups);
        strv_free(o->system_call_filter);
        strv_free(o->allow_system_calls);
        strv_free(o->no_exec_paths);
        strv_free(o->system_call_errno);
        strv_free(o->exec_paths);
        free(o->tmpfs_size);
        free(o->tmpfs_inodes);
        process_options_done(&o->process);
        sandbox_options_init(o);
}

static int parse_bool_key(bool *b, bool secure_default, const char *key, const char *value,
                          char **ret_notice, char **ret_error) {
        int r;

        if (isempty(value)) {
                *b = secure_default;
                return 0;
        }
        r = parse_boolean(value);
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        *b = r;
        if (secure_default && !r)
                return key_notice(ret_notice, "%s=%s weakens isolated's default sandbox; honoured as asked", key, value);
        return 0;
}

/* ReadOnlyPaths= and kin: "[-]PATH ...", empty resets. */
static int parse_path_list(char ***list, const char *key, const char *value, char **ret_error) {
        const char *p = value;
        int r;

        if (isempty(value)) {
                *list = strv_free(*list);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL, *path = NULL;
                bool ignore;
                const char *w;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                w = word;
                ignore = w[0] == '-';
                if (ignore)
                        w++;
                if (w[0] == '+')
                        return error_set(ret_error, -EINVAL, "%s=%s: the '+' prefix is not supported", key, word);
                r = path_normalize_absolute(w, &path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "%s=: '%s' is not a normalized absolute path", key, word);
                r = strv_consume(list, strprintf("%s%s", ignore ? "-" : "", path));
                if (r < 0)
                        return r;
        }
}

static int parse_bind_paths(SandboxOptions *o, bool read_only, const char *key, const char *value, char **ret_error) {
        const char *p = value;
        int r;

        if (isempty(value)) {
                /* Empty resets the list of this key only, as in systemd. */
                size_t j = 0;

                for (size_t i = 0; i < o->n_bind_mounts; i++) {
                        if (o->bind_mounts[i].read_only == read_only) {
                                free(o->bind_mounts[i].source);
                                free(o->bind_mounts[i].destination);
                        } else
                                o->bind_mounts[j++] = o->bind_mounts[i];
                }
                o->n_bind_mounts = j;
                return 0;
        }

        for (;;) {
                _cleanup_free_ char *word = NULL, *src = NULL, *dst = NULL;
                char *colon, *opts = NULL, *s;
                BindMount *n;
                bool ignore, recursive = true;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;

                s = word;
                ignore = s[0] == '-';
                if (ignore)
                        s++;
                colon = strchr(s, ':');
                if (colon) {
                        *colon = '\0';
                        opts = strchr(colon + 1, ':');
                        if (opts)
                                *opts++ = '\0';
                }
                r = path_normalize_absolute(s, &src);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "%s=: source '%s' is not a normalized absolute path", key, s);
                r = path_normalize_absolute(colon && colon[1] ? colon + 1 : s, &dst);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "%s=: destination '%s' is not a normalized absolute path",
                                         key, colon + 1);
                if (strcmp(dst, "/") == 0)
                        return error_set(ret_error, -EINVAL, "%s=: cannot bind over /", key);
                if (opts) {
                        const char *q = opts;

                        for (;;) {
                                size_t k = strcspn(q, ",");

                                if (k == 7 && strncmp(q, "norbind", 7) == 0)
                                        recursive = false;
                                else if (k == 5 && strncmp(q, "rbind", 5) == 0)
                                        recursive = true;
                                else if (k > 0)
                                        return error_set(ret_error, -EINVAL, "%s=: unknown option '%.*s'", key, (int) k, q);
                                if (!q[k])
                                        break;
                                q += k + 1;
                        }
                }

                n = reallocarray(o->bind_mounts, o->n_bind_mounts + 1, sizeof(BindMount));
                if (!n)
                        return -ENOMEM;
                o->bind_mounts = n;
                o->bind_mounts[o->n_bind_mounts++] = (BindMount) {
                        .source = TAKE_PTR(src),
                        .destination = TAKE_PTR(dst),
                        .read_only = read_only,
                        .recursive = recursive,
                        .ignore_missing = ignore,
                };
        }
}

static bool tmpfs_option_is_known(const char *q, size_t k) {
        static const char *const flags[] = { "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec" };
        static const char *const prefixes[] = { "mode=", "size=", "nr_inodes=", "uid=", "gid=" };

        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (strlen(flags[i]) == k && strncmp(q, flags[i], k) == 0)
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (k > strlen(prefixes[i]) && strncmp(q, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

static int parse_temporary_filesystem(SandboxOptions *o, const char *key, const char *value, char **ret_error) {
        const char *p = value;
        int r;

        if (isempty(value)) {
                for (size_t i = 0; i < o->n_temporary_filesystems; i++) {
                        free(o->temporary_filesystems[i].path);
                        free(o->temporary_filesystems[i].options);
                }
                o->temporary_filesystems = mfree(o->temporary_filesystems);
                o->n_temporary_filesystems = 0;
                return 0;
        }

        for (;;) {
                _cleanup_free_ char *word = NULL, *path = NULL, *opts = NULL;
                TemporaryFileSystem *n;
                char *colon;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                colon = strchr(word, ':');
                if (colon) {
                        *colon = '\0';
                        if (colon[1]) {
                                /* Only what a tmpfs and mount_setattr() understand. */
                                const char *q = colon + 1;

                                for (;;) {
                                        size_t k = strcspn(q, ",");

                                        if (!tmpfs_option_is_known(q, k))
                                                return error_set(ret_error, -EINVAL, "%s=: unsupported option '%.*s'",
                                                                 key, (int) k, q);
                                        if (!q[k])
                                                break;
                                        q += k + 1;
                                }
                                opts = strdup(colon + 1);
                                if (!opts)
                                        return -ENOMEM;
                        }
                }
                r = path_normalize_absolute(word, &path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || strcmp(path, "/") == 0)
                        return error_set(ret_error, -EINVAL, "%s=: '%s' is not a normalized absolute path", key, word);

                n = reallocarray(o->temporary_filesystems, o->n_temporary_filesystems + 1, sizeof(TemporaryFileSystem));
                if (!n)
                        return -ENOMEM;
                o->temporary_filesystems = n;
                o->temporary_filesystems[o->n_temporary_filesystems++] = (TemporaryFileSystem) {
                        .path = TAKE_PTR(path),
                        .options = TAKE_PTR(opts),
                };
        }
}

/* A list of names into a bit set: each word looked up with from_name (a number below limit, < 64),
 * -EINVAL naming the word and what it should have been in *ret_error. */
static int parse_name_list(const char *key, const char *p, int (*from_name)(const char *), int limit,
                           const char *what, uint64_t *ret, char **ret_error) {
        uint64_t sum = 0;
        int r;

        for (;;) {
                _cleanup_free_ char *word = NULL;
                int n;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value", key);
                if (r == 0)
                        break;
                n = from_name(word);
                if (n == -ENOMEM)
                        return n;
                if (n < 0 || n >= limit)
                        return error_set(ret_error, -EINVAL, "%s=: unknown %s '%s'", key, what, word);
                sum |= UINT64_C(1) << n;
        }
        *ret = sum;
        return 0;
}

static int parse_capability_list(const char *key, const char *p, uint64_t *ret, char **ret_error) {
        return parse_name_list(key, p, capability_from_name, CAP_LAST_CAP + 1, "capability", ret, ret_error);
}

/* CapabilityBoundingSet=/AmbientCapabilities=: lists are ORed together and the
 * first positive list replaces the default, as in systemd; a "~" list removes its
 * capabilities from the set (systemd's "all but these" would give back what
 * isolated's default withholds); an empty assignment means none. */
static int parse_capabilities(uint64_t *set, uint64_t reset_to, bool bounding, const char *key, const char *value,
                              char **ret_notice, char **ret_error) {
        const char *p = value;
        bool invert = false;
        uint64_t sum = 0;
        int r;

        if (isempty(value)) {
                /* systemd: empty CapabilityBoundingSet= means no capabilities at all. */
                *set = bounding ? 0 : reset_to;
                return 0;
        }
        if (p[0] == '~') {
                invert = true;
                p++;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;
                int c;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        break;
                c = capability_from_name(word);
                if (c == -ENOMEM)
                        return c;
                if (c < 0 || c > CAP_LAST_CAP)
                        return error_set(ret_error, -EINVAL, "%s=: unknown capability '%s'", key, word);
                sum |= CAP(c);
        }

        if (invert)
                *set &= ~sum;
        else if (bounding && *set == reset_to)
                *set = sum;
        else
                *set |= sum;
        sum &= sandbox_caps_denied();
        if (!invert && sum) {
                _cleanup_free_ char *names = NULL;

                r = capability_set_to_string(sum, &names);
                if (r < 0)
                        return r;
                return key_notice(ret_notice, "%s=: %s withheld by isolated's defaults; the service runs without "
                              "unless [Isolate] AllowCapabilities= grants it", key, names);
        }
        return 0;
}

/* Whether the default deny list names this call or group (directly or as a member of one of its groups). */
static bool default_deny_names(const char *word) {
        for (const char *const *d = sandbox_default_syscall_deny; *d; d++) {
                const char *const *members = (*d)[0] == '@' ? syscall_group_members(*d) : NULL;

                if (strcmp(*d, word) == 0)
                        return true;
                for (const char *const *m = members; m && *m; m++)
                        if (strcmp(*m, word) == 0)
                                return true;
        }
        return false;
}

static int parse_errno_name(const char *s);

static int parse_system_call_filter(SandboxOptions *o, const char *key, const char *value, char **ret_notice,
                                    char **ret_error) {
        const char *p = value;
        bool invert = false;
        int r, e;

        if (isempty(value)) {
                o->system_call_filter = strv_free(o->system_call_filter);
                o->system_call_errno = strv_free(o->system_call_errno);
                o->system_call_filter_set = false;
                o->system_call_allow_list = false;
                return 0;
        }
        if (p[0] == '~') {
                invert = true;
                p++;
        }
        if (!o->system_call_filter_set) {
                o->system_call_filter_set = true;
                o->system_call_allow_list = !invert;
                /* systemd: an allow list starts with @default, what every process needs to
                 * exec and run at all (execve, mmap, rt_sigreturn, exit_group, ...). */
                if (o->system_call_allow_list) {
                        r = syscall_expand("@default", 0, &o->system_call_filter);
                        if (r < 0)
                                return r;
                }
        }

        for (;;) {
                _cleanup_free_ char *word = NULL;
                _cleanup_strv_free_ char **names = NULL;
                char *colon;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                /* NAME:ERRNO: that errno for these calls of a deny list; systemd ignores it,
                 * word and all, in an allow list's assignment. */
                colon = strchr(word, ':');
                e = SYSCALL_ERRNO_NONE;
                if (colon) {
                        *colon = 0;
                        e = strcmp(colon + 1, "kill") == 0 ? SANDBOX_SYSCALL_KILL
                            : strcmp(colon + 1, "0") == 0  ? 0 /* 0..4095 here, as systemd */
                                                           : parse_errno_name(colon + 1);
                        if (e < 0 && e != SANDBOX_SYSCALL_KILL)
                                return error_set(ret_error, -EINVAL, "%s=: unknown error number '%s' in '%s:%s'", key,
                                                 colon + 1, word, colon + 1);
                        if (!invert) {
                                r = key_notice(ret_notice, "%s=%s:%s: an allowed system call takes no error number; "
                                           "ignoring it, as systemd does", key, word, colon + 1);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                }
                r = syscall_expand(word, 0, &names);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "%s=: unknown system call or group '%s'", key, word);
                if (!invert && o->system_call_allow_list && default_deny_names(word)) {
                        r = key_notice(ret_notice, "%s=: %s denied by isolated's defaults; it stays denied unless "
                                   "[Isolate] AllowSystemCalls= allows it", key, word);
                        if (r < 0)
                                return r;
                }

                /* systemd: the first assignment decides the kind of list; an assignment of the
                 * other kind takes its names out of it. Into an empty list, the (unique)
                 * names go as they are. */
                for (char **n = names; *n; n++) {
                        /* A deny list's errno for each call: this one's, or (re-allowed, or listed
                         * again without one) the filter's. */
                        r = syscall_errno_set(&o->system_call_errno, *n,
                                              invert && !o->system_call_allow_list ? e : SYSCALL_ERRNO_NONE);
                        if (r < 0)
                                return r;
                }
                if (invert == !o->system_call_allow_list && strv_length(o->system_call_filter) == 0) {
                        strv_free(o->system_call_filter);
                        o->system_call_filter = TAKE_PTR(names);
                        continue;
                }
                for (char **n = names; *n; n++)
                        if (invert == !o->system_call_allow_list) {
                                r = syscall_set_add(&o->system_call_filter, *n);
                                if (r < 0)
                                        return r;
                        } else
                                syscall_set_remove(o->system_call_filter, *n);
        }
}

static int parse_errno_name(const char *s) {
        uint64_t v;

        if (parse_uint64(s, &v) >= 0)
                return v > 0 && v < 4096 ? (int) v : -EINVAL;
        for (int e = 1; e < 4096; e++) {
                const char *n = strerrorname_np(e);

                if (n && strcmp(n, s) == 0)
                        return e;
        }
        return -EINVAL;
}

static const struct {
        const char *key;
        int resource;
        enum { LIMIT_NUMBER, LIMIT_BYTES, LIMIT_SECONDS, LIMIT_USEC, LIMIT_NICE } kind;
} limit_keys[] = {
        { "LimitCPU", RLIMIT_CPU, LIMIT_SECONDS },
        { "LimitFSIZE", RLIMIT_FSIZE, LIMIT_BYTES },
        { "LimitDATA", RLIMIT_DATA, LIMIT_BYTES },
        { "LimitSTACK", RLIMIT_STACK, LIMIT_BYTES },
        { "LimitCORE", RLIMIT_CORE, LIMIT_BYTES },
        { "LimitRSS", RLIMIT_RSS, LIMIT_BYTES },
        { "LimitNOFILE", RLIMIT_NOFILE, LIMIT_NUMBER },
        { "LimitAS", RLIMIT_AS, LIMIT_BYTES },
        { "LimitNPROC", RLIMIT_NPROC, LIMIT_NUMBER },
        { "LimitMEMLOCK", RLIMIT_MEMLOCK, LIMIT_BYTES },
        { "LimitLOCKS", RLIMIT_LOCKS, LIMIT_NUMBER },
        { "LimitSIGPENDING", RLIMIT_SIGPENDING, LIMIT_NUMBER },
        { "LimitMSGQUEUE", RLIMIT_MSGQUEUE, LIMIT_BYTES },
        { "LimitNICE", RLIMIT_NICE, LIMIT_NICE },
        { "LimitRTPRIO", RLIMIT_RTPRIO, LIMIT_NUMBER },
        { "LimitRTTIME", RLIMIT_RTTIME, LIMIT_USEC },
};

const char *sandbox_rlimit_key(int resource) {
        for (size_t i = 0; i < ELEMENTSOF(limit_keys); i++)
                if (limit_keys[i].resource == resource)
                        return limit_keys[i].key;
        return "Limit?";
}

static int parse_limit_value(const char *s, int kind, uint64_t *ret) {
        uint64_t v;
        usec_t u;
        int r;

        if (strcmp(s, "infinity") == 0) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (kind) {
        case LIMIT_BYTES:
                r = parse_size(s, &v);
                break;
        case LIMIT_SECONDS:
        case LIMIT_USEC:
                r = parse_sec(s, &u);
                if (r >= 0)
                        v = u == USEC_INFINITY ? RLIM_INFINITY : kind == LIMIT_SECONDS ? (u + USEC_PER_SEC - 1) / USEC_PER_SEC : u;
                break;
        case LIMIT_NICE: {
                /* systemd: a nice level -20..19 (with a sign), or the raw 0..40 rlimit. */
                char *end;
                long n;

                errno = 0;
                n = strtol(s, &end, 10);
                if (errno || end == s || *end)
                        return -EINVAL;
                if (s[0] == '-' || s[0] == '+') {
                        if (n < -20 || n > 19)
                                return -ERANGE;
                        v = (uint64_t) (20 - n);
                } else if (n < 0 || n > 40)
                        return -ERANGE;
                else
                        v = (uint64_t) n;
                r = 0;
                break;
        }
        default:
                r = parse_uint64(s, &v);
        }
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

static int parse_limit(SandboxOptions *o, size_t i, const char *key, const char *value, char **ret_error) {
        SandboxRlimit *l = &o->rlimits[limit_keys[i].resource];
        _cleanup_free_ char *soft = NULL;
        const char *colon;
        uint64_t s, h;

        if (isempty(value)) {
                *l = (SandboxRlimit) {};
                return 0;
        }
        colon = strchr(value, ':');
        soft = colon ? strndup(value, (size_t) (colon - value)) : strdup(value);
        if (!soft)
                return -ENOMEM;
        if (parse_limit_value(soft, limit_keys[i].kind, &s) < 0)
                return key_value_invalid(ret_error, key, value);
        if (colon) {
                if (parse_limit_value(colon + 1, limit_keys[i].kind, &h) < 0)
                        return key_value_invalid(ret_error, key, value);
        } else
                h = s;
        if (s > h)
                return error_set(ret_error, -EINVAL, "%s=%s: the soft limit exceeds the hard limit", key, value);
        *l = (SandboxRlimit) { .set = true, .soft = s, .hard = h };
        return 0;
}

/* systemd's valid_user_group_name() in its relaxed form, or a numeric id. */
static bool user_group_name_is_valid(const char *s) {
        if (isempty(s) || strlen(s) > 255 || s[0] == '-' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == ':' || *p == '/' || *p == '\x7f' || *p == ' ')
                        return false;
        return true;
}

static int parse_user_group(char **field, const char *key, const char *value, char **ret_error) {
        char *copy = NULL;

        if (!isempty(value)) {
                if (!user_group_name_is_valid(value))
                        return key_value_invalid(ret_error, key, value);
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
        }
        free(*field);
        *field = copy;
        return 0;
}

/* A systemd key behind one of the defaults only tightens it, unless its [Isolate] opt-out is given. */
static int parse_loosen_key(SandboxOptions *o, SandboxLoosen l, const char *key, const char *value, char **ret_notice,
                            char **ret_error) {
        int v;

        if (isempty(value))
                v = -1;
        else if (l == SANDBOX_LOOSEN_READ_ONLY_HOST)
                v = protect_system_from_string(value);
        else if (l == SANDBOX_LOOSEN_HIDE_HOME)
                v = protect_home_from_string(value);
        else
                v = parse_boolean(value);
        if (!isempty(value) && v < 0)
                return key_value_invalid(ret_error, key, value);
        o->asked[l] = v;
        loosen_apply(o, l);
        if (v >= 0 && v != loosen_stricter(l, v))
                return key_notice(ret_notice, "%s=%s asks for less than isolated's default; the default stays unless "
                              "[Isolate] %s=%s", key, value, loosen_keys[l].isolate_key,
                              loosen_keys[l].loosen_value ? "yes" : "no");
        return 0;
}

static void address_families_apply(SandboxOptions *o) {
        o->address_families = (sandbox_default_address_families() | o->allow_address_families) &
                              (o->address_families_set ? o->address_families_asked : UINT64_MAX);
}

/* "AF_UNIX AF_INET ..." into a bit set; -EINVAL naming the word in *ret_error. */
static int parse_address_families(const char *key, const char *p, uint64_t *ret, char **ret_error) {
        *ret = 0;
        return parse_name_list(key, p, address_family_from_name, 64, "address family", ret, ret_error);
}

static int address_families_text(uint64_t set, char **ret) {
        _cleanup_free_ char *t = NULL;

        for (int f = 0; f < 64; f++)
                if (set & BIT(f)) {
                        char *n = strprintf("%s%s%s", t ?: "", t ? " " : "", address_family_to_name(f) ?: "?");

                        if (!n)
                                return -ENOMEM;
                        free(t);
                        t = n;
                }
        *ret = TAKE_PTR(t);
        return 0;
}

static int parse_restrict_address_families(SandboxOptions *o, const char *key, const char *value, char **ret_notice,
                                           char **ret_error) {
        _cleanup_free_ char *names = NULL;
        const char *p = value;
        bool invert = false;
        uint64_t sum;
        int r;

        if (isempty(value)) {
                o->address_families_set = false;
                o->address_families_asked = UINT64_MAX;
                address_families_apply(o);
                return 0;
        }
        if (strcmp(value, "none") == 0) {
                o->address_families_set = true;
                o->address_families_asked = 0;
                address_families_apply(o);
                return 0;
        }
        if (p[0] == '~') {
                invert = true;
                p++;
        }
        r = parse_address_families(key, p, &sum, ret_error);
        if (r < 0)
                return r;
        if (invert)
                o->address_families_asked = (o->address_families_set ? o->address_families_asked : UINT64_MAX) & ~sum;
        else
                o->address_families_asked = (o->address_families_set ? o->address_families_asked : 0) | sum;
        o->address_families_set = true;
        address_families_apply(o);

        sum &= ~(sandbox_default_address_families() | o->allow_address_families);
        if (invert || sum == 0)
                return 0;
        r = address_families_text(sum, &names);
        if (r < 0)
                return r;
        return key_notice(ret_notice, "%s=: %s withheld by isolated's defaults; socket() refuses it unless [Isolate] "
                      "AllowAddressFamilies= allows it", key, names);
}

KEY_PARSER(sandbox_parse_loosen) {
        return parse_loosen_key(data, (SandboxLoosen) ltype, key, value, ret_notice, ret_error);
}

KEY_PARSER(sandbox_parse_protect_kernel_modules) {
        SandboxOptions *o = data;

        return parse_bool_key(&o->protect_kernel_modules, false, key, value, ret_notice, ret_error);
}

KEY_PARSER(sandbox_parse_restrict_address_families) {
        return parse_restrict_address_families(data, key, value, ret_notice, ret_error);
}

/* ReadOnlyPaths= and kin (data: the list). */
KEY_PARSER(sandbox_parse_path_list) {
        return parse_path_list(data, key, value, ret_error);
}

/* BindPaths=, BindReadOnlyPaths= (ltype: read-only). */
KEY_PARSER(sandbox_parse_bind_paths) {
        return parse_bind_paths(data, ltype, key, value, ret_error);
}

KEY_PARSER(sandbox_parse_temporary_filesystem) {
        return parse_temporary_filesystem(data, key, value, ret_error);
}

KEY_PARSER(sandbox_parse_root_directory) {
        SandboxOptions *o = data;
        _cleanup_free_ char *path = NULL;
        int r;

        if (isempty(value)) {
                o->root_directory = mfree(o->root_directory);
                return 0;
        }
        r = path_normalize_absolute(value, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "RootDirectory=%s: not a normalized absolute path", value);
        free(o->root_directory);
        o->root_directory = strcmp(path, "/") == 0 ? NULL : TAKE_PTR(path);
        return 0;
}

KEY_PARSER(sandbox_parse_capability_bounding_set) {
        SandboxOptions *o = data;

        o->capability_bounding_set_set = true;
        return parse_capabilities(&o->capability_bounding_set, caps_all() & ~sandbox_caps_denied(), true, key, value,
                                  ret_notice, ret_error);
}

KEY_PARSER(sandbox_parse_ambient_capabilities) {
        SandboxOptions *o = data;

        return parse_capabilities(&o->ambient_capabilities, 0, false, key, value, ret_notice, ret_error);
}

KEY_PARSER(sandbox_parse_system_call_filter) {
        return parse_system_call_filter(data, key, value, ret_notice, ret_error);
}

KEY_PARSER(sandbox_parse_system_call_error_number) {
        SandboxOptions *o = data;
        int e;

        if (isempty(value)) {
                o->system_call_error_number = EPERM;
                return 0;
        }
        if (strcmp(value, "kill") == 0) {
                o->system_call_error_number = SANDBOX_SYSCALL_KILL;
                return 0;
        }
        e = parse_errno_name(value);
        if (e < 0)
                return key_value_invalid(ret_error, key, value);
        o->system_call_error_number = e;
        return 0;
}

KEY_PARSER(sandbox_parse_system_call_architectures) {
        const char *p = value;
        int r;

        /* Only native syscalls ever pass isolated's filter: another arch named here is
         * not allowed, which is stricter than asked, never weaker. */
        for (;;) {
                _cleanup_free_ char *word = NULL;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                if (strcmp(word, "native") == 0)
                        continue;
                if (seccomp_arch_resolve_name(word) == 0)
                        return error_set(ret_error, -EINVAL, "%s=: unknown architecture '%s'", key, word);
                if (seccomp_arch_resolve_name(word) != seccomp_arch_native())
                        r = key_notice(ret_notice, "%s=%s: isolated allows native system calls only", key, word);
                if (r < 0)
                        return r;
        }
}

/* User=, Group= (data: the field). */
KEY_PARSER(sandbox_parse_user_group) {
        return parse_user_group(data, key, value, ret_error);
}

KEY_PARSER(sandbox_parse_supplementary_groups) {
        SandboxOptions *o = data;
        const char *p = value;
        int r;

        if (isempty(value)) {
                o->supplementary_groups = strv_free(o->supplementary_groups);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                if (!user_group_name_is_valid(word))
                        return error_set(ret_error, -EINVAL, "%s=: invalid group name '%s'", key, word);
                r = strv_consume(&o->supplementary_groups, TAKE_PTR(word));
                if (r < 0)
                        return r;
        }
}

KEY_PARSER(sandbox_parse_umask) {
        SandboxOptions *o = data;
        char *end;
        unsigned long m;

        if (isempty(value)) {
                o->umask = 0022;
                return 0;
        }
        errno = 0;
        m = strtoul(value, &end, 8);
        if (errno || *end || end == value || m > 0777 || value[0] == '-')
                return key_value_invalid(ret_error, key, value);
        o->umask = (mode_t) m;
        return 0;
}

/* Limit*= (ltype: the RLIMIT_*). */
KEY_PARSER(sandbox_parse_limit) {
        for (size_t i = 0; i < ELEMENTSOF(limit_keys); i++)
                if (limit_keys[i].resource == ltype)
                        return parse_limit(data, i, key, value, ret_error);
        return -EINVAL;
}

/* Where a row of the key table puts its parser's data, seen from the SandboxOptions; -ENOENT if
 * the key is not one of the sandbox's. */
static int sandbox_key_call(SandboxOptions *o, KeySection section, const char *key, const char *value,
                            char **ret_notice, char **ret_error) {
        const ServiceKey *k = service_key_lookup(section, key);
        size_t base = offsetof(Description, sandbox);

        if (!k || !k->parse || k->offset < base || k->offset >= base + sizeof(SandboxOptions))
                return -ENOENT;
        return k->parse(NULL, key, k->ltype, (uint8_t *) o + (k->offset - base), value, ret_notice, ret_error);
}

int sandbox_options_parse(SandboxOptions *o, const char *key, const char *value, char **ret_notice, char **ret_error) {
        return sandbox_key_call(o, KEY_SECTION_SERVICE, key, value, ret_notice, ret_error);
}

/* A path list entry, without systemd's "-" and "+" prefixes. */
static const char *path_entry(const char *e) {
        while (*e == '-' || *e == '+')
                e++;
        return e;
}

static bool path_is_under(const char *path, const char *prefix) {
        size_t n = strlen(prefix);

        if (strcmp(prefix, "/") == 0)
                return true;
        return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static bool name_is_numeric(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

int sandbox_options_verify(const SandboxOptions *o, char **ret_error) {
        if (o->ambient_capabilities & ~o->capability_bounding_set)
                return error_set(ret_error, -EINVAL,
                                 "AmbientCapabilities= names a capability outside CapabilityBoundingSet=");

        /* A contradiction: what is made inaccessible cannot be writable below. */
        for (char **w = o->read_write_paths; w && *w; w++)
                for (char **i = o->inaccessible_paths; i && *i; i++)
                        if (path_is_under(path_entry(*w), path_entry(*i)))
                                return error_set(ret_error, -EINVAL,
                                                 "ReadWritePaths=%s lies under InaccessiblePaths=%s", path_entry(*w),
                                                 path_entry(*i));
        return 0;
}

int sandbox_options_check_users(const SandboxOptions *o, char **ret_error) {
        /* The sandbox's /etc is the host's unless RootDirectory= is set: a
         * name that does not resolve here will not resolve there either. */
        if (!o->root_directory && !o->dynamic_user) { /* DynamicUser=: a name no file has is a transient uid */
                if (o->user && !name_is_numeric(o->user) && !getpwnam(o->user))
                        return error_set(ret_error, -ESRCH, "User=%s does not exist", o->user);
                if (o->group && !name_is_numeric(o->group) && !getgrnam(o->group))
                        return error_set(ret_error, -ESRCH, "Group=%s does not exist", o->group);
        }
        return 0;
}

static int parse_allow_system_calls(SandboxOptions *o, const char *key, const char *value, char **ret_error) {
        const char *p = value;
        int r;

        if (isempty(value)) {
                o->allow_system_calls = strv_free(o->allow_system_calls);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                /* These would be (nearly) every call: not an opt-out of one default. */
                FOREACH_STRING(g, "@known", "@system-service", "@default")
                        if (strcmp(word, g) == 0)
                                return error_set(ret_error, -EINVAL, "%s=%s: name the calls or groups to allow", key,
                                                 word);
                r = syscall_expand(word, 0, &o->allow_system_calls);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "%s=: unknown system call or group '%s'", key, word);
        }
}

/* AllowNetlink=, AllowIPProtocols=: protocol names (from_name() gives each its bit) added to
 * *mask; empty resets it to reset_to. what and hint word the error of an unknown one. */
static int parse_protocol_bits(const char *key, const char *value, int (*from_name)(const char *), uint32_t reset_to,
                               const char *what, const char *hint, uint32_t *mask, char **ret_error) {
        const char *p = value;
        int r;

        if (isempty(value)) {
                *mask = reset_to;
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;
                int n;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                n = from_name(word);
                if (n < 0)
                        return error_set(ret_error, -EINVAL, "%s=: unknown %s '%s'%s", key, what, word, hint);
                *mask |= (uint32_t) BIT(n);
        }
}

static int parse_netlink_protocols(SandboxOptions *o, const char *key, const char *value, char **ret_error) {
        return parse_protocol_bits(key, value, netlink_protocol_from_name, sandbox_default_netlink_protocols(),
                                   "netlink protocol", "", &o->netlink_protocols, ret_error);
}

static int parse_ip_protocols(SandboxOptions *o, const char *key, const char *value, char **ret_error) {
        return parse_protocol_bits(key, value, ip_protocol_opt_in_from_name, 0, "IP protocol",
                                   " (one of sctp, dccp, l2tp, mptcp)", &o->ip_protocols, ret_error);
}

/* TmpfsSize=SIZE[:INODES]: SIZE in bytes (K, M, G: base 1024) or N% of RAM, INODES a count (K, M: base 1024). */
static int parse_tmpfs_size(SandboxOptions *o, const char *key, const char *value, char **ret_error) {
        _cleanup_free_ char *size = NULL, *size_opt = NULL, *inodes_opt = NULL;
        const char *colon;
        uint64_t v;

        if (isempty(value)) {
                o->tmpfs_size = mfree(o->tmpfs_size);
                o->tmpfs_inodes = mfree(o->tmpfs_inodes);
                return 0;
        }
        colon = strchr(value, ':');
        size = colon ? strndup(value, (size_t) (colon - value)) : strdup(value);
        if (!size)
                return -ENOMEM;
        if (endswith(size, "%")) {
                size[strlen(size) - 1] = 0;
                if (parse_uint64(size, &v) < 0 || v == 0 || v > 100)
                        return error_set(ret_error, -EINVAL, "%s=%s: a percentage is 1%%..100%% of RAM", key, value);
                size_opt = strprintf("size=%" PRIu64 "%%", v);
        } else {
                if (parse_size(size, &v) < 0 || v < 4096 || v == UINT64_MAX)
                        return error_set(ret_error, -EINVAL, "%s=%s: expected SIZE (at least 4K) or N%%[:INODES]", key,
                                         value);
                size_opt = strprintf("size=%" PRIu64, v);
        }
        if (!size_opt)
                return -ENOMEM;
        if (colon) {
                if (parse_size(colon + 1, &v) < 0 || v == 0 || v == UINT64_MAX)
                        return error_set(ret_error, -EINVAL, "%s=%s: INODES is a count, e.g. 400K", key, value);
                inodes_opt = strprintf("nr_inodes=%" PRIu64, v);
                if (!inodes_opt)
                        return -ENOMEM;
        }
        free(o->tmpfs_size);
        o->tmpfs_size = TAKE_PTR(size_opt);
        free(o->tmpfs_inodes);
        o->tmpfs_inodes = TAKE_PTR(inodes_opt);
        return 0;
}

/* ReadOnlyHost= and the other opt-outs of one default (ltype: the SandboxLoosen). */
KEY_PARSER(sandbox_parse_isolate_loosen) {
        SandboxOptions *o = data;
        SandboxLoosen l = (SandboxLoosen) ltype;
        int r;

        r = isempty(value) ? !loosen_keys[l].loosen_value : parse_boolean(value);
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        o->loosen[l] = (bool) r == loosen_keys[l].loosen_value;
        loosen_apply(o, l);
        return 0;
}

/* HostRoot=, PasswordHashes= (data: the field; empty is "no"). */
KEY_PARSER(sandbox_parse_isolate_bool) {
        bool *b = data;
        int r;

        r = isempty(value) ? 0 : parse_boolean(value);
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        *b = r;
        return 0;
}

KEY_PARSER(sandbox_parse_allow_capabilities) {
        SandboxOptions *o = data;
        uint64_t set = 0;
        int r;

        if (isempty(value)) {
                o->allow_capabilities = 0;
                return 0;
        }
        r = parse_capability_list(key, value, &set, ret_error);
        if (r < 0)
                return r;
        o->allow_capabilities |= set;
        return 0;
}

KEY_PARSER(sandbox_parse_allow_address_families) {
        SandboxOptions *o = data;
        uint64_t set = 0;
        int r;

        if (!isempty(value)) {
                r = parse_address_families(key, value, &set, ret_error);
                if (r < 0)
                        return r;
                set |= o->allow_address_families;
        }
        o->allow_address_families = set;
        address_families_apply(o);
        return 0;
}

KEY_PARSER(sandbox_parse_allow_system_calls) {
        return parse_allow_system_calls(data, key, value, ret_error);
}

KEY_PARSER(sandbox_parse_allow_netlink) {
        return parse_netlink_protocols(data, key, value, ret_error);
}

KEY_PARSER(sandbox_parse_allow_ip_protocols) {
        return parse_ip_protocols(data, key, value, ret_error);
}

KEY_PARSER(sandbox_parse_tmpfs_size) {
        return parse_tmpfs_size(data, key, value, ret_error);
}

int sandbox_options_parse_isolate(SandboxOptions *o, const char *key, const char *value, char **ret_notice,
                                  char **ret_error) {
        return sandbox_key_call(o, KEY_SECTION_ISOLATE, key, value, ret_notice, ret_error);
}

/* What the defaults withhold, a stock unit does not get back: only AllowCapabilities= (and
 * KernelLogs=, whose ProtectKernelLogs= is about CAP_SYSLOG too) does. */
uint64_t sandbox_caps_allowed(const SandboxOptions *o) {
        return (~sandbox_caps_denied() | o->allow_capabilities | (o->protect_kernel_logs ? 0 : CAP(CAP_SYSLOG))) &
               caps_all();
}

int sandbox_options_finalize(SandboxOptions *o) {
        uint64_t allowed;
        int r;

        for (SandboxLoosen l = 0; l < _SANDBOX_LOOSEN_MAX; l++)
                loosen_apply(o, l);
        address_families_apply(o);

        allowed = sandbox_caps_allowed(o);
        if (!o->capability_bounding_set_set)
                o->capability_bounding_set = caps_all();
        o->capability_bounding_set &= allowed & caps_all();
        o->ambient_capabilities &= allowed;
        r = hardening_options_finalize(o);
        if (r < 0)
                return r;

        if (o->protect_kernel_logs)
                FOREACH_STRING(p, "-/proc/kmsg", "-/dev/kmsg")
                        if (!strv_contains(o->inaccessible_paths, p)) {
                                r = strv_extend(&o->inaccessible_paths, p);
                                if (r < 0)
                                        return r;
                        }
        /* Root inside reads root's files on the host (they show their real owners): but not the
         * password hashes, unless PasswordHashes=yes. */
        if (!o->password_hashes)
                FOREACH_STRING(p, "-/etc/shadow", "-/etc/gshadow", "-/etc/shadow-", "-/etc/gshadow-")
                        if (!strv_contains(o->inaccessible_paths, p)) {
                                r = strv_extend(&o->inaccessible_paths, p);
                                if (r < 0)
                                        return r;
                        }
        /* Nor every service's description with its drop-ins, root's 0600 files whose Environment=
         * holds another service's secrets. */
        if (!strv_contains(o->inaccessible_paths, "-/etc/isolated")) {
                r = strv_extend(&o->inaccessible_paths, "-/etc/isolated");
                if (r < 0)
                        return r;
        }
        return 0;
}
