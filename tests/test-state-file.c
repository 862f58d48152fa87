/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "description-loader.h"
#include "init-protocol.h"
#include "macro.h"
#include "state-file.h"
#include "strv.h"

static char dir[] = "/tmp/test-state-file-XXXXXX";

static void setup(void) {
        strcpy(dir, "/tmp/test-state-file-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) !system(cmd);
}

static DescriptionSources *sources_of(const char *text) {
        DescriptionSources *s = NULL;
        _cleanup_free_ char *error = NULL;
        const char *const none[] = { NULL };

        ck_assert_int_eq(description_sources_load("web", text, none, &s, &error), 0);
        return s;
}

static void write_file(const char *name, const char *suffix, const char *text) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s.%s", dir, name, suffix);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static bool file_exists(const char *name, const char *suffix) {
        char path[256];

        snprintf(path, sizeof(path), "%s/%s.%s", dir, name, suffix);
        return access(path, F_OK) == 0;
}

static void assert_same_sources(const DescriptionSources *a, const DescriptionSources *b) {
        _cleanup_free_ char *da = NULL, *db = NULL;
        size_t na, nb;

        ck_assert_int_eq(description_sources_serialize(a, &da, &na), 0);
        ck_assert_int_eq(description_sources_serialize(b, &db, &nb), 0);
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(da, db, na) == 0);
}

START_TEST(test_round_trip) {
        _cleanup_(description_sources_freep) DescriptionSources *in = sources_of("[Service]\nExecStart=/bin/sleep 1000\n");
        _cleanup_(description_sources_freep) DescriptionSources *out = NULL;
        StateRecord rec = { .init_pid = 1234, .main_pid = 1240, .start_timestamp = 1764620000123456ULL,
                            .uid_base = 0x60010000 };
        StateRecord back = {};

        ck_assert_int_eq(state_file_write(dir, "web", &rec, in), 0);
        ck_assert(file_exists("web", "state"));
        ck_assert(file_exists("web", "sources"));
        ck_assert(!file_exists("web", "state.tmp"));
        ck_assert_int_eq(state_file_read(dir, "web", &back, &out), 0);
        ck_assert_int_eq(back.init_pid, 1234);
        ck_assert_int_eq(back.main_pid, 1240);
        ck_assert_uint_eq(back.start_timestamp, 1764620000123456ULL);
        ck_assert_uint_eq(back.uid_base, 0x60010000);
        assert_same_sources(in, out);

        /* Host root: no range; and a rewrite replaces the record. */
        rec.uid_base = (uid_t) -1;
        rec.main_pid = 0;
        ck_assert_int_eq(state_file_write(dir, "web", &rec, in), 0);
        out = description_sources_free(out);
        ck_assert_int_eq(state_file_read(dir, "web", &back, &out), 0);
        ck_assert_uint_eq(back.uid_base, (uid_t) -1);
        ck_assert_int_eq(back.main_pid, 0);

        /* An older record without UID_BASE: none. */
        write_file("web", "state", "VERSION=1\nINIT_PID=99\nMAIN_PID=100\nSTART_TIMESTAMP=5\n");
        out = description_sources_free(out);
        ck_assert_int_eq(state_file_read(dir, "web", &back, &out), 0);
        ck_assert_int_eq(back.init_pid, 99);
        ck_assert_uint_eq(back.uid_base, (uid_t) -1);
        ck_assert(!back.starting); /* and no PHASE: a record of a running service */
}
END_TEST

/* A start's record is written before its scope (starting), and again once the start is complete. */
START_TEST(test_phase) {
        _cleanup_(description_sources_freep) DescriptionSources *in = sources_of("[Service]\nExecStart=/bin/true\n");
        _cleanup_(description_sources_freep) DescriptionSources *out = NULL;
        StateRecord rec = { .init_pid = 1234, .uid_base = (uid_t) -1, .starting = true };
        StateRecord back = {};

        ck_assert_int_eq(state_file_write(dir, "web", &rec, in), 0);
        ck_assert_int_eq(state_file_read(dir, "web", &back, &out), 0);
        ck_assert(back.starting);
        ck_assert_int_eq(back.main_pid, 0);

        rec.starting = false;
        rec.main_pid = 1240;
        ck_assert_int_eq(state_file_write(dir, "web", &rec, in), 0);
        out = description_sources_free(out);
        ck_assert_int_eq(state_file_read(dir, "web", &back, &out), 0);
        ck_assert(!back.starting);
        ck_assert_int_eq(back.main_pid, 1240);
}
END_TEST

START_TEST(test_corrupt) {
        static const char *const bad_states[] = {
                "",
                "garbage\n",
                "VERSION=2\nINIT_PID=99\nMAIN_PID=100\nSTART_TIMESTAMP=5\n",  /* unknown version */
                "VERSION=1\nMAIN_PID=100\nSTART_TIMESTAMP=5\n",               /* no init */
                "VERSION=1\nINIT_PID=1\nMAIN_PID=100\nSTART_TIMESTAMP=5\n",   /* PID 1 is never ours */
                "VERSION=1\nINIT_PID=0\nMAIN_PID=100\nSTART_TIMESTAMP=5\n",
                "VERSION=1\nINIT_PID=99\nMAIN_PID=100\n",                     /* no timestamp */
                "VERSION=1\nINIT_PID=99\nSTART_TIMESTAMP=5\n",                /* no main */
        };
        _cleanup_(description_sources_freep) DescriptionSources *in = sources_of("[Service]\nExecStart=/bin/true\n");
        StateRecord rec = { .init_pid = 1234, .main_pid = 1240, .start_timestamp = 1, .uid_base = (uid_t) -1 };
        char big[8192];

        ck_assert_int_eq(state_file_write(dir, "web", &rec, in), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad_states); i++) {
                DescriptionSources *out = NULL;
                StateRecord back = { .init_pid = 7 };

                write_file("web", "state", bad_states[i]);
                ck_assert_msg(state_file_read(dir, "web", &back, &out) == -EBADMSG, "state %zu", i);
                ck_assert_ptr_null(out);
                ck_assert_int_eq(back.init_pid, 7); /* ret_ written only on success */
        }
        /* Too large. */
        memset(big, 'A', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        write_file("web", "state", big);
        {
                DescriptionSources *out = NULL;
                StateRecord back;
                ck_assert_int_eq(state_file_read(dir, "web", &back, &out), -EBADMSG);
        }

        /* A good state, but the sources are corrupt or gone. */
        ck_assert_int_eq(state_file_write(dir, "web", &rec, in), 0);
        write_file("web", "sources", "12 x\nnot the format\n");
        {
                DescriptionSources *out = NULL;
                StateRecord back;
                ck_assert_int_eq(state_file_read(dir, "web", &back, &out), -EBADMSG);
                ck_assert_ptr_null(out);
        }
        {
                char path[256];
                DescriptionSources *out = NULL;
                StateRecord back;

                snprintf(path, sizeof(path), "%s/web.sources", dir);
                ck_assert_int_eq(unlink(path), 0);
                ck_assert_int_eq(state_file_read(dir, "web", &back, &out), -EBADMSG);
        }
        /* No record at all. */
        {
                DescriptionSources *out = NULL;
                StateRecord back;
                ck_assert_int_eq(state_file_read(dir, "nothere", &back, &out), -ENOENT);
        }
}
END_TEST

START_TEST(test_exit_record_and_endpoints) {
        int listen_fd = -EBADF, exit_fd = -EBADF, code = 0, status = 0;
        char buf[64];
        int n;

        ck_assert_int_eq(state_file_read_exit(dir, "web", &code, &status, NULL), -ENOENT);
        ck_assert_int_eq(state_file_make_init_endpoints(dir, "web", &listen_fd, &exit_fd), 0);
        ck_assert(file_exists("web", "sock"));
        ck_assert(file_exists("web", "exit"));
        ck_assert(fcntl(listen_fd, F_GETFD) & FD_CLOEXEC);
        ck_assert(fcntl(exit_fd, F_GETFD) & FD_CLOEXEC);
        /* Empty: nothing recorded yet. */
        ck_assert_int_eq(state_file_read_exit(dir, "web", &code, &status, NULL), -ENOENT);
        /* What the init writes there at the end. */
        n = init_exit_record_format(W_EXITCODE(3, 0), INIT_END_NONE, buf, sizeof(buf));
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(write(exit_fd, buf, (size_t) n), n);
        ck_assert_int_eq(state_file_read_exit(dir, "web", &code, &status, NULL), 0);
        ck_assert_int_eq(code, CLD_EXITED);
        ck_assert_int_eq(status, 3);
        safe_close(listen_fd);
        safe_close(exit_fd);

        write_file("web", "exit", "nonsense\n");
        ck_assert_int_eq(state_file_read_exit(dir, "web", &code, &status, NULL), -EBADMSG);

        /* A name too long for a socket address: nothing made. */
        {
                char name[200];
                memset(name, 'x', sizeof(name) - 1);
                name[sizeof(name) - 1] = 0;
                ck_assert_int_eq(state_file_make_init_endpoints(dir, name, &listen_fd, &exit_fd), -ENAMETOOLONG);
        }
}
END_TEST

START_TEST(test_list_and_remove) {
        _cleanup_(description_sources_freep) DescriptionSources *in = sources_of("[Service]\nExecStart=/bin/true\n");
        StateRecord rec = { .init_pid = 1234, .main_pid = 1240, .start_timestamp = 1, .uid_base = (uid_t) -1 };
        _cleanup_strv_free_ char **names = NULL;
        int listen_fd, exit_fd;

        ck_assert_int_eq(state_file_write(dir, "a", &rec, in), 0);
        ck_assert_int_eq(state_file_write(dir, "b", &rec, in), 0);
        ck_assert_int_eq(state_file_make_init_endpoints(dir, "b", &listen_fd, &exit_fd), 0);
        safe_close(listen_fd);
        safe_close(exit_fd);
        write_file("c", "exit", "");         /* an end recorded while no daemon ran */
        write_file(".hidden", "state", "");  /* not a service name */
        write_file("d", "sources", "");      /* a state's companion alone is no record */
        ck_assert_int_eq(state_dir_list(dir, &names), 0);
        ck_assert_uint_eq(strv_length(names), 3);
        ck_assert(strv_contains(names, "a"));
        ck_assert(strv_contains(names, "b"));
        ck_assert(strv_contains(names, "c"));

        state_file_remove(dir, "b");
        ck_assert(!file_exists("b", "state"));
        ck_assert(!file_exists("b", "sources"));
        ck_assert(!file_exists("b", "sock"));
        ck_assert(!file_exists("b", "exit"));
        ck_assert(file_exists("a", "state"));
        names = strv_free(names);
        ck_assert_int_eq(state_dir_list(dir, &names), 0);
        ck_assert_uint_eq(strv_length(names), 2);

        ck_assert_int_eq(state_dir_list("/nonexistent-state-dir", &names), -ENOENT);
}
END_TEST

static Suite *state_file_suite(void) {
        Suite *s = suite_create("state-file");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_phase);
        tcase_add_test(tc, test_corrupt);
        tcase_add_test(tc, test_exit_record_and_endpoints);
        tcase_add_test(tc, test_list_and_remove);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(state_file_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
