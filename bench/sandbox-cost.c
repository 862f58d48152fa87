/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the sandbox adds to a service start, timed in-process with the init's own
 * code: in a fresh child made PID 1 of new PID, mount, UTS and IPC namespaces
 * (propagation private and a fresh /proc, as isolate-init has them before its
 * sandbox step; untimed), the time of
 *
 *   mounts   sandbox_mount_apply()                the file system view
 *   prepare  sandbox_process_prepare()            User= lookup, the seccomp filter read from the
 *                                                 memfd the daemon built it into once (seccomp-cache.c)
 *   creds    sandbox_process_apply_credentials()  rlimits, user, capabilities, no_new_privs
 *   seccomp  sandbox_process_apply_seccomp()      the filter compiled to BPF and loaded
 *   total    all four, wall clock
 *   cpu      all four, the child's CPU time (user and system): what other work on a loaded
 *            machine does not inflate, as it does the wall clock
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox-mount.h"
#include "sandbox-options.h"
#include "sandbox-process.h"
#include "seccomp-filter.h"

#define WARMUP 5

enum { PHASE_MOUNTS, PHASE_PREPARE, PHASE_CREDENTIALS, PHASE_SECCOMP, PHASE_TOTAL, PHASE_CPU, _PHASE_MAX };
static const char *const phase_names[_PHASE_MAX] = { "mounts", "prepare", "creds", "seccomp", "total", "cpu" };

typedef struct Variant {
        const char *name;
        const char *const *keys; /* KEY, VALUE, ..., NULL */
        SandboxOptions options;
        int filter_fd; /* the seccomp filter, built once as the daemon does (seccomp-cache.c) */
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
        "Isolate.ReadOnlyHost", "no", "Isolate.HideHome", "no", "Isolate.HostTmp", "yes", "Isolate.HostDevices", "yes",
        "Isolate.KernelTunables", "yes", "Isolate.ControlGroups", "yes", "Isolate.NewPrivileges", "yes",
        "Isolate.KernelLogs", "yes", "Isolate.SUIDSGIDFiles", "yes", "Isolate.Personality", "yes",
        "Isolate.AllowCapabilities",
        "CAP_SYS_ADMIN CAP_SYS_MODULE CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_BOOT CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_BPF "
        "CAP_PERFMON CAP_SYS_TIME CAP_MKNOD CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_SYSLOG CAP_IPC_LOCK "
        "CAP_LINUX_IMMUTABLE CAP_SETFCAP CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE",
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
static _Noreturn void child(const SandboxOptions *o, int filter_fd, ino_t caller_mntns, int fd) {
        struct sock_fprog *prog = NULL;
        SandboxProcess p = {};
        char *error = NULL;
        double t[_PHASE_MAX], t0, t1, t2, t3, t4, c0;

        /* Never a mount in the caller's namespace. */
        if (mount_ns_inode() == 0 || mount_ns_inode() == caller_mntns)
                _exit(10);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                _exit(11);
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                _exit(12);

        c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
        t0 = now_us();
        /* No host mounts handed in: the tree of the HostRoot=yes path. The user namespace and the
         * idmapped copies of the default are measured per start at the service level
         * (bench/inside.sh, iso_cost_*). */
        if (sandbox_mount_apply(o, NULL, NULL, 0, &error) < 0) {
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

        t[PHASE_MOUNTS] = t1 - t0;
        t[PHASE_PREPARE] = t2 - t1;
        t[PHASE_CREDENTIALS] = t3 - t2;
        t[PHASE_SECCOMP] = t4 - t3;
        t[PHASE_TOTAL] = t4 - t0;
        t[PHASE_CPU] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
        _exit(write(fd, t, sizeof(t)) == (ssize_t) sizeof(t) ? 0 : 17);
}

static int run_once(Variant *v, ino_t caller_mntns, bool keep) {
        double t[_PHASE_MAX];
        int fds[2], status;
        ssize_t k;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        /* fork() into new namespaces: the child is PID 1 of its PID namespace, as the init is. */
        pid = (pid_t) syscall(SYS_clone, SIGCHLD | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC, NULL,
                              NULL, NULL, 0);
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return -errno;
        }
        if (pid == 0) {
                close(fds[0]);
                child(&v->options, v->filter_fd, caller_mntns, fds[1]);
        }
        close(fds[1]);
        k = read(fds[0], t, sizeof(t));
        close(fds[0]);
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

        printf("Sandbox work per start, microseconds, %d interleaved runs each (in-process, CLOCK_MONOTONIC)\n", runs);
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
