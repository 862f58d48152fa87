/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroup-settings.h"
#include "description.h"
#include "macro.h"

static CgroupSettings c;
static char *error;

static void setup(void) {
        c = (CgroupSettings) {};
        error = NULL;
}

static void teardown(void) {
        cgroup_settings_done(&c);
        free(error);
}

static int parse(const char *key, const char *value) {
        error = mfree(error);
        return cgroup_settings_parse(&c, key, value, "demo.service:7", &error);
}

static const CgroupSetting *get(const char *key) {
        const CgroupSetting *s = cgroup_settings_get(&c, key);

        ck_assert_msg(s, "%s= not set", key);
        return s;
}

START_TEST(test_scalars) {
        ck_assert_int_eq(parse("MemoryHigh", "1.5G"), 0);
        ck_assert_str_eq(get("MemoryHigh")->property, "MemoryHigh");
        ck_assert_int_eq(get("MemoryHigh")->kind, CGROUP_VALUE_U64);
        ck_assert_uint_eq(get("MemoryHigh")->value, 1610612736ULL);
        ck_assert_str_eq(get("MemoryHigh")->where, "demo.service:7");
        ck_assert_int_eq(parse("MemorySwapMax", "0"), 0); /* 0 is a value here, unlike MemoryMax= */
        ck_assert_uint_eq(get("MemorySwapMax")->value, 0);
        ck_assert_int_eq(parse("MemoryLow", "infinity"), 0);
        ck_assert_uint_eq(get("MemoryLow")->value, UINT64_MAX);
        ck_assert_int_eq(parse("CPUWeight", "50"), 0);
        ck_assert_uint_eq(get("CPUWeight")->value, 50);
        ck_assert_int_eq(parse("CPUWeight", "idle"), 0);
        ck_assert_uint_eq(get("CPUWeight")->value, 0);
        ck_assert_int_eq(parse("IOWeight", "10000"), 0);
        ck_assert_int_eq(parse("CPUQuotaPeriodSec", "50ms"), 0);
        ck_assert_str_eq(get("CPUQuotaPeriodSec")->property, "CPUQuotaPeriodUSec");
        ck_assert_uint_eq(get("CPUQuotaPeriodSec")->value, 50000);
        ck_assert_int_eq(parse("ManagedOOMMemoryPressureLimit", "40%"), 0);
        ck_assert_int_eq(get("ManagedOOMMemoryPressureLimit")->kind, CGROUP_VALUE_U32);
        ck_assert_uint_eq(get("ManagedOOMMemoryPressureLimit")->value, 1717986918U);
        ck_assert_int_eq(parse("DevicePolicy", "strict"), 0);
        ck_assert_str_eq(get("DevicePolicy")->string, "strict");
        ck_assert_int_eq(parse("OOMPolicy", "continue"), 0);
        ck_assert_str_eq(get("OOMPolicy")->string, "continue");

        /* A later assignment replaces, an empty one resets (the scope then gets nothing). */
        ck_assert_int_eq(parse("DevicePolicy", "closed"), 0);
        ck_assert_str_eq(get("DevicePolicy")->string, "closed");
        ck_assert_int_eq(parse("DevicePolicy", ""), 0);
        ck_assert_ptr_null(cgroup_settings_get(&c, "DevicePolicy"));
        ck_assert_int_eq(parse("NoSuchKey", "1"), -ENOENT);
        ck_assert_int_eq(parse("MemoryMax", "1G"), -ENOENT); /* Description's own */
}
END_TEST

START_TEST(test_bad_values) {
        static const char *const bad[][2] = {
                { "MemoryHigh", "lots" },      { "MemoryHigh", "-1" },        { "MemoryMin", "101%" },
                { "CPUWeight", "0" },          { "CPUWeight", "10001" },      { "CPUShares", "1" },
                { "IOWeight", "x" },           { "BlockIOWeight", "5" },      { "CPUQuotaPeriodSec", "0" },
                { "AllowedCPUs", "3-1" },      { "AllowedCPUs", "a" },        { "AllowedCPUs", "99999" },
                { "IOReadBandwidthMax", "/var/lib" }, { "IOReadBandwidthMax", "rel 5M" },
                { "IOReadBandwidthMax", "/var/lib 0" }, { "IOReadBandwidthMax", "/var/lib 5M x" },
                { "IODeviceWeight", "/var/lib 0" }, { "IODeviceLatencyTargetSec", "/dev/sda soon" },
                { "DeviceAllow", "/dev/null rwx" }, { "DeviceAllow", "null" }, { "DevicePolicy", "open" },
                { "IPAddressAllow", "300.1.1.1" }, { "IPAddressDeny", "10.0.0.0/33" },
                { "IPAddressDeny", "::1/129" },   { "OOMPolicy", "maybe" },     { "ManagedOOMSwap", "yes" },
                { "ManagedOOMPreference", "all" }, { "ManagedOOMMemoryPressureLimit", "120%" },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char expected[128];

                ck_assert_msg(parse(bad[i][0], bad[i][1]) == -EINVAL, "%s=%s accepted", bad[i][0], bad[i][1]);
                snprintf(expected, sizeof(expected), "Invalid %s= value '%s'", bad[i][0], bad[i][1]);
                ck_assert_msg(error && strncmp(error, expected, strlen(expected)) == 0, "%s", error);
                ck_assert_ptr_null(cgroup_settings_get(&c, bad[i][0]));
        }
        /* A bad value leaves a good one before it as it was. */
        ck_assert_int_eq(parse("CPUWeight", "30"), 0);
        ck_assert_int_eq(parse("CPUWeight", "0"), -EINVAL);
        ck_assert_uint_eq(get("CPUWeight")->value, 30);
}
END_TEST

START_TEST(test_cpu_set) {
        const CgroupSetting *s;

        ck_assert_int_eq(parse("AllowedCPUs", "0-2 5,9"), 0);
        s = get("AllowedCPUs");
        ck_assert_int_eq(s->kind, CGROUP_VALUE_BITMASK);
        ck_assert_uint_eq(s->n_bitmask, 2);
        ck_assert_uint_eq(s->bitmask[0], 0x27); /* 0, 1, 2, 5 */
        ck_assert_uint_eq(s->bitmask[1], 0x02); /* 9 */
        ck_assert_int_eq(parse("AllowedMemoryNodes", "0"), 0);
        ck_assert_uint_eq(get("AllowedMemoryNodes")->n_bitmask, 1);
        ck_assert_uint_eq(get("AllowedMemoryNodes")->bitmask[0], 1);
}
END_TEST

START_TEST(test_lists) {
        const CgroupSetting *s;

        ck_assert_int_eq(parse("IOReadBandwidthMax", "/var/lib 5M"), 0);
        ck_assert_int_eq(parse("IOReadBandwidthMax", "/dev/sda 1G"), 0);
        ck_assert_int_eq(parse("IOReadBandwidthMax", "/var/lib 2K"), 0); /* the same device: replaced */
        s = get("IOReadBandwidthMax");
        ck_assert_int_eq(s->kind, CGROUP_VALUE_PATH_U64);
        ck_assert_uint_eq(s->n_items, 2);
        ck_assert_str_eq(s->items[0].path, "/var/lib");
        ck_assert_uint_eq(s->items[0].value, 2000); /* base 1000, as systemd's IO limits */
        ck_assert_uint_eq(s->items[1].value, 1000000000ULL);
        ck_assert_int_eq(parse("IOWriteIOPSMax", "/dev/sda infinity"), 0);
        ck_assert_uint_eq(get("IOWriteIOPSMax")->items[0].value, UINT64_MAX);
        ck_assert_int_eq(parse("IODeviceLatencyTargetSec", "/dev/sda 25ms"), 0);
        ck_assert_str_eq(get("IODeviceLatencyTargetSec")->property, "IODeviceLatencyTargetUSec");
        ck_assert_uint_eq(get("IODeviceLatencyTargetSec")->items[0].value, 25000);

        ck_assert_int_eq(parse("DeviceAllow", "/dev/null"), 0);
        ck_assert_int_eq(parse("DeviceAllow", "char-pts rw"), 0);
        s = get("DeviceAllow");
        ck_assert_uint_eq(s->n_items, 2);
        ck_assert_str_eq(s->items[0].string, "rwm"); /* systemd's default */
        ck_assert_str_eq(s->items[1].path, "char-pts");
        ck_assert_str_eq(s->items[1].string, "rw");

        ck_assert_int_eq(parse("IPAddressAllow", "localhost 10.1.2.3/24"), 0);
        ck_assert_int_eq(parse("IPAddressAllow", "fe80::1"), 0);
        s = get("IPAddressAllow");
        ck_assert_uint_eq(s->n_items, 4);
        ck_assert_int_eq(s->items[0].family, AF_INET);
        ck_assert_uint_eq(s->items[0].address[0], 127);
        ck_assert_uint_eq(s->items[0].prefixlen, 8);
        ck_assert_int_eq(s->items[1].family, AF_INET6);
        ck_assert_uint_eq(s->items[1].address[15], 1);
        ck_assert_uint_eq(s->items[2].prefixlen, 24);
        ck_assert_uint_eq(s->items[3].prefixlen, 128);
        ck_assert_int_eq(parse("IPAddressDeny", "any"), 0);
        ck_assert_uint_eq(get("IPAddressDeny")->n_items, 2);
        ck_assert_uint_eq(get("IPAddressDeny")->items[0].prefixlen, 0);

        /* "" empties the list. */
        ck_assert_int_eq(parse("IPAddressAllow", ""), 0);
        ck_assert_ptr_null(cgroup_settings_get(&c, "IPAddressAllow"));
        ck_assert_int_eq(parse("IPAddressAllow", "192.168.0.0/16"), 0);
        ck_assert_uint_eq(get("IPAddressAllow")->n_items, 1);
}
END_TEST

/* What a host of each layout refuses, naming file:line and the key. */
START_TEST(test_check_host) {
        static const char *const v2_only[][2] = {
                { "MemoryHigh", "1G" },  { "MemoryLow", "1M" },  { "MemoryMin", "1M" },
                { "MemorySwapMax", "0" }, { "AllowedCPUs", "0" }, { "AllowedMemoryNodes", "0" },
                { "StartupAllowedCPUs", "0" }, { "IOReadIOPSMax", "/var/lib 10" },
                { "IOWriteIOPSMax", "/var/lib 10" }, { "IODeviceLatencyTargetSec", "/var/lib 1ms" },
                { "CPUWeight", "idle" }, { "ManagedOOMSwap", "kill" }, { "ManagedOOMMemoryPressure", "kill" },
        };
        static const char *const v1_too[][2] = {
                { "CPUWeight", "50" },   { "StartupCPUWeight", "5" }, { "CPUShares", "100" },
                { "IOWeight", "50" },    { "IODeviceWeight", "/var/lib 5" }, { "IOReadBandwidthMax", "/var/lib 1M" },
                { "IOWriteBandwidthMax", "/var/lib 1M" }, { "BlockIOWeight", "100" }, { "MemoryLimit", "1G" },
                { "DeviceAllow", "/dev/null r" }, { "DevicePolicy", "strict" }, { "OOMPolicy", "stop" },
                { "ManagedOOMSwap", "auto" }, { "ManagedOOMPreference", "avoid" }, { "CPUQuotaPeriodSec", "1s" },
        };

        for (size_t i = 0; i < ELEMENTSOF(v2_only); i++) {
                char expected[160];

                cgroup_settings_done(&c);
                ck_assert_int_eq(parse(v2_only[i][0], v2_only[i][1]), 0);
                ck_assert_int_eq(cgroup_settings_check_host(&c, CGROUP_HOST_UNIFIED, &error), 0);
                error = mfree(error);
                ck_assert_int_eq(cgroup_settings_check_host(&c, CGROUP_HOST_HYBRID, &error), -EOPNOTSUPP);
                error = mfree(error);
                ck_assert_int_eq(cgroup_settings_check_host(&c, CGROUP_HOST_LEGACY, &error), -EOPNOTSUPP);
                snprintf(expected, sizeof(expected), "demo.service:7: %s= needs the unified cgroup hierarchy (cgroup v2: ",
                         v2_only[i][0]);
                ck_assert_msg(strncmp(error, expected, strlen(expected)) == 0, "%s", error);
                ck_assert_ptr_nonnull(strstr(error, "this host runs cgroup v1, where systemd cannot enforce it"));
        }
        for (size_t i = 0; i < ELEMENTSOF(v1_too); i++) {
                cgroup_settings_done(&c);
                ck_assert_int_eq(parse(v1_too[i][0], v1_too[i][1]), 0);
                for (CgroupHostMode m = 0; m < _CGROUP_HOST_MODE_MAX; m++)
                        ck_assert_msg(cgroup_settings_check_host(&c, m, &error) == 0, "%s= refused on %s", v1_too[i][0],
                                      cgroup_host_mode_to_string(m));
        }

        /* The BPF address filter needs a cgroup2 tree, the hybrid layout's will do. */
        cgroup_settings_done(&c);
        ck_assert_int_eq(parse("IPAddressDeny", "any"), 0);
        ck_assert_int_eq(cgroup_settings_check_host(&c, CGROUP_HOST_UNIFIED, &error), 0);
        ck_assert_int_eq(cgroup_settings_check_host(&c, CGROUP_HOST_HYBRID, &error), 0);
        ck_assert_int_eq(cgroup_settings_check_host(&c, CGROUP_HOST_LEGACY, &error), -EOPNOTSUPP);
        ck_assert_ptr_nonnull(strstr(error, "demo.service:7: IPAddressDeny= is enforced by a BPF program"));
}
END_TEST

/* Through the description: keys land in d->cgroup with file:line, OOMPolicy= defaults to stop. */
START_TEST(test_description) {
        Description *d = NULL;
        char *e = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service", "[Service]\nExecStart=/bin/true\n", &d, NULL, &e), 0);
        ck_assert_uint_eq(d->cgroup.n, 0);
        ck_assert_int_eq(description_oom_policy(d), OOM_POLICY_STOP);
        description_free(d);

        ck_assert_int_eq(description_parse("demo", "demo.service",
                                           "[Service]\nExecStart=/bin/true\nMemoryHigh=1G\nOOMPolicy=continue\n", &d,
                                           NULL, &e),
                         0);
        ck_assert_uint_eq(d->cgroup.n, 2);
        ck_assert_str_eq(cgroup_settings_get(&d->cgroup, "MemoryHigh")->where, "demo.service:3");
        ck_assert_int_eq(description_oom_policy(d), OOM_POLICY_CONTINUE);
        description_free(d);
        d = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service", "[Service]\nExecStart=/bin/true\nIOWeight=0\n", &d,
                                           NULL, &e),
                         -EINVAL);
        ck_assert_str_eq(e, "demo.service:3: Invalid IOWeight= value '0': expected 1..10000");
        free(e);
}
END_TEST

static Suite *cgroup_settings_suite(void) {
        Suite *s = suite_create("cgroup-settings");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_scalars);
        tcase_add_test(tc, test_bad_values);
        tcase_add_test(tc, test_cpu_set);
        tcase_add_test(tc, test_lists);
        tcase_add_test(tc, test_check_host);
        tcase_add_test(tc, test_description);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(cgroup_settings_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
