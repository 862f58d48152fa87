/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "description.h"
#include "sandbox-options.h"
#include "strv.h"

#define CAP(c) (UINT64_C(1) << (c))

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

START_TEST(test_defaults_are_secure) {
        ck_assert(o.private_tmp && o.private_devices && o.no_new_privileges);
        ck_assert(o.protect_kernel_tunables && o.protect_control_groups);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_FULL);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_NO);
        ck_assert_uint_eq(o.capability_bounding_set & sandbox_caps_denied(), 0);
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

START_TEST(test_booleans_and_notice) {
        ck_assert_int_eq(parse("PrivateTmp", "yes"), 0);
        ck_assert_ptr_null(notice);
        ck_assert_int_eq(parse("PrivateDevices", "no"), 0);
        ck_assert(!o.private_devices);
        ck_assert_ptr_nonnull(notice);
        ck_assert_ptr_nonnull(strstr(notice, "weakens"));
        ck_assert_int_eq(parse("PrivateDevices", ""), 0);
        ck_assert(o.private_devices);
        ck_assert_int_eq(parse("NoNewPrivileges", "maybe"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "NoNewPrivileges="));
}
END_TEST

START_TEST(test_protect_system_home) {
        ck_assert_int_eq(parse("ProtectSystem", "strict"), 0);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_STRICT);
        ck_assert_int_eq(parse("ProtectSystem", "yes"), 0);
        ck_assert_int_eq(o.protect_system, PROTECT_SYSTEM_YES);
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("ProtectSystem", "bogus"), -EINVAL);
        ck_assert_int_eq(parse("ProtectHome", "read-only"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_READ_ONLY);
        ck_assert_int_eq(parse("ProtectHome", "tmpfs"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_TMPFS);
        ck_assert_int_eq(parse("ProtectHome", "true"), 0);
        ck_assert_int_eq(o.protect_home, PROTECT_HOME_YES);
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
        ck_assert_ptr_nonnull(notice);
        ck_assert_int_eq(parse("CapabilityBoundingSet", "CAP_NOPE"), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "CAP_NOPE"));
        ck_assert_int_eq(parse("AmbientCapabilities", "CAP_NET_BIND_SERVICE"), 0);
        ck_assert_uint_eq(o.ambient_capabilities, CAP(CAP_NET_BIND_SERVICE));
}
END_TEST

START_TEST(test_ambient_outside_bounding) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *e = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nAmbientCapabilities=CAP_SYS_ADMIN\n", &d, NULL, &e),
                         -EINVAL);
        ck_assert_ptr_nonnull(strstr(e, "demo.service"));
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
        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nUser=no-such-user-here\n", &d, NULL, &e2),
                         -EINVAL);
        ck_assert_str_eq(e2, "demo.service: User=no-such-user-here does not exist");
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
        ck_assert(!d->sandbox.private_tmp);
        ck_assert_str_eq(d->sandbox.user, "nobody");
        ck_assert_ptr_nonnull(notices);
        ck_assert_ptr_nonnull(strstr(notices[0], "demo.service:4"));
        description_free(TAKE_PTR(d));
        ck_assert_int_eq(description_parse("demo", "demo.service", "[Service]\nExecStart=/bin/true\nBindPaths=relative\n",
                                           &d, NULL, &e),
                         -EINVAL);
        ck_assert_ptr_nonnull(strstr(e, "demo.service:3"));
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
        tcase_add_test(tc, test_path_lists);
        tcase_add_test(tc, test_bind_paths);
        tcase_add_test(tc, test_tmpfs_rootdir);
        tcase_add_test(tc, test_capabilities);
        tcase_add_test(tc, test_ambient_outside_bounding);
        tcase_add_test(tc, test_contradictions);
        tcase_add_test(tc, test_system_call_filter);
        tcase_add_test(tc, test_user_umask_limits);
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
