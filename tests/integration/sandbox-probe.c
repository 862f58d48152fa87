/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs as a service's main process and tries each way out of the sandbox,
 * printing one line per check: "PASS name detail" or "FAIL name detail", then
 * "PROBE-END" and waits (so the journal can attribute its lines) until killed.
 *
 *   sandbox-probe                 the checks of the default sandbox (as root or as another user:
 *                                 each is an attack a compromised daemon would try)
 *   sandbox-probe off:KEY...      the same checks under a permissive description: those that
 *                                 KEY (PrivateTmp, PrivateDevices, ProtectSystem, ProtectHome,
 *                                 ProtectKernelTunables, ProtectControlGroups, NoNewPrivileges,
 *                                 CapabilityBoundingSet, RestrictSUIDSGID, ProtectKernelLogs,
 *                                 io_uring) turned off must be observed off
 *                                 (reported as NAME-off), every other one must still hold
 *   sandbox-probe defaults: CHECK...  the default checks, then these
 *   sandbox-probe CHECK...        only these: w:PATH (writable), ro:PATH (read-only),
 *                                 empty:PATH (absent or empty), exists:PATH, uid:N, gid:N,
 *                                 ids:UID:GID (real, effective, saved and fs ids),
 *                                 groups:N,N... (exactly these supplementary groups),
 *                                 umask:OCTAL, nofile:SOFT:HARD,
 *                                 cap{bnd,eff,prm,inh,amb}-{has,lacks}:N,
 *                                 uname-errno:N, bind-errno:PORT:N (TCP bind, 0: success),
 *                                 arch-killed:x32|i386 (a foreign-arch syscall never runs),
 *                                 mount-ro:PATH, mount-rw:PATH (the mount's own flag),
 *                                 mounts-only:P,P... (every mount point is one of these or
 *                                 below one but /), root-mount:PATH (the / mount is PATH of
 *                                 its file system, and the only one at /),
 *                                 unreadable:PATH (reads nothing), connect:PATH (must fail),
 *                                 uname-killed: (uname in a child dies of SIGSYS),
 *                                 env-has:KEY=VALUE, unknown-enosys: (syscalls unknown to
 *                                 libseccomp answer ENOSYS), tmpfs:PATH:SIZE:INODES (a tmpfs of
 *                                 SIZE bytes, or of at most N% of RAM, and INODES inodes),
 *                                 absent:PATH (ENOENT), uid-range:LO:HI,
 *                                 errno:OP:N (OP fails with errno N, 0: succeeds; OPs:
 *                                 mmap-wx, mmap-w, mprotect-x, shmat-x, sched-fifo, sched-fifo0
 *                                 (priority 0: EINVAL unless a filter refuses), sched-other,
 *                                 unshare-user, unshare-user-mnt, unshare-user-uts,
 *                                 unshare-user-net, adjtimex-read, clock-settime,
 *                                 personality-linux32, exec=PATH: fork and execve PATH,
 *                                 keyring-id (prints the session keyring's id))
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/timex.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

static int failed;

#define ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static void vreport(bool ok, const char *name, const char *suffix, const char *fmt, va_list ap)
                __attribute__((format(printf, 4, 0)));
static void vreport(bool ok, const char *name, const char *suffix, const char *fmt, va_list ap) {
        printf("%s %s%s ", ok ? "PASS" : "FAIL", name, suffix);
        vprintf(fmt, ap);
        putchar('\n');
        fflush(stdout);
        if (!ok)
                failed++;
}

static void report(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(bool ok, const char *name, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vreport(ok, name, "", fmt, ap);
        va_end(ap);
}

/* The keys a permissive description may turn off (off:KEY), each governing some default checks. */
static const char *const off_keys[] = { "PrivateTmp",       "PrivateDevices",        "ProtectSystem",
                                        "ProtectKernelTunables", "ProtectControlGroups", "NoNewPrivileges",
                                        "CapabilityBoundingSet", "ProtectHome",        "RestrictSUIDSGID",
                                        "ProtectKernelLogs", "io_uring", "HostRoot" };
static bool key_off[ELEMENTS(off_keys)];

static int off_key_index(const char *key) {
        for (size_t i = 0; i < ELEMENTS(off_keys); i++)
                if (strcmp(off_keys[i], key) == 0)
                        return (int) i;
        return -1;
}

/* A default check: confined is what was observed. key (NULL: always on, whatever the
 * description) governs it: with key turned off the opposite must be observed, and the line
 * is named NAME-off. */
static void expect(const char *key, bool confined, const char *name, const char *fmt, ...)
                __attribute__((format(printf, 4, 5)));
static void expect(const char *key, bool confined, const char *name, const char *fmt, ...) {
        int i = key ? off_key_index(key) : -1;
        bool off = i >= 0 && key_off[i];
        va_list ap;

        va_start(ap, fmt);
        vreport(off ? !confined : confined, name, off ? "-off" : "", fmt, ap);
        va_end(ap);
}

/* Creating a file in dir: 0 or -errno. */
static int try_write(const char *dir) {
        char path[4096];
        int fd;

        snprintf(path, sizeof(path), "%s/.sandbox-probe-%d", dir, getpid());
        fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        close(fd);
        unlink(path);
        return 0;
}

/* Entries in dir besides . and ..; -errno if it cannot be listed. */
static int n_sockets;
static char *first_socket;
static size_t first_socket_size;

static int count_socket_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        /* The one socket of the host's a service gets there: /dev/log's, where the host's /dev links it. */
        if (strcmp(path, "/run/systemd/journal/dev-log") == 0)
                return 0;
        if (flag == FTW_F && S_ISSOCK(st->st_mode) && n_sockets++ == 0)
                snprintf(first_socket, first_socket_size, "%s", path);
        return 0;
}

/* Sockets below dir (not following symlinks), the first's path. */
static int count_sockets(const char *dir, char *first, size_t size) {
        n_sockets = 0;
        first_socket = first;
        first_socket_size = size;
        if (nftw(dir, count_socket_one, 16, FTW_PHYS) < 0)
                return -1;
        return n_sockets;
}

static int count_entries(const char *dir, char *first, size_t size) {
        struct dirent *de;
        DIR *d = opendir(dir);
        int n = 0;

        if (!d)
                return -errno;
        if (first)
                first[0] = 0;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        if (n == 0 && first)
                                snprintf(first, size, "%s", de->d_name);
                        n++;
                }
        closedir(d);
        return n;
}

static const char *status_field(const char *field) {
        static char value[256];
        char line[512];
        size_t k = strlen(field);
        FILE *f = fopen("/proc/self/status", "re");

        value[0] = 0;
        if (!f)
                return value;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, k) == 0 && line[k] == ':') {
                        snprintf(value, sizeof(value), "%s", line + k + 1 + strspn(line + k + 1, " \t"));
                        value[strcspn(value, "\n")] = 0;
                        break;
                }
        fclose(f);
        return value;
}

static uint64_t cap_set(const char *field) {
        return strtoull(status_field(field), NULL, 16);
}

static uint64_t cap_bounding(void) {
        return cap_set("CapBnd");
}

/* One line of /proc/self/mountinfo: its mount id, the root of the mount in its file system,
 * the mount point, the mount's own read-only flag (not the superblock's) and the type. */
typedef struct MountLine {
        int id;
        char dev[32];
        char root[1024];
        char point[1024];
        bool ro;
        char fstype[64];
} MountLine;

static bool mount_line_parse(const char *line, MountLine *m) {
        char opts[512];
        const char *dash;

        if (sscanf(line, "%d %*d %31s %1023s %1023s %511s", &m->id, m->dev, m->root, m->point, opts) != 5)
                return false;
        m->ro = strncmp(opts, "ro", 2) == 0 && (opts[2] == ',' || opts[2] == 0);
        dash = strstr(line, " - ");
        if (!dash || sscanf(dash + 3, "%63s", m->fstype) != 1)
                m->fstype[0] = 0;
        return true;
}

/* Calls f on each mount until it returns false; -errno if mountinfo cannot be read. */
static int foreach_mount(bool (*f)(const MountLine *m, void *userdata), void *userdata) {
        char line[4096];
        MountLine m;
        FILE *mi = fopen("/proc/self/mountinfo", "re");

        if (!mi)
                return -errno;
        while (fgets(line, sizeof(line), mi))
                if (mount_line_parse(line, &m) && !f(&m, userdata))
                        break;
        fclose(mi);
        return 0;
}

typedef struct MountQuery {
        int id;
        int ro; /* -1: not found */
} MountQuery;

static bool mount_query_one(const MountLine *m, void *userdata) {
        MountQuery *q = userdata;

        if (m->id != q->id)
                return true;
        q->ro = m->ro;
        return false;
}

/* 1 if the mount path lies on carries the read-only flag itself, 0 if not, -errno. A
 * read-only superblock (an overlay without an upper layer) does not count: the flag is what
 * the sandbox sets. */
static int mount_flag_ro(const char *path) {
        struct statx sx;
        MountQuery q = { .ro = -1 };
        int r;

        if (statx(AT_FDCWD, path, AT_NO_AUTOMOUNT, STATX_MNT_ID, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        q.id = (int) sx.stx_mnt_id;
        r = foreach_mount(mount_query_one, &q);
        if (r < 0)
                return r;
        return q.ro < 0 ? -ENOENT : q.ro;
}

static const char *mount_flag_text(int r) {
        return r < 0 ? strerror(-r) : r ? "mount ro" : "mount rw";
}

/* Runs f in a child and describes how it ended: "exit N" or "signal NAME". */
static int run_child(void (*f)(void), char *text, size_t size) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                f();
                _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (WIFSIGNALED(status))
                snprintf(text, size, "signal %s", sigabbrev_np(WTERMSIG(status)) ?: "?");
        else
                snprintf(text, size, "exit %d", WEXITSTATUS(status));
        return status;
}

static void call_uname(void) {
        struct utsname u;

        _exit(uname(&u) < 0 ? 1 : 0);
}

/* getpid() through the x32 entry (the native number with __X32_SYSCALL_BIT): exit 0 if it ran,
 * 1 if refused with an errno (ENOSYS: a kernel without x32). */
static void x32_getpid(void) {
        long r = syscall(0x40000000L | SYS_getpid);

        _exit(r == getpid() ? 0 : r < 0 && errno == ENOSYS ? 2 : 1);
}

/* getpid() through the i386 entry, int 0x80 (getpid is 20 there): exit 0 if it ran. */
static void i386_getpid(void) {
#if defined(__x86_64__)
        /* The kernel's default for SIGSEGV, past any handler a sanitizer runtime installed (its
         * report would be a false finding): rt_sigaction itself, not the intercepted wrapper. */
        struct {
                void (*handler)(int);
                unsigned long flags;
                void (*restorer)(void);
                uint64_t mask;
        } dfl = { .handler = SIG_DFL };
        long r;

        (void) syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, sizeof(dfl.mask));
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        _exit(r == getpid() ? 0 : 1);
#else
        _exit(3);
#endif
}

/* A foreign architecture's syscall never runs: the filter kills the process (SIGSYS). For
 * i386 a kernel without an i386 entry (SIGSEGV from int 0x80) leaves nothing to filter. */
static void check_arch(const char *name, const char *arch) {
        char text[64] = "";
        int status;

        if (strcmp(arch, "x32") == 0) {
                status = run_child(x32_getpid, text, sizeof(text));
                report(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, name,
                       "getpid|__X32_SYSCALL_BIT: %s%s", status < 0 ? strerror(-status) : text,
                       status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 2 ? " (ENOSYS from the kernel)" : "");
        } else if (strcmp(arch, "i386") == 0) {
                status = run_child(i386_getpid, text, sizeof(text));
                report(status >= 0 && WIFSIGNALED(status) &&
                                       (WTERMSIG(status) == SIGSYS || WTERMSIG(status) == SIGSEGV),
                       name, "int 0x80 getpid: %s%s", status < 0 ? strerror(-status) : text,
                       status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV
                               ? " (this kernel has no i386 entry)"
                               : "");
        } else
                report(false, name, "unknown architecture");
}

static int try_connect(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (path[0] == '@') {
                strncpy(sa.sun_path + 1, path + 1, sizeof(sa.sun_path) - 2);
                r = connect(fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path)));
        } else {
                strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
                r = connect(fd, (struct sockaddr *) &sa, sizeof(sa));
        }
        r = r < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* Open fds other than 0-2 (the directory listing's own excepted), as "3 4"; their count. */
static int extra_fds(char *text, size_t size) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        text[0] = 0;
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);

                if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
                        continue;
                n++;
                if (strlen(text) + strlen(de->d_name) + 2 < size) {
                        strcat(text, " ");
                        strcat(text, de->d_name);
                }
        }
        closedir(d);
        return n;
}

/* The variables systemd.exec(5) gives a service, where they apply; anything else in the
 * environment of a description that sets none came from outside. */
static bool env_name_expected(const char *entry) {
        static const char *const names[] = {
                "PATH", "LANG", "USER", "LOGNAME", "HOME", "SHELL", "INVOCATION_ID", "JOURNAL_STREAM",
                "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "MAINPID", "WATCHDOG_PID",
                "WATCHDOG_USEC", "RUNTIME_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY", "LOGS_DIRECTORY",
                "CONFIGURATION_DIRECTORY", "SYSTEMD_EXEC_PID", "TERM",
        };
        size_t k = strcspn(entry, "=");

        for (size_t i = 0; i < ELEMENTS(names); i++)
                if (strlen(names[i]) == k && strncmp(entry, names[i], k) == 0)
                        return true;
        return false;
}

/* The first syscall numbers this libseccomp does not know for the native arch: those a filter
 * built with it cannot name. From libseccomp itself, loaded at run time (absent: none). */
static int unknown_syscalls(long *list, int max) {
        void *lib = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
        char *(*resolve)(uint32_t arch, int num);
        int n = 0, last = -1;

        if (!lib)
                return -ENOENT;
        *(void **) &resolve = dlsym(lib, "seccomp_syscall_resolve_num_arch");
        if (!resolve) {
                dlclose(lib);
                return -ENOENT;
        }
        /* Past the last known number: the next ones the kernel may have and the filter cannot name. */
        for (int nr = 0; nr < 1024; nr++) {
                char *name = resolve(0 /* SCMP_ARCH_NATIVE */, nr);

                if (name)
                        last = nr;
                free(name);
        }
        dlclose(lib);
        for (n = 0; n < max; n++)
                list[n] = last + 1 + n;
        return n;
}

/* Unknown to the filter must answer ENOSYS, so libcs fall back. Invalid arguments throughout
 * (fds and pointers -1), so a call the kernel has would fail harmlessly. */
static void check_unknown_syscalls(const char *name) {
        long list[16];
        char bad[256] = "";
        int n = unknown_syscalls(list, 16);

        if (n <= 0) {
                report(false, name, "cannot tell which syscalls libseccomp knows (libseccomp.so.2: %s)",
                       n < 0 ? "not loadable" : "knows every number");
                return;
        }
        for (int i = 0; i < n; i++) {
                long r = syscall(list[i], -1L, -1L, -1L, -1L, -1L, -1L);

                if ((r >= 0 || errno != ENOSYS) && strlen(bad) + 32 < sizeof(bad))
                        snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad), " %ld:%s", list[i],
                                 r >= 0 ? "ran" : strerrorname_np(errno) ?: "?");
        }
        report(bad[0] == 0, name, "syscalls %ld..%ld (unknown to libseccomp): %s", list[0], list[n - 1],
               bad[0] ? bad : "ENOSYS");
}

/* Every cgroup hierarchy (and the tmpfs they sit on) carries the read-only flag. */
static bool cgroup_mount_ro(const MountLine *m, void *userdata) {
        int *state = userdata; /* 1: all read-only so far, 0: one is not; -1: none seen */

        if (strcmp(m->point, "/sys/fs/cgroup") != 0 && strncmp(m->point, "/sys/fs/cgroup/", 15) != 0)
                return true;
        if (*state < 0)
                *state = 1;
        if (!m->ro)
                *state = 0;
        return true;
}

static void attack_checks(void);
static void userns_checks(void);

static void default_checks(void) {
        static const struct {
                int cap;
                const char *name;
        } denied[] = {
                { 21, "CAP_SYS_ADMIN" }, { 16, "CAP_SYS_MODULE" }, { 19, "CAP_SYS_PTRACE" }, { 17, "CAP_SYS_RAWIO" },
                { 22, "CAP_SYS_BOOT" }, { 33, "CAP_MAC_ADMIN" }, { 32, "CAP_MAC_OVERRIDE" }, { 39, "CAP_BPF" },
                { 38, "CAP_PERFMON" }, { 25, "CAP_SYS_TIME" }, { 27, "CAP_MKNOD" }, { 12, "CAP_NET_ADMIN" },
                { 2, "CAP_DAC_READ_SEARCH" },
        };
        static const char *const dev_allowed[] = { "null", "zero", "full", "random", "urandom", "tty", "log", "pts", "ptmx",
                                                   "shm", "mqueue", "fd", "stdin", "stdout", "stderr" };
        char first[256], buf[64], line[512];
        struct stat st;
        uint64_t bnd;
        int fd, r, n;
        FILE *f;

        /* First, before the probe opens anything itself. */
        n = extra_fds(line, sizeof(line));
        expect(NULL, n == 0, "fds-closed", "open fds besides 0-2:%s", n > 0 ? line : n < 0 ? strerror(-n) : " none");
        expect(NULL, getsid(0) == getpid(), "own-session", "sid %d, pid %d", (int) getsid(0), (int) getpid());
        line[0] = 0;
        for (char **e = environ; *e; e++)
                if (!env_name_expected(*e) && strlen(line) + strcspn(*e, "=") + 2 < sizeof(line)) {
                        strcat(line, " ");
                        strncat(line, *e, strcspn(*e, "="));
                }
        expect(NULL, line[0] == 0, "env-clean", "unexpected variables:%s", line[0] ? line : " none");

        /* Only an open for writing, never a write to a host's sysctl: the UTS namespace is the
         * service's own, so its hostname is what a write would change. */
        fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
        r = fd < 0 ? errno : 0;
        if (fd >= 0) {
                r = write(fd, "escaped", 7) < 0 ? errno : 0;
                close(fd);
        }
        expect("ProtectKernelTunables", r != 0, "proc-sys-read-only", "write /proc/sys/kernel/hostname: %s",
               r ? strerror(r) : "succeeded");

        /* A kernel without CONFIG_MAGIC_SYSRQ has no such file: nothing to protect, or to find open. */
        if (access("/proc/sysrq-trigger", F_OK) < 0 && errno == ENOENT)
                report(true, "proc-sysrq-read-only", "no /proc/sysrq-trigger on this kernel");
        else {
                fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
                expect("ProtectKernelTunables", fd < 0, "proc-sysrq-read-only", "%s",
                       fd < 0 ? strerror(errno) : "opened for writing (nothing written)");
                if (fd >= 0)
                        close(fd);
        }

        {
                static const char *const dirs[] = { "/usr", "/etc", "/boot" };

                for (size_t i = 0; i < ELEMENTS(dirs); i++) {
                        int ro;

                        if (access(dirs[i], F_OK) < 0)
                                continue;
                        /* The mount's own flag, as an overlay without an upper layer is read-only
                         * anyway; and no write into a host directory the sandbox left writable. */
                        ro = mount_flag_ro(dirs[i]);
                        r = ro > 0 ? try_write(dirs[i]) : 0;
                        snprintf(line, sizeof(line), "%s-read-only", dirs[i] + 1);
                        expect("ProtectSystem", ro > 0 && r < 0, line, "%s: %s, create: %s", dirs[i], mount_flag_text(ro),
                               ro <= 0 ? "not tried" : r < 0 ? strerror(-r) : "succeeded");
                }
        }

        {
                static const char *const dirs[] = { "/tmp", "/var/tmp" };

                for (size_t i = 0; i < ELEMENTS(dirs); i++) {
                        n = count_entries(dirs[i], first, sizeof(first));
                        r = try_write(dirs[i]);
                        snprintf(line, sizeof(line), "%s-private", dirs[i] + 1);
                        expect("PrivateTmp", n == 0 && r == 0, line, "%d entries%s%s, writable: %s", n,
                               n > 0 ? ", first " : "", n > 0 ? first : "", r == 0 ? "yes" : strerror(-r));
                }
        }

        r = access("/run/dbus/system_bus_socket", F_OK) < 0 ? errno : 0;
        expect(NULL, r == ENOENT, "run-no-bus-socket", "/run/dbus/system_bus_socket: %s", r ? strerror(r) : "exists");
        r = try_connect("/run/systemd/private");
        expect(NULL, r < 0, "run-no-systemd-private", "connect /run/systemd/private: %s",
               r < 0 ? strerror(-r) : "connected");
        r = try_connect("/run/systemd/journal/stdout");
        expect(NULL, r < 0, "run-no-journal-socket", "connect /run/systemd/journal/stdout: %s",
               r < 0 ? strerror(-r) : "connected");
        /* /run is the service's own: what tmpfiles.d's /run lines make, but no socket of the host's. */
        n = count_sockets("/run", first, sizeof(first));
        expect(NULL, n == 0, "run-no-sockets", "%d socket(s)%s%s", n, n > 0 ? ", first " : "", n > 0 ? first : "");

        {
                DIR *d = opendir("/dev");
                struct dirent *de;
                char extra[1024] = "";
                int k = 0;

                while (d && (de = readdir(d))) {
                        bool ok = de->d_name[0] == '.';

                        for (size_t i = 0; !ok && i < ELEMENTS(dev_allowed); i++)
                                ok = strcmp(de->d_name, dev_allowed[i]) == 0;
                        if (!ok && ++k <= 8 && strlen(extra) + strlen(de->d_name) + 2 < sizeof(extra)) {
                                strcat(extra, " ");
                                strcat(extra, de->d_name);
                        }
                }
                if (d)
                        closedir(d);
                expect("PrivateDevices", d && k == 0, "dev-minimal", "unexpected (%d):%s", k, k ? extra : " none");
        }
        {
                /* A devpts of its own: /dev/ptmx is the link to pts/ptmx, not the host's node. */
                char target[64] = "";
                ssize_t k = readlink("/dev/ptmx", target, sizeof(target) - 1);

                if (k > 0)
                        target[k] = 0;
                expect("PrivateDevices",
                       strcmp(target, "pts/ptmx") == 0 && stat("/dev/pts/ptmx", &st) == 0 && S_ISCHR(st.st_mode) &&
                               access("/dev/null", W_OK) == 0,
                       "dev-pts-own-ptmx", "/dev/ptmx -> %s, /dev/null %s", k > 0 ? target : "(not a link)",
                       access("/dev/null", W_OK) == 0 ? "writable" : "not writable");
        }
        fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        expect(NULL, fd >= 0, "dev-ptmx-works", "%s", fd >= 0 ? "opened" : strerror(errno));
        if (fd >= 0)
                close(fd);

        r = mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0 ? errno : 0;
        expect(NULL, r != 0, "mount-denied", "mount: %s", r ? strerror(r) : "succeeded");
        r = umount2("/proc", MNT_DETACH) < 0 ? errno : 0;
        expect(NULL, r != 0, "umount-denied", "umount2 /proc: %s", r ? strerror(r) : "succeeded");
        r = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
        expect(NULL, r != 0, "unshare-user-denied", "unshare(CLONE_NEWUSER): %s", r ? strerror(r) : "succeeded");
        r = unshare(CLONE_NEWNS) < 0 ? errno : 0;
        expect(NULL, r != 0, "unshare-mount-denied", "unshare(CLONE_NEWNS): %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_clone3, NULL, 0) < 0 ? errno : 0;
        expect(NULL, r == ENOSYS, "clone3-enosys", "clone3: %s", r ? strerror(r) : "succeeded");
        r = ptrace(PTRACE_ATTACH, 1, NULL, NULL) < 0 ? errno : 0;
        expect(NULL, r != 0, "ptrace-denied", "ptrace(ATTACH, 1): %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1) < 0 ? errno : 0;
        expect(NULL, r != 0, "keyctl-denied", "keyctl: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_PROCESS_KEYRING) < 0 ? errno : 0;
        expect(NULL, r != 0, "add-key-denied", "add_key: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_bpf, 0, NULL, 0) < 0 ? errno : 0;
        expect(NULL, r == EPERM, "bpf-denied", "bpf: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0) < 0 ? errno : 0;
        expect(NULL, r == EPERM, "perf-denied", "perf_event_open: %s", r ? strerror(r) : "succeeded");
        fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        r = ioctl(fd >= 0 ? fd : 0, TIOCSTI, "x") < 0 ? errno : 0;
        /* EPERM from the filter; without it stdin (/dev/null) would answer ENOTTY. */
        expect(NULL, r == EPERM, "tiocsti-denied", "ioctl(TIOCSTI): %s", r ? strerror(r) : "succeeded");
        if (fd >= 0)
                close(fd);
        r = personality(PER_LINUX | READ_IMPLIES_EXEC) < 0 ? errno : 0;
        expect(NULL, r != 0, "personality-denied", "personality(READ_IMPLIES_EXEC): %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL) < 0 ? errno : 0;
        expect(NULL, r != 0, "reboot-denied", "reboot: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_settimeofday, NULL, NULL) < 0 ? errno : 0;
        expect(NULL, r == EPERM, "clock-denied", "settimeofday: %s", r ? strerror(r) : "succeeded");
        check_arch("x32-killed", "x32");
        check_arch("i386-denied", "i386");
        check_unknown_syscalls("unknown-syscalls-enosys");

        bnd = cap_bounding();
        line[0] = 0;
        n = 0;
        for (size_t i = 0; i < ELEMENTS(denied); i++)
                if (bnd & (UINT64_C(1) << denied[i].cap)) {
                        strcat(line, " ");
                        strcat(line, denied[i].name);
                        n++;
                }
        /* Confined: none of them. Off (every capability asked for) is not "one of them": all of them. */
        expect("CapabilityBoundingSet",
               key_off[off_key_index("CapabilityBoundingSet")] ? n < (int) ELEMENTS(denied) : n == 0 && bnd != 0,
               "capbnd-without-contract-caps", "CapBnd %016llx, still has:%s", (unsigned long long) bnd,
               line[0] ? line : " none");
        snprintf(buf, sizeof(buf), "%s", status_field("NoNewPrivs"));
        expect("NoNewPrivileges", strcmp(buf, "1") == 0, "no-new-privs", "NoNewPrivs: %s", buf);
        snprintf(buf, sizeof(buf), "%s", status_field("Seccomp"));
        expect(NULL, strcmp(buf, "2") == 0, "seccomp-filter", "Seccomp: %s", buf);

        r = mount_flag_ro("/sys");
        expect("ProtectKernelTunables", r > 0, "sys-read-only", "/sys: %s", mount_flag_text(r));
        {
                int all_ro = -1;

                (void) foreach_mount(cgroup_mount_ro, &all_ro);
                r = all_ro > 0 ? try_write("/sys/fs/cgroup") : 0;
                expect("ProtectControlGroups", all_ro > 0 && r < 0, "sys-fs-cgroup-read-only",
                       "/sys/fs/cgroup and below: %s, create: %s",
                       all_ro < 0 ? "no mount" : all_ro ? "every mount ro" : "a mount rw",
                       all_ro <= 0 ? "not tried" : r < 0 ? strerror(-r) : "succeeded");
        }

        {
                static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list",
                                                      "/proc/sched_debug" };

                for (size_t i = 0; i < ELEMENTS(masked); i++) {
                        char c;
                        ssize_t k = -1;

                        fd = open(masked[i], O_RDONLY | O_CLOEXEC);
                        if (fd >= 0) {
                                k = read(fd, &c, 1);
                                close(fd);
                        }
                        snprintf(line, sizeof(line), "%s-masked", masked[i] + 6);
                        expect(NULL, k <= 0, line, "read %s: %s", masked[i],
                               k > 0 ? "got data" : fd < 0 ? "cannot open" : "empty");
                }
        }

        f = fopen("/proc/self/cgroup", "re");
        r = f ? 1 : 0;
        line[0] = 0;
        while (f && fgets(first, sizeof(first), f)) {
                char *path = strrchr(first, ':');

                if (!path || strcmp(path, ":/\n") != 0) {
                        r = 0;
                        snprintf(line, sizeof(line), "%s", first);
                        line[strcspn(line, "\n")] = 0;
                }
        }
        if (f)
                fclose(f);
        expect(NULL, r, "cgroup-namespace-root", "%s", r ? "every hierarchy at /" : line);

        n = 0;
        f = fopen("/proc/sysvipc/shm", "re");
        while (f && fgets(line, sizeof(line), f))
                n++;
        if (f)
                fclose(f);
        expect(NULL, n <= 1, "sysv-shm-private", "%d segments visible", n > 0 ? n - 1 : 0);
        r = try_connect("@isolated-probe-host");
        expect(NULL, r < 0, "host-abstract-socket-invisible", "connect @isolated-probe-host: %s",
               r < 0 ? strerror(-r) : "connected");

        attack_checks();
        userns_checks();
}


/* socket(): 0 if it could be made, else the errno. */
static int try_socket(int family, int type, int protocol) {
        int fd = socket(family, type | SOCK_CLOEXEC, protocol);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

/* What a compromised daemon tries against the host's files, the kernel and its neighbours,
 * under the defaults (DESIGN.md, "Secure by default"). */
/* A host unit's cgroup in a hierarchy root we see: the host's tree, not our own. */
static bool sees_host_cgroups(void) {
        static const char *const host_units[] = { "system.slice", "isolated.slice", "init.scope" };
        char path[512];
        struct stat st;
        DIR *d;
        struct dirent *de;
        bool seen = false;

        for (size_t i = 0; i < ELEMENTS(host_units); i++) {
                snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", host_units[i]);
                if (stat(path, &st) >= 0)
                        return true;
        }
        d = opendir("/sys/fs/cgroup");
        while (d && !seen && (de = readdir(d)))
                for (size_t i = 0; de->d_name[0] != '.' && i < ELEMENTS(host_units); i++) {
                        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", de->d_name, host_units[i]);
                        if (stat(path, &st) >= 0)
                                seen = true;
                }
        if (d)
                closedir(d);
        return seen;
}

/* The user namespace, and the private views it brings. */
static void userns_checks(void) {
        char line[256] = "", names[512] = "";
        unsigned inside = 0, outside = 0, count = 0;
        struct stat st;
        FILE *f;
        DIR *d;
        struct dirent *de;
        ssize_t n;
        int fd;

        f = fopen("/proc/self/uid_map", "re");
        if (f && fgets(line, sizeof(line), f))
                (void) sscanf(line, "%u %u %u", &inside, &outside, &count);
        if (f)
                fclose(f);
        expect("HostRoot", inside == 0 && outside != 0 && count == 65536, "user-namespace-own",
               "uid_map: %u %u %u", inside, outside, count);

        d = opendir("/sys/class/net");
        while (d && (de = readdir(d)))
                if (de->d_name[0] != '.' && strlen(names) + strlen(de->d_name) + 2 < sizeof(names)) {
                        strcat(names, " ");
                        strcat(names, de->d_name);
                }
        if (d)
                closedir(d);
        expect("HostRoot", strcmp(names, " lo") == 0, "sys-class-net-own", "/sys/class/net:%s", names);
        expect("HostRoot", !sees_host_cgroups(), "cgroupfs-own", "/sys/fs/cgroup %s the host's units",
               sees_host_cgroups() ? "shows" : "does not show");

        /* Root's files show their real owner (idmapped), but the password hashes are hidden. */
        if (stat("/etc/passwd", &st) < 0)
                st.st_uid = (uid_t) -1;
        expect(NULL, st.st_uid == 0, "host-file-real-owner", "/etc/passwd owned by %d", (int) st.st_uid);
        fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, line, sizeof(line)) : -1;
        expect(NULL, n <= 0, "shadow-hidden", "/etc/shadow: %s", fd < 0 ? strerror(errno) : n > 0 ? "read" : "empty");
        if (fd >= 0)
                close(fd);
}

static void attack_checks(void) {
        static const struct {
                const char *dir;
                const char *key;
        } host_dirs[] = {
                { "/var/spool/cron", "ProtectSystem" }, { "/var/spool/cron/crontabs", "ProtectSystem" },
                { "/root", "ProtectHome" },             { "/var/lib/dpkg", "ProtectSystem" },
                { "/var/lib/systemd", "ProtectSystem" }, { "/home", "ProtectHome" },
                { "/opt", "ProtectSystem" },            { "/srv", "ProtectSystem" },
                { "/var/log", "ProtectSystem" },        { "/var/cache", "ProtectSystem" },
                { "/var/lib", "ProtectSystem" },        { "/", "ProtectSystem" },
        };
        static const struct {
                int protocol;
                const char *name;
        } netlink_denied[] = {
                { NETLINK_KOBJECT_UEVENT, "uevent" }, { NETLINK_NETFILTER, "netfilter" }, { NETLINK_XFRM, "xfrm" },
                { NETLINK_AUDIT, "audit" },           { NETLINK_CONNECTOR, "connector" },
        };
        static const struct {
                int family;
                const char *name;
        } families_denied[] = {
                { AF_VSOCK, "vsock" }, { AF_PACKET, "packet" }, { 44, "xdp" }, { AF_BLUETOOTH, "bluetooth" },
        };
        char path[256], line[512];
        struct stat st;
        int fd, r;
        bool root = geteuid() == 0;

        /* The host's tree: nowhere to plant a crontab, an authorized key, a maintainer script,
         * a unit, a log or a setuid binary. As root the owner would not stop it: the mounts must.
         * A directory the host lacks counts as refused (ENOENT: nothing created). */
        for (size_t i = 0; i < ELEMENTS(host_dirs); i++) {
                snprintf(line, sizeof(line), "host-write-%s",
                         strcmp(host_dirs[i].dir, "/") == 0 ? "root-dir" : host_dirs[i].dir + 1);
                for (char *c = line; *c; c++)
                        if (*c == '/')
                                *c = '-';
                if (access(host_dirs[i].dir, F_OK) < 0 && errno == ENOENT) {
                        report(true, line, "no %s on this host", host_dirs[i].dir);
                        continue;
                }
                r = try_write(host_dirs[i].dir);
                /* As another user the owner alone may refuse: only root's observation says the mount does. */
                expect(root ? host_dirs[i].key : NULL, r < 0, line, "create in %s: %s (as uid %u)", host_dirs[i].dir,
                       r < 0 ? strerror(-r) : "succeeded", (unsigned) geteuid());
        }

        /* What it creates in its own writable places never becomes privileged. */
        /* In its own /run: a tmpfs of the sandbox whatever the description, with flags and xattrs. */
        snprintf(path, sizeof(path), "/run/.sandbox-probe-suid-%d", getpid());
        fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755);
        if (fd < 0 && errno == EACCES) { /* not root: its private /tmp */
                snprintf(path, sizeof(path), "/tmp/.sandbox-probe-suid-%d", getpid());
                fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755);
        }
        if (fd < 0)
                report(false, "suid-chmod-denied", "create %s: %s", path, strerror(errno));
        else {
                int flags;

                r = chmod(path, 04755) < 0 ? errno : 0;
                expect("RestrictSUIDSGID", r == EPERM, "suid-chmod-denied", "chmod u+s: %s",
                       r ? strerror(r) : "succeeded");
                r = fchmod(fd, 02755) < 0 ? errno : 0;
                expect("RestrictSUIDSGID", r == EPERM, "sgid-fchmod-denied", "fchmod g+s: %s",
                       r ? strerror(r) : "succeeded");
                (void) fchmod(fd, 0755);

                /* v2 file capabilities: cap_setuid=ep. */
                {
                        struct {
                                uint32_t magic_etc;
                                struct {
                                        uint32_t permitted, inheritable;
                                } data[2];
                        } caps = {
                                0x02000000 | 0x1 /* VFS_CAP_REVISION_2 | effective */,
                                { { 1U << 7 /* CAP_SETUID */, 0 }, { 0, 0 } },
                        };

                        r = fsetxattr(fd, "security.capability", &caps, sizeof(caps), 0) < 0 ? errno : 0;
                        expect("CapabilityBoundingSet", r == EPERM, "setxattr-security-capability-denied",
                               "security.capability cap_setuid=ep: %s", r ? strerror(r) : "set");
                        (void) fremovexattr(fd, "security.capability");
                }

                r = ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ? errno : 0;
                if (r == 0) {
                        int immutable = flags | FS_IMMUTABLE_FL;

                        r = ioctl(fd, FS_IOC_SETFLAGS, &immutable) < 0 ? errno : 0;
                        if (r == 0)
                                (void) ioctl(fd, FS_IOC_SETFLAGS, &flags);
                }
                expect("CapabilityBoundingSet", r == EPERM, "chattr-immutable-denied", "FS_IOC_SETFLAGS +i: %s",
                       r ? strerror(r) : "set");
                close(fd);
                unlink(path);
        }

        /* mlock() past RLIMIT_MEMLOCK: memory the host could not reclaim, without CAP_IPC_LOCK. */
        {
                struct rlimit saved, low;
                size_t size = 1024 * 1024;
                void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                r = -1;
                if (m != MAP_FAILED && getrlimit(RLIMIT_MEMLOCK, &saved) == 0) {
                        low = saved;
                        low.rlim_cur = 64 * 1024;
                        if (setrlimit(RLIMIT_MEMLOCK, &low) == 0) {
                                /* The system call itself: sanitizers make mlock() a no-op. */
                                r = syscall(SYS_mlock, m, size) < 0 ? errno : 0;
                                if (r == 0)
                                        (void) syscall(SYS_munlock, m, size);
                                (void) setrlimit(RLIMIT_MEMLOCK, &saved);
                        }
                }
                if (m != MAP_FAILED)
                        munmap(m, size);
                expect("CapabilityBoundingSet", r > 0, "mlock-beyond-rlimit-denied",
                       "mlock 1M over a 64K RLIMIT_MEMLOCK: %s", r < 0 ? "could not try" : r ? strerror(r) : "locked");
        }

        /* The kernel log and kernel addresses. /proc/kmsg is opened, never read (a read takes
         * the host's messages away); masked, it is /dev/null. */
        fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        r = fd < 0 ? errno : 0;
        st.st_rdev = 0;
        if (fd >= 0) {
                if (fstat(fd, &st) < 0)
                        st.st_rdev = 0;
                close(fd);
        }
        expect("ProtectKernelLogs", fd < 0 || st.st_rdev == makedev(1, 3), "kmsg-masked", "open /proc/kmsg: %s",
               fd < 0 ? strerror(r) : st.st_rdev == makedev(1, 3) ? "the mask (/dev/null)" : "opened the kernel log");
        fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        r = fd < 0 ? errno : 0;
        st.st_rdev = 0;
        if (fd >= 0) {
                if (fstat(fd, &st) < 0)
                        st.st_rdev = 0;
                close(fd);
        }
        expect("ProtectKernelLogs", fd < 0 || st.st_rdev == makedev(1, 3), "dev-kmsg-masked", "open /dev/kmsg: %s",
               fd < 0 ? strerror(r) : st.st_rdev == makedev(1, 3) ? "the mask (/dev/null)" : "opened the kernel log");
        r = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0) < 0 ? errno : 0;
        expect("ProtectKernelLogs", r != 0, "syslog-denied", "syslog(SIZE_BUFFER): %s", r ? strerror(r) : "answered");
        {
                FILE *f = fopen("/proc/kallsyms", "re");
                int lines = 0, nonzero = 0;
                char first[128] = "";

                while (f && lines < 2000 && fgets(line, sizeof(line), f)) {
                        lines++;
                        if (strspn(line, "0") < 16 && !nonzero++)
                                snprintf(first, sizeof(first), "%.*s", (int) strcspn(line, "\n"), line);
                }
                if (f)
                        fclose(f);
                expect("ProtectKernelLogs", nonzero == 0, "kallsyms-no-addresses", "%d of %d lines with an address%s%s",
                       nonzero, lines, nonzero ? ", first: " : "", first);
        }

        /* io_uring: a kernel surface of its own whose operations no seccomp filter sees. */
        {
                struct io_uring_params params = {};
                long ring = syscall(SYS_io_uring_setup, 1, &params);

                r = ring < 0 ? errno : 0;
                if (ring >= 0)
                        close((int) ring);
                expect("io_uring", r == EPERM, "io-uring-denied", "io_uring_setup: %s", r ? strerror(r) : "a ring");
        }

        /* Sockets that leave the network namespace (vsock), see every frame (packet, XDP), or reach
         * the host's kernel state over netlink. */
        for (size_t i = 0; i < ELEMENTS(families_denied); i++) {
                int family = families_denied[i].family;

                r = try_socket(family, family == AF_VSOCK ? SOCK_STREAM : SOCK_RAW, 0);
                snprintf(line, sizeof(line), "socket-%s-denied", families_denied[i].name);
                expect(NULL, r == EAFNOSUPPORT, line, "socket(%d): %s", family, r ? strerror(r) : "created");
        }
        for (size_t i = 0; i < ELEMENTS(netlink_denied); i++) {
                r = try_socket(AF_NETLINK, SOCK_RAW, netlink_denied[i].protocol);
                snprintf(line, sizeof(line), "netlink-%s-denied", netlink_denied[i].name);
                expect(NULL, r == EPROTONOSUPPORT, line, "socket(AF_NETLINK, %d): %s", netlink_denied[i].protocol,
                       r ? strerror(r) : "created");
        }
        r = try_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        expect(NULL, r == 0, "netlink-route-works", "socket(AF_NETLINK, NETLINK_ROUTE): %s",
               r ? strerror(r) : "created");
        r = try_socket(AF_INET6, SOCK_DGRAM, 0);
        expect(NULL, r == 0, "socket-inet6-works", "socket(AF_INET6): %s", r ? strerror(r) : "created");

        /* What daemons need keeps working: the personality query, PER_LINUX, chroot(2). */
        {
                long p = syscall(SYS_personality, 0xffffffffUL);

                r = p < 0 ? errno : 0;
                expect(NULL, r == 0, "personality-query-works", "personality(0xffffffff): %s",
                       r ? strerror(r) : "answered");
                r = syscall(SYS_personality, (unsigned long) PER_LINUX) < 0 ? errno : 0;
                expect(NULL, r == 0, "personality-linux-works", "personality(PER_LINUX): %s", r ? strerror(r) : "set");
        }
        /* A bad pointer: EFAULT comes from the kernel, past the filter, whatever the capabilities. */
        r = syscall(SYS_chroot, (char *) 1) < 0 ? errno : 0;
        expect(NULL, r == EFAULT, "chroot-allowed", "chroot(bad pointer): %s", r ? strerror(r) : "succeeded");
        if (root) {
                r = chroot("/") < 0 ? errno : 0;
                expect(NULL, r == 0, "chroot-works", "chroot(\"/\"): %s", r ? strerror(r) : "done");
        }
}

/* The supplementary groups, sorted, as "a,b,c". */
static void groups_text(char *text, size_t size) {
        gid_t list[256];
        int n = getgroups((int) ELEMENTS(list), list);
        size_t k = 0;

        text[0] = 0;
        for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                        if (list[j] < list[i]) {
                                gid_t t = list[i];

                                list[i] = list[j];
                                list[j] = t;
                        }
        for (int i = 0; i < n && k < size; i++)
                k += (size_t) snprintf(text + k, size - k, "%s%u", i ? "," : "", list[i]);
}

/* "4,1234,65534" sorted the way groups_text() writes it. */
static void sort_id_list(const char *in, char *text, size_t size) {
        unsigned long ids[256];
        size_t n = 0, k = 0;
        char *end;

        text[0] = 0;
        for (const char *p = in; *p && n < ELEMENTS(ids); p = *end ? end + 1 : end) {
                ids[n++] = strtoul(p, &end, 10);
                if (end == p)
                        break;
        }
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (ids[j] < ids[i]) {
                                unsigned long t = ids[i];

                                ids[i] = ids[j];
                                ids[j] = t;
                        }
        for (size_t i = 0; i < n && k < size; i++)
                k += (size_t) snprintf(text + k, size - k, "%s%lu", i ? "," : "", ids[i]);
}

/* A TCP bind to 0.0.0.0:port: 0 or errno. */
static int try_bind(int port) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        int fd, r;

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return errno;
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ? errno : 0;
        close(fd);
        return r;
}

typedef struct MountsOnly {
        const char *allowed; /* "/,/proc,/dev" */
        char stray[512];
        int n_root; /* mounts at / */
        const char *root;
        bool root_ok;
        char root_dev[32]; /* of the mount at / and its root in that file system */
        char root_root[1024];
} MountsOnly;

static bool mount_point_allowed(const char *point, const char *allowed) {
        for (const char *p = allowed; *p;) {
                size_t k = strcspn(p, ",");

                if (strlen(point) == k && strncmp(point, p, k) == 0)
                        return true;
                if (!(k == 1 && p[0] == '/') && strncmp(point, p, k) == 0 && point[k] == '/')
                        return true;
                p += k;
                if (*p)
                        p++;
        }
        return false;
}

static bool mounts_only_one(const MountLine *m, void *userdata) {
        MountsOnly *q = userdata;

        size_t k = strlen(q->root_root);

        if (strcmp(m->point, "/") == 0) {
                q->n_root++;
                q->root_ok = q->root && strcmp(m->root, q->root) == 0;
                snprintf(q->root_dev, sizeof(q->root_dev), "%s", m->dev);
                snprintf(q->root_root, sizeof(q->root_root), "%s", m->root);
        }
        /* A part of the new root mounted again (ProtectSystem= binds /usr onto itself) is no
         * host mount: same file system, its root below that of /. */
        if (k > 0 && strcmp(m->dev, q->root_dev) == 0 && strncmp(m->root, q->root_root, k) == 0 && m->root[k] == '/')
                return true;
        if (q->allowed && !mount_point_allowed(m->point, q->allowed) &&
            strlen(q->stray) + strlen(m->point) + strlen(m->fstype) + 4 < sizeof(q->stray)) {
                strcat(q->stray, " ");
                strcat(q->stray, m->point);
                strcat(q->stray, "(");
                strcat(q->stray, m->fstype);
                strcat(q->stray, ")");
        }
        return true;
}

/* The errno of an operation, 0 for success. Namespaces in a child: the probe itself stays. */
static int child_errno(int (*f)(const char *), const char *arg) {
        int fds[2], e = EIO, status;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return errno;
        pid = fork();
        if (pid < 0)
                return errno;
        if (pid == 0) {
                int k = f(arg);

                (void) !write(fds[1], &k, sizeof(k));
                _exit(0);
        }
        close(fds[1]);
        switch (read(fds[0], &e, sizeof(e))) {
        case sizeof(e):
                break;
        case 0: /* closed on exec: it ran */
                e = 0;
                break;
        default:
                e = EIO;
        }
        close(fds[0]);
        (void) waitpid(pid, &status, 0);
        return e;
}

static int do_unshare(const char *what) {
        int flags = CLONE_NEWUSER;

        if (strcmp(what, "unshare-user-mnt") == 0)
                flags |= CLONE_NEWNS;
        else if (strcmp(what, "unshare-user-uts") == 0)
                flags |= CLONE_NEWUTS;
        else if (strcmp(what, "unshare-user-net") == 0)
                flags |= CLONE_NEWNET;
        return unshare(flags) < 0 ? errno : 0;
}

static int do_exec(const char *path) {
        char *const argv[] = { (char *) path, NULL };
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

        if (devnull >= 0) {
                dup2(devnull, STDOUT_FILENO);
                dup2(devnull, STDERR_FILENO);
        }
        execve(path, argv, (char *const[]) { NULL });
        return errno;
}

static int op_errno(const char *op, char *detail, size_t size) {
        if (strcmp(op, "mmap-wx") == 0 || strcmp(op, "mmap-w") == 0) {
                int prot = PROT_READ | PROT_WRITE | (op[6] == 'x' ? PROT_EXEC : 0);
                void *m = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                if (m == MAP_FAILED)
                        return errno;
                munmap(m, 4096);
                return 0;
        }
        if (strcmp(op, "mprotect-x") == 0) {
                void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                int e;

                if (m == MAP_FAILED)
                        return errno;
                e = mprotect(m, 4096, PROT_READ | PROT_EXEC) < 0 ? errno : 0;
                munmap(m, 4096);
                return e;
        }
        if (strcmp(op, "shmat-x") == 0) {
                int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), e;
                void *m;

                if (id < 0)
                        return errno;
                m = shmat(id, NULL, SHM_EXEC);
                e = m == (void *) -1 ? errno : 0;
                if (e == 0)
                        shmdt(m);
                shmctl(id, IPC_RMID, NULL);
                return e;
        }
        if (strcmp(op, "sched-fifo0") == 0) {
                /* Priority 0 is invalid for SCHED_FIFO: the kernel answers EINVAL before it asks
                 * for any privilege, the filter EPERM before the kernel looks. */
                struct sched_param sp = { .sched_priority = 0 };

                return sched_setscheduler(0, SCHED_FIFO, &sp) < 0 ? errno : 0;
        }
        if (strcmp(op, "sched-fifo") == 0 || strcmp(op, "sched-other") == 0) {
                bool fifo = op[6] == 'f';
                struct sched_param sp = { .sched_priority = fifo ? 1 : 0 };
                int e = sched_setscheduler(0, fifo ? SCHED_FIFO : SCHED_OTHER, &sp) < 0 ? errno : 0;

                if (e == 0 && fifo) {
                        sp.sched_priority = 0;
                        (void) sched_setscheduler(0, SCHED_OTHER, &sp);
                }
                return e;
        }
        if (strncmp(op, "unshare-user", 12) == 0)
                return child_errno(do_unshare, op);
        if (strcmp(op, "adjtimex-read") == 0) {
                struct timex t = { .modes = 0 };

                return adjtimex(&t) < 0 ? errno : 0;
        }
        if (strcmp(op, "clock-settime") == 0) {
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                return clock_settime(CLOCK_REALTIME, &ts) < 0 ? errno : 0;
        }
        if (strcmp(op, "personality-linux32") == 0) {
                int e = personality(PER_LINUX32) < 0 ? errno : 0;

                if (e == 0)
                        (void) personality(PER_LINUX);
                return e;
        }
        if (strncmp(op, "exec=", 5) == 0)
                return child_errno(do_exec, op + 5);
        if (strcmp(op, "keyring-id") == 0) {
                long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);

                if (id < 0)
                        return errno;
                snprintf(detail, size, " keyring %ld", id);
                return 0;
        }
        return -1;
}

static void named_check(const char *arg) {
        static const struct {
                const char *prefix;
                const char *field;
        } cap_fields[] = {
                { "capbnd", "CapBnd" }, { "capeff", "CapEff" }, { "capprm", "CapPrm" },
                { "capinh", "CapInh" }, { "capamb", "CapAmb" },
        };
        const char *v = strchr(arg, ':');
        char name[256];
        int r;

        if (!v) {
                report(false, arg, "unknown check");
                return;
        }
        v++;
        /* Not snprintf("%s"): gcc's UBSan build sees a null argument there. */
        size_t len = strlen(arg) < sizeof(name) - 1 ? strlen(arg) : sizeof(name) - 1;
        memcpy(name, arg, len);
        name[len] = 0;
        for (size_t i = 0; i < ELEMENTS(cap_fields); i++) {
                size_t k = strlen(cap_fields[i].prefix);
                uint64_t set;
                bool has;

                if (strncmp(arg, cap_fields[i].prefix, k) != 0 || arg[k] != '-')
                        continue;
                if (strncmp(arg + k, "-has:", 5) != 0 && strncmp(arg + k, "-lacks:", 7) != 0)
                        break;
                set = cap_set(cap_fields[i].field);
                has = set & (UINT64_C(1) << atoi(v));
                report(arg[k + 1] == 'h' ? has : !has, name, "%s %016llx", cap_fields[i].field,
                       (unsigned long long) set);
                return;
        }
        if (strncmp(arg, "errno:", 6) == 0) {
                char op[256], detail[64] = "";
                const char *colon = strrchr(v, ':');
                int want = colon ? atoi(colon + 1) : 0;

                snprintf(op, sizeof(op), "%.*s", colon ? (int) (colon - v) : (int) strlen(v), v);
                r = op_errno(op, detail, sizeof(detail));
                if (r < 0)
                        report(false, name, "unknown operation %s", op);
                else
                        report(r == want, name, "%s: %s%s", op, r ? strerror(r) : "succeeded", detail);
                return;
        }
        if (strncmp(arg, "absent:", 7) == 0) {
                r = access(v, F_OK) < 0 ? errno : 0;
                report(r == ENOENT, name, "%s", r ? strerror(r) : "present");
                return;
        }
        if (strncmp(arg, "uid-range:", 10) == 0) {
                unsigned lo = 0, hi = 0;

                sscanf(v, "%u:%u", &lo, &hi);
                report(getuid() >= lo && getuid() <= hi && geteuid() == getuid(), name, "uid %u euid %u", getuid(),
                       geteuid());
                return;
        }
        if (strncmp(arg, "w:", 2) == 0) {
                r = try_write(v);
                report(r == 0, name, "%s", r == 0 ? "writable" : strerror(-r));
        } else if (strncmp(arg, "ro:", 3) == 0) {
                r = try_write(v);
                report(r == -EROFS, name, "%s", r == 0 ? "writable" : strerror(-r));
        } else if (strncmp(arg, "empty:", 6) == 0) {
                char first[256];
                int n = count_entries(v, first, sizeof(first));

                report(n <= 0, name, "%d entries%s%s", n, n > 0 ? ", first " : "", n > 0 ? first : "");
        } else if (strncmp(arg, "exists:", 7) == 0) {
                r = access(v, F_OK) < 0 ? errno : 0;
                report(r == 0, name, "%s", r ? strerror(r) : "present");
        } else if (strncmp(arg, "uid:", 4) == 0) {
                report(getuid() == (uid_t) atoi(v) && geteuid() == (uid_t) atoi(v), name, "uid %u euid %u", getuid(), geteuid());
        } else if (strncmp(arg, "gid:", 4) == 0) {
                report(getgid() == (gid_t) atoi(v), name, "gid %u", getgid());
        } else if (strncmp(arg, "nofile:", 7) == 0) {
                struct rlimit rl;
                unsigned long long soft = 0, hard = 0;

                getrlimit(RLIMIT_NOFILE, &rl);
                sscanf(v, "%llu:%llu", &soft, &hard);
                report(rl.rlim_cur == soft && rl.rlim_max == hard, name, "soft %llu hard %llu",
                       (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max);
        } else if (strncmp(arg, "uname-errno:", 12) == 0) {
                struct utsname u;

                r = uname(&u) < 0 ? errno : 0;
                report(r == atoi(v), name, "uname: %s", r ? strerror(r) : "succeeded");
        } else if (strncmp(arg, "connect:", 8) == 0) {
                r = try_connect(v);
                report(r < 0, name, "%s", r < 0 ? strerror(-r) : "connected");
        } else if (strncmp(arg, "ids:", 4) == 0) {
                /* Real, effective, saved and fs ids, all four: nothing left to switch back to. */
                char want_uid[64], want_gid[64], uids[128], gids[128];
                unsigned u = 0, g = 0;

                sscanf(v, "%u:%u", &u, &g);
                snprintf(want_uid, sizeof(want_uid), "%u\t%u\t%u\t%u", u, u, u, u);
                snprintf(want_gid, sizeof(want_gid), "%u\t%u\t%u\t%u", g, g, g, g);
                snprintf(uids, sizeof(uids), "%s", status_field("Uid"));
                snprintf(gids, sizeof(gids), "%s", status_field("Gid"));
                report(strcmp(uids, want_uid) == 0 && strcmp(gids, want_gid) == 0, name, "Uid: %s Gid: %s", uids, gids);
        } else if (strncmp(arg, "groups:", 7) == 0) {
                char have[1024], want[1024];

                groups_text(have, sizeof(have));
                sort_id_list(v, want, sizeof(want));
                report(strcmp(have, want) == 0, name, "getgroups: %s; Groups: %s", have[0] ? have : "(none)",
                       status_field("Groups"));
        } else if (strncmp(arg, "umask:", 6) == 0) {
                char have[32];

                snprintf(have, sizeof(have), "%s", status_field("Umask"));
                report(strtoul(have, NULL, 8) == strtoul(v, NULL, 8) && have[0], name, "Umask: %s", have);
        } else if (strncmp(arg, "bind-errno:", 11) == 0) {
                int port = atoi(v), want = strchr(v, ':') ? atoi(strchr(v, ':') + 1) : 0;

                r = try_bind(port);
                report(r == want, name, "bind 0.0.0.0:%d: %s", port, r ? strerror(r) : "succeeded");
        } else if (strncmp(arg, "uname-killed:", 13) == 0) {
                /* SystemCallErrorNumber=kill: in a child, as it takes the whole process. */
                char text[64] = "";
                int status = run_child(call_uname, text, sizeof(text));

                report(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, name, "uname in a child: %s",
                       status < 0 ? strerror(-status) : text);
        } else if (strncmp(arg, "env-has:", 8) == 0) {
                const char *eq = strchr(v, '=');
                char key[128];
                const char *have;

                snprintf(key, sizeof(key), "%.*s", eq ? (int) (eq - v) : (int) strlen(v), v);
                have = getenv(key);
                report(have && eq && strcmp(have, eq + 1) == 0, name, "%s=%s", key, have ?: "(unset)");
        } else if (strncmp(arg, "unknown-enosys:", 15) == 0) {
                check_unknown_syscalls(name);
        } else if (strncmp(arg, "arch-killed:", 12) == 0) {
                check_arch(name, v);
        } else if (strncmp(arg, "mount-ro:", 9) == 0 || strncmp(arg, "mount-rw:", 9) == 0) {
                r = mount_flag_ro(v);
                report(r == (arg[7] == 'o'), name, "%s", mount_flag_text(r));
        } else if (strncmp(arg, "mounts-only:", 12) == 0) {
                MountsOnly first = {}, q = { .allowed = v };

                /* First the mount at /, then every mount against it. */
                r = foreach_mount(mounts_only_one, &first);
                if (r == 0) {
                        memcpy(q.root_dev, first.root_dev, sizeof(q.root_dev));
                        memcpy(q.root_root, first.root_root, sizeof(q.root_root));
                        r = foreach_mount(mounts_only_one, &q);
                }
                report(r == 0 && q.stray[0] == 0 && q.n_root == 1, name, "%d mount(s) at /, others:%s",
                       q.n_root, q.stray[0] ? q.stray : " none");
        } else if (strncmp(arg, "root-mount:", 11) == 0) {
                MountsOnly q = { .root = v };

                r = foreach_mount(mounts_only_one, &q);
                report(r == 0 && q.n_root == 1 && q.root_ok, name, "%d mount(s) at /, %s", q.n_root,
                       q.root_ok ? "the one asked for" : "not the one asked for");
        } else if (strncmp(arg, "unreadable:", 11) == 0) {
                char c;
                ssize_t k = -1;
                int fd = open(v, O_RDONLY | O_CLOEXEC);

                if (fd >= 0) {
                        k = read(fd, &c, 1);
                        close(fd);
                }
                report(k <= 0, name, "%s", k > 0 ? "got data" : fd < 0 ? strerror(errno) : "empty");
        } else if (strncmp(arg, "tmpfs:", 6) == 0) {
                /* tmpfs:PATH:SIZE:INODES: SIZE bytes exactly, or N% (at most N% of RAM). */
                char p[256], size[64];
                unsigned long long inodes, total, ram;
                struct statfs sf;
                struct sysinfo si;
                bool ok;

                if (sscanf(v, "%255[^:]:%63[^:]:%llu", p, size, &inodes) != 3 || statfs(p, &sf) < 0 ||
                    sysinfo(&si) < 0) {
                        report(false, name, "cannot tell: %s", strerror(errno));
                        return;
                }
                total = (unsigned long long) sf.f_blocks * (unsigned long long) sf.f_bsize;
                ram = (unsigned long long) si.totalram * si.mem_unit;
                if (size[strlen(size) - 1] == '%')
                        ok = total > 0 &&
                             total <= ram / 100 * strtoull(size, NULL, 10) + (unsigned long long) sf.f_bsize;
                else
                        ok = total == strtoull(size, NULL, 10);
                ok = ok && sf.f_type == TMPFS_MAGIC && (unsigned long long) sf.f_files == inodes;
                report(ok, name, "%s: %s of %llu bytes, %llu bytes of RAM, %llu inodes", p,
                       sf.f_type == TMPFS_MAGIC ? "tmpfs" : "not a tmpfs", total, ram, (unsigned long long) sf.f_files);
        } else
                report(false, name, "unknown check");
}

/* The checks try real escapes (mount over /tmp, umount /proc, sethostname, reboot): outside a
 * sandbox, as root, they would do it to the host. Only under isolate-init as PID 1. */
static bool inside_isolate_init(void) {
        char comm[64] = "";
        FILE *f = fopen("/proc/1/comm", "re");

        if (f) {
                if (!fgets(comm, sizeof(comm), f))
                        comm[0] = 0;
                fclose(f);
        }
        comm[strcspn(comm, "\n")] = 0;
        if (strcmp(comm, "isolate-init") == 0 && getppid() == 1)
                return true;
        return false;
}

/* ProtectProc=invisible as another user: PID 1, our parent, is hidden from us. Only the named
 * checks then (none of the default escapes). */
static bool under_hidden_init(int n_named, bool with_defaults) {
        return n_named > 0 && !with_defaults && getppid() == 1 && access("/proc/1", F_OK) < 0 && errno == ENOENT;
}

int main(int argc, char *argv[]) {
        bool with_defaults = false;
        int n_named = 0;

        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "defaults:") == 0)
                        with_defaults = true;
                else if (strncmp(argv[i], "off:", 4) != 0)
                        n_named++;
        if (!inside_isolate_init() && !under_hidden_init(n_named, with_defaults)) {
                fprintf(stderr, "sandbox-probe: not a service under isolate-init (PID 1 is not isolate-init, parent %d, "
                                "NSpid %s): its checks would try their escapes on this system. Refusing.\n",
                        (int) getppid(), status_field("NSpid"));
                return 1;
        }

        for (int i = 1; i < argc; i++) {
                int k;

                if (strncmp(argv[i], "off:", 4) != 0)
                        continue;
                k = off_key_index(argv[i] + 4);
                if (k < 0)
                        report(false, argv[i], "unknown key");
                else
                        key_off[k] = true;
        }
        if (n_named == 0 || with_defaults)
                default_checks();
        for (int i = 1; i < argc; i++)
                if (strncmp(argv[i], "off:", 4) != 0 && strcmp(argv[i], "defaults:") != 0)
                        named_check(argv[i]);
        printf("PROBE-END %d failed\n", failed);
        fflush(stdout);
        /* Alive until stopped: journald attributes a line to a unit only while its writer lives. */
        for (;;)
                pause();
}
