/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "description-loader.h"
#include "string-util.h"
#include "strv.h"

/* A search path of three directories under a temporary root. */
static char root[] = "/tmp/test-loader.XXXXXX";
static char etc[64], run[64], lib[64];
static const char *search_path[4];

static void write_file(const char *text, const char *fmt, ...) _printf_(2, 3);
static void write_file(const char *text, const char *fmt, ...) {
        char path[256], dir[256];
        va_list ap;
        FILE *f;

        va_start(ap, fmt);
        vsnprintf(path, sizeof(path), fmt, ap);
        va_end(ap);
        snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        (void) mkdir(dir, 0755);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void link_null(const char *fmt, ...) _printf_(1, 2);
static void link_null(const char *fmt, ...) {
        char path[256], dir[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(path, sizeof(path), fmt, ap);
        va_end(ap);
        snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        (void) mkdir(dir, 0755);
        ck_assert_int_eq(symlink("/dev/null", path), 0);
}

static void setup(void) {
        strcpy(root, "/tmp/test-loader.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(root));
        snprintf(etc, sizeof(etc), "%s/etc", root);
        snprintf(run, sizeof(run), "%s/run", root);
        snprintf(lib, sizeof(lib), "%s/lib", root);
        ck_assert_int_eq(mkdir(etc, 0755), 0);
        ck_assert_int_eq(mkdir(run, 0755), 0);
        ck_assert_int_eq(mkdir(lib, 0755), 0);
        search_path[0] = etc;
        search_path[1] = run;
        search_path[2] = lib;
        search_path[3] = NULL;
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        ck_assert_int_eq(system(cmd), 0);
}

/* "PATH" of each source, relative to root, joined with "|". */
static char *paths_of(const DescriptionSources *s) {
        char *out = strdup("");

        for (size_t i = 0; i < s->n; i++) {
                const char *p = startswith(s->items[i].path, root) ?: s->items[i].path;
                char *t = strprintf("%s%s%s", out, i ? "|" : "", p);

                free(out);
                out = t;
        }
        return out;
}

static char tmp_path[256];
static const char *strprintf_tmp(const char *fmt, ...) _printf_(1, 2);
static const char *strprintf_tmp(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(tmp_path, sizeof(tmp_path), fmt, ap);
        va_end(ap);
        return tmp_path;
}

static DescriptionSources *load_ok(const char *name, const char *text) {
        _cleanup_free_ char *error = NULL;
        DescriptionSources *s = NULL;

        ck_assert_msg(description_sources_load(name, text, search_path, &s, &error) == 0, "%s", error);
        return s;
}

#define SERVICE "[Service]\nExecStart=/bin/true\n"

START_TEST(test_precedence) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_free_ char *p = NULL;

        write_file(SERVICE "Environment=FROM=lib\n", "%s/demo.service", lib);
        s = load_ok("demo", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/lib/demo.service");
        s = description_sources_free(s);
        p = mfree(p);

        write_file(SERVICE "Environment=FROM=run\n", "%s/demo.service", run);
        write_file(SERVICE "Environment=FROM=etc\n", "%s/demo.service", etc);
        s = load_ok("demo", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/etc/demo.service");
        ck_assert_str_eq(s->items[0].text, SERVICE "Environment=FROM=etc\n");
}
END_TEST

START_TEST(test_dropin_order_and_masking) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *p = NULL, *error = NULL;

        write_file(SERVICE "Environment=A=main\nMemoryMax=1G\n", "%s/demo.service", lib);
        write_file("[Service]\nEnvironment=B=lib-10\n", "%s/demo.service.d/10-b.conf", lib);
        write_file("[Service]\nEnvironment=C=lib-20\n", "%s/demo.service.d/20-c.conf", lib);
        write_file("[Service]\nEnvironment=C=run-20\nMemoryMax=2G\n", "%s/demo.service.d/20-c.conf", run);
        write_file("[Service]\nEnvironment=D=run-05\n", "%s/demo.service.d/05-d.conf", run);
        write_file("[Service]\nEnvironment=E=etc-30\nMemoryMax=3G\n", "%s/demo.service.d/30-e.conf", etc);
        write_file("[Service]\nEnvironment=B=run-10-hidden\n", "%s/demo.service.d/10-b.conf", etc); /* masks lib's */
        write_file("not a drop-in\n", "%s/demo.service.d/99-ignored.txt", etc);
        write_file("hidden\n", "%s/demo.service.d/.00-hidden.conf", etc);

        s = load_ok("demo", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/lib/demo.service|/run/demo.service.d/05-d.conf|/etc/demo.service.d/10-b.conf|"
                            "/run/demo.service.d/20-c.conf|/etc/demo.service.d/30-e.conf");

        ck_assert_int_eq(description_parse_sources("demo", s, &d, NULL, &error), 0);
        ck_assert_str_eq(d->environment[0], "A=main");
        ck_assert_str_eq(d->environment[1], "D=run-05");
        ck_assert_str_eq(d->environment[2], "B=run-10-hidden");
        ck_assert_str_eq(d->environment[3], "C=run-20");
        ck_assert_str_eq(d->environment[4], "E=etc-30");
        ck_assert_ptr_null(d->environment[5]);
        ck_assert_uint_eq(d->memory_max, 3ULL << 30); /* last wins */
}
END_TEST

START_TEST(test_dropin_masked_by_null) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_free_ char *p = NULL;

        write_file(SERVICE, "%s/demo.service", lib);
        write_file("[Service]\nMemoryMax=1G\n", "%s/demo.service.d/limits.conf", lib);
        write_file("[Service]\nTasksMax=5\n", "%s/demo.service.d/other.conf", lib);
        link_null("%s/demo.service.d/limits.conf", run);
        write_file("", "%s/demo.service.d/other.conf", etc); /* an empty file masks too */

        s = load_ok("demo", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/lib/demo.service");
}
END_TEST

START_TEST(test_masked_description) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_free_ char *error = NULL, *expected = NULL;

        write_file(SERVICE, "%s/demo.service", lib);
        link_null("%s/demo.service", etc);

        ck_assert_int_eq(description_sources_load("demo", NULL, search_path, &s, &error), -ERFKILL);
        ck_assert_ptr_null(s);
        expected = strprintf("Description demo.service is masked (%s/demo.service)", etc);
        ck_assert_str_eq(error, expected);

        /* Masked also for text sent over the bus. */
        error = mfree(error);
        ck_assert_int_eq(description_sources_load("demo", SERVICE, search_path, &s, &error), -ERFKILL);

        /* An empty file masks, as in systemd. */
        write_file("", "%s/empty.service", run);
        ck_assert_int_eq(description_sources_load("empty", NULL, search_path, &s, &error), -ERFKILL);
}
END_TEST

START_TEST(test_missing) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_free_ char *error = NULL, *expected = NULL;

        ck_assert_int_eq(description_sources_load("nothere", NULL, search_path, &s, &error), -ENOENT);
        expected = strprintf("No description nothere.service in %s, %s or %s", etc, run, lib);
        ck_assert_str_eq(error, expected);

        error = mfree(error);
        ck_assert_int_eq(description_sources_load("../x", NULL, search_path, &s, &error), -EINVAL);
        ck_assert_str_eq(error, "Invalid service name '../x'");

        /* Drop-ins alone do not make a description. */
        error = mfree(error);
        write_file("[Service]\nExecStart=/bin/true\n", "%s/orphan.service.d/a.conf", etc);
        ck_assert_int_eq(description_sources_load("orphan", NULL, search_path, &s, &error), -ENOENT);

        /* The default path text. */
        error = mfree(error);
        ck_assert_int_eq(description_sources_load("surely-not-installed-here", NULL, NULL, &s, &error), -ENOENT);
        ck_assert_str_eq(error, "No description surely-not-installed-here.service in /etc/isolated, /run/isolated or /usr/lib/isolated");
}
END_TEST

/* PREFIX@INSTANCE as systemd: the first directory holding the instance's own file decides,
 * else the first holding the template; drop-ins of both, the first directory winning for a file
 * name (the instance's before the template's in each), sorted by file name. */
START_TEST(test_instances) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *p = NULL, *error = NULL, *expected = NULL;

        write_file(SERVICE "PIDFile=/run/pg/%i.pid\n", "%s/pg@.service", lib);
        write_file(SERVICE "Environment=WHO=run-template\n", "%s/pg@.service", run);
        s = load_ok("pg@15-main", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/run/pg@.service");
        s = description_sources_free(s);
        p = mfree(p);

        /* The instance's own file, even lower on the path, wins over every template. */
        write_file(SERVICE "Environment=WHO=lib-instance\n", "%s/pg@15-main.service", lib);
        s = load_ok("pg@15-main", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/lib/pg@15-main.service");
        s = description_sources_free(s);
        p = mfree(p);
        ck_assert_int_eq(unlink(strprintf_tmp("%s/pg@15-main.service", lib)), 0);

        write_file("[Service]\nEnvironment=A=template-etc\n", "%s/pg@.service.d/10-a.conf", etc);
        write_file("[Service]\nEnvironment=A=instance-etc\n", "%s/pg@15-main.service.d/10-a.conf", etc);
        write_file("[Service]\nEnvironment=B=template-run\n", "%s/pg@.service.d/20-b.conf", run);
        write_file("[Service]\nEnvironment=B=instance-lib\n", "%s/pg@15-main.service.d/20-b.conf", lib);
        write_file("[Service]\nEnvironment=C=instance-run\n", "%s/pg@15-main.service.d/05-c.conf", run);
        write_file("[Service]\nEnvironment=D=other\n", "%s/pg@other.service.d/01-d.conf", etc);
        s = load_ok("pg@15-main", NULL);
        p = paths_of(s);
        ck_assert_str_eq(p, "/run/pg@.service|/run/pg@15-main.service.d/05-c.conf|/etc/pg@15-main.service.d/10-a.conf|"
                            "/run/pg@.service.d/20-b.conf");
        ck_assert_int_eq(description_parse_sources("pg@15-main", s, &d, NULL, &error), 0);
        ck_assert_str_eq(d->environment[0], "WHO=run-template");
        ck_assert_str_eq(d->environment[1], "C=instance-run");
        ck_assert_str_eq(d->environment[2], "A=instance-etc");
        ck_assert_str_eq(d->environment[3], "B=template-run");
        ck_assert_ptr_null(d->environment[4]);
        s = description_sources_free(s);
        p = mfree(p);

        /* Bus text stands for the instance's file; the drop-ins apply. */
        s = load_ok("pg@15-main", SERVICE);
        p = paths_of(s);
        ck_assert_str_eq(p, "pg@15-main.service|/run/pg@15-main.service.d/05-c.conf|/etc/pg@15-main.service.d/10-a.conf|"
                            "/run/pg@.service.d/20-b.conf");
        s = description_sources_free(s);

        /* A template by itself: its own file and drop-ins (cat, edit), none of an instance's; it
         * cannot be parsed under its own name. */
        s = load_ok("pg@", NULL);
        p = mfree(p);
        p = paths_of(s);
        ck_assert_str_eq(p, "/run/pg@.service|/etc/pg@.service.d/10-a.conf|/run/pg@.service.d/20-b.conf");
        d = description_free(d);
        error = mfree(error);
        ck_assert_int_eq(description_parse_sources("pg@", s, &d, NULL, &error), -EINVAL);
        expected = mfree(expected);
        expected = strprintf("%s/pg@.service: pg@ is a template: start an instance, pg@INSTANCE", run);
        ck_assert_str_eq(error, expected);
        s = description_sources_free(s);

        /* A mask of the template masks every instance without a file of its own; a mask of the
         * instance masks it alone. */
        error = mfree(error);
        link_null("%s/pg@.service", etc);
        ck_assert_int_eq(description_sources_load("pg@15-main", NULL, search_path, &s, &error), -ERFKILL);
        expected = mfree(expected);
        expected = strprintf("Description pg@15-main.service is masked: its template pg@.service is (%s/pg@.service)", etc);
        ck_assert_str_eq(error, expected);
        write_file(SERVICE, "%s/pg@own.service", lib);
        s = load_ok("pg@own", NULL);
        s = description_sources_free(s);
        link_null("%s/pg@own.service", run);
        error = mfree(error);
        ck_assert_int_eq(description_sources_load("pg@own", NULL, search_path, &s, &error), -ERFKILL);

        /* Neither file. */
        error = mfree(error);
        expected = mfree(expected);
        ck_assert_int_eq(description_sources_load("nope@x", NULL, search_path, &s, &error), -ENOENT);
        expected = strprintf("No description nope@x.service nor its template nope@.service in %s, %s or %s", etc, run, lib);
        ck_assert_str_eq(error, expected);
}
END_TEST

START_TEST(test_bus_text_with_dropins) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *p = NULL, *error = NULL;

        write_file(SERVICE "MemoryMax=5G\n", "%s/demo.service", etc); /* replaced by the bus text */
        write_file("[Service]\nMemoryMax=100M\n", "%s/demo.service.d/limit.conf", run);

        s = load_ok("demo", SERVICE "Environment=X=1\n");
        p = paths_of(s);
        ck_assert_str_eq(p, "demo.service|/run/demo.service.d/limit.conf");
        ck_assert_int_eq(description_parse_sources("demo", s, &d, NULL, &error), 0);
        ck_assert_uint_eq(d->memory_max, 100ULL << 20);
        ck_assert_str_eq(d->environment[0], "X=1");
}
END_TEST

START_TEST(test_reset_and_errors_across_files) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *error = NULL, *expected = NULL;

        write_file(SERVICE "Environment=A=1 B=2\nEnvironmentFile=/etc/a\n", "%s/demo.service", lib);
        write_file("[Service]\nEnvironment=\nEnvironment=C=3\nEnvironmentFile=\nExecStart=\nExecStart=/bin/echo %n\n"
                   "GuessMainPID=no\n",
                   "%s/demo.service.d/reset.conf", etc);
        s = load_ok("demo", NULL);
        ck_assert_int_eq(description_parse_sources("demo", s, &d, &notices, &error), 0);
        ck_assert_str_eq(d->environment[0], "C=3");
        ck_assert_ptr_null(d->environment[1]);
        ck_assert_ptr_null(d->environment_files);
        ck_assert_str_eq(d->exec_start->argv[1], "demo.service");
        /* Notices name the drop-in. */
        expected = strprintf("%s/demo.service.d/reset.conf:7: Ignoring GuessMainPID=: it changes when things run, not what they may do", etc);
        ck_assert_str_eq(notices[0], expected);
        d = description_free(d);
        s = description_sources_free(s);

        /* A second ExecStart= in a drop-in without reset names where the first is. */
        write_file("[Service]\n\nExecStart=/bin/false\n", "%s/demo.service.d/reset.conf", etc);
        s = load_ok("demo", NULL);
        ck_assert_int_eq(description_parse_sources("demo", s, &d, NULL, &error), -EINVAL);
        free(expected);
        expected = strprintf("%s/demo.service.d/reset.conf:3: ExecStart= is already set (%s/demo.service:2); only "
                             "Type=oneshot allows several commands (an empty ExecStart= resets the list)",
                             etc, lib);
        ck_assert_str_eq(error, expected);
        s = description_sources_free(s);

        /* A bad value in a drop-in names the drop-in. */
        write_file("[Service]\nMemoryMax=lots\n", "%s/demo.service.d/reset.conf", etc);
        s = load_ok("demo", NULL);
        ck_assert_int_eq(description_parse_sources("demo", s, &d, NULL, &error), -EINVAL);
        free(expected);
        expected = strprintf("%s/demo.service.d/reset.conf:2: Invalid MemoryMax= value 'lots'", etc);
        ck_assert_str_eq(error, expected);
        s = description_sources_free(s);

        /* Reset ExecStart= in a drop-in and none after: "required" names the main file. */
        write_file("[Service]\nExecStart=\n", "%s/demo.service.d/reset.conf", etc);
        s = load_ok("demo", NULL);
        ck_assert_int_eq(description_parse_sources("demo", s, &d, NULL, &error), -EINVAL);
        free(expected);
        expected = strprintf("%s/demo.service: ExecStart= is required", lib);
        ck_assert_str_eq(error, expected);
        s = description_sources_free(s);

        /* An unknown specifier in a drop-in. */
        write_file("[Service]\nEnvironment=X=%z\n", "%s/demo.service.d/reset.conf", etc);
        s = load_ok("demo", NULL);
        ck_assert_int_eq(description_parse_sources("demo", s, &d, NULL, &error), -EINVAL);
        free(expected);
        expected = strprintf("%s/demo.service.d/reset.conf:2: Failed to resolve specifiers in 'X=%%z': unknown specifier %%z", etc);
        ck_assert_str_eq(error, expected);
}
END_TEST

static int fake_hostname(char **ret) {
        *ret = strdup("host.example");
        return *ret ? 0 : -ENOMEM;
}

START_TEST(test_specifiers_in_keys) {
        static const SpecifierContext host = { .get_hostname = fake_hostname };
        const char *names[] = { "web.service", "/etc/isolated/web.service.d/x.conf" };
        const char *texts[] = {
                "[Unit]\nDescription=%N on %H\n"
                "[Service]\nExecStart=/usr/bin/%N --name \"%n %%\" %t/%N.sock ${X}%%\n"
                "Environment=\"ID=%p-%i\" HOME=%h USER=%u UID=%U\n"
                "WorkingDirectory=%S/%N\nSyslogIdentifier=%N-log\nEnvironmentFile=-%E/default/%N\n"
                "[Isolate]\nHostname=%l-%N\n",
                "[Service]\nEnvironmentFile=%t/%N.env\nMemoryMax=5%\n",
        };
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *error = NULL;
        Description *none = NULL;

        ck_assert_msg(description_parse_files("web", 2, names, texts, &host, &d, NULL, &error) == 0, "%s", error);
        ck_assert_str_eq(d->description, "web on host.example");
        ck_assert_str_eq(d->exec_start->path, "/usr/bin/web");
        ck_assert_str_eq(d->exec_start->argv[0], "/usr/bin/web");
        ck_assert_str_eq(d->exec_start->argv[2], "web.service %");
        ck_assert_str_eq(d->exec_start->argv[3], "/run/web.sock");
        ck_assert_str_eq(d->exec_start->argv[4], "${X}%"); /* $ is for the init, %% is % */
        ck_assert_str_eq(d->environment[0], "ID=web-");
        ck_assert_str_eq(d->environment[1], "HOME=/root");
        ck_assert_str_eq(d->environment[2], "USER=root");
        ck_assert_str_eq(d->environment[3], "UID=0");
        ck_assert_str_eq(d->working_directory, "/var/lib/web");
        ck_assert_str_eq(d->syslog_identifier, "web-log");
        ck_assert_str_eq(d->environment_files[0], "-/etc/default/web");
        ck_assert_str_eq(d->environment_files[1], "/run/web.env");
        ck_assert_str_eq(d->hostname, "host-web");

        /* Errors name file:line; an EnvironmentFile= must be absolute. */
        texts[1] = "[Service]\n\nEnvironmentFile=relative/x\n";
        ck_assert_int_eq(description_parse_files("web", 2, names, texts, &host, &none, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "/etc/isolated/web.service.d/x.conf:3: Invalid EnvironmentFile= value 'relative/x': not an absolute path");
        texts[1] = "[Service]\nExecStart=\nExecStart=/bin/%a\n";
        ck_assert_int_eq(description_parse_files("web", 2, names, texts, &host, &none, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "/etc/isolated/web.service.d/x.conf:3: Failed to resolve specifiers in '/bin/%a': %a is not supported by isolated");
        ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_serialize_roundtrip) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL, *back = NULL, *copy = NULL;
        _cleanup_free_ char *data = NULL, *data2 = NULL;
        size_t size = 0, size2 = 0;

        write_file(SERVICE "Environment=\"A=line\\nwith escapes\"\n\n", "%s/demo.service", lib);
        write_file("", "%s/demo.service.d/empty-masks.conf", etc);
        write_file("[Service]\n# 12 34\n1 2\n", "%s/demo.service.d/tricky.conf", etc);
        s = load_ok("demo", NULL);
        ck_assert_uint_eq(s->n, 2);

        ck_assert_int_eq(description_sources_serialize(s, &data, &size), 0);
        ck_assert_uint_eq(strlen(data), size);
        ck_assert_int_eq(description_sources_deserialize(data, size, &back), 0);
        ck_assert_uint_eq(back->n, s->n);
        for (size_t i = 0; i < s->n; i++) {
                ck_assert_str_eq(back->items[i].path, s->items[i].path);
                ck_assert_str_eq(back->items[i].text, s->items[i].text);
        }
        ck_assert_int_eq(description_sources_copy(back, &copy), 0);
        ck_assert_int_eq(description_sources_serialize(copy, &data2, &size2), 0);
        ck_assert_uint_eq(size, size2);
        ck_assert_mem_eq(data, data2, size);
}
END_TEST

START_TEST(test_deserialize_malformed) {
        static const char *const bad[] = {
                "",
                "x",
                "3 2\nabc\nhi",          /* no final newline */
                "3 2\nabc\nhi\n3",       /* trailing garbage */
                "3 2\nabcX\nhi\n",       /* path length wrong */
                "3 3\nabc\nhi\n",        /* text length overruns */
                "0 2\n\nhi\n",           /* empty path */
                "03 2\nabc\nhi\n",       /* leading zero */
                "-3 2\nabc\nhi\n",
                "3  2\nabc\nhi\n",
                "3 2 \nabc\nhi\n",
                "99999999999999999999999 2\nabc\nhi\n",
                "3 99999999999999999999\nabc\nhi\n",
                "3 2\na\nc\nhi\n",       /* newline in path */
                "3 2\nabc\nhi\n3 2\n",
        };
        DescriptionSources *s = NULL;
        char with_nul[] = "3 2\nabc\nh\0\n";

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(description_sources_deserialize(bad[i], strlen(bad[i]), &s) == -EBADMSG, "accepted #%zu", i);
        ck_assert_int_eq(description_sources_deserialize(with_nul, sizeof(with_nul) - 1, &s), -EBADMSG);
        ck_assert_ptr_null(s);

        ck_assert_int_eq(description_sources_deserialize("3 2\nabc\nhi\n0 0\n", 13, &s), -EBADMSG); /* cut */
        ck_assert_int_eq(description_sources_deserialize("3 2\nabc\nhi\n1 0\nx\n\n", 18, &s), 0);
        ck_assert_uint_eq(s->n, 2);
        ck_assert_str_eq(s->items[0].text, "hi");
        ck_assert_str_eq(s->items[1].path, "x");
        ck_assert_str_eq(s->items[1].text, "");
        description_sources_free(s);
}
END_TEST

int main(void) {
        Suite *s = suite_create("description-loader");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_precedence);
        tcase_add_test(tc, test_dropin_order_and_masking);
        tcase_add_test(tc, test_dropin_masked_by_null);
        tcase_add_test(tc, test_masked_description);
        tcase_add_test(tc, test_missing);
        tcase_add_test(tc, test_instances);
        tcase_add_test(tc, test_bus_text_with_dropins);
        tcase_add_test(tc, test_reset_and_errors_across_files);
        tcase_add_test(tc, test_specifiers_in_keys);
        tcase_add_test(tc, test_serialize_roundtrip);
        tcase_add_test(tc, test_deserialize_malformed);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
