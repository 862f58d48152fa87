/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>

#include "capability-names.h"
#include "security.h"
#include "string-util.h"
#include "strv.h"

#define CAP(c) (UINT64_C(1) << (c))
#define BIT(n) (UINT64_C(1) << (n))
#define streq(a, b) (strcmp((a), (b)) == 0)

SecurityReport *security_report_free(SecurityReport *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++)
                free(r->items[i].detail);
        free(r->items);
        return mfree(r);
}

static unsigned clamp10(unsigned v) {
        return v > SECURITY_EXPOSURE_MAX ? SECURITY_EXPOSURE_MAX : v;
}

_printf_(6, 7) static int add(SecurityReport *r, const char *id, const char *description, unsigned weight,
                              unsigned exposure, const char *fmt, ...) {
        SecurityItem *grown;
        char *detail;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&detail, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        grown = realloc(r->items, sizeof(SecurityItem) * (r->n + 1));
        if (!grown) {
                free(detail);
                return -ENOMEM;
        }
        r->items = grown;
        r->items[r->n++] = (SecurityItem) {
                .id = id,
                .description = description,
                .detail = detail,
                .weight = weight,
                .exposure = clamp10(exposure),
        };
        return 0;
}

/* Appends word to *s, space separated. */
static int append(char **s, const char *word) {
        char *n;

        if (asprintf(&n, "%s%s%s", *s ?: "", *s ? " " : "", word) < 0)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

static int caps_names(uint64_t caps, char **ret) {
        return capability_set_to_string(caps & (CAP(CAP_LAST_CAP + 1) - 1), ret);
}

static bool user_is_root(const SandboxOptions *o) {
        return !o->user || streq(o->user, "root") || streq(o->user, "0");
}

static int assess_user_namespace(SecurityReport *r, const Description *d) {
        if (d->sandbox.host_root)
                return add(r, "UserNamespace", "User namespace", 2000, 10,
                           "HostRoot=yes: no user namespace; root inside is root on the host");
        return add(r, "UserNamespace", "User namespace", 2000, 0,
                   "private, 65536 IDs of its own: root inside is nobody outside");
}

static int assess_read_only_host(SecurityReport *r, const Description *d) {
        static const struct {
                unsigned exposure;
                const char *detail;
        } table[_PROTECT_SYSTEM_MAX] = {
                [PROTECT_SYSTEM_NO] = { 10, "ProtectSystem=no: the host's tree is writable" },
                [PROTECT_SYSTEM_YES] = { 6, "ProtectSystem=yes: /usr and /boot read-only, /etc and the rest writable" },
                [PROTECT_SYSTEM_FULL] = { 3, "ProtectSystem=full: /usr, /boot, /etc read-only, /var writable" },
                [PROTECT_SYSTEM_STRICT] = { 0, "the whole host tree read-only (ProtectSystem=strict)" },
        };
        ProtectSystem p = d->sandbox.protect_system;

        if (p < 0 || p >= _PROTECT_SYSTEM_MAX)
                p = PROTECT_SYSTEM_NO;
        return add(r, "ReadOnlyHost", "Host file system", 1000, table[p].exposure, "%s", table[p].detail);
}

/* A writable path the service names itself matters by where it is: its own directory under
 * /var/lib is what it is for, /etc or / is the host. */
static unsigned writable_path_exposure(const char *path) {
        static const char *const wide[] = { "/",        "/etc",  "/usr",  "/boot", "/var",
                                            "/var/lib", "/root", "/home", "/run" };
        static const char *const host[] = { "/etc/", "/usr/", "/boot/", "/root/", "/home/", "/lib", "/bin", "/sbin" };

        if (path[0] == '-')
                path++;
        for (size_t i = 0; i < ELEMENTSOF(wide); i++)
                if (streq(path, wide[i]))
                        return 10;
        for (size_t i = 0; i < ELEMENTSOF(host); i++)
                if (startswith(path, host[i]))
                        return 5;
        return 2;
}

static int assess_writable_paths(SecurityReport *r, const Description *d) {
        static const ExecDirectoryType host_dirs[] = { EXEC_DIRECTORY_STATE, EXEC_DIRECTORY_CACHE,
                                                       EXEC_DIRECTORY_LOGS };
        _cleanup_free_ char *list = NULL;
        unsigned exposure = 0;
        int k;

        for (size_t i = 0; i < ELEMENTSOF(host_dirs); i++)
                for (char **p = d->directories[host_dirs[i]].paths; p && *p; p++) {
                        _cleanup_free_ char *full = NULL;

                        if (asprintf(&full, "%s/%s", exec_directory_base[host_dirs[i]], *p) < 0 ||
                            append(&list, full) < 0)
                                return -ENOMEM;
                        exposure = exposure ?: 1;
                }
        for (char **p = d->sandbox.read_write_paths; p && *p; p++) {
                if (append(&list, *p[0] == '-' ? *p + 1 : *p) < 0)
                        return -ENOMEM;
                exposure += writable_path_exposure(*p);
        }
        for (size_t i = 0; i < d->sandbox.n_bind_mounts; i++) {
                if (d->sandbox.bind_mounts[i].read_only)
                        continue;
                if (append(&list, d->sandbox.bind_mounts[i].source) < 0)
                        return -ENOMEM;
                exposure += writable_path_exposure(d->sandbox.bind_mounts[i].source);
        }
        k = add(r, "WritableHostPaths", "Writable host paths", 600, exposure, "%s%s",
                list ? "writable: " : "none (only its private /tmp, /var/tmp and /run)", list ?: "");
        return k;
}

static int assess_home(SecurityReport *r, const Description *d) {
        switch (d->sandbox.protect_home) {
        case PROTECT_HOME_YES:
        case PROTECT_HOME_TMPFS:
                return add(r, "HideHome", "/home, /root, /run/user", 800, 0, "hidden (ProtectHome=%s)",
                           protect_home_to_string(d->sandbox.protect_home));
        case PROTECT_HOME_READ_ONLY:
                return add(r, "HideHome", "/home, /root, /run/user", 800, 5, "readable (ProtectHome=read-only)");
        default:
                return add(r, "HideHome", "/home, /root, /run/user", 800, 10,
                           "visible (HideHome=no, ProtectHome=no)");
        }
}

static int assess_tmp(SecurityReport *r, const Description *d) {
        if (d->sandbox.private_tmp)
                return add(r, "PrivateTmp", "/tmp, /var/tmp", 400, 0, "private");
        return add(r, "PrivateTmp", "/tmp, /var/tmp", 400, 8, "the host's, shared with everyone (HostTmp=yes)");
}

static int assess_password_hashes(SecurityReport *r, const Description *d) {
        if (d->sandbox.password_hashes)
                return add(r, "PasswordHashes", "Password hashes", 500, 8,
                           "/etc/shadow and /etc/gshadow readable (PasswordHashes=yes)");
        return add(r, "PasswordHashes", "Password hashes", 500, 0, "/etc/shadow and /etc/gshadow hidden");
}

/* The bounding set isolate-init keeps (sandbox-caps.c): the file's set within what the
 * defaults and the opt-outs allow. */
static int assess_capabilities(SecurityReport *r, const Description *d) {
        static const int worst[] = { CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_RAWIO, CAP_BPF };
        const SandboxOptions *o = &d->sandbox;
        uint64_t kept = o->capability_bounding_set & sandbox_caps_allowed(o);
        uint64_t extra = kept & sandbox_caps_denied();
        _cleanup_free_ char *names = NULL;
        unsigned exposure;
        int n = 0;

        for (int c = 0; c <= CAP_LAST_CAP; c++)
                n += !!(kept & CAP(c));
        if (kept == 0)
                return add(r, "Capabilities", "Capabilities kept", 1500, 0, "none");
        exposure = o->host_root ? 6 : 2;
        for (int c = 0; c <= CAP_LAST_CAP; c++)
                if (extra & CAP(c))
                        exposure += 2;
        for (size_t i = 0; i < ELEMENTSOF(worst); i++)
                if (extra & CAP(worst[i]))
                        exposure += 4;
        if (!user_is_root(o) && o->ambient_capabilities == 0)
                exposure = (exposure + 1) / 2; /* User= runs without them, unless it gains them back */
        if (extra && caps_names(extra, &names) < 0)
                return -ENOMEM;
        return add(r, "Capabilities", "Capabilities kept", 1500, exposure, "%d%s%s%s%s", n,
                   o->host_root ? " of the host's" : ", of its own user namespace",
                   names ? "; beyond the defaults: " : " (the defaults)", names ?: "",
                   !user_is_root(o) && o->ambient_capabilities == 0 ? "; User= runs without them" : "");
}

static bool is_allowed_again(const SandboxOptions *o, const char *entry) {
        const char *const *members = entry[0] == '@' ? syscall_group_members(entry) : NULL;

        if (!members)
                return strv_contains(o->allow_system_calls, entry);
        for (const char *const *m = members; *m; m++)
                if (strv_contains(o->allow_system_calls, *m))
                        return true;
        return false;
}

static int assess_system_calls(SecurityReport *r, const Description *d) {
        static const char *const severe[] = { "@module", "@raw-io", "@reboot", "@swap", "@clock", "bpf", "mount",
                                              "setns", "open_by_handle_at", "pivot_root" };
        const SandboxOptions *o = &d->sandbox;
        _cleanup_free_ char *again = NULL;
        unsigned exposure = 0;
        size_t n = 0;

        for (const char *const *e = sandbox_default_syscall_deny; *e; e++) {
                n++;
                if (!is_allowed_again(o, *e))
                        continue;
                if (append(&again, *e) < 0)
                        return -ENOMEM;
                exposure += 2;
                for (size_t i = 0; i < ELEMENTSOF(severe); i++)
                        if (streq(*e, severe[i]))
                                exposure += 2;
        }
        return add(r, "SystemCallFilter", "System calls", 1000, exposure, "%s%zu groups and calls denied%s%s",
                   o->system_call_filter_set && o->system_call_allow_list ? "an allow list; "
                   : o->system_call_filter_set                            ? "more denied by the file; "
                                                                          : "",
                   n, again ? "; allowed again (AllowSystemCalls=): " : " (@system-service's spirit)",
                   again ?: "");
}

static int assess_address_families(SecurityReport *r, const Description *d) {
        const SandboxOptions *o = &d->sandbox;
        uint64_t extra = o->address_families & ~sandbox_default_address_families();
        uint32_t nl_extra = o->netlink_protocols & ~sandbox_default_netlink_protocols();
        _cleanup_free_ char *names = NULL;
        unsigned exposure = 0;

        for (int f = 0; f < 64; f++) {
                if (!(extra & BIT(f)))
                        continue;
                if (append(&names, address_family_to_name(f) ?: "?") < 0)
                        return -ENOMEM;
                exposure += f == AF_PACKET ? 6 : 3;
        }
        for (int p = 0; p < 32; p++) {
                if (!(nl_extra & (UINT32_C(1) << p)))
                        continue;
                const char *n = netlink_protocol_to_name(p);
                _cleanup_free_ char *word = NULL;
                if (asprintf(&word, "netlink:%s", n ?: "?") < 0 || append(&names, word) < 0)
                        return -ENOMEM;
                exposure += 2;
        }
        for (IPProtocolOptIn i = 0; i < _IP_PROTOCOL_OPT_IN_MAX; i++) {
                _cleanup_free_ char *word = NULL;

                if (!(o->ip_protocols & (UINT32_C(1) << i)))
                        continue;
                if (asprintf(&word, "ip:%s", ip_protocol_opt_in_to_name(i)) < 0 || append(&names, word) < 0)
                        return -ENOMEM;
                exposure += 2;
        }
        if (!(o->address_families & ~BIT(AF_UNIX)))
                return add(r, "AddressFamilies", "Socket address families", 600, 0, "AF_UNIX only");
        return add(r, "AddressFamilies", "Socket address families", 600, exposure, "%s%s",
                   names ? "the defaults and " : "AF_UNIX AF_INET AF_INET6 AF_NETLINK (the defaults, or fewer)",
                   names ?: "");
}

static int assess_devices(SecurityReport *r, const Description *d) {
        if (d->sandbox.private_devices)
                return add(r, "HostDevices", "Devices", 800, 0, "a minimal /dev of its own");
        return add(r, "HostDevices", "Devices", 800, d->sandbox.host_root ? 10 : 8,
                   "the host's /dev (HostDevices=yes)");
}

static int assess_network(SecurityReport *r, const Description *d) {
        unsigned exposure = d->network == NETWORK_VETH ? 5 : 0;

        exposure += d->n_ports > 0 ? 2 : 0;
        exposure += d->n_listen > 0 ? 1 : 0;
        return add(r, "Network", "Network", 600, exposure, "%s%s%s",
                   d->network == NETWORK_VETH ? "Network=veth: a link to the host" : "private (loopback only)",
                   d->n_ports > 0 ? "; Port= forwards from the host" : "",
                   d->n_listen > 0 ? "; sockets of the host handed in (ListenStream=/ListenDatagram=)" : "");
}

static int assess_kernel(SecurityReport *r, const Description *d) {
        const SandboxOptions *o = &d->sandbox;
        uint64_t kept = o->capability_bounding_set & sandbox_caps_allowed(o);
        bool modules = (kept & CAP(CAP_SYS_MODULE)) && is_allowed_again(o, "@module");
        int k;

        k = add(r, "KernelTunables", "Kernel tunables (/proc/sys, /sys)", 500,
                o->protect_kernel_tunables ? 0 : o->host_root ? 10 : 6,
                o->protect_kernel_tunables ? "read-only"
                                           : "writable where its namespaces own them (KernelTunables=yes)");
        if (k < 0)
                return k;
        k = add(r, "KernelLogs", "Kernel log", 300, o->protect_kernel_logs ? 0 : o->host_root ? 8 : 6,
                o->protect_kernel_logs ? "hidden (/proc/kmsg, /dev/kmsg, syslog(2))" : "readable (KernelLogs=yes)");
        if (k < 0)
                return k;
        return add(r, "KernelModules", "Kernel modules", 500, modules ? (o->host_root ? 10 : 3) : 0,
                   modules ? "CAP_SYS_MODULE and @module allowed again"
                           : "cannot be loaded (no CAP_SYS_MODULE, @module denied)");
}

static int assess_process(SecurityReport *r, const Description *d) {
        const SandboxOptions *o = &d->sandbox;
        int k;

        k = add(r, "ControlGroups", "Control groups", 300, o->protect_control_groups ? 0 : o->host_root ? 10 : 6,
                o->protect_control_groups ? "its own cgroup, read-only" : "writable (ControlGroups=yes)");
        if (k >= 0)
                k = add(r, "NoNewPrivileges", "New privileges (no_new_privs)", 600, o->no_new_privileges ? 0 : 8,
                        o->no_new_privileges ? "none can be gained"
                                             : "setuid programs and file capabilities work (NewPrivileges=yes)");
        if (k >= 0)
                k = add(r, "SUIDSGIDFiles", "Set-user-ID files", 300, o->restrict_suid_sgid ? 0 : 5,
                        o->restrict_suid_sgid ? "cannot be made" : "can be made (SUIDSGIDFiles=yes)");
        if (k >= 0)
                k = add(r, "Personality", "Personality", 100, o->lock_personality ? 0 : 5,
                        o->lock_personality ? "locked" : "may be changed (Personality=yes)");
        return k;
}

static int assess_limits(SecurityReport *r, const Description *d) {
        bool memory = d->memory_max_set && d->memory_max != CGROUP_LIMIT_MAX;
        bool tasks = d->tasks_max_set && d->tasks_max != CGROUP_LIMIT_MAX;
        _cleanup_free_ char *m = NULL, *t = NULL;

        if (memory ? asprintf(&m, "MemoryMax=%" PRIu64, d->memory_max) < 0 : !(m = strdup("no MemoryMax=")))
                return -ENOMEM;
        if (tasks ? asprintf(&t, "TasksMax=%" PRIu64, d->tasks_max) < 0 : !(t = strdup("TasksMax=infinity")))
                return -ENOMEM;
        return add(r, "ResourceLimits", "Resource limits", 400, (memory ? 0 : 3) + (tasks ? 0 : 5), "%s, %s, tmpfs %s",
                   m, t, sandbox_tmpfs_size(&d->sandbox));
}

int security_assess(const Description *d, SecurityReport **ret) {
        static int (*const assess[])(SecurityReport *r, const Description *d) = {
                assess_user_namespace, assess_read_only_host, assess_writable_paths, assess_home,
                assess_tmp, assess_password_hashes, assess_capabilities, assess_system_calls,
                assess_address_families, assess_devices, assess_network, assess_kernel,
                assess_process, assess_limits,
        };
        _cleanup_(security_report_freep) SecurityReport *r = NULL;
        double sum = 0, weights = 0;

        if (!d || !ret)
                return -EINVAL;
        r = calloc(1, sizeof(SecurityReport));
        if (!r)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(assess); i++) {
                int k = assess[i](r, d);
                if (k < 0)
                        return k;
        }
        for (size_t i = 0; i < r->n; i++) {
                sum += (double) r->items[i].weight * r->items[i].exposure;
                weights += r->items[i].weight;
        }
        r->exposure = weights > 0 ? sum / weights : 0;
        *ret = TAKE_PTR(r);
        return 0;
}

const char *security_exposure_word(double exposure) {
        /* systemd-analyze security's table (in tenths there). */
        static const struct {
                double from;
                const char *word;
        } table[] = {
                { 10.0, "DANGEROUS" }, { 9.0, "UNSAFE" }, { 7.5, "EXPOSED" }, { 5.0, "MEDIUM" },
                { 1.0, "OK" },         { 0.1, "SAFE" },   { 0.0, "PERFECT" },
        };

        exposure = (double) (long) (exposure * 10 + 0.5) / 10; /* as shown: one decimal */
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (exposure >= table[i].from - 1e-9)
                        return table[i].word;
        return "PERFECT";
}
