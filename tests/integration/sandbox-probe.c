/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs as a service's main process and tries each way out of the sandbox,
 * printing one line per check: "PASS name detail" or "FAIL name detail", then
 * "PROBE-END" and waits (so the journal can attribute its lines) until killed.
 *
 *   sandbox-probe                 the checks of the default sandbox
 *   sandbox-probe CHECK...        only these: w:PATH (writable), ro:PATH (read-only),
 *                                 empty:PATH (absent or empty), exists:PATH, uid:N, gid:N,
 *                                 nofile:SOFT:HARD, capbnd-has:N, capbnd-lacks:N,
 *                                 uname-errno:N, seccomp:N, connect:PATH (must fail)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
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
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

static int failed;

static void report(bool ok, const char *name, const char *fmt, ...) {
        va_list ap;

        printf("%s %s ", ok ? "PASS" : "FAIL", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
        if (!ok)
                failed++;
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

static bool is_read_only(const char *path) {
        struct statvfs sv;

        return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
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

static uint64_t cap_bounding(void) {
        return strtoull(status_field("CapBnd"), NULL, 16);
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

static void default_checks(void) {
        static const struct { int cap; const char *name; } denied[] = {
                { 21, "CAP_SYS_ADMIN" }, { 16, "CAP_SYS_MODULE" }, { 19, "CAP_SYS_PTRACE" }, { 17, "CAP_SYS_RAWIO" },
                { 22, "CAP_SYS_BOOT" }, { 33, "CAP_MAC_ADMIN" }, { 32, "CAP_MAC_OVERRIDE" }, { 39, "CAP_BPF" },
                { 38, "CAP_PERFMON" }, { 25, "CAP_SYS_TIME" }, { 27, "CAP_MKNOD" }, { 12, "CAP_NET_ADMIN" },
                { 2, "CAP_DAC_READ_SEARCH" },
        };
        static const char *const dev_allowed[] = { "null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx",
                                                   "shm", "mqueue", "fd", "stdin", "stdout", "stderr" };
        char first[256], buf[64], line[512];
        struct stat st;
        uint64_t bnd;
        int fd, r, n;
        FILE *f;

        fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
        r = fd < 0 ? errno : 0;
        if (fd >= 0) {
                r = write(fd, "escaped", 7) < 0 ? errno : 0;
                close(fd);
        }
        report(r != 0, "proc-sys-read-only", "write /proc/sys/kernel/hostname: %s", r ? strerror(r) : "succeeded");

        fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
        report(fd < 0, "proc-sysrq-read-only", "%s", fd < 0 ? strerror(errno) : "opened for writing");
        if (fd >= 0)
                close(fd);

        {
                static const char *const dirs[] = { "/usr", "/etc", "/boot" };

                for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                        if (access(dirs[i], F_OK) < 0)
                                continue;
                        r = try_write(dirs[i]);
                        snprintf(line, sizeof(line), "%s-read-only", dirs[i] + 1);
                        report(r < 0, line, "create in %s: %s", dirs[i], r < 0 ? strerror(-r) : "succeeded");
                }
        }

        {
                static const char *const dirs[] = { "/tmp", "/var/tmp" };

                for (size_t i = 0; i < 2; i++) {
                        n = count_entries(dirs[i], first, sizeof(first));
                        r = try_write(dirs[i]);
                        snprintf(line, sizeof(line), "%s-private", dirs[i] + 1);
                        report(n == 0 && r == 0, line, "%d entries%s%s, writable: %s", n, n > 0 ? ", first " : "",
                               n > 0 ? first : "", r == 0 ? "yes" : strerror(-r));
                }
        }

        r = access("/run/dbus/system_bus_socket", F_OK) < 0 ? errno : 0;
        report(r == ENOENT, "run-no-bus-socket", "/run/dbus/system_bus_socket: %s", r ? strerror(r) : "exists");
        r = try_connect("/run/systemd/private");
        report(r < 0, "run-no-systemd-private", "connect /run/systemd/private: %s", r < 0 ? strerror(-r) : "connected");
        r = try_connect("/run/systemd/journal/stdout");
        report(r < 0, "run-no-journal-socket", "connect /run/systemd/journal/stdout: %s", r < 0 ? strerror(-r) : "connected");
        n = count_entries("/run", first, sizeof(first));
        report(n == 0, "run-empty", "%d entries%s%s", n, n > 0 ? ", first " : "", n > 0 ? first : "");

        {
                DIR *d = opendir("/dev");
                struct dirent *de;
                char extra[1024] = "";

                while (d && (de = readdir(d))) {
                        bool ok = de->d_name[0] == '.';

                        for (size_t i = 0; !ok && i < sizeof(dev_allowed) / sizeof(dev_allowed[0]); i++)
                                ok = strcmp(de->d_name, dev_allowed[i]) == 0;
                        if (!ok && strlen(extra) + strlen(de->d_name) + 2 < sizeof(extra)) {
                                strcat(extra, " ");
                                strcat(extra, de->d_name);
                        }
                }
                if (d)
                        closedir(d);
                report(d && extra[0] == 0, "dev-minimal", "unexpected:%s", extra[0] ? extra : " none");
        }
        report(stat("/dev/pts/ptmx", &st) == 0 && access("/dev/null", W_OK) == 0, "dev-pts-own-ptmx", "/dev/pts/ptmx and /dev/null usable");
        fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        report(fd >= 0, "dev-ptmx-works", "%s", fd >= 0 ? "opened" : strerror(errno));
        if (fd >= 0)
                close(fd);

        r = mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0 ? errno : 0;
        report(r != 0, "mount-denied", "mount: %s", r ? strerror(r) : "succeeded");
        r = umount2("/proc", MNT_DETACH) < 0 ? errno : 0;
        report(r != 0, "umount-denied", "umount2 /proc: %s", r ? strerror(r) : "succeeded");
        r = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
        report(r != 0, "unshare-user-denied", "unshare(CLONE_NEWUSER): %s", r ? strerror(r) : "succeeded");
        r = unshare(CLONE_NEWNS) < 0 ? errno : 0;
        report(r != 0, "unshare-mount-denied", "unshare(CLONE_NEWNS): %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_clone3, NULL, 0) < 0 ? errno : 0;
        report(r == ENOSYS, "clone3-enosys", "clone3: %s", r ? strerror(r) : "succeeded");
        r = ptrace(PTRACE_ATTACH, 1, NULL, NULL) < 0 ? errno : 0;
        report(r != 0, "ptrace-denied", "ptrace(ATTACH, 1): %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1) < 0 ? errno : 0;
        report(r != 0, "keyctl-denied", "keyctl: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_PROCESS_KEYRING) < 0 ? errno : 0;
        report(r != 0, "add-key-denied", "add_key: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_bpf, 0, NULL, 0) < 0 ? errno : 0;
        report(r == EPERM, "bpf-denied", "bpf: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0) < 0 ? errno : 0;
        report(r == EPERM, "perf-denied", "perf_event_open: %s", r ? strerror(r) : "succeeded");
        fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        r = ioctl(fd >= 0 ? fd : 0, TIOCSTI, "x") < 0 ? errno : 0;
        /* EPERM from the filter; without it stdin (/dev/null) would answer ENOTTY. */
        report(r == EPERM, "tiocsti-denied", "ioctl(TIOCSTI): %s", r ? strerror(r) : "succeeded");
        if (fd >= 0)
                close(fd);
        r = personality(PER_LINUX | READ_IMPLIES_EXEC) < 0 ? errno : 0;
        report(r != 0, "personality-denied", "personality(READ_IMPLIES_EXEC): %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL) < 0 ? errno : 0;
        report(r != 0, "reboot-denied", "reboot: %s", r ? strerror(r) : "succeeded");
        r = syscall(SYS_settimeofday, NULL, NULL) < 0 ? errno : 0;
        report(r == EPERM, "clock-denied", "settimeofday: %s", r ? strerror(r) : "succeeded");

        bnd = cap_bounding();
        line[0] = 0;
        for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
                if (bnd & (UINT64_C(1) << denied[i].cap)) {
                        strcat(line, " ");
                        strcat(line, denied[i].name);
                }
        report(line[0] == 0 && bnd != 0, "capbnd-without-contract-caps", "CapBnd %016llx, still has:%s",
               (unsigned long long) bnd, line[0] ? line : " none");
        snprintf(buf, sizeof(buf), "%s", status_field("NoNewPrivs"));
        report(strcmp(buf, "1") == 0, "no-new-privs", "NoNewPrivs: %s", buf);
        snprintf(buf, sizeof(buf), "%s", status_field("Seccomp"));
        report(strcmp(buf, "2") == 0, "seccomp-filter", "Seccomp: %s", buf);

        report(is_read_only("/sys"), "sys-read-only", "/sys %s", is_read_only("/sys") ? "ro" : "rw");
        r = try_write("/sys/fs/cgroup");
        report(is_read_only("/sys/fs/cgroup") && r < 0, "sys-fs-cgroup-read-only", "/sys/fs/cgroup %s, create: %s",
               is_read_only("/sys/fs/cgroup") ? "ro" : "rw", r < 0 ? strerror(-r) : "succeeded");

        {
                static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug" };

                for (size_t i = 0; i < 4; i++) {
                        char c;
                        ssize_t k = -1;

                        fd = open(masked[i], O_RDONLY | O_CLOEXEC);
                        if (fd >= 0) {
                                k = read(fd, &c, 1);
                                close(fd);
                        }
                        snprintf(line, sizeof(line), "%s-masked", masked[i] + 6);
                        report(k <= 0, line, "read %s: %s", masked[i], k > 0 ? "got data" : fd < 0 ? "cannot open" : "empty");
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
        report(r, "cgroup-namespace-root", "%s", r ? "every hierarchy at /" : line);

        n = 0;
        f = fopen("/proc/sysvipc/shm", "re");
        while (f && fgets(line, sizeof(line), f))
                n++;
        if (f)
                fclose(f);
        report(n <= 1, "sysv-shm-private", "%d segments visible", n > 0 ? n - 1 : 0);
        r = try_connect("@isolated-probe-host");
        report(r < 0, "host-abstract-socket-invisible", "connect @isolated-probe-host: %s", r < 0 ? strerror(-r) : "connected");
}

static void named_check(const char *arg) {
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
        } else if (strncmp(arg, "capbnd-has:", 11) == 0) {
                report(cap_bounding() & (UINT64_C(1) << atoi(v)), name, "CapBnd %016llx", (unsigned long long) cap_bounding());
        } else if (strncmp(arg, "capbnd-lacks:", 13) == 0) {
                report(!(cap_bounding() & (UINT64_C(1) << atoi(v))), name, "CapBnd %016llx",
                       (unsigned long long) cap_bounding());
        } else if (strncmp(arg, "uname-errno:", 12) == 0) {
                struct utsname u;

                r = uname(&u) < 0 ? errno : 0;
                report(r == atoi(v), name, "uname: %s", r ? strerror(r) : "succeeded");
        } else if (strncmp(arg, "connect:", 8) == 0) {
                r = try_connect(v);
                report(r < 0, name, "%s", r < 0 ? strerror(-r) : "connected");
        } else
                report(false, name, "unknown check");
}

int main(int argc, char *argv[]) {
        if (argc <= 1)
                default_checks();
        for (int i = 1; i < argc; i++)
                named_check(argv[i]);
        printf("PROBE-END %d failed\n", failed);
        fflush(stdout);
        /* Alive until stopped: journald attributes a line to a unit only while its writer lives. */
        for (;;)
                pause();
}
