/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "cgroup-settings.h"
#include "extract-word.h"
#include "macro.h"
#include "parse-util.h"
#include "string-util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* How a key's value is read. */
typedef enum CgroupParser {
        PARSE_MEMORY,        /* bytes (K/M/G/T base 1024), N% of RAM, infinity; 0 allowed */
        PARSE_CPU_WEIGHT,    /* 1..10000, or idle */
        PARSE_CPU_SHARES,    /* 2..262144 */
        PARSE_IO_WEIGHT,     /* 1..10000 */
        PARSE_BLKIO_WEIGHT,  /* 10..1000 */
        PARSE_SEC,           /* a time span, to microseconds */
        PARSE_CPU_SET,       /* "0-3 5,7" */
        PARSE_DEVICE_LIMIT,  /* "PATH N" (K/M/G/T base 1000), infinity */
        PARSE_DEVICE_IO_WEIGHT,    /* "PATH 1..10000" */
        PARSE_DEVICE_BLKIO_WEIGHT, /* "PATH 10..1000" */
        PARSE_DEVICE_LATENCY,      /* "PATH TIMESPAN" */
        PARSE_DEVICE_ALLOW,  /* "PATH [rwm]" */
        PARSE_ADDRESSES,     /* "ADDRESS[/PREFIX] ...", any, localhost, link-local, multicast */
        PARSE_CHOICE,        /* one of the words of the entry */
        PARSE_PERCENT_U32,   /* "N%" (0..100%), as UINT32_MAX * N / 100 */
} CgroupParser;

/* What the host needs for a key. */
typedef enum CgroupNeed {
        NEED_NOTHING, /* cgroup v1 has it as well */
        NEED_UNIFIED, /* only the cgroup v2 controllers have it */
        NEED_BPF,     /* BPF programs on a cgroup2 tree: unified or hybrid */
} CgroupNeed;

#define CPUSET_CPUS "the cpuset controller (cpuset.cpus)"
#define CPUSET_MEMS "the cpuset controller (cpuset.mems)"
#define IO_MAX "io.max (blkio has no IOPS limit systemd sets)"
#define EXPECTED_ADDRESSES "IP addresses with prefix lengths, or any, localhost, link-local, multicast"

static const struct CgroupKey {
        const char *key;
        const char *property; /* NULL: the key's name */
        CgroupValueKind kind;
        CgroupParser parser;
        CgroupNeed need;
        const char *why; /* NEED_UNIFIED: what v1 lacks */
        const char *const *choices; /* PARSE_CHOICE */
} cgroup_keys[] = {
        { "MemoryHigh", NULL, CGROUP_VALUE_U64, PARSE_MEMORY, NEED_UNIFIED, "memory.high" },
        { "MemoryLow", NULL, CGROUP_VALUE_U64, PARSE_MEMORY, NEED_UNIFIED, "memory.low" },
        { "MemoryMin", NULL, CGROUP_VALUE_U64, PARSE_MEMORY, NEED_UNIFIED, "memory.min" },
        { "MemorySwapMax", NULL, CGROUP_VALUE_U64, PARSE_MEMORY, NEED_UNIFIED, "memory.swap.max" },
        { "MemoryLimit", NULL, CGROUP_VALUE_U64, PARSE_MEMORY, NEED_NOTHING },
        { "CPUWeight", NULL, CGROUP_VALUE_U64, PARSE_CPU_WEIGHT, NEED_NOTHING },
        { "StartupCPUWeight", NULL, CGROUP_VALUE_U64, PARSE_CPU_WEIGHT, NEED_NOTHING },
        { "CPUShares", NULL, CGROUP_VALUE_U64, PARSE_CPU_SHARES, NEED_NOTHING },
        { "StartupCPUShares", NULL, CGROUP_VALUE_U64, PARSE_CPU_SHARES, NEED_NOTHING },
        { "CPUQuotaPeriodSec", "CPUQuotaPeriodUSec", CGROUP_VALUE_U64, PARSE_SEC, NEED_NOTHING },
        { "AllowedCPUs", NULL, CGROUP_VALUE_BITMASK, PARSE_CPU_SET, NEED_UNIFIED, CPUSET_CPUS },
        { "StartupAllowedCPUs", NULL, CGROUP_VALUE_BITMASK, PARSE_CPU_SET, NEED_UNIFIED, CPUSET_CPUS },
        { "AllowedMemoryNodes", NULL, CGROUP_VALUE_BITMASK, PARSE_CPU_SET, NEED_UNIFIED, CPUSET_MEMS },
        { "StartupAllowedMemoryNodes", NULL, CGROUP_VALUE_BITMASK, PARSE_CPU_SET, NEED_UNIFIED, CPUSET_MEMS },
        { "IOWeight", NULL, CGROUP_VALUE_U64, PARSE_IO_WEIGHT, NEED_NOTHING },
        { "StartupIOWeight", NULL, CGROUP_VALUE_U64, PARSE_IO_WEIGHT, NEED_NOTHING },
        { "IODeviceWeight", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_IO_WEIGHT, NEED_NOTHING },
        { "IOReadBandwidthMax", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LIMIT, NEED_NOTHING },
        { "IOWriteBandwidthMax", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LIMIT, NEED_NOTHING },
        { "IOReadIOPSMax", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LIMIT, NEED_UNIFIED, IO_MAX },
        { "IOWriteIOPSMax", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LIMIT, NEED_UNIFIED, IO_MAX },
        { "IODeviceLatencyTargetSec", "IODeviceLatencyTargetUSec", CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LATENCY,
          NEED_UNIFIED, "io.latency" },
        { "BlockIOWeight", NULL, CGROUP_VALUE_U64, PARSE_BLKIO_WEIGHT, NEED_NOTHING },
        { "StartupBlockIOWeight", NULL, CGROUP_VALUE_U64, PARSE_BLKIO_WEIGHT, NEED_NOTHING },
        { "BlockIODeviceWeight", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_BLKIO_WEIGHT, NEED_NOTHING },
        { "BlockIOReadBandwidth", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LIMIT, NEED_NOTHING },
        { "BlockIOWriteBandwidth", NULL, CGROUP_VALUE_PATH_U64, PARSE_DEVICE_LIMIT, NEED_NOTHING },
        { "DeviceAllow", NULL, CGROUP_VALUE_PATH_STRING, PARSE_DEVICE_ALLOW, NEED_NOTHING },
        { "DevicePolicy", NULL, CGROUP_VALUE_STRING, PARSE_CHOICE, NEED_NOTHING, NULL,
          (const char *const[]) { "auto", "closed", "strict", NULL } },
        { "IPAddressAllow", NULL, CGROUP_VALUE_ADDRESSES, PARSE_ADDRESSES, NEED_BPF },
        { "IPAddressDeny", NULL, CGROUP_VALUE_ADDRESSES, PARSE_ADDRESSES, NEED_BPF },
        { "ManagedOOMSwap", NULL, CGROUP_VALUE_STRING, PARSE_CHOICE, NEED_NOTHING, NULL,
          (const char *const[]) { "auto", "kill", NULL } },
        { "ManagedOOMMemoryPressure", NULL, CGROUP_VALUE_STRING, PARSE_CHOICE, NEED_NOTHING, NULL,
          (const char *const[]) { "auto", "kill", NULL } },
        { "ManagedOOMMemoryPressureLimit", NULL, CGROUP_VALUE_U32, PARSE_PERCENT_U32, NEED_NOTHING },
        { "ManagedOOMPreference", NULL, CGROUP_VALUE_STRING, PARSE_CHOICE, NEED_NOTHING, NULL,
          (const char *const[]) { "none", "avoid", "omit", NULL } },
        { "OOMPolicy", NULL, CGROUP_VALUE_STRING, PARSE_CHOICE, NEED_NOTHING, NULL,
          (const char *const[]) { "continue", "stop", "kill", NULL } },
};

static const struct CgroupKey *cgroup_key_lookup(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(cgroup_keys); i++)
                if (strcmp(cgroup_keys[i].key, key) == 0)
                        return &cgroup_keys[i];
        return NULL;
}

static void cgroup_setting_clear_value(CgroupSetting *s) {
        s->string = mfree(s->string);
        s->bitmask = mfree(s->bitmask);
        s->n_bitmask = 0;
        for (size_t i = 0; i < s->n_items; i++) {
                free(s->items[i].path);
                free(s->items[i].string);
        }
        s->items = mfree(s->items);
        s->n_items = 0;
        s->value = 0;
}

static void cgroup_setting_done(CgroupSetting *s) {
        cgroup_setting_clear_value(s);
        s->where = mfree(s->where);
}

void cgroup_settings_done(CgroupSettings *c) {
        for (size_t i = 0; i < c->n; i++)
                cgroup_setting_done(&c->settings[i]);
        c->settings = mfree(c->settings);
        c->n = 0;
}

const CgroupSetting *cgroup_settings_get(const CgroupSettings *c, const char *key) {
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->settings[i].key, key) == 0)
                        return &c->settings[i];
        return NULL;
}

static void cgroup_settings_remove(CgroupSettings *c, const char *key) {
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->settings[i].key, key) == 0) {
                        cgroup_setting_done(&c->settings[i]);
                        memmove(&c->settings[i], &c->settings[i + 1], (c->n - i - 1) * sizeof(CgroupSetting));
                        c->n--;
                        return;
                }
}

static int invalid(char **ret_error, const char *key, const char *value, const char *expected) {
        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': expected %s", key, value, expected);
}

/* parse_size(), but 0 is allowed and "N%" is of the physical memory. */
static int parse_memory(const char *s, uint64_t *ret) {
        if (endswith(s, "%") || endswith(s, "\u2030") || endswith(s, "\u2031")) {
                long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
                int p = parse_permyriad_unbounded(s);

                if (p < 0 || p > 10000 || pages <= 0 || page_size <= 0)
                        return -EINVAL;
                *ret = (uint64_t) ((unsigned __int128) pages * (unsigned long) page_size * (unsigned) p / 10000U);
                return 0;
        }
        return parse_size(s, ret);
}

/* "5M" as 5000000: systemd's IO limits count in powers of 1000. */
static int parse_size_1000(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                uint64_t factor;
        } table[] = { { 'K', 1000ULL }, { 'M', 1000000ULL }, { 'G', 1000000000ULL }, { 'T', 1000000000000ULL },
                      { 'P', 1000000000000000ULL }, { 'E', 1000000000000000000ULL } };
        uint64_t factor = 1, v;
        size_t n;
        char buf[64];

        if (strcmp(s, "infinity") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        n = strlen(s);
        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n + 1);
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (buf[n - 1] == table[i].suffix) {
                        factor = table[i].factor;
                        buf[--n] = 0;
                        break;
                }
        if (parse_uint64(buf, &v) < 0 || (factor > 1 && v > UINT64_MAX / factor))
                return -EINVAL;
        *ret = v * factor;
        return 0;
}

static int parse_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        uint64_t v;

        if (parse_uint64(s, &v) < 0 || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "0-3 5,7": the bits of a CPU (or NUMA node) set, as systemd's cpu_set_to_dbus() sends them. */
static int parse_cpu_set(const char *value, uint8_t **ret, size_t *ret_n) {
        _cleanup_free_ uint8_t *mask = NULL;
        size_t n = 0;
        const char *p = value;

        for (;;) {
                _cleanup_free_ char *word = NULL;
                unsigned long a, b;
                char *end;
                int r;

                r = extract_first_word(&p, &word, 0, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return -EINVAL;
                if (r == 0)
                        break;
                /* Commas separate as spaces do. */
                for (char *w = word, *next; w && *w; w = next) {
                        next = strchr(w, ',');
                        if (next)
                                *next++ = 0;
                        if (!*w)
                                continue;
                        errno = 0;
                        a = strtoul(w, &end, 10);
                        if (end == w || errno != 0)
                                return -EINVAL;
                        b = a;
                        if (*end == '-') {
                                const char *q = end + 1;
                                b = strtoul(q, &end, 10);
                                if (end == q || errno != 0)
                                        return -EINVAL;
                        }
                        if (*end || b < a || b >= 8192) /* systemd's CPU_SET_MAX */
                                return -EINVAL;
                        if (b / 8 + 1 > n) {
                                uint8_t *l = realloc(mask, b / 8 + 1);
                                if (!l)
                                        return -ENOMEM;
                                memset(l + n, 0, b / 8 + 1 - n);
                                mask = l;
                                n = b / 8 + 1;
                        }
                        for (unsigned long i = a; i <= b; i++)
                                mask[i / 8] |= (uint8_t) (1U << (i % 8));
                }
        }
        *ret = TAKE_PTR(mask);
        *ret_n = n;
        return 0;
}

/* A device of DeviceAllow=, IODeviceWeight= and kin: an absolute path (a node or a file on the
 * device), or for DeviceAllow= also "char-NAME"/"block-NAME" of /proc/devices. */
static bool device_path_is_valid(const char *path, bool classes) {
        if (classes && (startswith(path, "char-") || startswith(path, "block-")))
                return strlen(path) > strlen("char-");
        return path[0] == '/' && !strstr(path, "/../") && !endswith(path, "/..") && strlen(path) < 4096;
}

static int append_item(CgroupSetting *s, const CgroupItem *item) {
        CgroupItem *l = reallocarray(s->items, s->n_items + 1, sizeof(CgroupItem));

        if (!l)
                return -ENOMEM;
        s->items = l;
        s->items[s->n_items++] = *item;
        return 0;
}

/* "PATH VALUE" of the IO keys: a later line for the same device replaces the earlier one. */
static int parse_device_value(CgroupSetting *s, const struct CgroupKey *k, const char *value, char **ret_error) {
        _cleanup_free_ char *path = NULL, *rest = NULL;
        const char *p = value, *expected;
        uint64_t v;
        int r;

        expected = k->parser == PARSE_DEVICE_IO_WEIGHT      ? "DEVICE WEIGHT (1..10000)"
                   : k->parser == PARSE_DEVICE_BLKIO_WEIGHT ? "DEVICE WEIGHT (10..1000)"
                   : k->parser == PARSE_DEVICE_LATENCY      ? "DEVICE TIMESPAN"
                                                            : "DEVICE BYTES (K, M, G, T of 1000, or infinity)";
        r = extract_first_word(&p, &path, EXTRACT_UNQUOTE, NULL);
        if (r == -ENOMEM)
                return r;
        if (r <= 0 || !device_path_is_valid(path, false))
                return invalid(ret_error, k->key, value, expected);
        r = extract_first_word(&p, &rest, EXTRACT_UNQUOTE, NULL);
        if (r == -ENOMEM)
                return r;
        if (r <= 0 || !isempty(p + strspn(p, " \t")))
                return invalid(ret_error, k->key, value, expected);
        switch (k->parser) {
        case PARSE_DEVICE_IO_WEIGHT:
                r = parse_range(rest, 1, 10000, &v);
                break;
        case PARSE_DEVICE_BLKIO_WEIGHT:
                r = parse_range(rest, 10, 1000, &v);
                break;
        case PARSE_DEVICE_LATENCY:
                r = parse_sec(rest, &v);
                break;
        default:
                r = parse_size_1000(rest, &v);
                if (r >= 0 && v == 0)
                        r = -EINVAL; /* systemd refuses a limit of 0 */
        }
        if (r < 0)
                return invalid(ret_error, k->key, value, expected);
        for (size_t i = 0; i < s->n_items; i++)
                if (strcmp(s->items[i].path, path) == 0) {
                        s->items[i].value = v;
                        return 0;
                }
        r = append_item(s, &(CgroupItem) { .path = path, .value = v });
        if (r < 0)
                return r;
        path = NULL;
        return 0;
}

static int parse_device_allow(CgroupSetting *s, const struct CgroupKey *k, const char *value, char **ret_error) {
        _cleanup_free_ char *path = NULL, *access = NULL;
        const char *p = value;
        int r;

        r = extract_first_word(&p, &path, EXTRACT_UNQUOTE, NULL);
        if (r == -ENOMEM)
                return r;
        if (r <= 0 || !device_path_is_valid(path, true))
                return invalid(ret_error, k->key, value, "a device node path, char-NAME or block-NAME, then r, w, m");
        r = extract_first_word(&p, &access, EXTRACT_UNQUOTE, NULL);
        if (r == -ENOMEM)
                return r;
        if (r == 0)
                access = strdup("rwm");
        if (!access)
                return -ENOMEM;
        if (isempty(access) || strspn(access, "rwm") != strlen(access) || !isempty(p + strspn(p, " \t")))
                return invalid(ret_error, k->key, value, "a device node path, char-NAME or block-NAME, then r, w, m");
        r = append_item(s, &(CgroupItem) { .path = path, .string = access });
        if (r < 0)
                return r;
        path = access = NULL;
        return 0;
}

static int add_address(CgroupSetting *s, int family, const void *addr, unsigned prefixlen) {
        CgroupItem item = { .family = family, .prefixlen = prefixlen };

        memcpy(item.address, addr, family == AF_INET ? 4 : 16);
        return append_item(s, &item);
}

/* systemd's config_parse_ip_address_access(): the symbolic names, or ADDRESS[/PREFIXLEN]. */
static int parse_addresses(CgroupSetting *s, const struct CgroupKey *k, const char *value, char **ret_error) {
        const char *p = value;
        int r;

        for (;;) {
                _cleanup_free_ char *word = NULL;
                unsigned char buf[16];
                unsigned prefixlen;
                char *slash;
                int family;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, k->key, value, EXPECTED_ADDRESSES);
                if (r == 0)
                        return 0;

                if (strcmp(word, "any") == 0) {
                        memset(buf, 0, sizeof(buf));
                        if ((r = add_address(s, AF_INET, buf, 0)) < 0 || (r = add_address(s, AF_INET6, buf, 0)) < 0)
                                return r;
                        continue;
                }
                if (strcmp(word, "localhost") == 0) {
                        memset(buf, 0, sizeof(buf));
                        buf[0] = 127;
                        if ((r = add_address(s, AF_INET, buf, 8)) < 0)
                                return r;
                        memset(buf, 0, sizeof(buf));
                        buf[15] = 1;
                        if ((r = add_address(s, AF_INET6, buf, 128)) < 0)
                                return r;
                        continue;
                }
                if (strcmp(word, "link-local") == 0) {
                        memset(buf, 0, sizeof(buf));
                        buf[0] = 169;
                        buf[1] = 254;
                        if ((r = add_address(s, AF_INET, buf, 16)) < 0)
                                return r;
                        memset(buf, 0, sizeof(buf));
                        buf[0] = 0xfe;
                        buf[1] = 0x80;
                        if ((r = add_address(s, AF_INET6, buf, 64)) < 0)
                                return r;
                        continue;
                }
                if (strcmp(word, "multicast") == 0) {
                        memset(buf, 0, sizeof(buf));
                        buf[0] = 224;
                        if ((r = add_address(s, AF_INET, buf, 4)) < 0)
                                return r;
                        memset(buf, 0, sizeof(buf));
                        buf[0] = 0xff;
                        if ((r = add_address(s, AF_INET6, buf, 8)) < 0)
                                return r;
                        continue;
                }

                slash = strchr(word, '/');
                if (slash)
                        *slash++ = 0;
                if (inet_pton(AF_INET, word, buf) == 1)
                        family = AF_INET;
                else if (inet_pton(AF_INET6, word, buf) == 1)
                        family = AF_INET6;
                else
                        return invalid(ret_error, k->key, value, EXPECTED_ADDRESSES);
                prefixlen = family == AF_INET ? 32 : 128;
                if (slash) {
                        uint64_t v;

                        if (parse_range(slash, 0, prefixlen, &v) < 0)
                                return invalid(ret_error, k->key, value,
                                               "a prefix length of 0..32 (IPv4) or 0..128 (IPv6)");
                        prefixlen = (unsigned) v;
                }
                r = add_address(s, family, buf, prefixlen);
                if (r < 0)
                        return r;
        }
}

static int parse_choice(CgroupSetting *s, const struct CgroupKey *k, const char *value, char **ret_error) {
        for (const char *const *c = k->choices; *c; c++)
                if (strcmp(*c, value) == 0) {
                        s->string = strdup(value);
                        return s->string ? 0 : -ENOMEM;
                }
        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': expected %s%s%s%s%s", k->key, value,
                         k->choices[0], k->choices[1] ? ", " : "", k->choices[1] ?: "", k->choices[2] ? ", " : "",
                         k->choices[2] ?: "");
}

static int parse_scalar(CgroupSetting *s, const struct CgroupKey *k, const char *value, char **ret_error) {
        uint64_t v;
        int r;

        switch (k->parser) {
        case PARSE_MEMORY:
                if (parse_memory(value, &v) < 0)
                        return invalid(ret_error, k->key, value,
                                       "bytes (K, M, G, T of 1024), a percentage of the memory, or infinity");
                break;
        case PARSE_CPU_WEIGHT:
                if (strcmp(value, "idle") == 0)
                        v = 0; /* systemd's CGROUP_WEIGHT_IDLE */
                else if (parse_range(value, 1, 10000, &v) < 0)
                        return invalid(ret_error, k->key, value, "1..10000 or idle");
                break;
        case PARSE_CPU_SHARES:
                if (parse_range(value, 2, 262144, &v) < 0)
                        return invalid(ret_error, k->key, value, "2..262144");
                break;
        case PARSE_IO_WEIGHT:
                if (parse_range(value, 1, 10000, &v) < 0)
                        return invalid(ret_error, k->key, value, "1..10000");
                break;
        case PARSE_BLKIO_WEIGHT:
                if (parse_range(value, 10, 1000, &v) < 0)
                        return invalid(ret_error, k->key, value, "10..1000");
                break;
        case PARSE_SEC:
                if (parse_sec(value, &v) < 0 || v == 0 || v == UINT64_MAX)
                        return invalid(ret_error, k->key, value, "a time span");
                break;
        case PARSE_PERCENT_U32: {
                int p = parse_permyriad_unbounded(value);

                if (p < 0 || p > 10000)
                        return invalid(ret_error, k->key, value, "a percentage, 0%..100%");
                v = (uint64_t) UINT32_MAX * (unsigned) p / 10000U;
                break;
        }
        case PARSE_CPU_SET:
                r = parse_cpu_set(value, &s->bitmask, &s->n_bitmask);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid(ret_error, k->key, value, "CPU (or node) numbers and ranges, e.g. 0-3 5");
                return 0;
        case PARSE_CHOICE:
                return parse_choice(s, k, value, ret_error);
        default:
                return -EINVAL;
        }
        s->value = v;
        return 0;
}

int cgroup_settings_parse(CgroupSettings *c, const char *key, const char *value, const char *where,
                          char **ret_error) {
        const struct CgroupKey *k = cgroup_key_lookup(key);
        CgroupSetting *s = NULL, tmp;
        bool list;
        char *w;
        int r;

        if (!k)
                return -ENOENT;
        list = k->kind == CGROUP_VALUE_PATH_U64 || k->kind == CGROUP_VALUE_PATH_STRING ||
               k->kind == CGROUP_VALUE_ADDRESSES;

        if (isempty(value)) {
                cgroup_settings_remove(c, key);
                return 0;
        }

        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->settings[i].key, key) == 0)
                        s = &c->settings[i];

        /* A scalar is parsed aside and replaces the old value only when good; a list appends
         * (a bad line fails the whole parse anyway). */
        tmp = (CgroupSetting) { .key = k->key, .property = k->property ?: k->key, .kind = k->kind };
        if (list && s)
                tmp = *s;
        switch (k->parser) {
        case PARSE_DEVICE_LIMIT:
        case PARSE_DEVICE_IO_WEIGHT:
        case PARSE_DEVICE_BLKIO_WEIGHT:
        case PARSE_DEVICE_LATENCY:
                r = parse_device_value(&tmp, k, value, ret_error);
                break;
        case PARSE_DEVICE_ALLOW:
                r = parse_device_allow(&tmp, k, value, ret_error);
                break;
        case PARSE_ADDRESSES:
                r = parse_addresses(&tmp, k, value, ret_error);
                break;
        default:
                r = parse_scalar(&tmp, k, value, ret_error);
        }
        if (list && s) {
                s->items = tmp.items; /* may have moved */
                s->n_items = tmp.n_items;
        }
        if (r < 0) {
                if (!(list && s))
                        cgroup_setting_done(&tmp);
                return r;
        }

        w = strdup(where ?: "");
        if (!w) {
                if (!(list && s))
                        cgroup_setting_done(&tmp);
                return -ENOMEM;
        }
        if (!s) {
                CgroupSetting *l = reallocarray(c->settings, c->n + 1, sizeof(CgroupSetting));

                if (!l) {
                        free(w);
                        cgroup_setting_done(&tmp);
                        return -ENOMEM;
                }
                c->settings = l;
                s = &c->settings[c->n++];
                *s = tmp;
        } else if (!list) {
                tmp.where = s->where;
                cgroup_setting_clear_value(s);
                *s = tmp;
        }
        free(s->where);
        s->where = w;
        return 0;
}

static bool setting_needs_unified(const CgroupSetting *s, const struct CgroupKey *k, const char **ret_why) {
        if (k->need == NEED_UNIFIED) {
                *ret_why = k->why;
                return true;
        }
        if (k->parser == PARSE_CPU_WEIGHT && s->value == 0) {
                *ret_why = "cpu.idle";
                return true;
        }
        if ((strcmp(k->key, "ManagedOOMSwap") == 0 || strcmp(k->key, "ManagedOOMMemoryPressure") == 0) && s->string &&
            strcmp(s->string, "kill") == 0) {
                *ret_why = "the pressure and swap figures systemd-oomd acts on";
                return true;
        }
        return false;
}

int cgroup_settings_check_host(const CgroupSettings *c, CgroupHostMode mode, char **ret_error) {
        for (size_t i = 0; i < c->n; i++) {
                const CgroupSetting *s = &c->settings[i];
                const struct CgroupKey *k = cgroup_key_lookup(s->key);
                const char *why = NULL;

                if (!k)
                        continue;
                if (mode != CGROUP_HOST_UNIFIED && setting_needs_unified(s, k, &why))
                        return error_set(ret_error, -EOPNOTSUPP,
                                         "%s: %s= needs the unified cgroup hierarchy (cgroup v2: %s), and this host "
                                         "runs cgroup v1, where systemd cannot enforce it; refusing to run without it",
                                         s->where, s->key, why);
                if (mode == CGROUP_HOST_LEGACY && k->need == NEED_BPF)
                        return error_set(ret_error, -EOPNOTSUPP,
                                         "%s: %s= is enforced by a BPF program on the service's cgroup2, and this host "
                                         "has no cgroup2 hierarchy (cgroup v1 only); refusing to run without it",
                                         s->where, s->key);
        }
        return 0;
}

static const char *const cgroup_host_mode_table[_CGROUP_HOST_MODE_MAX] = {
        [CGROUP_HOST_LEGACY] = "legacy",
        [CGROUP_HOST_HYBRID] = "hybrid",
        [CGROUP_HOST_UNIFIED] = "unified",
};

const char *cgroup_host_mode_to_string(CgroupHostMode m) {
        return m >= 0 && m < _CGROUP_HOST_MODE_MAX ? cgroup_host_mode_table[m] : NULL;
}

static bool is_cgroup2(const char *path) {
        struct statfs fs;

        return statfs(path, &fs) >= 0 && (unsigned long) fs.f_type == (unsigned long) CGROUP2_SUPER_MAGIC;
}

CgroupHostMode cgroup_host_mode(void) {
        const char *e = getenv("ISOLATED_CGROUP_MODE");
        int m;

        if (e && (m = table_lookup(cgroup_host_mode_table, _CGROUP_HOST_MODE_MAX, e)) >= 0)
                return (CgroupHostMode) m;
        if (is_cgroup2("/sys/fs/cgroup"))
                return CGROUP_HOST_UNIFIED;
        if (is_cgroup2("/sys/fs/cgroup/unified"))
                return CGROUP_HOST_HYBRID;
        return CGROUP_HOST_LEGACY;
}

static const char *const oom_policy_table[_OOM_POLICY_MAX] = {
        [OOM_POLICY_CONTINUE] = "continue",
        [OOM_POLICY_STOP] = "stop",
        [OOM_POLICY_KILL] = "kill",
};

const char *oom_policy_to_string(OOMPolicy p) {
        return p >= 0 && p < _OOM_POLICY_MAX ? oom_policy_table[p] : NULL;
}

OOMPolicy oom_policy_from_string(const char *s) {
        return (OOMPolicy) table_lookup(oom_policy_table, _OOM_POLICY_MAX, s);
}
