/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"

/* A tree of its own: T/w the confined root (what a service may write), T/o outside it. */
static char top[64];
static char *roots[2];

static char *at(const char *rel) {
        static char buf[4][256];
        static unsigned i;

        i = (i + 1) % 4;
        snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
        return buf[i];
}

static void setup(void) {
        snprintf(top, sizeof(top), "/tmp/test-fs-util.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(top));
        ck_assert_int_eq(mkdir(at("w"), 0755), 0);
        ck_assert_int_eq(mkdir(at("o"), 0755), 0);
        roots[0] = strdup(at("w"));
        roots[1] = NULL;
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
        ck_assert_int_eq(system(cmd), 0);
        free(roots[0]);
}

/* Whether fd is the directory at path. */
static bool is_dir_at(int fd, const char *path) {
        struct stat a, b;

        return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int walk(const char *path, bool create, int *fd, const char **name) {
        *fd = -EBADF;
        return open_parent_confined(path, roots, create, fd, name);
}

START_TEST(test_plain_and_create) {
        const char *name;
        int fd;

        ck_assert_int_eq(walk(at("w/a/b/ctl.sock"), true, &fd, &name), 0);
        ck_assert_str_eq(name, "ctl.sock");
        ck_assert(is_dir_at(fd, at("w/a/b")));
        safe_close(fd);
        ck_assert_int_eq(walk(at("o/missing/x.sock"), false, &fd, &name), -ENOENT);
        ck_assert_int_eq(access(at("o/missing"), F_OK), -1);
        ck_assert_int_eq(walk("relative/x.sock", true, &fd, &name), -EINVAL);
        ck_assert_int_eq(walk(at("w/a/"), true, &fd, &name), -EINVAL);
        ck_assert_int_eq(walk(at("w/a/.."), true, &fd, &name), -EINVAL);
}
END_TEST

/* A link of the service's below its directory: refused, nothing made where it points. */
START_TEST(test_link_below_root) {
        const char *name;
        int fd;

        ck_assert_int_eq(symlink(at("o"), at("w/l")), 0);
        ck_assert_int_eq(walk(at("w/l/new/ctl.sock"), true, &fd, &name), -ELOOP);
        ck_assert_int_eq(access(at("o/new"), F_OK), -1);
        /* deeper, in a directory of its own */
        ck_assert_int_eq(mkdir(at("w/d"), 0755), 0);
        ck_assert_int_eq(symlink("../../o", at("w/d/up")), 0);
        ck_assert_int_eq(walk(at("w/d/up/ctl.sock"), true, &fd, &name), -ELOOP);
        /* and ".." out of it */
        ck_assert_int_eq(walk(at("w/d/../../o/ctl.sock"), true, &fd, &name), -ELOOP);
}
END_TEST

/* Links outside are followed, also one into the root: below that, none is. */
START_TEST(test_link_outside) {
        const char *name;
        int fd;

        ck_assert_int_eq(symlink(at("o"), at("ol")), 0);
        ck_assert_int_eq(walk(at("ol/made/ctl.sock"), true, &fd, &name), 0);
        ck_assert(is_dir_at(fd, at("o/made")));
        safe_close(fd);
        ck_assert_int_eq(walk(at("o/../o/ctl.sock"), true, &fd, &name), 0);
        ck_assert(is_dir_at(fd, at("o")));
        safe_close(fd);

        ck_assert_int_eq(symlink("w", at("wl")), 0); /* relative, into the root */
        ck_assert_int_eq(symlink(at("o"), at("w/evil")), 0);
        ck_assert_int_eq(walk(at("wl/evil/ctl.sock"), true, &fd, &name), -ELOOP);
        ck_assert_int_eq(walk(at("wl/ok/ctl.sock"), true, &fd, &name), 0);
        ck_assert(is_dir_at(fd, at("w/ok")));
        safe_close(fd);

        ck_assert_int_eq(symlink("loop2", at("loop1")), 0);
        ck_assert_int_eq(symlink("loop1", at("loop2")), 0);
        ck_assert_int_eq(walk(at("loop1/ctl.sock"), true, &fd, &name), -ELOOP);
}
END_TEST

/* "/" as a root (ProtectSystem= not strict): no link at all, the last component never resolved. */
START_TEST(test_everything_confined) {
        char *all[] = { (char *) "/", NULL };
        const char *name;
        int fd;

        ck_assert_int_eq(symlink(at("o"), at("ol")), 0);
        ck_assert_int_eq(open_parent_confined(at("ol/ctl.sock"), all, true, &fd, &name), -ELOOP);
        ck_assert_int_eq(symlink(at("o/target"), at("o/last")), 0);
        ck_assert_int_eq(open_parent_confined(at("o/last"), all, true, &fd, &name), 0);
        ck_assert_str_eq(name, "last");
        ck_assert(is_dir_at(fd, at("o")));
        safe_close(fd);
}
END_TEST

int main(void) {
        Suite *s = suite_create("fs-util");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_plain_and_create);
        tcase_add_test(tc, test_link_below_root);
        tcase_add_test(tc, test_link_outside);
        tcase_add_test(tc, test_everything_confined);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
