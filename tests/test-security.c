/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "description.h"
#include "security.h"

/* The report of a description made of the default [Service] plus extra lines. */
static SecurityReport *assess(const char *service, const char *isolate) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        SecurityReport *r = NULL;

        ck_assert_int_ge(asprintf(&text, "[Service]\nExecStart=/bin/true\n%s\n[Isolate]\n%s\n", service ?: "",
                                  isolate ?: ""),
                         0);
        if (description_parse("sec", "sec.service", text, &d, NULL, &error) < 0)
                ck_abort_msg("does not parse: %s", error);
        ck_assert_int_eq(security_assess(d, &r), 0);
        ck_assert_ptr_nonnull(r);
        return r;
}

static const SecurityItem *item(const SecurityReport *r, const char *id) {
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->items[i].id, id) == 0)
                        return &r->items[i];
        ck_abort_msg("no row %s", id);
        return NULL;
}

START_TEST(test_default_scores_low) {
        _cleanup_(security_report_freep) SecurityReport *r = assess(NULL, NULL);

        ck_assert_double_lt(r->exposure, 1.0);
        ck_assert_str_eq(security_exposure_word(r->exposure), "SAFE");
        ck_assert_uint_eq(item(r, "UserNamespace")->exposure, 0);
        ck_assert_uint_eq(item(r, "ReadOnlyHost")->exposure, 0);
        ck_assert_uint_eq(item(r, "SystemCallFilter")->exposure, 0);
        for (size_t i = 0; i < r->n; i++) {
                ck_assert_uint_le(r->items[i].exposure, SECURITY_EXPOSURE_MAX);
                ck_assert_uint_ge(r->items[i].weight, 100);
                ck_assert_ptr_nonnull(r->items[i].detail);
        }
}
END_TEST

START_TEST(test_opt_outs_raise) {
        /* Each opt-out on its own (and the row it shows in) raises the overall figure. */
        static const struct {
                const char *service, *isolate, *row;
        } cases[] = {
                { NULL, "HostRoot=yes", "UserNamespace" },
                { NULL, "ReadOnlyHost=no", "ReadOnlyHost" },
                { "ProtectSystem=full", "ReadOnlyHost=no", "ReadOnlyHost" },
                { "ReadWritePaths=/srv/data", NULL, "WritableHostPaths" },
                { NULL, "HideHome=no", "HideHome" },
                { NULL, "HostTmp=yes", "PrivateTmp" },
                { NULL, "PasswordHashes=yes", "PasswordHashes" },
                { NULL, "AllowCapabilities=CAP_NET_ADMIN", "Capabilities" },
                { NULL, "AllowSystemCalls=@mount", "SystemCallFilter" },
                { NULL, "AllowAddressFamilies=AF_PACKET", "AddressFamilies" },
                { NULL, "HostDevices=yes", "HostDevices" },
                { NULL, "Network=veth", "Network" },
                { NULL, "KernelTunables=yes", "KernelTunables" },
                { NULL, "KernelLogs=yes", "KernelLogs" },
                { NULL, "ControlGroups=yes", "ControlGroups" },
                { NULL, "NewPrivileges=yes", "NoNewPrivileges" },
                { NULL, "SUIDSGIDFiles=yes", "SUIDSGIDFiles" },
                { NULL, "Personality=yes", "Personality" },
                { "TasksMax=infinity", NULL, "ResourceLimits" },
        };
        _cleanup_(security_report_freep) SecurityReport *base = assess(NULL, NULL);

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_(security_report_freep) SecurityReport *r = assess(cases[i].service, cases[i].isolate);

                if (!(r->exposure > base->exposure))
                        ck_abort_msg("%s %s: %.2f, not above the default's %.2f", cases[i].service ?: "",
                                     cases[i].isolate ?: "", r->exposure, base->exposure);
                ck_assert_uint_gt(item(r, cases[i].row)->exposure, item(base, cases[i].row)->exposure);
        }
}
END_TEST

START_TEST(test_tightening_lowers) {
        _cleanup_(security_report_freep) SecurityReport *base = assess(NULL, NULL);
        _cleanup_(security_report_freep) SecurityReport *r =
                assess("MemoryMax=100M\nCapabilityBoundingSet=\nRestrictAddressFamilies=AF_UNIX", NULL);

        ck_assert_double_lt(r->exposure, base->exposure);
        ck_assert_uint_eq(item(r, "Capabilities")->exposure, 0);
        ck_assert_uint_eq(item(r, "ResourceLimits")->exposure, 0);
}
END_TEST

START_TEST(test_wide_open_scores_high) {
        _cleanup_(security_report_freep) SecurityReport *base = assess(NULL, NULL);
        _cleanup_(security_report_freep) SecurityReport *r = assess(
                "ReadWritePaths=/\nTasksMax=infinity",
                "HostRoot=yes\n"
                "AllowCapabilities=CAP_SYS_ADMIN CAP_SYS_MODULE CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_NET_ADMIN\n"
                "AllowSystemCalls=@mount @module setns bpf\nReadOnlyHost=no\nHideHome=no\nHostTmp=yes\n"
                "HostDevices=yes\nKernelTunables=yes\nKernelLogs=yes\nControlGroups=yes\nNewPrivileges=yes\n"
                "SUIDSGIDFiles=yes\nPersonality=yes\nPasswordHashes=yes\nAllowAddressFamilies=AF_PACKET\nNetwork=veth");

        ck_assert_double_gt(r->exposure, base->exposure + 5);
        ck_assert_double_ge(r->exposure, 9.0);
        ck_assert_str_eq(security_exposure_word(r->exposure), r->exposure >= 9.95 ? "DANGEROUS" : "UNSAFE");
        ck_assert_uint_eq(item(r, "Capabilities")->exposure, 10);
        ck_assert_uint_eq(item(r, "KernelModules")->exposure, 10);
        ck_assert_ptr_nonnull(strstr(item(r, "Capabilities")->detail, "CAP_SYS_ADMIN"));
}
END_TEST

START_TEST(test_words) {
        ck_assert_str_eq(security_exposure_word(0.0), "PERFECT");
        ck_assert_str_eq(security_exposure_word(0.3), "SAFE");
        ck_assert_str_eq(security_exposure_word(1.0), "OK");
        ck_assert_str_eq(security_exposure_word(4.94), "OK");
        ck_assert_str_eq(security_exposure_word(5.0), "MEDIUM");
        ck_assert_str_eq(security_exposure_word(7.5), "EXPOSED");
        ck_assert_str_eq(security_exposure_word(9.2), "UNSAFE");
        ck_assert_str_eq(security_exposure_word(10.0), "DANGEROUS");
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("security");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_default_scores_low);
        tcase_add_test(tc, test_opt_outs_raise);
        tcase_add_test(tc, test_tightening_lowers);
        tcase_add_test(tc, test_wide_open_scores_high);
        tcase_add_test(tc, test_words);
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
