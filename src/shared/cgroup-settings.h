/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The resource-control keys of systemd.resource-control(5) that isolated hands to the
 * service's scope as the systemd property of the same name (MemoryMax=, TasksMax= and
 * CPUQuota= live in Description itself). Pure: parsing keeps the value in the form the
 * property takes over the bus; whether the host can enforce a key is a separate check
 * (cgroup_settings_check_host()), done by the daemon and by verify, never by the init. */

typedef enum CgroupValueKind {
        CGROUP_VALUE_U64,     /* "t" */
        CGROUP_VALUE_U32,     /* "u" */
        CGROUP_VALUE_STRING,  /* "s" */
        CGROUP_VALUE_BITMASK, /* "ay": CPU or NUMA node set, bit i of byte i/8 for i */
        CGROUP_VALUE_PATH_U64, /* "a(st)": device path and a number */
        CGROUP_VALUE_PATH_STRING, /* "a(ss)": device path and access ("rwm") */
        CGROUP_VALUE_ADDRESSES, /* "a(iayu)": family, address bytes, prefix length */
} CgroupValueKind;

typedef struct CgroupItem {
        char *path;     /* PATH_U64, PATH_STRING */
        char *string;   /* PATH_STRING */
        uint64_t value; /* PATH_U64 */
        int family;     /* ADDRESSES: AF_INET, AF_INET6 */
        uint8_t address[16];
        unsigned prefixlen;
} CgroupItem;

/* What a hierarchy lets systemd enforce. */
typedef enum CgroupHostMode {
        CGROUP_HOST_LEGACY,  /* cgroup v1 only */
        CGROUP_HOST_HYBRID,  /* v1 controllers, a cgroup2 tree at /sys/fs/cgroup/unified (BPF) */
        CGROUP_HOST_UNIFIED, /* cgroup v2 at /sys/fs/cgroup */
        _CGROUP_HOST_MODE_MAX,
} CgroupHostMode;

typedef struct CgroupSetting {
        const char *key;      /* the file's key (static) */
        const char *property; /* the scope's property (static) */
        CgroupValueKind kind;
        uint64_t value;       /* U64, U32 */
        char *string;         /* STRING */
        uint8_t *bitmask;     /* BITMASK */
        size_t n_bitmask;
        CgroupItem *items;    /* the lists, in file order */
        size_t n_items;
        char *where;          /* "FILE:LINE" of the (last) assignment, for the host check */
} CgroupSetting;

typedef struct CgroupSettings {
        CgroupSetting *settings; /* one per key set, in the order first set */
        size_t n;
} CgroupSettings;

void cgroup_settings_done(CgroupSettings *c);

/* Parses key=value into c. Returns -ENOENT if key is none of these, -EINVAL with
 * *ret_error ("Invalid KEY= value ...") for a bad value, -ENOMEM. An empty value resets the
 * key to systemd's default (the scope then gets nothing for it); list keys (IO*Max=,
 * IODeviceWeight=, DeviceAllow=, IPAddressAllow=/Deny=) append, as in systemd. where is
 * "FILE:LINE", kept for cgroup_settings_check_host(). */
int cgroup_settings_parse(CgroupSettings *c, const char *key, const char *value, const char *where,
                          char **ret_error);

/* The setting of key, or NULL. */
const CgroupSetting *cgroup_settings_get(const CgroupSettings *c, const char *key);

/* Refuses (-EOPNOTSUPP, *ret_error "FILE:LINE: KEY= ... why") a key set that a host in
 * mode cannot enforce: MemoryHigh= and kin on cgroup v1; IPAddressAllow= without any
 * cgroup2 tree. Only the first is named. */
int cgroup_settings_check_host(const CgroupSettings *c, CgroupHostMode mode, char **ret_error);

/* The hierarchy of this host, by statfs of /sys/fs/cgroup and /sys/fs/cgroup/unified.
 * $ISOLATED_CGROUP_MODE (legacy, hybrid, unified) overrides it, for tests. */
CgroupHostMode cgroup_host_mode(void);
const char *cgroup_host_mode_to_string(CgroupHostMode m);

typedef enum OOMPolicy {
        OOM_POLICY_CONTINUE,
        OOM_POLICY_STOP,
        OOM_POLICY_KILL,
        _OOM_POLICY_MAX,
        _OOM_POLICY_INVALID = -22, /* -EINVAL */
} OOMPolicy;

const char *oom_policy_to_string(OOMPolicy p);
OOMPolicy oom_policy_from_string(const char *s);
