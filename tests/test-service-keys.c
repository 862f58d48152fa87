/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "description.h"
#include "macro.h"
#include "sandbox-options.h"
#include "service-keys.h"
#include "string-util.h"
#include "strv.h"
#include "systemd-keys.h"

static const char *man_path; /* isolated.service(5), from the command line */

START_TEST(test_rows_unique_and_complete) {
        for (size_t i = 0; i < service_keys_count; i++) {
                const ServiceKey *k = &service_keys[i];

                ck_assert_ptr_nonnull(key_section_to_string(k->section));
                ck_assert_ptr_nonnull(key_policy_to_string(k->policy));
                ck_assert_msg(service_key_lookup(k->section, k->key) == k, "[%s] %s= has two rows",
                              key_section_to_string(k->section), k->key);
                /* A handled key has a parser; so has an always-on switch (its value decides the notice). */
                if (k->policy == KEY_HANDLED || k->policy == KEY_ALWAYS_ON)
                        ck_assert_msg(k->parse, "%s= has no parser", k->key);
                /* Every notice and refusal says why. */
                if (k->policy != KEY_HANDLED)
                        ck_assert_msg(!isempty(service_key_note(k)), "%s= has no note", k->key);
                /* No row hides a misspelling: systemd knows every key of its own sections. */
                if (k->section != KEY_SECTION_ISOLATE)
                        ck_assert_msg(systemd_key_is_known(key_section_to_string(k->section), k->key),
                                      "[%s] %s= is not a key systemd knows", key_section_to_string(k->section), k->key);
        }
        ck_assert_ptr_null(service_key_lookup(KEY_SECTION_SERVICE, "NoSuchKey"));
        ck_assert_ptr_null(service_key_lookup(KEY_SECTION_UNIT, "ExecStart"));
        ck_assert_int_eq(key_section_from_string("Isolate"), KEY_SECTION_ISOLATE);
        ck_assert_int_lt(key_section_from_string("Socket"), 0);
}
END_TEST

/* Every key systemd 252 knows in [Unit] and [Service] is a row or gets its section's documented
 * default: [Service] has a row for each (refused ones too), [Unit] falls back to a notice. */
START_TEST(test_systemd_keys_covered) {
        static const char *const sections[] = { "Unit", "Service", "Install" };

        for (size_t j = 0; j < ELEMENTSOF(sections); j++) {
                const char *const *keys;
                size_t n, rows = 0;
                KeySection sec = key_section_from_string(sections[j]);

                keys = systemd_keys(sections[j], &n);
                ck_assert_ptr_nonnull(keys);
                ck_assert_uint_gt(n, 3);
                for (size_t i = 0; i < n; i++) {
                        if (service_key_lookup(sec, keys[i])) {
                                rows++;
                                continue;
                        }
                        /* No row: the section's default must say what happens. */
                        ck_assert_int_ge(service_key_default_policy(sec), 0);
                        ck_assert_ptr_nonnull(service_key_default_note(sec));
                        if (sec == KEY_SECTION_SERVICE)
                                ck_abort_msg("[Service] %s= has no row", keys[i]);
                }
                printf("[%s]: %zu keys systemd knows, %zu with a row, %zu by the default (%s: %s)\n", sections[j], n,
                       rows, n - rows, key_policy_to_string(service_key_default_policy(sec)),
                       service_key_default_note(sec));
        }
        ck_assert_int_eq(service_key_default_policy(KEY_SECTION_SERVICE), KEY_REFUSED);
        ck_assert_int_eq(service_key_default_policy(KEY_SECTION_UNIT), KEY_NOTICE);
        ck_assert_int_lt(service_key_default_policy(KEY_SECTION_ISOLATE), 0);
}
END_TEST

static char *read_man(void) {
        FILE *f;
        char *text = NULL;
        size_t n = 0;

        ck_assert_ptr_nonnull(man_path);
        f = fopen(man_path, "re");
        ck_assert_msg(f, "cannot open %s", man_path);
        ck_assert_int_ge(getdelim(&text, &n, '\0', f), 0);
        fclose(f);
        return text;
}

/* "KEY=" as a word of the page (not the tail of a longer key). */
static bool man_names(const char *text, const char *key) {
        size_t n = strlen(key);

        for (const char *p = strstr(text, key); p; p = strstr(p + 1, key))
                if ((p == text || !isalnum((unsigned char) p[-1])) && p[n] == '=')
                        return true;
        return false;
}

START_TEST(test_man_page_names_every_key) {
        _cleanup_free_ char *text = read_man();
        size_t missing = 0;

        for (size_t i = 0; i < service_keys_count; i++)
                if (!man_names(text, service_keys[i].key)) {
                        fprintf(stderr, "isolated.service(5) does not name [%s] %s=\n",
                                key_section_to_string(service_keys[i].section), service_keys[i].key);
                        missing++;
                }
        ck_assert_uint_eq(missing, 0);
        /* The default policies are documented too. */
        ck_assert_ptr_nonnull(strstr(text, "Any other key systemd knows"));
        ck_assert(!man_names(text, "NoSuchKeyAtAll"));
}
END_TEST

static int parse(const char *a, const char *b, char **ret_error) {
        const char *names[] = { "demo.service", "demo.service.d/reset.conf" };
        const char *texts[] = { a, b };
        _cleanup_(description_freep) Description *d = NULL;

        return description_parse_files("demo", b ? 2 : 1, names, texts, NULL, &d, NULL, ret_error);
}

/* Any key, even one that would be refused, is reset by an empty assignment: of every row,
 * "KEY=" alone parses. */
START_TEST(test_every_key_resets) {
        for (size_t i = 0; i < service_keys_count; i++) {
                const ServiceKey *k = &service_keys[i];
                _cleanup_free_ char *text = NULL, *error = NULL;

                ck_assert_int_ge(asprintf(&text, "[%s]\n%s=\n[Service]\nExecStart=/bin/true\n",
                                          key_section_to_string(k->section), k->key), 0);
                ck_assert_msg(parse(text, NULL, &error) == 0, "%s= failed: %s", k->key, error);
        }
}
END_TEST

/* A refused key is an error naming it; an empty assignment in a drop-in takes it back. */
START_TEST(test_refused_rows_and_reset) {
        size_t refused = 0;

        for (size_t i = 0; i < service_keys_count; i++) {
                const ServiceKey *k = &service_keys[i];
                _cleanup_free_ char *text = NULL, *error = NULL, *reset = NULL, *expected = NULL;

                if (k->policy != KEY_REFUSED)
                        continue;
                refused++;
                ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/bin/true\n%s=yes\n", k->key), 0);
                ck_assert_int_eq(parse(text, NULL, &error), -EINVAL);
                ck_assert_int_ge(asprintf(&expected, "demo.service:3: %s= is not supported yet; ", k->key), 0);
                ck_assert_msg(startswith(error, expected), "%s", error);
                error = mfree(error);
                ck_assert_int_ge(asprintf(&reset, "[Service]\n%s=\n", k->key), 0);
                ck_assert_msg(parse(text, reset, &error) == 0, "%s= not reset: %s", k->key, error);
        }
        ck_assert_uint_gt(refused, 15);
}
END_TEST

/* sandbox_options_parse() takes exactly the rows whose data is the sandbox. */
START_TEST(test_sandbox_dispatch) {
        SandboxOptions o;
        char *notice = NULL, *error = NULL;

        sandbox_options_init(&o);
        ck_assert_int_eq(sandbox_options_parse(&o, "ExecStart", "/bin/true", &notice, &error), -ENOENT);
        ck_assert_int_eq(sandbox_options_parse(&o, "Hostname", "x", &notice, &error), -ENOENT);
        ck_assert_int_eq(sandbox_options_parse(&o, "CoredumpFilter", "1", &notice, &error), -ENOENT);
        ck_assert_int_eq(sandbox_options_parse(&o, "Nice", "1", &notice, &error), 0);
        ck_assert(o.process.nice_set && o.process.nice == 1);
        ck_assert_int_eq(sandbox_options_parse(&o, "User", "daemon", &notice, &error), 0);
        ck_assert_str_eq(o.user, "daemon");
        ck_assert_int_eq(sandbox_options_parse(&o, "ReadWritePaths", "/var/lib/x", &notice, &error), 0);
        ck_assert_str_eq(o.read_write_paths[0], "/var/lib/x");
        ck_assert_int_eq(sandbox_options_parse_isolate(&o, "HostRoot", "yes", &notice, &error), 0);
        ck_assert(o.host_root);
        ck_assert_int_eq(sandbox_options_parse_isolate(&o, "Port", "80:80", &notice, &error), -ENOENT);
        ck_assert_ptr_null(notice);
        ck_assert_ptr_null(error);
        sandbox_options_done(&o);
        /* Every [Isolate] opt-out of the list has a row of the sandbox. */
        for (const char *const *k = sandbox_isolate_keys; *k; k++) {
                const ServiceKey *row = service_key_lookup(KEY_SECTION_ISOLATE, *k);

                ck_assert_msg(row && row->offset >= offsetof(Description, sandbox) &&
                                      row->offset < offsetof(Description, sandbox) + sizeof(SandboxOptions),
                              "%s", *k);
        }
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("service-keys");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_rows_unique_and_complete);
        tcase_add_test(tc, test_systemd_keys_covered);
        tcase_add_test(tc, test_man_page_names_every_key);
        tcase_add_test(tc, test_every_key_resets);
        tcase_add_test(tc, test_refused_rows_and_reset);
        tcase_add_test(tc, test_sandbox_dispatch);
        suite_add_tcase(s, tc);
        return s;
}

int main(int argc, char **argv) {
        SRunner *sr;
        int failed;

        man_path = argc > 1 ? argv[1] : NULL;
        sr = srunner_create(suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
