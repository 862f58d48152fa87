/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <syslog.h>

#include "description.h"
#include "hardening-options.h"
#include "sandbox-options.h"
#include "strv.h"

#define CAP(c) (UINT64_C(1) << (c))
#define FOREACH_KEY(x, ...)                                                                        \
        for (const char *const *x##_l = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_l); x##_l++)
#define FOREACH_CAP(x, ...)                                                                        \
        for (int x##_i = 0, x##_l[] = { __VA_ARGS__, -1 }, x; (x = x##_l[x##_i]) >= 0; x##_i++)

static SandboxOptions o;
static char *notice, *error;

static void setup(void) {
        sandbox_options_init(&o);
        notice = error = NULL;
}

static void teardown(void) {
        sandbox_options_done(&o);
        free(notice);
        free(error);
}

static int parse(const char *key, const char *value) {
        notice = mfree(notice);
        error = mfree(error);
        return sandbox_options_parse(&o, key, value, &notice, &error);
}

static int parse_isolate(const char *key, const char *value) {
        notice = mfree(notice);
        error = mfree(error);
        return sandbox_options_parse_isolate(&o, key, value, &notice, &error);
}

#define AF(f) (UINT64_C(1) << (f))

START_TEST(test_defaults_are_secure) {
        ck_assert(o.private_tmp && o.private_devices && o.no_new_privileges);
        ck_assert(o.protect_kernel_tunables && o.protect_control_groups);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_STRICT);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_YES);
        ck_assert(o.protect_kernel_logs && o.restrict_suid_sgid && o.lock_personality && !o.host_root);
        ck_assert_uint_eq(o.address_families, AF(AF_UNIX) | AF(AF_INET) | AF(AF_INET6) | AF(AF_NETLINK));
        ck_assert_uint_eq(o.netlink_protocols,
                          (1U << NETLINK_ROUTE) | (1U << NETLINK_SOCK_DIAG) | (1U << NETLINK_GENERIC));
        ck_assert_str_eq(sandbox_tmpfs_size(&o), "size=10%");
        ck_assert_str_eq(sandbox_tmpfs_inodes(&o), "nr_inodes=400k");
        ck_assert_uint_eq(o.capability_bounding_set & sandbox_caps_denied(), 0);
        FOREACH_CAP(c, CAP_SYSLOG, CAP_IPC_LOCK, CAP_LINUX_IMMUTABLE, CAP_SETFCAP, CAP_AUDIT_CONTROL, CAP_AUDIT_READ,
                    CAP_AUDIT_WRITE, CAP_SYS_ADMIN, CAP_NET_ADMIN)
                ck_assert(sandbox_caps_denied() & CAP(c));
        ck_assert(!(sandbox_caps_denied() & CAP(CAP_SYS_CHROOT)));
        ck_assert(o.capability_bounding_set & CAP(CAP_NET_BIND_SERVICE));
        ck_assert_uint_eq(o.umask, 0022);
        ck_assert_int_eq(o.system_call_error_number, EPERM);
        ck_assert(!o.system_call_filter_set);
}
END_TEST

START_TEST(test_not_mine) {
        ck_assert_int_eq(parse("ExecStart", "/bin/true"), -ENOENT);
        ck_assert_int_eq(parse("MemoryMax", "1G"), -ENOENT);
}
END_TEST

/* A stock unit's systemd key only tightens: "no" keeps the default, with a notice naming the opt-out. */
START_TEST(test_booleans_and_notice) {
        ck_assert_int_eq(parse("PrivateTmp", "yes"), 0);
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("PrivateDevices", "no"), 0);
        ck_assert(o.private_devices);
        ck_assert_ptr_nonnull(notice);
        ck_assert_ptr_nonnull(strstr(notice, "the default stays unless [Isolate] HostDevices=yes"));
        ck_assert_int_eq(parse("PrivateDevices", ""), 0);
        ck_assert(o.private_devices);
        ck_assert_int_eq(parse("NoNewPrivileges", "maybe"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "NoNewPrivileges="));
        FOREACH_KEY(k, "PrivateTmp", "ProtectKernelTunables", "ProtectControlGroups", "NoNewPrivileges",
                    "ProtectKernelLogs", "RestrictSUIDSGID", "LockPersonality") {
                ck_assert_int_eq(parse(k, "no"), 0);
                ck_assert_ptr_nonnull(notice);
        }
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(o.private_tmp && o.protect_kernel_tunables && o.protect_control_groups && o.no_new_privileges &&
                  o.protect_kernel_logs && o.restrict_suid_sgid && o.lock_personality);
}
END_TEST

START_TEST(test_protect_system_home) {
        ck_assert_int_eq(parse("ProtectSystem", "strict"), 0);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_STRICT);
        ck_assert_ptr_null(notice);
        FOREACH_KEY(v, "yes", "full", "no", "false") {
                ck_assert_int_eq(parse("ProtectSystem", v), 0);
                ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_STRICT);
                ck_assert_ptr_nonnull(strstr(notice, "[Isolate] ReadOnlyHost=no"));
        }
        ck_assert_int_eq(parse("ProtectSystem", "bogus"), -EINVAL);
        ck_assert_int_eq(parse("ProtectHome", "read-only"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_YES); /* read-only shows what yes hides */
        ck_assert_ptr_nonnull(strstr(notice, "[Isolate] HideHome=no"));
        ck_assert_int_eq(parse("ProtectHome", "tmpfs"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_TMPFS); /* hides as much */
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("ProtectHome", "true"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_YES);
        ck_assert_int_eq(parse("ProtectHome", "no"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_YES);
}
END_TEST

/* Each [Isolate] opt-out gives its systemd key systemd's own meaning and default, in any order. */
START_TEST(test_opt_outs) {
        ck_assert_int_eq(parse_isolate("ReadOnlyHost", "no"), 0);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_NO); /* systemd's default */
        ck_assert_int_eq(parse("ProtectSystem", "full"), 0);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_FULL);
        ck_assert_int_eq(parse_isolate("ReadOnlyHost", "yes"), 0);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_STRICT);

        ck_assert_int_eq(parse("ProtectHome", "read-only"), 0);
        ck_assert_int_eq(parse_isolate("HideHome", "no"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_READ_ONLY);

        ck_assert_int_eq(parse("PrivateTmp", "no"), 0);
        ck_assert_int_eq(parse("NoNewPrivileges", "no"), 0);
        ck_assert_int_eq(parse_isolate("HostTmp", "yes"), 0);
        ck_assert(!o.private_tmp);
        ck_assert(o.no_new_privileges); /* its own opt-out is not given */
        ck_assert_int_eq(parse_isolate("NewPrivileges", "yes"), 0);
        ck_assert(!o.no_new_privileges);

        /* The opt-out alone: systemd's default of the key (off for each of these). */
        FOREACH_KEY(k, "HostDevices", "KernelTunables", "ControlGroups", "KernelLogs", "SUIDSGIDFiles", "Personality")
                ck_assert_int_eq(parse_isolate(k, "yes"), 0);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(!o.private_devices && !o.protect_kernel_tunables && !o.protect_control_groups && !o.protect_kernel_logs &&
                  !o.restrict_suid_sgid && !o.lock_personality);
        /* ... unless the file asks for the protection itself. */
        ck_assert_int_eq(parse("ProtectKernelLogs", "yes"), 0);
        ck_assert(o.protect_kernel_logs);

        ck_assert_int_eq(parse_isolate("HostRoot", "yes"), 0);
        ck_assert(o.host_root);
        ck_assert_int_eq(parse_isolate("HostRoot", ""), 0);
        ck_assert(!o.host_root);
        ck_assert_int_eq(parse_isolate("HostTmp", "maybe"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "HostTmp="));
        ck_assert_int_eq(parse_isolate("Hostname", "x"), -ENOENT);
        for (const char *const *k = sandbox_isolate_keys; *k; k++)
                ck_assert_int_ne(parse_isolate(*k, ""), -ENOENT);
}
END_TEST

START_TEST(test_address_families) {
        uint64_t def = sandbox_default_address_families();

        ck_assert_int_eq(address_family_from_name("AF_VSOCK"), AF_VSOCK);
        ck_assert_str_eq(address_family_to_name(AF_PACKET), "AF_PACKET");
        ck_assert_int_eq(address_family_from_name("AF_XDP"), 44);
        ck_assert_int_eq(address_family_from_name("vsock"), -EINVAL);

        /* A stock unit's list only narrows the default. */
        ck_assert_int_eq(parse("RestrictAddressFamilies", "AF_UNIX AF_PACKET"), 0);
        ck_assert_uint_eq(o.address_families, AF(AF_UNIX));
        ck_assert_ptr_nonnull(strstr(notice, "AF_PACKET withheld"));
        ck_assert_int_eq(parse("RestrictAddressFamilies", "AF_INET"), 0); /* ORed */
        ck_assert_uint_eq(o.address_families, AF(AF_UNIX) | AF(AF_INET));
        ck_assert_int_eq(parse("RestrictAddressFamilies", ""), 0);
        ck_assert_uint_eq(o.address_families, def);
        ck_assert_int_eq(parse("RestrictAddressFamilies", "~AF_INET6 AF_PACKET"), 0);
        ck_assert_uint_eq(o.address_families, def & ~AF(AF_INET6));
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("RestrictAddressFamilies", "none"), 0);
        ck_assert_uint_eq(o.address_families, 0);
        ck_assert_int_eq(parse("RestrictAddressFamilies", "AF_NOPE"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "AF_NOPE"));

        /* The opt-out adds to the default; the file's list still narrows. */
        ck_assert_int_eq(parse("RestrictAddressFamilies", ""), 0);
        ck_assert_int_eq(parse_isolate("AllowAddressFamilies", "AF_PACKET AF_VSOCK"), 0);
        ck_assert_uint_eq(o.address_families, def | AF(AF_PACKET) | AF(AF_VSOCK));
        ck_assert_int_eq(parse("RestrictAddressFamilies", "AF_UNIX AF_PACKET"), 0);
        ck_assert_ptr_null(notice);
        ck_assert_uint_eq(o.address_families, AF(AF_UNIX) | AF(AF_PACKET));
        ck_assert_int_eq(parse_isolate("AllowAddressFamilies", ""), 0);
        ck_assert_uint_eq(o.address_families, AF(AF_UNIX));

        ck_assert_int_eq(netlink_protocol_from_name("audit"), NETLINK_AUDIT);
        ck_assert_int_eq(netlink_protocol_from_name("NETLINK_KOBJECT_UEVENT"), NETLINK_KOBJECT_UEVENT);
        ck_assert_int_eq(netlink_protocol_from_name("12"), NETLINK_NETFILTER);
        ck_assert_int_eq(netlink_protocol_from_name("nope"), -EINVAL);
        ck_assert_int_eq(parse_isolate("AllowNetlink", "audit xfrm"), 0);
        ck_assert_uint_eq(o.netlink_protocols,
                          sandbox_default_netlink_protocols() | (1U << NETLINK_AUDIT) | (1U << NETLINK_XFRM));
        ck_assert_int_eq(parse_isolate("AllowNetlink", ""), 0);
        ck_assert_uint_eq(o.netlink_protocols, sandbox_default_netlink_protocols());
        ck_assert_int_eq(parse_isolate("AllowNetlink", "bogus"), -EINVAL);
        ck_assert_str_eq(error, "AllowNetlink=: unknown netlink protocol 'bogus'");

        /* IP protocols: none beyond TCP, UDP, UDP-Lite and ICMP by default; names or numbers. */
        ck_assert_uint_eq(o.ip_protocols, 0);
        ck_assert_int_eq(ip_protocol_opt_in_from_name("SCTP"), IP_PROTOCOL_SCTP);
        ck_assert_int_eq(ip_protocol_opt_in_from_name("262"), IP_PROTOCOL_MPTCP);
        ck_assert_int_eq(ip_protocol_opt_in_from_name("6"), -EINVAL); /* TCP: always allowed, not an opt-in */
        ck_assert_int_eq(ip_protocol_opt_in_number(IP_PROTOCOL_DCCP), 33);
        ck_assert_str_eq(ip_protocol_opt_in_to_name(IP_PROTOCOL_L2TP), "l2tp");
        ck_assert_int_eq(parse_isolate("AllowIPProtocols", "sctp 33"), 0);
        ck_assert_uint_eq(o.ip_protocols, (1U << IP_PROTOCOL_SCTP) | (1U << IP_PROTOCOL_DCCP));
        ck_assert_int_eq(parse_isolate("AllowIPProtocols", ""), 0);
        ck_assert_uint_eq(o.ip_protocols, 0);
        ck_assert_int_eq(parse_isolate("AllowIPProtocols", "tcp"), -EINVAL);
        ck_assert_str_eq(error, "AllowIPProtocols=: unknown IP protocol 'tcp' (one of sctp, dccp, l2tp, mptcp)");
}
END_TEST

START_TEST(test_tmpfs_size_and_syscalls) {
        ck_assert_int_eq(parse_isolate("TmpfsSize", "25%"), 0);
        ck_assert_str_eq(sandbox_tmpfs_size(&o), "size=25%");
        ck_assert_str_eq(sandbox_tmpfs_inodes(&o), "nr_inodes=400k");
        ck_assert_int_eq(parse_isolate("TmpfsSize", "64M:1K"), 0);
        ck_assert_str_eq(sandbox_tmpfs_size(&o), "size=67108864");
        ck_assert_str_eq(sandbox_tmpfs_inodes(&o), "nr_inodes=1024");
        FOREACH_KEY(v, "0%", "101%", "1", "x", "1M:0", "1M:x", "infinity")
                ck_assert_int_eq(parse_isolate("TmpfsSize", v), -EINVAL);
        ck_assert_int_eq(parse_isolate("TmpfsSize", ""), 0);
        ck_assert_str_eq(sandbox_tmpfs_size(&o), "size=10%");

        ck_assert(strv_contains((char **) sandbox_default_syscall_deny, "io_uring_setup"));
        ck_assert(!strv_contains((char **) sandbox_default_syscall_deny, "chroot"));
        ck_assert(!strv_contains((char **) sandbox_default_syscall_deny, "@mount"));
        ck_assert_int_eq(parse_isolate("AllowSystemCalls", "io_uring_setup @keyring"), 0);
        ck_assert(strv_contains(o.allow_system_calls, "io_uring_setup"));
        ck_assert(strv_contains(o.allow_system_calls, "keyctl"));
        ck_assert_int_eq(parse_isolate("AllowSystemCalls", "no_such_call"), -EINVAL);
        ck_assert_int_eq(parse_isolate("AllowSystemCalls", "@system-service"), -EINVAL);
        ck_assert_int_eq(parse_isolate("AllowSystemCalls", ""), 0);
        ck_assert_ptr_null(o.allow_system_calls);
}
END_TEST

/* Capabilities the defaults withhold: a notice, the service runs without; AllowCapabilities= grants. */
START_TEST(test_capabilities_withheld) {
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_SYS_ADMIN CAP_IPC_LOCK CAP_NET_BIND_SERVICE"), 0);
        ck_assert_ptr_nonnull(strstr(notice, "CAP_IPC_LOCK CAP_SYS_ADMIN withheld"));
        ck_assert_int_eq(parse("AmbientCapabilities", "CAP_IPC_LOCK"), 0);
        ck_assert_ptr_nonnull(strstr(notice, "CAP_IPC_LOCK withheld"));
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert_uint_eq(o.capability_bounding_set, CAP(CAP_NET_BIND_SERVICE));
        ck_assert_uint_eq(o.ambient_capabilities, 0);

        sandbox_options_done(&o);
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_SYS_ADMIN CAP_IPC_LOCK CAP_NET_BIND_SERVICE"), 0);
        ck_assert_int_eq(parse("AmbientCapabilities", "CAP_IPC_LOCK"), 0);
        ck_assert_int_eq(parse_isolate("AllowCapabilities", "CAP_IPC_LOCK cap_sys_time"), 0);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert_uint_eq(o.capability_bounding_set, CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_IPC_LOCK));
        ck_assert_uint_eq(o.ambient_capabilities, CAP(CAP_IPC_LOCK));
        ck_assert_int_eq(sandbox_options_finalize(&o), 0); /* idempotent */
        ck_assert_uint_eq(o.capability_bounding_set, CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_IPC_LOCK));

        /* Without CapabilityBoundingSet=: the default set plus what is granted. */
        sandbox_options_done(&o);
        ck_assert_int_eq(parse_isolate("AllowCapabilities", "CAP_SYS_TIME"), 0);
        ck_assert_int_eq(parse_isolate("AllowCapabilities", "CAP_NOPE"), -EINVAL);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(o.capability_bounding_set & CAP(CAP_SYS_TIME));
        ck_assert(!(o.capability_bounding_set & CAP(CAP_SYS_ADMIN)));
        ck_assert(!(o.capability_bounding_set & CAP(CAP_SYSLOG)));
        ck_assert(o.capability_bounding_set & CAP(CAP_CHOWN));

        ck_assert_uint_eq(sandbox_caps_allowed(&o) & sandbox_caps_denied(), CAP(CAP_SYS_TIME));

        /* KernelLogs=yes is about CAP_SYSLOG too. */
        sandbox_options_done(&o);
        ck_assert_int_eq(parse_isolate("KernelLogs", "yes"), 0);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(o.capability_bounding_set & CAP(CAP_SYSLOG));
        ck_assert(!strv_contains(o.inaccessible_paths, "-/proc/kmsg"));
}
END_TEST

START_TEST(test_kernel_logs_masked) {
        size_t n;

        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(strv_contains(o.inaccessible_paths, "-/proc/kmsg"));
        ck_assert(strv_contains(o.inaccessible_paths, "-/dev/kmsg"));
        /* Every service's description (and another's Environment= secrets) stays hidden too. */
        ck_assert(strv_contains(o.inaccessible_paths, "-/etc/isolated"));
        /* kmsg twice, the password hashes four files, the descriptions: each once, however often finalized. */
        n = strv_length(o.inaccessible_paths);
        ck_assert_int_eq(n, 7);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert_int_eq(strv_length(o.inaccessible_paths), n);
}
END_TEST

START_TEST(test_password_hashes_hidden) {
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(strv_contains(o.inaccessible_paths, "-/etc/shadow"));
        ck_assert(strv_contains(o.inaccessible_paths, "-/etc/gshadow"));
        ck_assert(strv_contains(o.inaccessible_paths, "-/etc/shadow-"));
        ck_assert(strv_contains(o.inaccessible_paths, "-/etc/gshadow-"));

        sandbox_options_done(&o);
        ck_assert_int_eq(parse_isolate("PasswordHashes", "yes"), 0);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(!strv_contains(o.inaccessible_paths, "-/etc/shadow"));
        ck_assert(strv_contains(o.inaccessible_paths, "-/proc/kmsg"));
        ck_assert_int_eq(parse_isolate("PasswordHashes", "maybe"), -EINVAL);
}
END_TEST

START_TEST(test_path_lists) {
        ck_assert_int_eq(parse("ReadWritePaths", "/var/lib/a -/var//lib/./b \"/c d\""), 0);
        ck_assert_int_eq(strv_length(o.read_write_paths), 3);
        ck_assert_str_eq(o.read_write_paths[1], "-/var/lib/b");
        ck_assert_str_eq(o.read_write_paths[2], "/c d");
        ck_assert_int_eq(parse("ReadWritePaths", "/e"), 0);
        ck_assert_int_eq(strv_length(o.read_write_paths), 4);
        ck_assert_int_eq(parse("ReadWritePaths", ""), 0);
        ck_assert_ptr_null(o.read_write_paths);
        ck_assert_int_eq(parse("InaccessiblePaths", "relative"), -EINVAL);
        ck_assert_int_eq(parse("ReadOnlyPaths", "/a/../b"), -EINVAL);
}
END_TEST

START_TEST(test_bind_paths) {
        ck_assert_int_eq(parse("BindPaths", "/src -/opt:/dst:norbind /x::rbind"), 0);
        ck_assert_uint_eq(o.n_bind_mounts, 3);
        ck_assert_str_eq(o.bind_mounts[0].source, "/src");
        ck_assert_str_eq(o.bind_mounts[0].destination, "/src");
        ck_assert(o.bind_mounts[0].recursive && !o.bind_mounts[0].read_only);
        ck_assert_str_eq(o.bind_mounts[1].destination, "/dst");
        ck_assert(o.bind_mounts[1].ignore_missing && !o.bind_mounts[1].recursive);
        ck_assert_int_eq(parse("BindReadOnlyPaths", "/ro:/ro2"), 0);
        ck_assert(o.bind_mounts[3].read_only);
        ck_assert_int_eq(parse("BindPaths", ""), 0); /* resets BindPaths= only */
        ck_assert_uint_eq(o.n_bind_mounts, 1);
        ck_assert(o.bind_mounts[0].read_only);
        ck_assert_int_eq(parse("BindPaths", "/a:/b:bogus"), -EINVAL);
        ck_assert_int_eq(parse("BindPaths", "/a:/"), -EINVAL);
}
END_TEST

START_TEST(test_tmpfs_rootdir) {
        ck_assert_int_eq(parse("TemporaryFileSystem", "/srv /mnt:ro,mode=0700"), 0);
        ck_assert_uint_eq(o.n_temporary_filesystems, 2);
        ck_assert_ptr_null(o.temporary_filesystems[0].options);
        ck_assert_str_eq(o.temporary_filesystems[1].options, "ro,mode=0700");
        ck_assert_int_eq(parse("TemporaryFileSystem", "/x:suidx"), -EINVAL);
        ck_assert_int_eq(parse("RootDirectory", "/srv/root/"), 0);
        ck_assert_str_eq(o.root_directory, "/srv/root");
        ck_assert_int_eq(parse("RootDirectory", ""), 0);
        ck_assert_ptr_null(o.root_directory);
}
END_TEST

START_TEST(test_capabilities) {
        uint64_t def = o.capability_bounding_set;

        ck_assert_int_eq(parse("CapabilityBoundingSet", "~CAP_CHOWN"), 0);
        ck_assert_uint_eq(o.capability_bounding_set, def & ~CAP(CAP_CHOWN));
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_KILL cap_net_bind_service"), 0);
        ck_assert_uint_eq(o.capability_bounding_set, (def & ~CAP(CAP_CHOWN)) | CAP(CAP_KILL)); /* ORed */
        ck_assert_int_eq(parse("CapabilityBoundingSet", ""), 0);
        ck_assert_uint_eq(o.capability_bounding_set, 0);

        sandbox_options_done(&o);
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_KILL CAP_NET_BIND_SERVICE"), 0);
        ck_assert_uint_eq(o.capability_bounding_set, CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE)); /* replaces */
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_SYS_ADMIN"), 0);
        ck_assert_ptr_nonnull(strstr(notice, "CAP_SYS_ADMIN withheld by isolated's defaults"));
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_NOPE"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "CAP_NOPE"));
        ck_assert_int_eq(parse("AmbientCapabilities", "CAP_NET_BIND_SERVICE"), 0);
        ck_assert_uint_eq(o.ambient_capabilities, CAP(CAP_NET_BIND_SERVICE));
}
END_TEST

START_TEST(test_ambient_outside_bounding) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *e = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nCapabilityBoundingSet=CAP_KILL\n"
                                           "AmbientCapabilities=CAP_CHOWN\n", &d, NULL, &e),
                         -EINVAL);
        ck_assert_ptr_nonnull(strstr(e, "demo.service"));
        /* One the defaults withhold is no error: dropped with a notice. */
        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nAmbientCapabilities=CAP_SYS_ADMIN\n", &d,
                                           &notices, &e),
                         0);
        ck_assert_uint_eq(d->sandbox.ambient_capabilities, 0);
        ck_assert_ptr_nonnull(strstr(notices[0], "demo.service:3: AmbientCapabilities=: CAP_SYS_ADMIN withheld"));
}
END_TEST

START_TEST(test_contradictions) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nInaccessiblePaths=/srv\n"
                                           "ReadWritePaths=-/srv/data\n", &d, NULL, &e1),
                         -EINVAL);
        ck_assert_str_eq(e1, "demo.service: ReadWritePaths=/srv/data lies under InaccessiblePaths=/srv");
        /* A missing user is the host's state, not the file's: parsed, and found by the check start makes. */
        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nUser=no-such-user-here\n", &d, NULL, &e2),
                         0);
        ck_assert_int_eq(sandbox_options_check_users(&d->sandbox, &e2), -ESRCH);
        ck_assert_str_eq(e2, "User=no-such-user-here does not exist");
        d = description_free(d);
        /* A sibling is no contradiction, nor is a numeric id or a user under another root. */
        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nInaccessiblePaths=/srv\n"
                                           "ReadWritePaths=/srvdata\nUser=4242\n", &d, NULL, &e3),
                         0);
        d = description_free(d);
        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nRootDirectory=/srv/root\n"
                                           "User=only-in-the-root\n", &d, NULL, &e3),
                         0);
}
END_TEST

START_TEST(test_hardening_keys) {
        FOREACH_KEY(k, "MemoryDenyWriteExecute", "RestrictRealtime", "ProtectClock", "PrivateUsers", "DynamicUser") {
                ck_assert_int_eq(parse(k, "yes"), 0);
                ck_assert_int_eq(parse(k, "maybe"), -EINVAL);
                ck_assert_ptr_nonnull(strstr(error, k));
        }
        ck_assert(o.memory_deny_write_execute && o.restrict_realtime && o.protect_clock && o.private_users &&
                  o.dynamic_user);
        ck_assert_int_eq(parse("MemoryDenyWriteExecute", ""), 0);
        ck_assert(!o.memory_deny_write_execute);

        /* RestrictNamespaces=: systemd 252's parse; nothing allowed without the opt-out. */
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), 0);
        ck_assert_int_eq(parse_isolate("Namespaces", "yes"), 0);
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), SANDBOX_NAMESPACE_FLAGS_ALL);
        ck_assert_int_eq(parse("RestrictNamespaces", "yes"), 0);
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), 0);
        ck_assert_int_eq(parse("RestrictNamespaces", ""), 0);
        ck_assert_int_eq(parse("RestrictNamespaces", "~mnt net"), 0);
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), SANDBOX_NAMESPACE_FLAGS_ALL & ~(unsigned long) (CLONE_NEWNS | CLONE_NEWNET));
        ck_assert_int_eq(parse("RestrictNamespaces", "net"), 0); /* a later list adds */
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), SANDBOX_NAMESPACE_FLAGS_ALL & ~(unsigned long) CLONE_NEWNS);
        ck_assert_int_eq(parse("RestrictNamespaces", ""), 0);
        ck_assert_int_eq(parse("RestrictNamespaces", "user uts"), 0);
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), (unsigned long) (CLONE_NEWUSER | CLONE_NEWUTS));
        ck_assert_int_eq(parse("RestrictNamespaces", "~user"), 0); /* a later ~ takes away */
        ck_assert_uint_eq(sandbox_namespaces_allowed(&o), (unsigned long) CLONE_NEWUTS);
        ck_assert_int_eq(parse("RestrictNamespaces", "mnt bogus"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "bogus"));

        ck_assert_int_eq(parse("ProtectProc", "invisible"), 0);
        ck_assert_int_eq(o.protect_proc, PROTECT_PROC_INVISIBLE);
        ck_assert_int_eq(parse("ProtectProc", "hidden"), -EINVAL);
        ck_assert_int_eq(parse("ProcSubset", "pid"), 0);
        ck_assert_int_eq(o.proc_subset, PROC_SUBSET_PID);
        ck_assert_int_eq(parse("ProcSubset", "some"), -EINVAL);
        ck_assert_int_eq(parse("ProcSubset", ""), 0);
        ck_assert_int_eq(o.proc_subset, PROC_SUBSET_ALL);

        ck_assert_int_eq(parse("NoExecPaths", "/"), 0);
        ck_assert_int_eq(parse("ExecPaths", "/usr/bin/redis-server /usr/lib -/lib"), 0);
        ck_assert_uint_eq(strv_length(o.exec_paths), 3);
        ck_assert_int_eq(parse("ExecPaths", "relative"), -EINVAL);
        ck_assert_int_eq(parse("NoExecPaths", ""), 0);
        ck_assert_ptr_null(o.no_exec_paths);

        ck_assert_int_eq(o.keyring_mode, KEYRING_MODE_PRIVATE);
        ck_assert_int_eq(parse("KeyringMode", "inherit"), 0);
        ck_assert_int_eq(o.keyring_mode, KEYRING_MODE_INHERIT);
        ck_assert_int_eq(parse("KeyringMode", "shared"), 0);
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("KeyringMode", "public"), -EINVAL);

        ck_assert_int_eq(parse("AppArmorProfile", "-system_tor"), 0);
        ck_assert_ptr_nonnull(strstr(notice, "AppArmor"));
        ck_assert_int_eq(parse("AppArmorProfile", "system_tor"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "-system_tor"));
}
END_TEST

/* ProtectClock= takes CAP_SYS_TIME even where AllowCapabilities= grants it, and masks the clock
 * devices once HostDevices=yes shows the host's. */
START_TEST(test_protect_clock_finalize) {
        ck_assert_int_eq(parse_isolate("AllowCapabilities", "CAP_SYS_TIME CAP_WAKE_ALARM"), 0);
        ck_assert_int_eq(parse_isolate("HostDevices", "yes"), 0);
        ck_assert_int_eq(parse("PrivateDevices", "no"), 0);
        ck_assert_int_eq(parse("ProtectClock", "yes"), 0);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        ck_assert(!(o.capability_bounding_set & CAP(CAP_SYS_TIME)));
        ck_assert(!(o.capability_bounding_set & CAP(CAP_WAKE_ALARM)));
        ck_assert(strv_contains(o.inaccessible_paths, "-/dev/rtc0"));
}
END_TEST

/* DynamicUser=: a name no /etc/passwd has passes the users check, and its uid is in systemd's range. */
START_TEST(test_dynamic_user) {
        ck_assert_int_eq(parse("User", "no-such-user-hd"), 0);
        ck_assert_int_eq(sandbox_options_check_users(&o, &error), -ESRCH);
        error = mfree(error);
        ck_assert_int_eq(parse("DynamicUser", "yes"), 0);
        ck_assert_int_eq(sandbox_options_check_users(&o, &error), 0);
        ck_assert_uint_ge(dynamic_user_id("no-such-user-hd"), 61184);
        ck_assert_uint_le(dynamic_user_id("no-such-user-hd"), 65519);
        ck_assert_uint_eq(dynamic_user_id("a"), dynamic_user_id("a"));
        ck_assert_uint_ge(dynamic_user_id(NULL), 61184);
}
END_TEST

START_TEST(test_system_call_filter) {
        ck_assert_int_eq(parse("SystemCallFilter", "~@mount uname"), 0);
        ck_assert(o.system_call_filter_set && !o.system_call_allow_list);
        ck_assert(strv_contains(o.system_call_filter, "mount"));
        ck_assert(strv_contains(o.system_call_filter, "pivot_root"));
        ck_assert(strv_contains(o.system_call_filter, "uname"));
        ck_assert_int_eq(parse("SystemCallFilter", "uname"), 0); /* the other kind takes it out */
        ck_assert(!strv_contains(o.system_call_filter, "uname"));
        ck_assert_int_eq(parse("SystemCallFilter", ""), 0);
        ck_assert(!o.system_call_filter_set);
        ck_assert_int_eq(parse("SystemCallFilter", "@system-service"), 0);
        ck_assert(o.system_call_allow_list);
        ck_assert(strv_contains(o.system_call_filter, "read"));
        ck_assert(!strv_contains(o.system_call_filter, "mount"));
        ck_assert(!strv_contains(o.system_call_filter, "kexec_load"));
        ck_assert_int_eq(parse("SystemCallFilter", "~read"), 0);
        ck_assert(!strv_contains(o.system_call_filter, "read"));
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("SystemCallFilter", "io_uring_setup"), 0); /* the filter keeps denying it */
        ck_assert_ptr_nonnull(strstr(notice, "io_uring_setup denied by isolated's defaults"));
        ck_assert_int_eq(parse("SystemCallFilter", "@keyring"), 0);
        ck_assert_ptr_nonnull(strstr(notice, "@keyring denied"));
        ck_assert_int_eq(parse("SystemCallFilter", "chroot"), 0);
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("SystemCallFilter", "no_such_call"), -EINVAL);
        ck_assert_int_eq(parse("SystemCallFilter", "@no-such-group"), -EINVAL);
        ck_assert_int_eq(parse("SystemCallErrorNumber", "EACCES"), 0);
        ck_assert_int_eq(o.system_call_error_number, EACCES);
        ck_assert_int_eq(parse("SystemCallErrorNumber", "kill"), 0);
        ck_assert_int_eq(o.system_call_error_number, SANDBOX_SYSCALL_KILL);
        ck_assert_int_eq(parse("SystemCallErrorNumber", "EWHAT"), -EINVAL);
        ck_assert_int_eq(parse("SystemCallArchitectures", "native"), 0);
        ck_assert_int_eq(parse("SystemCallArchitectures", "nonsense"), -EINVAL);
}
END_TEST

START_TEST(test_user_umask_limits) {
        ck_assert_int_eq(parse("User", "nobody"), 0);
        ck_assert_str_eq(o.user, "nobody");
        ck_assert_int_eq(parse("User", "a:b"), -EINVAL);
        ck_assert_int_eq(parse("Group", "65534"), 0);
        ck_assert_int_eq(parse("SupplementaryGroups", "adm tty"), 0);
        ck_assert_int_eq(strv_length(o.supplementary_groups), 2);
        ck_assert_int_eq(parse("UMask", "0077"), 0);
        ck_assert_uint_eq(o.umask, 077);
        ck_assert_int_eq(parse("UMask", "999"), -EINVAL);
        ck_assert_int_eq(parse("LimitNOFILE", "1024:4096"), 0);
        ck_assert(o.rlimits[RLIMIT_NOFILE].set);
        ck_assert_uint_eq(o.rlimits[RLIMIT_NOFILE].soft, 1024);
        ck_assert_uint_eq(o.rlimits[RLIMIT_NOFILE].hard, 4096);
        ck_assert_int_eq(parse("LimitCORE", "infinity"), 0);
        ck_assert_uint_eq(o.rlimits[RLIMIT_CORE].soft, RLIM_INFINITY);
        ck_assert_int_eq(parse("LimitAS", "1G"), 0);
        ck_assert_uint_eq(o.rlimits[RLIMIT_AS].hard, 1024ULL * 1024 * 1024);
        ck_assert_int_eq(parse("LimitCPU", "1min"), 0);
        ck_assert_uint_eq(o.rlimits[RLIMIT_CPU].soft, 60);
        ck_assert_int_eq(parse("LimitNICE", "-5"), 0);
        ck_assert_uint_eq(o.rlimits[RLIMIT_NICE].soft, 25);
        ck_assert_int_eq(parse("LimitNOFILE", "10:5"), -EINVAL);
        ck_assert_int_eq(parse("LimitNOFILE", ""), 0);
        ck_assert(!o.rlimits[RLIMIT_NOFILE].set);
}
END_TEST

START_TEST(test_process_keys) {
        const ProcessOptions *p = &o.process;

        /* systemd's defaults */
        ck_assert(!p->oom_score_adjust_set && !p->nice_set && !p->cpu_sched_set && !p->ioprio_set);
        ck_assert_int_eq(p->std_input, EXEC_INPUT_NULL);
        ck_assert_int_eq(p->std_output, EXEC_OUTPUT_JOURNAL);
        ck_assert_int_eq(p->std_error, EXEC_OUTPUT_INHERIT);
        ck_assert_int_eq(p->syslog_priority, LOG_DAEMON | LOG_INFO);
        ck_assert(p->syslog_level_prefix);
        ck_assert_int_eq(p->log_level_max, -1);

        ck_assert_int_eq(parse("OOMScoreAdjust", "-900"), 0);
        ck_assert(p->oom_score_adjust_set);
        ck_assert_int_eq(p->oom_score_adjust, -900);
        ck_assert_int_eq(parse("OOMScoreAdjust", "1001"), -EINVAL);
        ck_assert_str_eq(error, "OOMScoreAdjust=1001: not an integer in -1000..1000");
        ck_assert_int_eq(parse("OOMScoreAdjust", ""), 0);
        ck_assert(!p->oom_score_adjust_set);

        ck_assert_int_eq(parse("Nice", "-5"), 0);
        ck_assert_int_eq(p->nice, -5);
        ck_assert_int_eq(parse("Nice", "20"), -EINVAL);
        ck_assert_int_eq(parse("Nice", "x"), -EINVAL);

        ck_assert_int_eq(parse("CPUSchedulingPolicy", "batch"), 0);
        ck_assert_int_eq(p->cpu_sched_policy, SCHED_BATCH);
        ck_assert_int_eq(parse("CPUSchedulingPolicy", "fifo"), 0);
        ck_assert_int_eq(parse("CPUSchedulingPriority", "50"), 0);
        ck_assert_int_eq(p->cpu_sched_priority, 50);
        ck_assert_int_eq(parse("CPUSchedulingPriority", "100"), -EINVAL);
        ck_assert_int_eq(parse("CPUSchedulingPolicy", "realtime"), -EINVAL);
        ck_assert_int_eq(parse("CPUSchedulingResetOnFork", "yes"), 0);
        ck_assert(p->cpu_sched_reset_on_fork && p->cpu_sched_set);

        ck_assert_int_eq(parse("IOSchedulingClass", "idle"), 0);
        ck_assert_int_eq(p->ioprio_class, 3);
        ck_assert_int_eq(parse("IOSchedulingClass", "best-effort"), 0);
        ck_assert_int_eq(parse("IOSchedulingPriority", "7"), 0);
        ck_assert_int_eq(p->ioprio_level, 7);
        ck_assert_int_eq(parse("IOSchedulingPriority", "8"), -EINVAL);

        ck_assert_int_eq(parse("CPUAffinity", "0 2-3"), 0);
        ck_assert_int_eq(parse("CPUAffinity", "5,7"), 0); /* merges, as systemd */
        ck_assert_int_eq(CPU_COUNT(&p->cpu_affinity), 5);
        ck_assert(CPU_ISSET(0, &p->cpu_affinity) && CPU_ISSET(3, &p->cpu_affinity) && CPU_ISSET(7, &p->cpu_affinity));
        ck_assert(!CPU_ISSET(1, &p->cpu_affinity));
        ck_assert_int_eq(parse("CPUAffinity", "3-1"), -EINVAL);
        ck_assert_int_eq(parse("CPUAffinity", ""), 0);
        ck_assert(!p->cpu_affinity_set);
        ck_assert_int_eq(parse("CPUAffinity", "numa"), 0);
        ck_assert(p->cpu_affinity_set && p->cpu_affinity_numa);
        ck_assert_int_eq(parse("NUMAPolicy", "interleave"), 0);
        ck_assert_int_eq(parse("NUMAMask", "0-1"), 0);
        ck_assert_uint_eq(p->numa_mask[0], 3);
        ck_assert_int_eq(parse("NUMAPolicy", "spread"), -EINVAL);

        ck_assert_int_eq(parse("TimerSlackNSec", "50us"), 0);
        ck_assert_uint_eq(p->timer_slack_nsec, 50000);
        ck_assert_int_eq(parse("TimerSlackNSec", "1000"), 0); /* a bare number is nanoseconds */
        ck_assert_uint_eq(p->timer_slack_nsec, 1000);
        ck_assert_int_eq(parse("TimerSlackNSec", "20ns"), 0);
        ck_assert_uint_eq(p->timer_slack_nsec, 20);
}
END_TEST

START_TEST(test_stdio_and_logging_keys) {
        const ProcessOptions *p = &o.process;
        _cleanup_free_ char *header = NULL;

        ck_assert_int_eq(parse("StandardOutput", "file:/var/log/x.log"), 0);
        ck_assert_int_eq(p->std_output, EXEC_OUTPUT_FILE);
        ck_assert_str_eq(p->std_output_path, "/var/log/x.log");
        ck_assert_int_eq(parse("StandardError", "append://var/log/./y.log"), 0);
        ck_assert_int_eq(p->std_error, EXEC_OUTPUT_APPEND);
        ck_assert_str_eq(p->std_error_path, "/var/log/y.log");
        ck_assert_int_eq(parse("StandardError", "truncate:relative"), -EINVAL);
        ck_assert_int_eq(parse("StandardOutput", "null"), 0);
        ck_assert_int_eq(p->std_output, EXEC_OUTPUT_NULL);
        ck_assert_ptr_null(p->std_output_path);
        ck_assert_int_eq(parse("StandardOutput", "inherit"), 0);
        ck_assert_int_eq(p->std_output, EXEC_OUTPUT_INHERIT);
        ck_assert(!process_options_uses_journal(p) || p->std_error == EXEC_OUTPUT_JOURNAL);
        /* What the sandbox has not: the journal, with a notice. */
        ck_assert_int_eq(parse("StandardOutput", "kmsg"), 0);
        ck_assert_int_eq(p->std_output, EXEC_OUTPUT_JOURNAL);
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("StandardOutput", "journal+console"), 0);
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("StandardOutput", "bogus"), -EINVAL);
        ck_assert_int_eq(parse("StandardOutput", ""), 0);
        ck_assert_int_eq(p->std_output, EXEC_OUTPUT_JOURNAL);
        ck_assert_int_eq(parse("StandardError", ""), 0);
        ck_assert_int_eq(p->std_error, EXEC_OUTPUT_INHERIT);

        ck_assert_int_eq(parse("StandardInput", "file:/etc/motd"), 0);
        ck_assert_int_eq(p->std_input, EXEC_INPUT_FILE);
        ck_assert_int_eq(parse("StandardInput", "tty"), 0);
        ck_assert_int_eq(p->std_input, EXEC_INPUT_NULL);
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("StandardInput", "socket"), 0);
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("StandardInput", "keyboard"), -EINVAL);

        ck_assert_int_eq(parse("SyslogLevel", "warning"), 0);
        ck_assert_int_eq(parse("SyslogFacility", "local3"), 0);
        ck_assert_int_eq(p->syslog_priority, LOG_LOCAL3 | LOG_WARNING);
        ck_assert_int_eq(parse("SyslogLevel", "debug"), 0);
        ck_assert_int_eq(p->syslog_priority, LOG_LOCAL3 | LOG_DEBUG);
        ck_assert_int_eq(parse("SyslogFacility", "nonsense"), -EINVAL);
        ck_assert_int_eq(parse("SyslogLevel", "loud"), -EINVAL);
        ck_assert_int_eq(parse("SyslogLevelPrefix", "no"), 0);
        ck_assert(!p->syslog_level_prefix);
        header = process_options_journal_header(p, "ident", "isolated-x.scope");
        ck_assert_str_eq(header, "ident\nisolated-x.scope\n159\n0\n0\n0\n0\n");

        ck_assert_int_eq(parse("LogLevelMax", "notice"), 0);
        ck_assert_int_eq(p->log_level_max, LOG_NOTICE);
        ck_assert_int_eq(parse("LogLevelMax", "3"), 0);
        ck_assert_int_eq(p->log_level_max, 3);
        ck_assert_int_eq(parse("LogLevelMax", ""), 0);
        ck_assert_int_eq(p->log_level_max, -1);
        ck_assert_int_eq(parse("LogExtraFields", "A=1 \"B_2=two words\""), 0);
        ck_assert_int_eq(strv_length(p->log_extra_fields), 2);
        ck_assert_str_eq(p->log_extra_fields[1], "B_2=two words");
        ck_assert_int_eq(parse("LogExtraFields", "_PID=1"), -EINVAL); /* protected, as in systemd */
        ck_assert_int_eq(parse("LogExtraFields", "lower=1"), -EINVAL);
        ck_assert_int_eq(parse("LogExtraFields", "NOVALUE"), -EINVAL);
        ck_assert_int_eq(parse("LogExtraFields", ""), 0);
        ck_assert_ptr_null(p->log_extra_fields);
}
END_TEST

START_TEST(test_clamps) {
        uint64_t soft = 1048576, hard = 1048576;
        int policy, prio;

        /* knot's LimitNOFILE=1048576 under a hard limit of 524288: lowered, as systemd lowers it. */
        ck_assert(process_rlimit_clamp(&soft, &hard, 524288));
        ck_assert_uint_eq(soft, 524288);
        ck_assert_uint_eq(hard, 524288);
        soft = 1024, hard = RLIM_INFINITY;
        ck_assert(process_rlimit_clamp(&soft, &hard, 4096));
        ck_assert_uint_eq(soft, 1024);
        ck_assert_uint_eq(hard, 4096);
        soft = 10, hard = 20;
        ck_assert(!process_rlimit_clamp(&soft, &hard, 20));

        /* Nice=: down to RLIMIT_NICE's level, never below the current one without it. */
        ck_assert_int_eq(process_nice_closest(-10, 0, 0), 0);
        ck_assert_int_eq(process_nice_closest(5, 0, 0), 5);
        ck_assert_int_eq(process_nice_closest(-10, 0, 25), -5); /* LimitNICE=-5 */
        ck_assert_int_eq(process_nice_closest(-3, 0, 25), -3);
        ck_assert_int_eq(process_nice_closest(-20, 0, 40), -20);
        ck_assert_int_eq(process_nice_closest(2, 5, 0), 5);

        policy = SCHED_FIFO, prio = 10;
        ck_assert(process_sched_closest(&policy, &prio, 0));
        ck_assert_int_eq(policy, SCHED_OTHER);
        ck_assert_int_eq(prio, 0);
        policy = SCHED_RR, prio = 10;
        ck_assert(!process_sched_closest(&policy, &prio, 10)); /* LimitRTPRIO=10 */
        ck_assert_int_eq(policy, SCHED_RR);
        policy = SCHED_FIFO, prio = 0;
        ck_assert(!process_sched_closest(&policy, &prio, 99));
        ck_assert_int_eq(prio, 1);
        policy = SCHED_BATCH, prio = 7;
        ck_assert(!process_sched_closest(&policy, &prio, 0));
        ck_assert_int_eq(prio, 0);

        ck_assert_str_eq(sandbox_rlimit_key(RLIMIT_NOFILE), "LimitNOFILE");
        ck_assert_str_eq(sandbox_rlimit_key(RLIMIT_RTTIME), "LimitRTTIME");
}
END_TEST

START_TEST(test_process_keys_through_description) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *e = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nStandardOutput=append:/var/log/%n.log\n"
                                           "LogExtraFields=SERVICE=%N\nOOMScoreAdjust=-900\nNice=19\n"
                                           "IOSchedulingClass=best-effort\nIOSchedulingPriority=7\nStandardInput=socket\n",
                                           &d, &notices, &e),
                         0);
        ck_assert_str_eq(d->sandbox.process.std_output_path, "/var/log/demo.service.log");
        ck_assert_str_eq(d->sandbox.process.log_extra_fields[0], "SERVICE=demo");
        ck_assert_int_eq(d->sandbox.process.oom_score_adjust, -900);
        ck_assert_int_eq(d->sandbox.process.nice, 19);
        /* StandardInput=socket: the notice names file:line. */
        ck_assert_int_eq(strv_length(notices), 1);
        ck_assert_ptr_nonnull(strstr(notices[0], "demo.service:9: StandardInput=socket"));
}
END_TEST

START_TEST(test_through_description) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *e = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nProtectSystem=strict\nPrivateTmp=no\n"
                                           "User=nobody\nLimitNOFILE=64\n",
                                           &d, &notices, &e),
                         0);
        ck_assert_int_eq(d->sandbox.protect_system, PROTECT_SYSTEM_STRICT);
        ck_assert(d->sandbox.private_tmp);
        ck_assert_str_eq(d->sandbox.user, "nobody");
        ck_assert_ptr_nonnull(notices);
        ck_assert_ptr_nonnull(strstr(notices[0], "demo.service:4"));
        description_free(TAKE_PTR(d));
        ck_assert_int_eq(description_parse("demo", "demo.service", "[Service]\nExecStart=/bin/true\nBindPaths=relative\n",
                                           &d, NULL, &e),
                         -EINVAL);
        ck_assert_ptr_nonnull(strstr(e, "demo.service:3"));
        e = mfree(e);

        /* The opt-out may come in [Isolate] after the key, or in a drop-in. */
        {
                const char *names[] = { "demo.service", "demo.service.d/50-loosen.conf" };
                const char *texts[] = { "[Service]\nExecStart=/bin/true\nPrivateTmp=no\nProtectSystem=full\n"
                                        "CapabilityBoundingSet=CAP_SYS_TIME CAP_CHOWN\nRestrictAddressFamilies=AF_UNIX AF_PACKET\n",
                                        "[Isolate]\nHostTmp=yes\nAllowCapabilities=CAP_SYS_TIME\nAllowAddressFamilies=AF_PACKET\n"
                                        "TmpfsSize=1G:10K\nAllowSystemCalls=io_uring_setup\n" };

                ck_assert_int_eq(description_parse_files("demo", 2, names, texts, NULL, &d, NULL, &e), 0);
                ck_assert(!d->sandbox.private_tmp);
                ck_assert_int_eq(d->sandbox.protect_system, PROTECT_SYSTEM_STRICT);
                ck_assert_uint_eq(d->sandbox.capability_bounding_set, CAP(CAP_SYS_TIME) | CAP(CAP_CHOWN));
                ck_assert_uint_eq(d->sandbox.address_families, AF(AF_UNIX) | AF(AF_PACKET));
                ck_assert_str_eq(sandbox_tmpfs_size(&d->sandbox), "size=1073741824");
                ck_assert(strv_contains(d->sandbox.allow_system_calls, "io_uring_setup"));
                description_free(TAKE_PTR(d));
        }
        ck_assert_int_eq(description_parse("demo", "demo.service", "[Service]\nExecStart=/bin/true\n[Isolate]\nTmpfsSize=x\n",
                                           &d, NULL, &e),
                         -EINVAL);
        ck_assert_ptr_nonnull(strstr(e, "demo.service:4"));
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("sandbox-options");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_defaults_are_secure);
        tcase_add_test(tc, test_not_mine);
        tcase_add_test(tc, test_booleans_and_notice);
        tcase_add_test(tc, test_protect_system_home);
        tcase_add_test(tc, test_opt_outs);
        tcase_add_test(tc, test_address_families);
        tcase_add_test(tc, test_tmpfs_size_and_syscalls);
        tcase_add_test(tc, test_capabilities_withheld);
        tcase_add_test(tc, test_kernel_logs_masked);
        tcase_add_test(tc, test_password_hashes_hidden);
        tcase_add_test(tc, test_path_lists);
        tcase_add_test(tc, test_bind_paths);
        tcase_add_test(tc, test_tmpfs_rootdir);
        tcase_add_test(tc, test_capabilities);
        tcase_add_test(tc, test_ambient_outside_bounding);
        tcase_add_test(tc, test_contradictions);
        tcase_add_test(tc, test_system_call_filter);
        tcase_add_test(tc, test_hardening_keys);
        tcase_add_test(tc, test_protect_clock_finalize);
        tcase_add_test(tc, test_dynamic_user);
        tcase_add_test(tc, test_user_umask_limits);
        tcase_add_test(tc, test_process_keys);
        tcase_add_test(tc, test_stdio_and_logging_keys);
        tcase_add_test(tc, test_clamps);
        tcase_add_test(tc, test_process_keys_through_description);
        tcase_add_test(tc, test_through_description);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
