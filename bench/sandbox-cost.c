/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the sandbox adds to a service start, timed in-process with the init's own
 * code: in a fresh child made PID 1 of new PID, mount, UTS and IPC namespaces
 * (propagation private and a fresh /proc, as isolate-init has them before its
 * sandbox step; untimed), and for a description with a user namespace (the default; not
 * with [Isolate] HostRoot=yes) in a new user namespace too, mapped as the daemon maps it, the
 * time of
 *
 *   userns   the daemon's side (src/isolated/spawn.c, service.c send_mounts_message()):
 *            uid_map and gid_map written, the namespace opened, the host's mounts cloned
 *            and idmapped to it (host_mounts_clone(), src/isolated/host-mounts.c) and sent
 *            to the child with their paths (SCM_RIGHTS), the copies closed;
 *            0 without a user namespace
 *   mounts   sandbox_mount_apply()                the file system view (with a user namespace:
 *                                                 the root built from the idmapped mounts)
 *   prepare  sandbox_process_prepare()            User= lookup, the seccomp filter read from the
 *                                                 memfd the daemon built it into once (seccomp-cache.c)
 *   creds    sandbox_process_apply_credentials()  rlimits, user, capabilities, no_new_privs
 *   seccomp  sandbox_process_apply_seccomp()      the filter compiled to BPF and loaded
 *   total    all five, wall clock
 *   cpu      all five, CPU time (user and system; the parent's for userns, the child's for the
 *            rest): what other work on a loaded machine does not inflate, as it does the wall clock
 *
 * Not timed, in neither variant: creating the namespaces (clone), which the kernel does for
 * the daemon's clone3() as well; with a user namespace the daemon's extra short-lived process
 * that becomes the range's first ID is not reproduced (one fork and exit, ~0.1-0.2 ms).
 *
 * for the default description and for a permissive one (every key the contract lets
 * a description turn off, off), interleaved run by run (the order alternating), a
 * few warm-up runs discarded. End-to-end start latency on a loaded machine is
 * too noisy to see a millisecond in; these are the steps the sandbox adds.
 *
 *   sandbox-cost [RUNS [KEY=VALUE...]]   (default 300 runs per description; prints a table and one
 *                                        JSON line; with KEY=VALUE, the second description is the
 *                                        default with those keys instead of the permissive one)
 *
 * As root. Everything happens inside the child's own namespaces: the child checks
 * that its mount namespace is not the caller's before it mounts anything. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host-mounts.h"
#include "sandbox-mount.h"
#include "sandbox-options.h"
#include "sandbox-process.h"
#include "seccomp-filter.h"

#define WARMUP 5
/* The user namespace's host range: the last slot of the daemon's (uid-range.c), unlikely to be in use. */
#define BENCH_UID_BASE 0x6FFE0000U
#define BENCH_UID_RANGE 65536U
#define MOUNTS_TEXT_MAX (HOST_MOUNTS_MAX * 256)

enum { PHASE_USERNS, PHASE_MOUNTS, PHASE_PREPARE, PHASE_CREDENTIALS, PHASE_SECCOMP, PHASE_TOTAL, PHASE_CPU, _PHASE_MAX };
static const char *const phase_names[_PHASE_MAX] = { "userns", "mounts", "prepare", "creds", "seccomp", "total", "cpu" };

typedef struct Variant {
        const char *name;
        const char *const *keys; /* KEY, VALUE, ..., NULL */
        SandboxOptions options;
        int filter_fd; /* the seccomp filter, built once as the daemon does (seccomp-cache.c) */
        bool userns;   /* not [Isolate] HostRoot=yes: a user namespace and the host's mounts idmapped */
        double *samples[_PHASE_MAX]; /* microseconds */
        int n;
} Variant;

static const char *const default_keys[] = { NULL };
/* The contract's permissive end: every sandboxing key that can be turned off, off, and every
 * capability kept. SystemCallFilter= empty still leaves the default deny list. */
static const char *const permissive_keys[] = {
        "PrivateTmp", "no", "PrivateDevices", "no", "ProtectSystem", "no", "ProtectHome", "no",
        "ProtectKernelTunables", "no", "ProtectKernelModules", "no", "ProtectControlGroups", "no",
        "NoNewPrivileges", "no", "SystemCallFilter", "",
        "CapabilityBoundingSet",
        "CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID "
        "CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW "
        "CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT "
        "CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD "
        "CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG "
        "CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE",
        "ProtectKernelLogs", "no", "RestrictSUIDSGID", "no", "LockPersonality", "no",
        /* Only the [Isolate] opt-outs let the keys above loosen the defaults. */
        "Isolate.HostRoot", "yes", "Isolate.PasswordHashes", "yes", "Isolate.ReadOnlyHost", "no", "Isolate.HideHome", "no", "Isolate.HostTmp", "yes", "Isolate.HostDevices", "yes",
        "Isolate.KernelTunables", "yes", "Isolate.ControlGroups", "yes", "Isolate.NewPrivileges", "yes",
        "Isolate.KernelLogs", "yes", "Isolate.SUIDSGIDFiles", "yes", "Isolate.Personality", "yes",
        "Isolate.AllowCapabilities",
        "CAP_SYS_ADMIN CAP_SYS_MODULE CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_BOOT CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_BPF "
        "CAP_PERFMON CAP_SYS_TIME CAP_MKNOD CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_SYSLOG CAP_IPC_LOCK "
        "CAP_LINUX_IMMUTABLE CAP_SETFCAP CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_SYS_RESOURCE",
        NULL,
};

static double clock_us(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static double now_us(void) {
        return clock_us(CLOCK_MONOTONIC);
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

static ino_t mount_ns_inode(void) {
        struct stat st;

        return stat("/proc/self/ns/mnt", &st) < 0 ? 0 : st.st_ino;
}

/* In the child, PID 1 of its new namespaces: the init's state before its sandbox step, then
 * the timed steps. Writes the phase times to fd. Never returns. */
/* The MOUNTS message of the daemon: "path\n..." and one fd per path. Returns the count or -1. */
static int receive_mounts(int sock, char ***ret_paths, int **ret_fds) {
        static char text[MOUNTS_TEXT_MAX + 1];
        static char cbuf[CMSG_SPACE(HOST_MOUNTS_MAX * sizeof(int))];
        struct iovec iov = { .iov_base = text, .iov_len = MOUNTS_TEXT_MAX };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *c;
        char **paths;
        int *fds, n = 0;
        ssize_t k;

        k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (k < 0)
                return -1;
        text[k] = 0;
        c = CMSG_FIRSTHDR(&mh);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -1;
        n = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        paths = calloc((size_t) n + 1, sizeof(char *));
        fds = calloc((size_t) n + 1, sizeof(int));
        if (!paths || !fds)
                return -1;
        memcpy(fds, CMSG_DATA(c), (size_t) n * sizeof(int));
        for (int i = 0; i < n; i++) {
                char *nl = strchr(i == 0 ? text : paths[i - 1] + strlen(paths[i - 1]) + 1, '\n');

                if (!nl)
                        return -1;
                *nl = 0;
                paths[i] = i == 0 ? text : paths[i - 1] + strlen(paths[i - 1]) + 1;
        }
        *ret_paths = paths;
        *ret_fds = fds;
        return n;
}

static _Noreturn void child(const SandboxOptions *o, int filter_fd, ino_t caller_mntns, int fd, int sock) {
        struct sock_fprog *prog = NULL;
        SandboxProcess p = {};
        char *error = NULL, **mount_paths = NULL;
        int *mount_fds = NULL, n_mounts = 0;
        double t[_PHASE_MAX], t0, t1, t2, t3, t4, c0;

        /* Never a mount in the caller's namespace. */
        if (mount_ns_inode() == 0 || mount_ns_inode() == caller_mntns)
                _exit(10);
        if (sock >= 0) {
                /* Root of the user namespace once it is mapped, as the init is from its start; then
                 * the host's mounts from the parent (the daemon's part, timed there). */
                n_mounts = receive_mounts(sock, &mount_paths, &mount_fds);
                if (n_mounts < 0)
                        _exit(19);
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        _exit(20);
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                _exit(11);
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                _exit(12);

        c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
        t0 = now_us();
        if (sandbox_mount_apply(o, mount_paths, mount_fds, (size_t) n_mounts, &error) < 0) {
                fprintf(stderr, "sandbox-cost: %s\n", error ?: "sandbox_mount_apply failed");
                _exit(13);
        }
        t1 = now_us();
        /* As the init does: the daemon's program read from its memfd, not built. */
        if (seccomp_filter_from_fd(filter_fd, &prog) < 0)
                _exit(18);
        if (sandbox_process_prepare(o, prog, &p, &error) < 0) {
                fprintf(stderr, "sandbox-cost: %s\n", error ?: "sandbox_process_prepare failed");
                _exit(14);
        }
        t2 = now_us();
        if (sandbox_process_apply_credentials(&p) < 0)
                _exit(15);
        t3 = now_us();
        if (sandbox_process_apply_seccomp(&p) < 0)
                _exit(16);
        t4 = now_us();

        t[PHASE_USERNS] = 0; /* the parent's */
        t[PHASE_MOUNTS] = t1 - t0;
        t[PHASE_PREPARE] = t2 - t1;
        t[PHASE_CREDENTIALS] = t3 - t2;
        t[PHASE_SECCOMP] = t4 - t3;
        t[PHASE_TOTAL] = t4 - t0;
        t[PHASE_CPU] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
        _exit(write(fd, t, sizeof(t)) == (ssize_t) sizeof(t) ? 0 : 17);
}

static int write_id_map(pid_t pid, const char *file) {
        char path[64], map[64];
        int fd, n, r = 0;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        n = snprintf(map, sizeof(map), "0 %u %u\n", BENCH_UID_BASE, BENCH_UID_RANGE);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, map, (size_t) n) != n)
                r = -errno;
        close(fd);
        return r;
}

/* The daemon's side for a child in a new user namespace: map it, clone the host's mounts
 * idmapped to it, send them; returns once the child has them. */
static int daemon_side(pid_t pid, int sock) {
        HostMounts m = {};
        static char text[MOUNTS_TEXT_MAX];
        static char cbuf[CMSG_SPACE(HOST_MOUNTS_MAX * sizeof(int))];
        char path[64];
        size_t len = 0;
        int userns_fd, r;

        r = write_id_map(pid, "uid_map");
        if (r >= 0)
                r = write_id_map(pid, "gid_map");
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
        userns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (userns_fd < 0)
                return -errno;
        r = host_mounts_clone(userns_fd, &m);
        close(userns_fd);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m.n && r >= 0; i++) {
                size_t l = strlen(m.mounts[i].path);

                if (len + l + 1 > sizeof(text))
                        r = -E2BIG;
                else {
                        memcpy(text + len, m.mounts[i].path, l);
                        text[len + l] = '\n';
                        len += l + 1;
                }
        }
        if (r >= 0) {
                struct iovec iov = { .iov_base = text, .iov_len = len };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                                     .msg_controllen = CMSG_SPACE(m.n * sizeof(int)) };
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(m.n * sizeof(int));
                for (size_t i = 0; i < m.n; i++)
                        memcpy(CMSG_DATA(c) + i * sizeof(int), &m.mounts[i].fd, sizeof(int));
                if (m.n == 0 || sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                        r = m.n == 0 ? -ENOENT : -errno;
        }
        host_mounts_done(&m); /* as the daemon's _cleanup_ does, before it goes on */
        return r;
}

static int run_once(Variant *v, ino_t caller_mntns, bool keep) {
        double t[_PHASE_MAX], u0 = 0, u1 = 0, uc0 = 0, uc1 = 0;
        int fds[2], pair[2] = { -1, -1 }, status, r = 0;
        unsigned long flags = SIGCHLD | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
        ssize_t k;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        if (v->userns) {
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                        return -errno;
                flags |= CLONE_NEWUSER;
        }
        /* fork() into new namespaces: the child is PID 1 of its PID namespace, as the init is. */
        pid = (pid_t) syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return -errno;
        }
        if (pid == 0) {
                close(fds[0]);
                if (pair[0] >= 0)
                        close(pair[0]);
                child(&v->options, v->filter_fd, caller_mntns, fds[1], pair[1]);
        }
        close(fds[1]);
        if (v->userns) {
                close(pair[1]);
                uc0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
                u0 = now_us();
                r = daemon_side(pid, pair[0]);
                u1 = now_us();
                uc1 = clock_us(CLOCK_THREAD_CPUTIME_ID);
                close(pair[0]);
                if (r < 0) {
                        fprintf(stderr, "sandbox-cost: %s: the user namespace's set-up failed: %s\n", v->name, strerror(-r));
                        kill(pid, SIGKILL);
                }
        }
        k = read(fds[0], t, sizeof(t));
        close(fds[0]);
        t[PHASE_USERNS] = u1 - u0;
        t[PHASE_TOTAL] += u1 - u0;
        t[PHASE_CPU] += uc1 - uc0;
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || k != (ssize_t) sizeof(t)) {
                fprintf(stderr, "sandbox-cost: %s: child ended with status %d\n", v->name,
                        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                return -EIO;
        }
        if (keep) {
                for (int i = 0; i < _PHASE_MAX; i++)
                        v->samples[i][v->n] = t[i];
                v->n++;
        }
        return 0;
}

static double percentile(const double *sorted, int n, int pct) {
        return sorted[(n - 1) * pct / 100];
}

int main(int argc, char *argv[]) {
        Variant variants[] = {
                { .name = "default", .keys = default_keys },
                { .name = "permissive", .keys = permissive_keys },
        };
        int runs = argc > 1 ? atoi(argv[1]) : 300;
        ino_t mntns = mount_ns_inode();
        char **custom = NULL;

        if (runs < 1 || mntns == 0) {
                fprintf(stderr, "usage: sandbox-cost [RUNS [KEY=VALUE...]] (as root, with /proc)\n");
                return 2;
        }
        /* KEY=VALUE...: the default against the default with these keys, to see what one key costs. */
        if (argc > 2) {
                custom = calloc((size_t) (argc - 2) * 2 + 1, sizeof(char *));
                if (!custom)
                        return 1;
                for (int i = 2; i < argc; i++) {
                        char *eq = strchr(argv[i], '=');

                        if (!eq) {
                                fprintf(stderr, "sandbox-cost: %s: not KEY=VALUE\n", argv[i]);
                                return 2;
                        }
                        *eq = 0;
                        custom[(i - 2) * 2] = argv[i];
                        custom[(i - 2) * 2 + 1] = eq + 1;
                }
                variants[1] = (Variant) { .name = "custom", .keys = (const char *const *) custom };
        }
        for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
                Variant *v = &variants[i];

                sandbox_options_init(&v->options);
                for (const char *const *k = v->keys; *k; k += 2) {
                        char *notice = NULL, *error = NULL;

                        bool isolate = strncmp(k[0], "Isolate.", 8) == 0;

                        if ((isolate ? sandbox_options_parse_isolate(&v->options, k[0] + 8, k[1], &notice, &error)
                                     : sandbox_options_parse(&v->options, k[0], k[1], &notice, &error)) < 0) {
                                fprintf(stderr, "sandbox-cost: %s=%s: %s\n", k[0], k[1], error ?: "invalid");
                                return 1;
                        }
                        free(notice);
                }
                if (sandbox_options_finalize(&v->options) < 0)
                        return 1;
                v->userns = !v->options.host_root;
                {
                        struct sock_fprog *prog = NULL;

                        if (seccomp_filter_build(&v->options, &prog) < 0 ||
                            seccomp_filter_to_memfd(prog, &v->filter_fd) < 0) {
                                fprintf(stderr, "sandbox-cost: %s: cannot build the seccomp filter\n", v->name);
                                return 1;
                        }
                        free(prog);
                }
                for (int p = 0; p < _PHASE_MAX; p++) {
                        v->samples[p] = calloc((size_t) runs, sizeof(double));
                        if (!v->samples[p])
                                return 1;
                }
        }

        for (int r = 0; r < WARMUP + runs; r++)
                for (int j = 0; j < 2; j++) {
                        /* Alternate which goes first, so drift hits both alike. */
                        Variant *v = &variants[(r + j) % 2];

                        if (run_once(v, mntns, r >= WARMUP) < 0)
                                return 1;
                }

        /* Run r of both ran back to back: the median of the per-run differences cancels drift. */
        double *diff = calloc((size_t) runs, sizeof(double)), *cpu_diff = calloc((size_t) runs, sizeof(double));

        if (!diff || !cpu_diff)
                return 1;
        for (int r = 0; r < runs; r++) {
                diff[r] = variants[0].samples[PHASE_TOTAL][r] - variants[1].samples[PHASE_TOTAL][r];
                cpu_diff[r] = variants[0].samples[PHASE_CPU][r] - variants[1].samples[PHASE_CPU][r];
        }
        qsort(diff, (size_t) runs, sizeof(double), cmp);
        qsort(cpu_diff, (size_t) runs, sizeof(double), cmp);

        printf("Sandbox work per start, microseconds, %d interleaved runs each (in-process, CLOCK_MONOTONIC;"
               " userns: %s, %s)\n", runs, variants[0].userns ? "yes" : "no", variants[1].userns ? "yes" : "no");
        printf("  %-12s %-8s %9s %9s %9s %9s %9s\n", "description", "phase", "median", "p10", "p90", "min", "max");
        for (size_t i = 0; i < 2; i++) {
                Variant *v = &variants[i];

                for (int p = 0; p < _PHASE_MAX; p++) {
                        double *s = v->samples[p];

                        qsort(s, (size_t) v->n, sizeof(double), cmp);
                        printf("  %-12s %-8s %9.1f %9.1f %9.1f %9.1f %9.1f\n", v->name, phase_names[p],
                               percentile(s, v->n, 50), percentile(s, v->n, 10), percentile(s, v->n, 90), s[0],
                               s[v->n - 1]);
                }
        }
        printf("  default - %s, total, paired per run: median %.1f, p10 %.1f, p90 %.1f\n", variants[1].name,
               percentile(diff, runs, 50), percentile(diff, runs, 10), percentile(diff, runs, 90));
        printf("  default - %s, cpu, paired per run:   median %.1f, p10 %.1f, p90 %.1f\n", variants[1].name,
               percentile(cpu_diff, runs, 50), percentile(cpu_diff, runs, 10), percentile(cpu_diff, runs, 90));
        printf("{\"bench\":\"sandbox-cost\",\"runs\":%d,\"paired_diff_median_us\":%.1f,\"paired_diff_p90_us\":%.1f", runs,
               percentile(diff, runs, 50), percentile(diff, runs, 90));
        for (size_t i = 0; i < 2; i++)
                for (int p = 0; p < _PHASE_MAX; p++)
                        printf(",\"%s_%s_median_us\":%.1f,\"%s_%s_p90_us\":%.1f", variants[i].name, phase_names[p],
                               percentile(variants[i].samples[p], variants[i].n, 50), variants[i].name,
                               phase_names[p], percentile(variants[i].samples[p], variants[i].n, 90));
        printf("}\n");

        free(diff);
        free(cpu_diff);
        free(custom);
        for (size_t i = 0; i < 2; i++) {
                sandbox_options_done(&variants[i].options);
                for (int p = 0; p < _PHASE_MAX; p++)
                        free(variants[i].samples[p]);
        }
        return 0;
}
