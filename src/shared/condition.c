/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "condition.h"
#include "extract-word.h"
#include "macro.h"
#include "parse-util.h"
#include "string-util.h"
#include "systemd-keys.h"

extern char **environ;

/* The kinds evaluated, by the key's name after "Condition"/"Assert". */
static const char *const condition_type_table[_CONDITION_TYPE_MAX] = {
        [CONDITION_PATH_EXISTS] = "PathExists",
        [CONDITION_PATH_EXISTS_GLOB] = "PathExistsGlob",
        [CONDITION_PATH_IS_DIRECTORY] = "PathIsDirectory",
        [CONDITION_PATH_IS_SYMBOLIC_LINK] = "PathIsSymbolicLink",
        [CONDITION_PATH_IS_MOUNT_POINT] = "PathIsMountPoint",
        [CONDITION_PATH_IS_READ_WRITE] = "PathIsReadWrite",
        [CONDITION_DIRECTORY_NOT_EMPTY] = "DirectoryNotEmpty",
        [CONDITION_FILE_NOT_EMPTY] = "FileNotEmpty",
        [CONDITION_FILE_IS_EXECUTABLE] = "FileIsExecutable",
        [CONDITION_VIRTUALIZATION] = "Virtualization",
        [CONDITION_HOST] = "Host",
        [CONDITION_KERNEL_COMMAND_LINE] = "KernelCommandLine",
        [CONDITION_SECURITY] = "Security",
        [CONDITION_CAPABILITY] = "Capability",
        [CONDITION_USER] = "User",
        [CONDITION_GROUP] = "Group",
        [CONDITION_AC_POWER] = "ACPower",
        [CONDITION_FIRST_BOOT] = "FirstBoot",
        [CONDITION_ENVIRONMENT] = "Environment",
        [CONDITION_ARCHITECTURE] = "Architecture",
        [CONDITION_KERNEL_VERSION] = "KernelVersion",
        [CONDITION_OS_RELEASE] = "OSRelease",
        [CONDITION_MEMORY] = "Memory",
        [CONDITION_CPUS] = "CPUs",
};

static bool type_takes_path(ConditionType t) {
        return t <= CONDITION_FILE_IS_EXECUTABLE;
}

void condition_list_free(Condition *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].name);
                free(l[i].parameter);
                free(l[i].where);
        }
        free(l);
}

static const char *condition_suffix(const char *key, bool *ret_assert) {
        const char *p;

        if ((p = startswith(key, "Condition"))) {
                *ret_assert = false;
                return p;
        }
        if ((p = startswith(key, "Assert"))) {
                *ret_assert = true;
                return p;
        }
        return NULL;
}

bool condition_key_is_condition(const char *key) {
        bool a;

        return key && condition_suffix(key, &a) && systemd_key_is_known("Unit", key);
}

int condition_list_add(Condition **list, size_t *n, const char *key, const char *value, const char *where,
                       char **ret_notice, char **ret_error) {
        ConditionType type = CONDITION_UNSUPPORTED;
        const char *suffix, *p = value;
        Condition c = {}, *nl;
        bool assert;

        suffix = condition_suffix(key, &assert);
        if (!suffix)
                return error_set(ret_error, -EINVAL, "Unknown key %s=", key);
        if (isempty(value)) {
                condition_list_free(*list, *n);
                *list = NULL;
                *n = 0;
                return 0;
        }
        for (ConditionType t = 0; t < CONDITION_UNSUPPORTED; t++)
                if (strcmp(suffix, condition_type_table[t]) == 0)
                        type = t;

        c.trigger = *p == '|';
        if (c.trigger)
                p += 1 + strspn(p + 1, " \t");
        c.negate = *p == '!';
        if (c.negate)
                p += 1 + strspn(p + 1, " \t");
        if (isempty(p))
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s'", key, value);
        if (type_takes_path(type) && p[0] != '/')
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': not an absolute path", key, p);
        if (type == CONDITION_CAPABILITY) {
                cap_value_t cap;

                if (cap_from_name(p, &cap) < 0)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': not a capability", key, p);
        }
        if ((type == CONDITION_AC_POWER || type == CONDITION_FIRST_BOOT) && parse_boolean(p) < 0)
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': not a boolean", key, p);

        if (type == CONDITION_UNSUPPORTED && ret_notice &&
            asprintf(ret_notice, "%s= is not evaluated by isolated: it counts as not met (%s)", key,
                     assert ? "the start fails" : "the start is skipped") < 0)
                return -ENOMEM;

        c.type = type;
        c.assert = assert;
        c.name = strdup(key);
        c.parameter = strdup(p);
        c.where = strdup(where ?: "");
        nl = c.name && c.parameter && c.where ? reallocarray(*list, *n + 1, sizeof(Condition)) : NULL;
        if (!nl) {
                free(c.name);
                free(c.parameter);
                free(c.where);
                if (ret_notice)
                        *ret_notice = mfree(*ret_notice);
                return -ENOMEM;
        }
        nl[*n] = c;
        *list = nl;
        (*n)++;
        return 0;
}

/* The first line of a small file, without its newline; -errno. */
static int read_line(const char *path, char *buf, size_t size) {
        ssize_t k;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        k = read(fd, buf, size - 1);
        (void) close(fd);
        if (k < 0)
                return -errno;
        buf[k] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

static bool file_contains(const char *path, const char *needle) {
        char buf[4096];

        return read_line(path, buf, sizeof(buf)) >= 0 && strstr(buf, needle);
}

/* systemd-detect-virt's answer, in short: the container (from /run/systemd/container, PID 1's
 * environment, the engines' marker files), then the VM (DMI vendor, the CPU's hypervisor flag). */
static const char *detect_container(void) {
        static char id[64];
        char buf[4096];
        ssize_t k;
        int fd;

        if (read_line("/run/systemd/container", id, sizeof(id)) >= 0 && id[0])
                return id;
        fd = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                k = read(fd, buf, sizeof(buf) - 1);
                (void) close(fd);
                for (ssize_t i = 0; k > 0 && i < k; i += (ssize_t) strlen(buf + i) + 1) {
                        buf[k] = 0;
                        if (strncmp(buf + i, "container=", 10) == 0 && buf[i + 10]) {
                                snprintf(id, sizeof(id), "%s", buf + i + 10);
                                return id;
                        }
                }
        }
        if (access("/.dockerenv", F_OK) >= 0)
                return "docker";
        if (access("/run/.containerenv", F_OK) >= 0)
                return "podman";
        return NULL;
}

static const char *detect_vm(void) {
        static const struct {
                const char *vendor, *id;
        } dmi[] = {
                { "KVM", "kvm" },        { "QEMU", "qemu" },         { "VMware", "vmware" },
                { "VMW", "vmware" },     { "innotek GmbH", "oracle" }, { "VirtualBox", "oracle" },
                { "Xen", "xen" },        { "Bochs", "bochs" },       { "Parallels", "parallels" },
                { "BHYVE", "bhyve" },    { "Hyper-V", "microsoft" }, { "Amazon EC2", "amazon" },
                { "Google", "google" },
        };
        static const char *const files[] = {
                "/sys/class/dmi/id/product_name",
                "/sys/class/dmi/id/sys_vendor",
                "/sys/class/dmi/id/board_vendor",
                "/sys/class/dmi/id/bios_vendor",
        };
        FILE *f;
        char line[4096];
        bool hypervisor = false;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char buf[256];

                if (read_line(files[i], buf, sizeof(buf)) < 0)
                        continue;
                for (size_t j = 0; j < ELEMENTSOF(dmi); j++)
                        if (strncmp(buf, dmi[j].vendor, strlen(dmi[j].vendor)) == 0)
                                return dmi[j].id;
        }
        f = fopen("/proc/cpuinfo", "re");
        if (f) {
                while (!hypervisor && fgets(line, sizeof(line), f))
                        if (startswith(line, "flags") && strstr(line, " hypervisor"))
                                hypervisor = true;
                fclose(f);
        }
        return hypervisor ? "vm-other" : NULL;
}

static bool userns_is_private(void) {
        char buf[256];
        unsigned a, b, c;

        if (read_line("/proc/self/uid_map", buf, sizeof(buf)) < 0 || sscanf(buf, "%u %u %u", &a, &b, &c) != 3)
                return false;
        return !(a == 0 && b == 0 && c == 4294967295U);
}

static int test_virtualization(const char *p) {
        const char *container = detect_container(), *vm = detect_vm();
        int b;

        if (strcmp(p, "private-users") == 0)
                return userns_is_private();
        b = parse_boolean(p);
        if (b >= 0)
                return b == !!(container || vm);
        if (strcmp(p, "vm") == 0)
                return !!vm;
        if (strcmp(p, "container") == 0)
                return !!container;
        return (vm && strcmp(p, vm) == 0) || (container && strcmp(p, container) == 0);
}

static int test_host(const char *p) {
        char name[256], id[64];

        if (strlen(p) == 32 && strspn(p, "0123456789abcdefABCDEF") == 32) {
                if (read_line("/etc/machine-id", id, sizeof(id)) < 0)
                        return -ENOENT;
                return strcasecmp(id, p) == 0;
        }
        if (gethostname(name, sizeof(name)) < 0)
                return -errno;
        name[sizeof(name) - 1] = 0;
        return fnmatch(p, name, FNM_CASEFOLD) == 0;
}

static int test_kernel_command_line(const char *p) {
        char buf[8192];
        const char *q = buf;
        bool equal = strchr(p, '=');
        int r;

        r = read_line("/proc/cmdline", buf, sizeof(buf));
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_free_ char *word = NULL;
                const char *rest;

                r = extract_first_word(&q, &word, EXTRACT_UNQUOTE, NULL);
                if (r <= 0)
                        return r == 0 ? 0 : r;
                if (equal ? strcmp(word, p) == 0 : ((rest = startswith(word, p)) && (*rest == 0 || *rest == '=')))
                        return 1;
        }
}

static int test_security(const char *p) {
        char buf[64];
        int fd;

        if (strcmp(p, "selinux") == 0)
                return access("/sys/fs/selinux/enforce", F_OK) >= 0;
        if (strcmp(p, "apparmor") == 0)
                return read_line("/sys/module/apparmor/parameters/enabled", buf, sizeof(buf)) >= 0 && buf[0] == 'Y';
        if (strcmp(p, "smack") == 0)
                return access("/sys/fs/smackfs", F_OK) >= 0;
        if (strcmp(p, "ima") == 0)
                return access("/sys/kernel/security/ima", F_OK) >= 0;
        if (strcmp(p, "tomoyo") == 0)
                return access("/sys/kernel/security/tomoyo/version", F_OK) >= 0;
        if (strcmp(p, "tpm2") == 0)
                return access("/sys/class/tpmrm/tpmrm0", F_OK) >= 0;
        if (strcmp(p, "uefi-secureboot") == 0)
                return access("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", F_OK) >= 0 &&
                       file_contains("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", "\1");
        if (strcmp(p, "audit") == 0) {
                fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
                if (fd < 0)
                        return 0;
                (void) close(fd);
                return 1;
        }
        return 0; /* cvm, or a word systemd does not know either */
}

static int test_capability(const char *p, const uint64_t *set) {
        char line[256];
        unsigned long long mask = 0;
        cap_value_t cap;
        bool found = false;
        FILE *f;

        if (cap_from_name(p, &cap) < 0)
                return -EINVAL;
        if (set)
                return cap < 64 && (*set & (UINT64_C(1) << cap));
        f = fopen("/proc/self/status", "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "CapBnd: %llx", &mask) == 1) {
                        found = true;
                        break;
                }
        fclose(f);
        if (!found)
                return -EBADMSG;
        return cap < 64 && (mask & (1ULL << cap));
}

static int test_user(const char *p) {
        uint64_t v;
        struct passwd *pw;

        if (strcmp(p, "@system") == 0)
                return getuid() <= 999 || geteuid() <= 999;
        if (parse_uint64(p, &v) >= 0)
                return v == getuid() || v == geteuid();
        pw = getpwnam(p);
        return pw && (pw->pw_uid == getuid() || pw->pw_uid == geteuid());
}

static int test_group(const char *p) {
        gid_t groups[256], gid;
        uint64_t v;
        struct group *gr;
        int n;

        if (parse_uint64(p, &v) >= 0)
                gid = (gid_t) v;
        else {
                gr = getgrnam(p);
                if (!gr)
                        return 0;
                gid = gr->gr_gid;
        }
        if (gid == getgid() || gid == getegid())
                return 1;
        n = getgroups((int) ELEMENTSOF(groups), groups);
        for (int i = 0; i < n; i++)
                if (groups[i] == gid)
                        return 1;
        return 0;
}

/* systemd's on_ac_power(): on mains unless a mains supply says it is offline and none is online. */
static int test_ac_power(const char *p) {
        bool online = false, offline = false;
        struct dirent *de;
        DIR *d;

        d = opendir("/sys/class/power_supply");
        while (d && (de = readdir(d))) {
                char path[512], buf[64];

                if (de->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "/sys/class/power_supply/%s/type", de->d_name);
                if (read_line(path, buf, sizeof(buf)) < 0 || strcmp(buf, "Mains") != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/class/power_supply/%s/online", de->d_name);
                if (read_line(path, buf, sizeof(buf)) < 0)
                        continue;
                if (strcmp(buf, "1") == 0)
                        online = true;
                else
                        offline = true;
        }
        if (d)
                closedir(d);
        return parse_boolean(p) == (online || !offline);
}

static int test_environment(const char *p) {
        bool equal = strchr(p, '=');
        size_t n = strlen(p);

        for (char **e = environ; e && *e; e++)
                if (equal ? strcmp(*e, p) == 0 : (strncmp(*e, p, n) == 0 && (*e)[n] == '='))
                        return 1;
        return 0;
}

/* systemd's comparison operators: "<", "<=", "=", "==", "!=", ">=", ">" (versions compared as
 * strverscmp(3) does), "$=" and "!$=" (a shell glob). Returns the operator's index, -1 for none;
 * *p moves past it. */
typedef enum Order {
        ORDER_LOWER_OR_EQUAL,
        ORDER_GREATER_OR_EQUAL,
        ORDER_EQUAL,
        ORDER_UNEQUAL,
        ORDER_FNMATCH_EQUAL,
        ORDER_FNMATCH_UNEQUAL,
        ORDER_LOWER,
        ORDER_GREATER,
        _ORDER_MAX,
        _ORDER_INVALID = -1,
} Order;

static Order parse_order(const char **p) {
        static const struct {
                const char *op;
                Order order;
        } ops[] = {
                /* Longest first. */
                { "!$=", ORDER_FNMATCH_UNEQUAL }, { "<=", ORDER_LOWER_OR_EQUAL }, { ">=", ORDER_GREATER_OR_EQUAL },
                { "==", ORDER_EQUAL },            { "!=", ORDER_UNEQUAL },        { "$=", ORDER_FNMATCH_EQUAL },
                { "<", ORDER_LOWER },             { ">", ORDER_GREATER },         { "=", ORDER_EQUAL },
        };

        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                if (strncmp(*p, ops[i].op, strlen(ops[i].op)) == 0) {
                        *p += strlen(ops[i].op);
                        *p += strspn(*p, " \t");
                        return ops[i].order;
                }
        return _ORDER_INVALID;
}

static bool test_order(int k, Order order) {
        switch (order) {
        case ORDER_LOWER:
                return k < 0;
        case ORDER_LOWER_OR_EQUAL:
                return k <= 0;
        case ORDER_EQUAL:
                return k == 0;
        case ORDER_UNEQUAL:
                return k != 0;
        case ORDER_GREATER_OR_EQUAL:
                return k >= 0;
        case ORDER_GREATER:
                return k > 0;
        default:
                return false;
        }
}

/* "OP VERSION" against value; without OP a glob, as systemd. */
static bool test_version(const char *value, const char *expr, Order dflt) {
        Order o = parse_order(&expr);

        if (o < 0)
                o = dflt;
        if (o == ORDER_FNMATCH_EQUAL)
                return fnmatch(expr, value, 0) == 0;
        if (o == ORDER_FNMATCH_UNEQUAL)
                return fnmatch(expr, value, 0) != 0;
        return test_order(strverscmp(value, expr), o);
}

/* Every space-separated expression must hold (systemd 252's list form). */
static int test_words(const char *p, int (*test_one)(const char *word)) {
        for (;;) {
                _cleanup_free_ char *word = NULL;
                int r;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r < 0)
                        return r;
                if (r == 0)
                        return 1;
                r = test_one(word);
                if (r <= 0)
                        return r;
        }
}

static int test_kernel_version_one(const char *word) {
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        return test_version(u.release, word, ORDER_FNMATCH_EQUAL);
}

/* systemd's names of uname(2)'s machine. */
static const char *architecture_native(void) {
        static const struct {
                const char *machine, *name;
        } map[] = {
                { "x86_64", "x86-64" }, { "i386", "x86" },    { "i486", "x86" },         { "i586", "x86" },
                { "i686", "x86" },      { "aarch64", "arm64" }, { "aarch64_be", "arm64-be" }, { "armv7l", "arm" },
                { "armv6l", "arm" },    { "ppc64le", "ppc64-le" }, { "ppc64", "ppc64" },   { "s390x", "s390x" },
                { "riscv64", "riscv64" }, { "loongarch64", "loongarch64" }, { "mips64", "mips64" },
        };
        static struct utsname u;

        if (uname(&u) < 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (strcmp(u.machine, map[i].machine) == 0)
                        return map[i].name;
        return u.machine;
}

static int test_architecture(const char *p) {
        const char *a = architecture_native();

        if (!a)
                return -errno;
        return strcmp(p, "native") == 0 || strcmp(p, a) == 0;
}

/* KEY OP VALUE against /etc/os-release (else /usr/lib/os-release), as systemd 252. */
static int test_os_release_one(const char *word) {
        char key[128], line[1024];
        const char *op = word + strcspn(word, "<>=!$"), *expr = op;
        bool found = false;
        Order o;
        FILE *f;
        int r = 0;

        if (op == word || (size_t) (op - word) >= sizeof(key))
                return -EINVAL;
        memcpy(key, word, (size_t) (op - word));
        key[op - word] = 0;
        o = parse_order(&expr);
        if (o < 0)
                return -EINVAL;
        f = fopen("/etc/os-release", "re");
        if (!f)
                f = fopen("/usr/lib/os-release", "re");
        if (!f)
                return -errno;
        while (!found && fgets(line, sizeof(line), f)) {
                size_t n = strlen(key);
                char *v;

                if (strncmp(line, key, n) != 0 || line[n] != '=')
                        continue;
                v = line + n + 1;
                v[strcspn(v, "\n")] = 0;
                if ((v[0] == '"' || v[0] == '\'') && strlen(v) >= 2 && v[strlen(v) - 1] == v[0]) {
                        v[strlen(v) - 1] = 0;
                        v++;
                }
                found = true;
                if (o == ORDER_FNMATCH_EQUAL || o == ORDER_FNMATCH_UNEQUAL)
                        r = (fnmatch(expr, v, 0) == 0) == (o == ORDER_FNMATCH_EQUAL);
                else if (o == ORDER_EQUAL || o == ORDER_UNEQUAL)
                        r = (strcmp(v, expr) == 0) == (o == ORDER_EQUAL);
                else
                        r = test_order(strverscmp(v, expr), o);
        }
        fclose(f);
        /* An unset key is the empty string, as systemd. */
        if (!found)
                r = (o == ORDER_EQUAL && !*expr) || (o == ORDER_UNEQUAL && *expr);
        return r;
}

/* "[OP]SIZE" against physical memory, "[OP]N" against the CPUs this process may use; default >=. */
static int test_amount(const char *p, uint64_t have, bool size) {
        Order o = parse_order(&p);
        uint64_t want;

        if (o < 0)
                o = ORDER_GREATER_OR_EQUAL;
        if (o == ORDER_FNMATCH_EQUAL || o == ORDER_FNMATCH_UNEQUAL)
                return -EINVAL;
        if ((size ? parse_size(p, &want) : parse_uint64(p, &want)) < 0)
                return -EINVAL;
        return test_order(have < want ? -1 : have > want ? 1 : 0, o);
}

static int test_memory(const char *p) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

        if (pages <= 0 || page <= 0)
                return -EIO;
        return test_amount(p, (uint64_t) pages * (uint64_t) page, true);
}

static int test_cpus(const char *p) {
        cpu_set_t set;

        if (sched_getaffinity(0, sizeof(set), &set) < 0)
                return -errno;
        return test_amount(p, (uint64_t) CPU_COUNT(&set), false);
}

static int test_path(ConditionType t, const char *path) {
        struct stat st;
        struct statvfs sv;
        DIR *d;
        struct dirent *de;
        glob_t g = {};
        int r;

        switch (t) {
        case CONDITION_PATH_EXISTS:
                return access(path, F_OK) >= 0 ? 1 : errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        case CONDITION_PATH_EXISTS_GLOB:
                r = glob(path, GLOB_NOSORT | GLOB_BRACE, NULL, &g);
                globfree(&g);
                return r == 0 ? 1 : r == GLOB_NOMATCH ? 0 : -EIO;
        case CONDITION_PATH_IS_DIRECTORY:
                return stat(path, &st) >= 0 && S_ISDIR(st.st_mode);
        case CONDITION_PATH_IS_SYMBOLIC_LINK:
                return lstat(path, &st) >= 0 && S_ISLNK(st.st_mode);
        case CONDITION_PATH_IS_MOUNT_POINT: {
                struct stat parent;
                char *up;

                if (strcmp(path, "/") == 0)
                        return 1;
                if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                        return 0;
                if (asprintf(&up, "%s/..", path) < 0)
                        return -ENOMEM;
                r = stat(up, &parent);
                free(up);
                if (r < 0)
                        return -errno;
                return st.st_dev != parent.st_dev || st.st_ino == parent.st_ino;
        }
        case CONDITION_PATH_IS_READ_WRITE:
                return statvfs(path, &sv) >= 0 && !(sv.f_flag & ST_RDONLY);
        case CONDITION_DIRECTORY_NOT_EMPTY:
                d = opendir(path);
                if (!d)
                        return 0;
                r = 0;
                while ((de = readdir(d)))
                        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                                r = 1;
                                break;
                        }
                closedir(d);
                return r;
        case CONDITION_FILE_NOT_EMPTY:
                return stat(path, &st) >= 0 && S_ISREG(st.st_mode) && st.st_size > 0;
        case CONDITION_FILE_IS_EXECUTABLE:
                return stat(path, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
        default:
                return -EOPNOTSUPP;
        }
}

static int condition_test_raw(const Condition *c, const ConditionHost *host) {
        const char *root = host && host->root ? host->root : NULL;

        if (type_takes_path(c->type)) {
                _cleanup_free_ char *path = NULL;

                if (!root || strcmp(root, "/") == 0)
                        return test_path(c->type, c->parameter);
                if (asprintf(&path, "%s%s", root, c->parameter) < 0)
                        return -ENOMEM;
                return test_path(c->type, path);
        }
        switch (c->type) {
        case CONDITION_VIRTUALIZATION:
                return test_virtualization(c->parameter);
        case CONDITION_HOST:
                return test_host(c->parameter);
        case CONDITION_KERNEL_COMMAND_LINE:
                return test_kernel_command_line(c->parameter);
        case CONDITION_SECURITY:
                return test_security(c->parameter);
        case CONDITION_CAPABILITY:
                return test_capability(c->parameter, host ? host->capabilities : NULL);
        case CONDITION_USER:
                return test_user(c->parameter);
        case CONDITION_GROUP:
                return test_group(c->parameter);
        case CONDITION_AC_POWER:
                return test_ac_power(c->parameter);
        case CONDITION_FIRST_BOOT:
                return parse_boolean(c->parameter) == (access("/run/systemd/first-boot", F_OK) >= 0);
        case CONDITION_ENVIRONMENT:
                return test_environment(c->parameter);
        case CONDITION_ARCHITECTURE:
                return test_architecture(c->parameter);
        case CONDITION_KERNEL_VERSION:
                return test_words(c->parameter, test_kernel_version_one);
        case CONDITION_OS_RELEASE:
                return test_words(c->parameter, test_os_release_one);
        case CONDITION_MEMORY:
                return test_memory(c->parameter);
        case CONDITION_CPUS:
                return test_cpus(c->parameter);
        default:
                return -EOPNOTSUPP;
        }
}

int condition_test(const Condition *c, const ConditionHost *host) {
        int r = condition_test_raw(c, host);

        if (r < 0)
                return r;
        return c->negate ? !r : !!r;
}

int condition_list_test(const Condition *l, size_t n, bool assert, const ConditionHost *host,
                        const Condition **ret_failed) {
        const Condition *first_trigger = NULL;
        bool triggered = false;

        for (size_t i = 0; i < n; i++) {
                const Condition *c = l + i;
                int r;

                if (c->assert != assert)
                        continue;
                r = condition_test(c, host);
                if (r == -ENOMEM)
                        return r;
                /* Cannot be told: not met, as systemd ("assuming failed"). */
                if (r <= 0 && !c->trigger) {
                        if (ret_failed)
                                *ret_failed = c;
                        return 0;
                }
                if (c->trigger) {
                        if (r > 0)
                                triggered = true;
                        else if (!first_trigger)
                                first_trigger = c;
                }
        }
        if (first_trigger && !triggered) {
                if (ret_failed)
                        *ret_failed = first_trigger;
                return 0;
        }
        return 1;
}

char *condition_describe(const Condition *c) {
        char *s;

        if (asprintf(&s, "%s=%s%s%s at %s", c->name, c->trigger ? "|" : "", c->negate ? "!" : "", c->parameter,
                     c->where) < 0)
                return NULL;
        return s;
}
