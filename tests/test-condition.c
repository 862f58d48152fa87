/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Unit] Condition*=/Assert*= (src/shared/condition.c): parsing, each kind against a directory
 * standing for the host (path kinds) or the test's own process and the real host (the others),
 * and systemd's combination of "!" and "|". */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>

#include "condition.h"
#include "macro.h"

static char root[] = "/tmp/test-condition.XXXXXX";
static const ConditionHost host = { .root = root };

typedef struct List {
        Condition *l;
        size_t n;
} List;

static void list_done(List *l) {
        condition_list_free(l->l, l->n);
        *l = (List) {};
}

static void add(List *l, const char *key, const char *value) {
        _cleanup_free_ char *error = NULL, *notice = NULL;

        ck_assert_msg(condition_list_add(&l->l, &l->n, key, value, "x.service:7", &notice, &error) == 0, "%s=%s: %s", key,
                      value, error ?: "?");
}

/* The one condition key=value: 1 met, 0 not. */
static int test1(const char *key, const char *value) {
        List l = {};
        int r;

        add(&l, key, value);
        ck_assert_uint_eq(l.n, 1);
        r = condition_list_test(l.l, l.n, l.l[0].assert, &host, NULL);
        list_done(&l);
        return r;
}

static void touch(const char *rel, const char *text, mode_t mode) {
        _cleanup_free_ char *p = NULL;
        int fd;

        ck_assert_int_ge(asprintf(&p, "%s%s", root, rel), 0);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        ck_assert_int_eq(chmod(p, mode), 0);
}

static void mkdir_in(const char *rel) {
        _cleanup_free_ char *p = NULL;

        ck_assert_int_ge(asprintf(&p, "%s%s", root, rel), 0);
        ck_assert_int_eq(mkdir(p, 0755), 0);
}

START_TEST(test_paths) {
        mkdir_in("/dir");
        mkdir_in("/empty");
        touch("/dir/file", "x", 0644);
        touch("/dir/empty-file", "", 0644);
        touch("/dir/tool", "#!/bin/sh\n", 0755);
        {
                _cleanup_free_ char *link = NULL;
                ck_assert_int_ge(asprintf(&link, "%s/link", root), 0);
                ck_assert_int_eq(symlink("/dir/file", link), 0);
        }

        ck_assert_int_eq(test1("ConditionPathExists", "/dir/file"), 1);
        ck_assert_int_eq(test1("ConditionPathExists", "/nonexistent"), 0);
        ck_assert_int_eq(test1("ConditionPathExists", "!/nonexistent"), 1);
        ck_assert_int_eq(test1("ConditionPathExists", "!/dir"), 0);
        ck_assert_int_eq(test1("ConditionPathExists", "/dir/file/below"), 0); /* ENOTDIR: does not exist */
        ck_assert_int_eq(test1("ConditionPathIsDirectory", "/dir"), 1);
        ck_assert_int_eq(test1("ConditionPathIsDirectory", "/dir/file"), 0);
        ck_assert_int_eq(test1("ConditionFileNotEmpty", "/dir/file"), 1);
        ck_assert_int_eq(test1("ConditionFileNotEmpty", "/dir/empty-file"), 0);
        ck_assert_int_eq(test1("ConditionFileNotEmpty", "/dir"), 0);
        ck_assert_int_eq(test1("ConditionFileIsExecutable", "/dir/tool"), 1);
        ck_assert_int_eq(test1("ConditionFileIsExecutable", "/dir/file"), 0);
        ck_assert_int_eq(test1("ConditionDirectoryNotEmpty", "/dir"), 1);
        ck_assert_int_eq(test1("ConditionDirectoryNotEmpty", "/empty"), 0);
        ck_assert_int_eq(test1("ConditionDirectoryNotEmpty", "/dir/file"), 0);
        ck_assert_int_eq(test1("ConditionPathExistsGlob", "/dir/t*"), 1);
        ck_assert_int_eq(test1("ConditionPathExistsGlob", "/dir/z*"), 0);
        ck_assert_int_eq(test1("ConditionPathExistsGlob", "!/dir/z*"), 1);
        ck_assert_int_eq(test1("ConditionPathIsSymbolicLink", "/link"), 1);
        ck_assert_int_eq(test1("ConditionPathIsSymbolicLink", "/dir/file"), 0);
        ck_assert_int_eq(test1("ConditionPathIsReadWrite", "/dir"), 1);
        ck_assert_int_eq(test1("AssertPathExists", "/dir/file"), 1);
        ck_assert_int_eq(test1("AssertPathExists", "/nonexistent"), 0);
}
END_TEST

/* Every non-triggering condition must hold; of the triggering ones at least one; asserts apart. */
START_TEST(test_combination) {
        const Condition *failed = NULL;
        List l = {};

        add(&l, "ConditionPathExists", "/");
        add(&l, "ConditionPathExists", "|/nonexistent-a");
        add(&l, "ConditionPathExists", "|/nonexistent-b");
        ck_assert_int_eq(condition_list_test(l.l, l.n, false, &host, &failed), 0);
        ck_assert_str_eq(failed->parameter, "/nonexistent-a"); /* the first triggering one */
        ck_assert(failed->trigger && !failed->negate);
        add(&l, "ConditionPathExists", "| !/nonexistent-c");
        ck_assert_int_eq(condition_list_test(l.l, l.n, false, &host, NULL), 1);
        /* Asserts are judged apart: none yet, so they hold. */
        ck_assert_int_eq(condition_list_test(l.l, l.n, true, &host, NULL), 1);
        add(&l, "AssertPathIsDirectory", "/nonexistent-d");
        ck_assert_int_eq(condition_list_test(l.l, l.n, false, &host, NULL), 1);
        ck_assert_int_eq(condition_list_test(l.l, l.n, true, &host, &failed), 0);
        {
                _cleanup_free_ char *what = condition_describe(failed);
                ck_assert_str_eq(what, "AssertPathIsDirectory=/nonexistent-d at x.service:7");
        }
        /* A non-triggering failure is named before any triggering one. */
        add(&l, "ConditionPathExists", "/nonexistent-e");
        ck_assert_int_eq(condition_list_test(l.l, l.n, false, &host, &failed), 0);
        ck_assert_str_eq(failed->parameter, "/nonexistent-e");
        /* The empty assignment resets the lot, asserts too, as systemd. */
        add(&l, "ConditionPathExists", "");
        ck_assert_uint_eq(l.n, 0);
        ck_assert_int_eq(condition_list_test(l.l, l.n, true, &host, NULL), 1);
        list_done(&l);
}
END_TEST

START_TEST(test_parse_errors) {
        _cleanup_free_ char *error = NULL, *notice = NULL;
        Condition *l = NULL;
        size_t n = 0;

        ck_assert(condition_key_is_condition("ConditionPathExists"));
        ck_assert(condition_key_is_condition("AssertCapability"));
        ck_assert(condition_key_is_condition("ConditionMemory"));
        ck_assert(!condition_key_is_condition("ConditionNoSuchThing"));
        ck_assert(!condition_key_is_condition("Description"));

        ck_assert_int_eq(condition_list_add(&l, &n, "ConditionPathExists", "relative/path", "f:1", &notice, &error),
                         -EINVAL);
        ck_assert_str_eq(error, "Invalid ConditionPathExists= value 'relative/path': not an absolute path");
        error = mfree(error);
        ck_assert_int_eq(condition_list_add(&l, &n, "ConditionCapability", "CAP_NO_SUCH", "f:1", &notice, &error), -EINVAL);
        error = mfree(error);
        ck_assert_int_eq(condition_list_add(&l, &n, "ConditionACPower", "maybe", "f:1", &notice, &error), -EINVAL);
        error = mfree(error);
        ck_assert_int_eq(condition_list_add(&l, &n, "ConditionPathExists", "!", "f:1", &notice, &error), -EINVAL);
        error = mfree(error);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(notice);

        /* A kind isolated does not evaluate: accepted with a notice, and never true. */
        ck_assert_int_eq(condition_list_add(&l, &n, "ConditionNeedsUpdate", "/etc", "f:2", &notice, &error), 0);
        ck_assert_str_eq(notice, "ConditionNeedsUpdate= is not evaluated by isolated: it counts as not met (the start is skipped)");
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(l[0].type, CONDITION_UNSUPPORTED);
        ck_assert_int_eq(condition_list_test(l, n, false, &host, NULL), 0);
        condition_list_free(l, n);
        l = NULL;
        n = 0;
        /* ... negated neither: it cannot be told, so it is not met. */
        ck_assert_int_eq(test1("ConditionNeedsUpdate", "!/etc"), 0);
        ck_assert_int_eq(test1("AssertPathIsEncrypted", "/"), 0);
}
END_TEST

/* The kinds that look at the host itself, against what the test reads of it. */
START_TEST(test_host_kinds) {
        char name[256], cmdline[4096], first[4096];
        FILE *f;
        int yes, no;

        ck_assert_int_eq(gethostname(name, sizeof(name)), 0);
        ck_assert_int_eq(test1("ConditionHost", name), 1);
        ck_assert_int_eq(test1("ConditionHost", "!no-such-host-name"), 1);
        ck_assert_int_eq(test1("ConditionHost", "*"), 1);

        f = fopen("/proc/cmdline", "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(cmdline, sizeof(cmdline), f));
        fclose(f);
        ck_assert_int_eq(sscanf(cmdline, "%4095s", first), 1);
        ck_assert_int_eq(test1("ConditionKernelCommandLine", first), 1);
        if (strchr(first, '=')) {
                *strchr(first, '=') = 0; /* the key alone matches key=value */
                ck_assert_int_eq(test1("ConditionKernelCommandLine", first), 1);
        }
        ck_assert_int_eq(test1("ConditionKernelCommandLine", "no_such_kernel_option_xyz"), 0);

        {
                char uid[32];
                snprintf(uid, sizeof(uid), "%u", (unsigned) getuid());
                ck_assert_int_eq(test1("ConditionUser", uid), 1);
                snprintf(uid, sizeof(uid), "%u", (unsigned) getuid() + 1);
                ck_assert_int_eq(test1("ConditionUser", uid), 0);
                snprintf(uid, sizeof(uid), "%u", (unsigned) getgid());
                ck_assert_int_eq(test1("ConditionGroup", uid), 1);
        }
        if (getuid() == 0) {
                ck_assert_int_eq(test1("ConditionUser", "root"), 1);
                ck_assert_int_eq(test1("ConditionUser", "@system"), 1);
                ck_assert_int_eq(test1("ConditionGroup", "root"), 1);
        }

        /* The bounding set, as prctl() reads it. */
        ck_assert_int_eq(test1("ConditionCapability", "CAP_SYS_ADMIN"), prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) == 1);
        ck_assert_int_eq(test1("ConditionCapability", "!CAP_SYS_ADMIN"), prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) != 1);
        /* Or the set given: the sandbox's, whatever ours is. */
        {
                uint64_t set = UINT64_C(1) << CAP_NET_BIND_SERVICE;
                ConditionHost h = { .root = host.root, .capabilities = &set };
                Condition c = { .type = CONDITION_CAPABILITY, .parameter = (char *) "CAP_SYS_TIME" };

                ck_assert_int_eq(condition_test(&c, &h), 0);
                c.parameter = (char *) "CAP_NET_BIND_SERVICE";
                ck_assert_int_eq(condition_test(&c, &h), 1);
        }

        yes = test1("ConditionVirtualization", "yes");
        no = test1("ConditionVirtualization", "no");
        ck_assert(yes >= 0 && no >= 0 && yes != no);
        ck_assert_int_eq(test1("ConditionVirtualization", "no-such-technology"), 0);
        ck_assert_int_eq(test1("ConditionSecurity", "no-such-technology"), 0);

        ck_assert_int_eq(setenv("TEST_CONDITION_VAR", "42", 1), 0);
        ck_assert_int_eq(test1("ConditionEnvironment", "TEST_CONDITION_VAR"), 1);
        ck_assert_int_eq(test1("ConditionEnvironment", "TEST_CONDITION_VAR=42"), 1);
        ck_assert_int_eq(test1("ConditionEnvironment", "TEST_CONDITION_VAR=4"), 0);
        ck_assert_int_eq(test1("ConditionEnvironment", "TEST_CONDITION"), 0);
        ck_assert_int_eq(test1("ConditionACPower", "yes") + test1("ConditionACPower", "no"), 1);
}
END_TEST

/* Architecture=, KernelVersion=, OSRelease=, Memory=, CPUs=, with systemd's operators. */
START_TEST(test_compare_kinds) {
        struct utsname u;
        char expr[512], id[256] = "", line[512];
        FILE *f;

        ck_assert_int_eq(test1("ConditionArchitecture", "native"), 1);
        ck_assert_int_eq(test1("ConditionArchitecture", "no-such-arch"), 0);
        ck_assert_int_eq(test1("ConditionArchitecture", "!no-such-arch"), 1);
#if defined(__x86_64__)
        ck_assert_int_eq(test1("ConditionArchitecture", "x86-64"), 1);
#elif defined(__aarch64__)
        ck_assert_int_eq(test1("ConditionArchitecture", "arm64"), 1);
#endif

        ck_assert_int_eq(uname(&u), 0);
        ck_assert_int_eq(test1("ConditionKernelVersion", u.release), 1); /* a glob matching itself */
        ck_assert_int_eq(test1("ConditionKernelVersion", "*"), 1);
        ck_assert_int_eq(test1("ConditionKernelVersion", ">=2.6"), 1);
        ck_assert_int_eq(test1("ConditionKernelVersion", "<2.6"), 0);
        ck_assert_int_eq(test1("ConditionKernelVersion", ">=2.6 <1000"), 1);
        ck_assert_int_eq(test1("ConditionKernelVersion", ">=2.6 <2.6"), 0);
        snprintf(expr, sizeof(expr), "=%s", u.release);
        ck_assert_int_eq(test1("ConditionKernelVersion", expr), 1);
        snprintf(expr, sizeof(expr), "!=%s", u.release);
        ck_assert_int_eq(test1("ConditionKernelVersion", expr), 0);

        f = fopen("/etc/os-release", "re") ?: fopen("/usr/lib/os-release", "re");
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "ID=%255[^\n]", id) == 1)
                        break;
        if (f)
                fclose(f);
        if (id[0] && id[0] != '"') {
                snprintf(expr, sizeof(expr), "ID=%s", id);
                ck_assert_int_eq(test1("ConditionOSRelease", expr), 1);
                snprintf(expr, sizeof(expr), "ID!=%s", id);
                ck_assert_int_eq(test1("ConditionOSRelease", expr), 0);
                ck_assert_int_eq(test1("ConditionOSRelease", "ID$=*"), 1);
        }
        ck_assert_int_eq(test1("ConditionOSRelease", "NO_SUCH_KEY_XYZ="), 1); /* unset is empty */
        ck_assert_int_eq(test1("ConditionOSRelease", "NO_SUCH_KEY_XYZ=x"), 0);

        ck_assert_int_eq(test1("ConditionMemory", "1K"), 1); /* >= by default */
        ck_assert_int_eq(test1("ConditionMemory", ">=1K"), 1);
        ck_assert_int_eq(test1("ConditionMemory", "<1K"), 0);
        ck_assert_int_eq(test1("ConditionMemory", "not-a-size"), 0); /* cannot be told: not met */
        ck_assert_int_eq(test1("ConditionCPUs", ">=1"), 1);
        ck_assert_int_eq(test1("ConditionCPUs", "<1"), 0);
        ck_assert_int_eq(test1("ConditionCPUs", "100000"), 0);
}
END_TEST

static Suite *condition_suite(void) {
        Suite *s = suite_create("condition");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_paths);
        tcase_add_test(tc, test_combination);
        tcase_add_test(tc, test_parse_errors);
        tcase_add_test(tc, test_host_kinds);
        tcase_add_test(tc, test_compare_kinds);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(condition_suite());
        int failed;

        if (!mkdtemp(root))
                return EXIT_FAILURE;
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        {
                char cmd[128];
                snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
                (void) !system(cmd);
        }
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
