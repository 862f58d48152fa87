/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env-file.h"
#include "learn.h"
#include "log.h"
#include "sandbox-process.h"
#include "spawn.h"
#include "string-util.h"
#include "strv.h"

/* Where the child was when it failed, sent with errno over the exec pipe. */
typedef enum SpawnStage {
        SPAWN_STAGE_SIGNALS,
        SPAWN_STAGE_SESSION,
        SPAWN_STAGE_STDIO,        /* detail: the fd */
        SPAWN_STAGE_LIMITS,       /* detail: the resource */
        SPAWN_STAGE_ATTRIBUTES,   /* detail: SpawnAttribute */
        SPAWN_STAGE_CREDENTIALS,
        SPAWN_STAGE_CHDIR,
        SPAWN_STAGE_LISTEN_FDS,
        SPAWN_STAGE_SECCOMP,
        SPAWN_STAGE_EXEC,
        _SPAWN_STAGE_MAX,
} SpawnStage;

/* Which process attribute failed, for SPAWN_STAGE_ATTRIBUTES. */
typedef enum SpawnAttribute {
        SPAWN_ATTRIBUTE_OOM_SCORE_ADJUST,
        SPAWN_ATTRIBUTE_NICE,
        SPAWN_ATTRIBUTE_CPU_SCHEDULING,
        SPAWN_ATTRIBUTE_IO_SCHEDULING,
        SPAWN_ATTRIBUTE_CPU_AFFINITY,
        SPAWN_ATTRIBUTE_NUMA_POLICY,
        SPAWN_ATTRIBUTE_TIMER_SLACK,
        _SPAWN_ATTRIBUTE_MAX,
} SpawnAttribute;

static const char *const attribute_key[_SPAWN_ATTRIBUTE_MAX] = {
        [SPAWN_ATTRIBUTE_OOM_SCORE_ADJUST] = "OOMScoreAdjust",
        [SPAWN_ATTRIBUTE_NICE] = "Nice",
        [SPAWN_ATTRIBUTE_CPU_SCHEDULING] = "CPUSchedulingPolicy",
        [SPAWN_ATTRIBUTE_IO_SCHEDULING] = "IOSchedulingClass",
        [SPAWN_ATTRIBUTE_CPU_AFFINITY] = "CPUAffinity",
        [SPAWN_ATTRIBUTE_NUMA_POLICY] = "NUMAPolicy",
        [SPAWN_ATTRIBUTE_TIMER_SLACK] = "TimerSlackNSec",
};

static int env_replace(char ***env, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t k;

        if (!eq)
                return -EINVAL;
        k = (size_t) (eq - assignment) + 1; /* compare including the '=' */

        for (char **i = *env; i && *i; i++)
                if (strncmp(*i, assignment, k) == 0) {
                        char *copy = strdup(assignment);

                        if (!copy)
                                return -ENOMEM;
                        free(*i);
                        *i = copy;
                        return 0;
                }

        return strv_extend(env, assignment);
}

/* The host's locale, as systemd's manager passes it to every service: read once, before the
 * sandbox's mounts (spawn_load_locale()). */
static char **host_locale;

static const char *const locale_variables[] = {
        "LANG", "LANGUAGE", "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
        "LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT",
        "LC_IDENTIFICATION",
};

static bool is_locale_assignment(const char *a) {
        for (size_t i = 0; i < ELEMENTSOF(locale_variables); i++) {
                size_t k = strlen(locale_variables[i]);

                if (strncmp(a, locale_variables[i], k) == 0 && a[k] == '=' && a[k + 1])
                        return true;
        }
        return false;
}

int spawn_load_locale(void) {
        static const char *const files[] = { "/etc/locale.conf", "/etc/default/locale" };
        _cleanup_strv_free_ char **all = NULL, **kept = NULL;
        int r;

        host_locale = strv_free(host_locale);
        /* systemd reads locale.conf; Debian's falls back to /etc/default/locale. */
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *text = NULL, *error = NULL;
                FILE *f = fopen(files[i], "re");
                size_t size = 0;
                ssize_t n;

                if (!f)
                        continue;
                n = getdelim(&text, &size, 0, f);
                fclose(f);
                if (n < 0)
                        text = mfree(text);
                if (environment_file_parse(text ?: "", &all, &error) == -ENOMEM)
                        return -ENOMEM;
                break;
        }
        for (char **a = all; a && *a; a++)
                if (is_locale_assignment(*a)) {
                        r = strv_extend(&kept, *a);
                        if (r < 0)
                                return r;
                }
        /* None configured: systemd's default locale (-Ddefault-locale=C.UTF-8). */
        if (!kept) {
                r = strv_extend(&kept, "LANG=C.UTF-8");
                if (r < 0)
                        return r;
        }
        host_locale = TAKE_PTR(kept);
        return 0;
}

int spawn_build_environment(const Description *d, int stream_fd, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        r = strv_extend(&env, "PATH=" DEFAULT_PATH);
        if (r < 0)
                return r;
        for (char **i = host_locale; i && *i; i++) {
                r = strv_extend(&env, *i);
                if (r < 0)
                        return r;
        }

        if (stream_fd >= 0 && process_options_uses_journal(&d->sandbox.process)) {
                struct stat st;

                /* As systemd does, so a service can tell its stderr is the journal. */
                if (fstat(stream_fd, &st) >= 0) {
                        char *v = NULL;

                        if (asprintf(&v, "JOURNAL_STREAM=%lu:%lu",
                                     (unsigned long) st.st_dev, (unsigned long) st.st_ino) < 0)
                                return -ENOMEM;
                        r = strv_consume(&env, v);
                        if (r < 0)
                                return r;
                }
        }

        for (char **i = d->environment; i && *i; i++) {
                r = env_replace(&env, *i);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(env);
        return 0;
}

static const char *env_get(char *const *env, const char *key) {
        size_t k = strlen(key);

        for (char *const *i = env; i && *i; i++)
                if (strncmp(*i, key, k) == 0 && (*i)[k] == '=')
                        return *i + k + 1;
        return NULL;
}

/* execvpe() without its /bin/sh fallback, with the PATH of the service's environment.
 * Runs in the forked child: no allocation. Returns -errno. */
static int exec_search(const char *file, char *const *argv, char *const *env) {
        bool seen_eacces = false;
        const char *path;

        if (strchr(file, '/')) {
                execve(file, argv, env);
                return negative_errno();
        }

        path = env_get(env, "PATH") ?: DEFAULT_PATH;
        for (const char *p = path;; p++) {
                const char *e = strchrnul(p, ':');
                size_t n = (size_t) (e - p);
                char buf[PATH_MAX];

                /* An empty entry would mean the working directory; systemd never searches it. */
                if (n > 0 && n + 1 + strlen(file) < sizeof(buf)) {
                        memcpy(buf, p, n);
                        buf[n] = '/';
                        strcpy(buf + n + 1, file);

                        execve(buf, argv, env);
                        if (errno == EACCES)
                                seen_eacces = true;
                        else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV)
                                return negative_errno();
                }

                if (*e == 0)
                        break;
                p = e;
        }

        return seen_eacces ? -EACCES : -ENOENT;
}

static int move_fd(int fd, int target) {
        if (fd == target)
                /* dup2() onto itself would keep O_CLOEXEC */
                return fcntl(fd, F_SETFD, 0) < 0 ? negative_errno() : 0;
        return dup2(fd, target) < 0 ? negative_errno() : 0;
}

/* In the child: listen_fds[i] becomes fd 3 + i, inheritable, as sd_listen_fds(3)
 * expects; *error_fd is lifted above them first, so no dup2() clobbers a source. */
static int place_listen_fds(const int *listen_fds, size_t n, int *error_fd) {
        int lifted[SOCKET_SPECS_MAX];
        int floor = 3 + (int) n;

        if (n == 0)
                return 0;
        if (n > SOCKET_SPECS_MAX)
                return -E2BIG;
        *error_fd = fcntl(*error_fd, F_DUPFD_CLOEXEC, floor);
        if (*error_fd < 0)
                return negative_errno();
        for (size_t i = 0; i < n; i++) {
                lifted[i] = fcntl(listen_fds[i], F_DUPFD_CLOEXEC, floor);
                if (lifted[i] < 0)
                        return negative_errno();
        }
        for (size_t i = 0; i < n; i++)
                if (dup2(lifted[i], 3 + (int) i) < 0) /* dup2() leaves the copy inheritable */
                        return negative_errno();
        return 0;
}

/* "LISTEN_PID=" was reserved with room for any PID: only the child knows its own. */
static void set_listen_pid(char *const *env) {
        for (char *const *i = env; i && *i; i++)
                if (strncmp(*i, "LISTEN_PID=", 11) == 0) {
                        snprintf(*i + 11, LISTEN_PID_DIGITS + 1, "%d", (int) getpid());
                        return;
                }
}

/* "WATCHDOG_PID=" likewise (WatchdogSec=): the main process's own PID. */
static void set_watchdog_pid(char *const *env) {
        for (char *const *i = env; i && *i; i++)
                if (strncmp(*i, "WATCHDOG_PID=", 13) == 0) {
                        snprintf(*i + 13, LISTEN_PID_DIGITS + 1, "%d", (int) getpid());
                        return;
                }
}

/* Right after fork, before any credential change: every fd of the init but stdio and what the child
 * still needs is closed, so nothing of the init (its control socket, the re-adoption listener, the
 * exit record, the signalfd) is ever open in a process the service can reach. No allocation. */
static void close_all_but(int stream_fd, int error_fd, const int *listen_fds, size_t n_listen_fds) {
        int keep[SOCKET_SPECS_MAX + 2];
        size_t n = 0;
        int next = 3;

        if (stream_fd > 2)
                keep[n++] = stream_fd;
        if (error_fd > 2)
                keep[n++] = error_fd;
        for (size_t i = 0; i < n_listen_fds && n < ELEMENTSOF(keep); i++)
                if (listen_fds[i] > 2)
                        keep[n++] = listen_fds[i];
        for (size_t i = 1; i < n; i++) /* insertion sort: a handful */
                for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
                        int t = keep[j];
                        keep[j] = keep[j - 1];
                        keep[j - 1] = t;
                }
        for (size_t i = 0; i < n; i++) {
                if (keep[i] > next)
                        (void) close_range((unsigned) next, (unsigned) keep[i] - 1, 0);
                if (keep[i] + 1 > next)
                        next = keep[i] + 1;
        }
        (void) close_range((unsigned) next, ~0U, 0);
}

/* In the child, before the credential change: Limit*= as prepared. No allocation. */
static int apply_rlimits(const SpawnAttributes *a, int *ret_detail) {
        for (int i = 0; i < SANDBOX_RLIMIT_MAX; i++) {
                if (!a->rlimit_set[i])
                        continue;
                if (setrlimit(i, &a->rlimits[i]) < 0) {
                        *ret_detail = i;
                        return negative_errno();
                }
        }
        return 0;
}

static int write_oom_score_adj(int v) {
        char buf[16];
        int fd, n, r = 0;

        n = snprintf(buf, sizeof(buf), "%d\n", v);
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (write(fd, buf, (size_t) n) != n)
                r = errno > 0 ? -errno : -EIO;
        (void) close(fd);
        return r;
}

/* In the child, before the credential change (lowering a nice level or raising a scheduling class
 * may need root of the namespace, never after): the scheduling keys. No allocation. */
static int apply_attributes(const SpawnAttributes *a, int *ret_detail) {
        if (a->oom_score_adjust_set) {
                *ret_detail = SPAWN_ATTRIBUTE_OOM_SCORE_ADJUST;
                if (write_oom_score_adj(a->oom_score_adjust) < 0)
                        return negative_errno();
        }
        if (a->nice_set) {
                *ret_detail = SPAWN_ATTRIBUTE_NICE;
                if (setpriority(PRIO_PROCESS, 0, a->nice) < 0)
                        return negative_errno();
        }
        if (a->sched_set) {
                struct sched_param param = { .sched_priority = a->sched_priority };

                *ret_detail = SPAWN_ATTRIBUTE_CPU_SCHEDULING;
                if (sched_setscheduler(0, a->sched_policy, &param) < 0)
                        return negative_errno();
        }
        if (a->ioprio_set) {
                *ret_detail = SPAWN_ATTRIBUTE_IO_SCHEDULING;
                if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, a->ioprio) < 0)
                        return negative_errno();
        }
        if (a->affinity_set) {
                *ret_detail = SPAWN_ATTRIBUTE_CPU_AFFINITY;
                if (sched_setaffinity(0, sizeof(a->affinity), &a->affinity) < 0)
                        return negative_errno();
        }
        if (a->numa_policy >= 0) {
                bool empty = true;

                for (size_t i = 0; i < ELEMENTSOF(a->numa_mask); i++)
                        if (a->numa_mask[i])
                                empty = false;
                *ret_detail = SPAWN_ATTRIBUTE_NUMA_POLICY;
                if (syscall(SYS_set_mempolicy, a->numa_policy, empty ? NULL : a->numa_mask,
                            empty ? 0 : sizeof(a->numa_mask) * 8 + 1) < 0)
                        return negative_errno();
        }
        if (a->timer_slack_nsec != UINT64_MAX) {
                *ret_detail = SPAWN_ATTRIBUTE_TIMER_SLACK;
                if (prctl(PR_SET_TIMERSLACK, (unsigned long) a->timer_slack_nsec, 0, 0, 0) < 0)
                        return negative_errno();
        }
        return 0;
}

/* One of StandardOutput=/StandardError='s files, opened by the init's child in the sandbox's view,
 * as root of the sandbox before the user switch: as systemd opens it (so only where the sandbox
 * may write). Returns the fd (O_CLOEXEC) or -errno. No allocation. */
static int open_output(ExecOutput type, const char *path) {
        int flags = O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC, fd;

        if (type == EXEC_OUTPUT_APPEND)
                flags |= O_APPEND;
        else if (type == EXEC_OUTPUT_TRUNCATE)
                flags |= O_TRUNC;
        fd = open(path, flags, 0666);
        return fd < 0 ? negative_errno() : fd;
}

static int dup_cloexec(int fd) {
        int k = fcntl(fd, F_DUPFD_CLOEXEC, 3);

        return k < 0 ? negative_errno() : k;
}

static int input_fd(const ProcessOptions *p) {
        int fd = p->std_input == EXEC_INPUT_FILE ? open(p->std_input_path, O_RDONLY | O_NOCTTY | O_CLOEXEC)
                                                 : open("/dev/null", O_RDONLY | O_NOCTTY | O_CLOEXEC);

        return fd < 0 ? negative_errno() : fd;
}

/* The fd for stdout or stderr, with stdin (and for stderr stdout) in place already. */
static int output_fd(const ProcessOptions *p, int fileno, int stream_fd) {
        ExecOutput type = fileno == STDOUT_FILENO ? p->std_output : p->std_error;
        const char *path = fileno == STDOUT_FILENO ? p->std_output_path : p->std_error_path;
        int fd;

        switch (type) {
        case EXEC_OUTPUT_INHERIT:
                if (fileno == STDERR_FILENO)
                        return dup_cloexec(STDOUT_FILENO);
                /* As systemd: stdin's file if it has one, else /dev/null. */
                if (p->std_input == EXEC_INPUT_FILE)
                        return dup_cloexec(STDIN_FILENO);
                break;
        case EXEC_OUTPUT_NULL:
                break;
        case EXEC_OUTPUT_JOURNAL:
                return dup_cloexec(stream_fd);
        default:
                /* The same file for both: one open file, as systemd shares it. */
                if (fileno == STDERR_FILENO && p->std_output == type && p->std_output_path &&
                    strcmp(p->std_output_path, path) == 0)
                        return dup_cloexec(STDOUT_FILENO);
                return open_output(type, path);
        }
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? negative_errno() : fd;
}

static _Noreturn void child_run(
                const char *path,
                char *const *argv,
                char *const *env,
                const char *working_directory,
                int stream_fd,
                int error_fd,
                const int *listen_fds,
                size_t n_listen_fds,
                bool own_stdio,
                bool controlling_tty,
                const SandboxProcess *sandbox,
                const SpawnAttributes *attributes) {

        SpawnStage stage;
        sigset_t all;
        int r, detail = 0, report[3];

        close_all_but(stream_fd, error_fd, listen_fds, n_listen_fds);

        /* Back to what a freshly exec'd daemon expects: default dispositions, nothing blocked. */
        stage = SPAWN_STAGE_SIGNALS;
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&all);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0) {
                r = negative_errno();
                goto fail;
        }

        stage = SPAWN_STAGE_SESSION;
        if (setsid() < 0) {
                r = negative_errno();
                goto fail;
        }
        /* A shell's pty (the service's own, checked by the caller) becomes its terminal. */
        if (controlling_tty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0) {
                r = negative_errno();
                goto fail;
        }

        stage = SPAWN_STAGE_STDIO;
        /* Files are created with the service's UMask=, as systemd creates them. */
        umask(sandbox->options->umask);
        if (own_stdio)
                goto limits;
        if (stream_fd < 0)
                stream_fd = STDERR_FILENO;
        for (int fileno = STDIN_FILENO; fileno <= STDERR_FILENO; fileno++) {
                int fd;

                detail = fileno;
                fd = fileno == STDIN_FILENO ? input_fd(&sandbox->options->process)
                                            : output_fd(&sandbox->options->process, fileno, stream_fd);
                if (fd < 0) {
                        r = fd;
                        goto fail;
                }
                r = move_fd(fd, fileno);
                if (r < 0)
                        goto fail;
                if (fd != fileno)
                        (void) close(fd);
        }

limits:
        stage = SPAWN_STAGE_LIMITS;
        r = apply_rlimits(attributes, &detail);
        if (r < 0)
                goto fail;

        stage = SPAWN_STAGE_ATTRIBUTES;
        r = apply_attributes(attributes, &detail);
        if (r < 0)
                goto fail;

        stage = SPAWN_STAGE_CREDENTIALS;
        r = sandbox_process_apply_credentials(sandbox);
        if (r < 0)
                goto fail;

        stage = SPAWN_STAGE_CHDIR;
        if (chdir(working_directory ?: "/") < 0) {
                r = negative_errno();
                goto fail;
        }

        stage = SPAWN_STAGE_LISTEN_FDS;
        r = place_listen_fds(listen_fds, n_listen_fds, &error_fd);
        if (r < 0)
                goto fail;
        if (n_listen_fds > 0)
                set_listen_pid(env);
        set_watchdog_pid(env);

        /* Nothing of the init but stdio and the listening sockets reaches the service; the exec
         * pipe closes itself on exec. */
        if ((size_t) error_fd > 3 + n_listen_fds)
                (void) close_range(3 + (unsigned) n_listen_fds, (unsigned) error_fd - 1, 0);
        (void) close_range((unsigned) error_fd + 1, ~0U, 0);

        /* Last before exec: nothing after it needs more than the filter allows. */
        stage = SPAWN_STAGE_SECCOMP;
        /* Learning: the exec pipe is a socket pair, which takes the filter's listener to the init. */
        r = learn_active() ? learn_seccomp_load(sandbox->seccomp, sandbox->options->no_new_privileges, error_fd)
                           : sandbox_process_apply_seccomp(sandbox);
        if (r < 0)
                goto fail;

        stage = SPAWN_STAGE_EXEC;
        r = exec_search(path, argv, env);

fail:
        report[0] = (int) stage;
        report[1] = -r;
        report[2] = detail;
        (void) !write(error_fd, report, sizeof(report));
        _exit(127);
}

static const char *const stage_what[_SPAWN_STAGE_MAX] = {
        [SPAWN_STAGE_SIGNALS] = "reset signals for",
        [SPAWN_STAGE_SESSION] = "create session for",
        [SPAWN_STAGE_STDIO] = "set up standard input/output for",
        [SPAWN_STAGE_LIMITS] = "apply the resource limits to",
        [SPAWN_STAGE_ATTRIBUTES] = "apply the scheduling attributes to",
        [SPAWN_STAGE_CREDENTIALS] = "apply user and capabilities to",
        [SPAWN_STAGE_CHDIR] = "change working directory for",
        [SPAWN_STAGE_LISTEN_FDS] = "pass the listening sockets to",
        [SPAWN_STAGE_SECCOMP] = "load the seccomp filter for",
        [SPAWN_STAGE_EXEC] = "execute",
};

/* KEY=VALUE unless Environment= or EnvironmentFile= set KEY already: systemd
 * puts its own variables first, and the unit's own assignments win. */
static int env_default(char ***env, const char *key, const char *value) {
        _cleanup_free_ char *assignment = NULL;

        if (env_get(*env, key))
                return 0;
        if (asprintf(&assignment, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_consume(env, TAKE_PTR(assignment));
}

/* "$RUNTIME_DIRECTORY=/run/a:/run/b" and kin, as systemd.exec(5) sets them. */
static int env_directories(char ***env, const Description *d) {
        static const char *const keys[_EXEC_DIRECTORY_TYPE_MAX] = {
                [EXEC_DIRECTORY_RUNTIME] = "RUNTIME_DIRECTORY",
                [EXEC_DIRECTORY_STATE] = "STATE_DIRECTORY",
                [EXEC_DIRECTORY_CACHE] = "CACHE_DIRECTORY",
                [EXEC_DIRECTORY_LOGS] = "LOGS_DIRECTORY",
        };

        for (int t = 0; t < _EXEC_DIRECTORY_TYPE_MAX; t++) {
                _cleanup_free_ char *joined = NULL;
                size_t size = 1;
                int r;

                if (!d->directories[t].paths || !d->directories[t].paths[0])
                        continue;
                for (char **i = d->directories[t].paths; *i; i++)
                        size += strlen(exec_directory_base[t]) + 1 + strlen(*i) + 1;
                joined = calloc(1, size);
                if (!joined)
                        return -ENOMEM;
                for (char **i = d->directories[t].paths; *i; i++) {
                        if (i != d->directories[t].paths)
                                strcat(joined, ":");
                        strcat(joined, exec_directory_base[t]);
                        strcat(joined, "/");
                        strcat(joined, *i);
                }
                r = env_default(env, keys[t], joined);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* $USER, $LOGNAME, $HOME, $SHELL: with User= only, as systemd sets them for system services. */
static int env_user(char ***env, const SandboxProcess *p) {
        int r;

        if (!p->user_name)
                return 0;
        r = env_default(env, "USER", p->user_name);
        if (r >= 0)
                r = env_default(env, "LOGNAME", p->user_name);
        if (r >= 0)
                r = env_default(env, "HOME", p->home);
        if (r >= 0)
                r = env_default(env, "SHELL", p->shell);
        return r;
}

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* --- process attributes ------------------------------------------------------------------- */

/* Where a clamp is told: the service's own journal stream, where systemd's manager would log it
 * under the unit (journalctl -u, isolatectl status), else the init's log. */
static int notice_fd = -EBADF;
static bool notice_level_prefix;

static void attr_notice(const char *fmt, ...) _printf_(1, 2);
static void attr_notice(const char *fmt, ...) {
        _cleanup_free_ char *text = NULL, *line = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (k < 0)
                return;
        if (notice_fd < 0) {
                log_notice("%s", text);
                return;
        }
        line = strprintf("%sisolate-init: %s\n", notice_level_prefix ? "<5>" : "", text);
        if (line)
                (void) !write(notice_fd, line, strlen(line));
}

/* Whether the init may exceed what a process without cap may do: only in the host's own user
 * namespace (capabilities of a user namespace of its own count for nothing there) and only if
 * the service may keep cap (the init keeps no more than the service's bounding set). */
static bool may_exceed(const SandboxOptions *o, int cap) {
        _cleanup_close_ int fd = -EBADF;
        char buf[64] = "";
        unsigned a, b, n;
        ssize_t k;

        if (!(o->capability_bounding_set & sandbox_caps_allowed(o) & (UINT64_C(1) << cap)))
                return false;
        fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        k = read(fd, buf, sizeof(buf) - 1);
        if (k <= 0)
                return false;
        buf[k] = 0;
        return sscanf(buf, "%u %u %u", &a, &b, &n) == 3 && a == 0 && b == 0 && n == UINT32_MAX;
}

static void format_rlim(char buf[static 24], rlim_t v) {
        if (v == RLIM_INFINITY)
                strcpy(buf, "infinity");
        else
                snprintf(buf, 24, "%llu", (unsigned long long) v);
}

static uint64_t read_nr_open(void) {
        _cleanup_close_ int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
        char buf[32] = "";
        ssize_t k;

        if (fd < 0)
                return 1024 * 1024; /* the kernel's default */
        k = read(fd, buf, sizeof(buf) - 1);
        if (k <= 0)
                return 1024 * 1024;
        return strtoull(buf, NULL, 10) ?: 1024 * 1024;
}

/* Limit*=: a soft or hard limit above the hard limit the init has, which it cannot raise, is lowered
 * to that hard limit, as systemd's setrlimit_closest() lowers it; LimitNOFILE= also to fs.nr_open. */
static void prepare_rlimits(const SandboxOptions *o, SpawnAttributes *a) {
        bool raise = may_exceed(o, CAP_SYS_RESOURCE);

        for (int i = 0; i < SANDBOX_RLIMIT_MAX; i++) {
                struct rlimit cur, want;
                rlim_t max;

                if (!o->rlimits[i].set)
                        continue;
                want = (struct rlimit) { .rlim_cur = o->rlimits[i].soft, .rlim_max = o->rlimits[i].hard };
                if (getrlimit(i, &cur) < 0)
                        cur = (struct rlimit) { RLIM_INFINITY, RLIM_INFINITY };
                max = raise ? RLIM_INFINITY : cur.rlim_max;
                if (i == RLIMIT_NOFILE && max > read_nr_open())
                        max = read_nr_open();
                uint64_t soft = want.rlim_cur, hard = want.rlim_max;
                if (process_rlimit_clamp(&soft, &hard, max)) {
                        char asked_s[24], asked_h[24], m[24];

                        format_rlim(asked_s, want.rlim_cur);
                        format_rlim(asked_h, want.rlim_max);
                        format_rlim(m, max);
                        attr_notice("%s=%s:%s: above the hard limit the sandbox may set, lowered to %s as systemd does",
                                   sandbox_rlimit_key(i), asked_s, asked_h, m);
                }
                a->rlimit_set[i] = true;
                a->rlimits[i] = (struct rlimit) { .rlim_cur = soft, .rlim_max = hard };
        }
}

static int read_oom_score_adj(void) {
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
        char buf[16] = "";

        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
                return 0;
        return atoi(buf);
}

/* The CPUs of the NUMA nodes in mask, for CPUAffinity=numa. */
static void numa_cpus(const ProcessOptions *p, cpu_set_t *ret) {
        CPU_ZERO(ret);
        for (unsigned n = 0; n < sizeof(p->numa_mask) * 8; n++) {
                _cleanup_close_ int fd = -EBADF;
                char path[64], buf[4096] = "";
                ssize_t k;

                if (!(p->numa_mask[n / 64] & (UINT64_C(1) << (n % 64))))
                        continue;
                snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist", n);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                k = read(fd, buf, sizeof(buf) - 1);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                for (char *q = buf; *q && *q != '\n';) {
                        char *end;
                        unsigned long lo = strtoul(q, &end, 10), hi = lo;

                        if (end == q)
                                break;
                        if (*end == '-')
                                hi = strtoul(end + 1, &end, 10);
                        for (unsigned long c = lo; c <= hi && c < CPU_SETSIZE; c++)
                                CPU_SET(c, ret);
                        q = *end == ',' ? end + 1 : end;
                }
        }
}

void spawn_attributes_prepare(const SandboxOptions *o, int stream_fd, SpawnAttributes *a) {
        const ProcessOptions *p = &o->process;

        notice_fd = stream_fd;
        notice_level_prefix = p->syslog_level_prefix;

        *a = (SpawnAttributes) { .numa_policy = p->numa_policy, .timer_slack_nsec = p->timer_slack_nsec };
        prepare_rlimits(o, a);

        /* OOMScoreAdjust=: lowering it below the init's own needs CAP_SYS_RESOURCE on the host, which no
         * sandbox has: kept at the init's (the daemon's) value then, never lower. Raising is fine. */
        if (p->oom_score_adjust_set) {
                int cur = read_oom_score_adj();

                a->oom_score_adjust_set = true;
                a->oom_score_adjust = p->oom_score_adjust;
                if (p->oom_score_adjust < cur && !may_exceed(o, CAP_SYS_RESOURCE)) {
                        attr_notice("OOMScoreAdjust=%d: below the sandbox's own %d, which only the host's "
                                   "CAP_SYS_RESOURCE may go under: kept at %d",
                                   p->oom_score_adjust, cur, cur);
                        a->oom_score_adjust = cur;
                }
        }

        /* Nice=: as systemd's setpriority_closest(): a level the kernel refuses (below the current one,
         * past what RLIMIT_NICE allows, without CAP_SYS_NICE on the host) becomes the closest allowed. */
        if (p->nice_set) {
                int cur, floor;
                uint64_t rl;
                struct rlimit r;

                errno = 0;
                cur = getpriority(PRIO_PROCESS, 0);
                if (errno != 0)
                        cur = 0;
                rl = a->rlimit_set[RLIMIT_NICE] ? a->rlimits[RLIMIT_NICE].rlim_cur
                     : getrlimit(RLIMIT_NICE, &r) >= 0 ? r.rlim_cur : 0;
                floor = process_nice_closest(p->nice, cur, rl);
                a->nice_set = true;
                a->nice = p->nice;
                if (floor != p->nice && !may_exceed(o, CAP_SYS_NICE)) {
                        attr_notice("Nice=%d: below what the sandbox may set (CAP_SYS_NICE on the host or LimitNICE=), "
                                   "set to the closest allowed, %d, as systemd does", p->nice, floor);
                        a->nice = floor;
                }
        }

        /* CPUSchedulingPolicy=: fifo and rr need CAP_SYS_NICE on the host, or RLIMIT_RTPRIO
         * (LimitRTPRIO=) up to the priority: without, the service runs under "other", with a notice. */
        if (p->cpu_sched_set) {
                int policy = p->cpu_sched_policy, prio = p->cpu_sched_priority;
                struct rlimit r;
                uint64_t rl;

                /* As systemd's parser: the priority within the policy's own range. */
                rl = a->rlimit_set[RLIMIT_RTPRIO] ? a->rlimits[RLIMIT_RTPRIO].rlim_cur
                     : getrlimit(RLIMIT_RTPRIO, &r) >= 0 ? r.rlim_cur : 0;
                if (may_exceed(o, CAP_SYS_NICE))
                        rl = 99;
                if (process_sched_closest(&policy, &prio, rl))
                        attr_notice("CPUSchedulingPolicy=%s: realtime scheduling at priority %d needs CAP_SYS_NICE "
                                   "on the host or LimitRTPRIO=%d, which the sandbox has not: runs under 'other'",
                                   cpu_sched_policy_to_string(p->cpu_sched_policy), MAX(p->cpu_sched_priority, 1),
                                   MAX(p->cpu_sched_priority, 1));
                a->sched_set = true;
                a->sched_policy = policy | (p->cpu_sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
                a->sched_priority = prio;
        }

        /* IOSchedulingClass=realtime needs CAP_SYS_ADMIN or CAP_SYS_NICE on the host: best-effort at
         * the same level then. */
        if (p->ioprio_set) {
                int class = p->ioprio_class;

                if (class == IOPRIO_CLASS_RT && !may_exceed(o, CAP_SYS_NICE) && !may_exceed(o, CAP_SYS_ADMIN)) {
                        attr_notice("IOSchedulingClass=realtime needs CAP_SYS_ADMIN on the host, which the sandbox "
                                   "has not: best-effort at level %d", p->ioprio_level);
                        class = IOPRIO_CLASS_BE;
                }
                a->ioprio_set = true;
                a->ioprio = IOPRIO_PRIO_VALUE(class, class == IOPRIO_CLASS_NONE ? 0 : p->ioprio_level);
        }

        if (p->cpu_affinity_set) {
                if (p->cpu_affinity_numa)
                        numa_cpus(p, &a->affinity);
                else
                        a->affinity = p->cpu_affinity;
                a->affinity_set = CPU_COUNT(&a->affinity) > 0;
                if (!a->affinity_set)
                        attr_notice("CPUAffinity=numa: NUMAMask= names no node with CPUs, the affinity is left alone");
        }

        if (p->numa_policy >= 0)
                for (size_t i = 0; i < ELEMENTSOF(a->numa_mask) && i < ELEMENTSOF(p->numa_mask); i++)
                        a->numa_mask[i] = (unsigned long) p->numa_mask[i];
}

void spawn_context_done(SpawnContext *c) {
        c->env = strv_free(c->env);
        c->listen_env = strv_free(c->listen_env);
        sandbox_process_done(&c->sandbox);
}

int spawn_context_prepare(SpawnContext *c, const Description *d, int stream_fd, char *const *extra_env,
                          struct sock_fprog *seccomp, char **ret_error) {
        _cleanup_free_ struct sock_fprog *filter = seccomp; /* ours, whatever happens */
        int r;

        *c = (SpawnContext) { .description = d, .stream_fd = stream_fd, .preloaded_env = c->preloaded_env,
                              .preloaded_env_size = c->preloaded_env_size };

        r = spawn_build_environment(d, stream_fd, &c->env);
        if (r < 0)
                goto fail;
        for (char *const *i = extra_env; i && *i; i++) {
                r = env_replace(&c->env, *i);
                if (r < 0)
                        goto fail;
        }

        /* EnvironmentFile= is read now, in the sandbox's view (but for those the daemon read beside
         * the descriptions, a directory hidden here), and overrides Environment= as in systemd. */
        r = environment_files_apply_preloaded(d->environment_files, c->preloaded_env, c->preloaded_env_size, &c->env,
                                              ret_error);
        if (r < 0)
                return r;

        /* After the mounts: User= is looked up in the sandbox's own /etc. */
        r = sandbox_process_prepare(&d->sandbox, TAKE_PTR(filter), &c->sandbox, ret_error);
        if (r < 0) {
                if (ret_error && *ret_error)
                        return r;
                goto fail;
        }

        spawn_attributes_prepare(&d->sandbox, stream_fd, &c->attributes);

        r = env_user(&c->env, &c->sandbox);
        if (r >= 0)
                r = env_directories(&c->env, d);
        if (r < 0)
                goto fail;
        environment_unset(c->env, d->unset_environment);
        return 0;

fail:
        if (ret_error && asprintf(ret_error, "Failed to prepare %s: %s", d->exec_start->path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

int spawn_context_set_listen_fds(SpawnContext *c, const char *name, const int *fds, size_t n) {
        _cleanup_free_ char *names = NULL;
        char v[sizeof("LISTEN_FDS=") + 3 * sizeof(size_t)];
        size_t len;
        int r;

        c->listen_fds = fds;
        c->n_listen_fds = n;
        if (n == 0)
                return 0;

        /* As systemd names the fds of a socket unit without FileDescriptorName=: after the unit. */
        len = strlen(name) + strlen(".socket") + 1;
        names = malloc(strlen("LISTEN_FDNAMES=") + n * len);
        if (!names)
                return -ENOMEM;
        strcpy(names, "LISTEN_FDNAMES=");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(names, ":");
                strcat(names, name);
                strcat(names, ".socket");
        }
        snprintf(v, sizeof(v), "LISTEN_FDS=%zu", n);

        r = strv_extend(&c->listen_env, "LISTEN_PID=" "0000000000");
        if (r >= 0)
                r = strv_extend(&c->listen_env, v);
        if (r >= 0)
                r = strv_extend(&c->listen_env, names);
        return r;
}

/* The shell's environment: the service's, without what belongs to its own
 * stdio and notifications, TERM of the caller, and the user's variables for
 * root too (as a login would set them). */
static int shell_environment(const SpawnContext *c, const char *term, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        for (char **i = c->env; i && *i; i++) {
                if (strncmp(*i, "JOURNAL_STREAM=", 15) == 0 || strncmp(*i, "NOTIFY_SOCKET=", 14) == 0)
                        continue;
                r = strv_extend(&env, *i);
                if (r < 0)
                        return r;
        }
        if (term) {
                _cleanup_free_ char *v = NULL;

                if (asprintf(&v, "TERM=%s", term) < 0)
                        return -ENOMEM;
                r = env_replace(&env, v);
                if (r < 0)
                        return r;
        }
        if (!c->sandbox.switch_user) {
                r = env_default(&env, "USER", "root");
                if (r >= 0)
                        r = env_default(&env, "LOGNAME", "root");
                if (r >= 0)
                        r = env_default(&env, "HOME", "/root");
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(env);
        return 0;
}

/* In the shell's child, first of all: its three stdio fds become 0, 1, 2 and
 * the exec pipe 3; every other fd of the init is closed before anything reads
 * a file or changes a credential. */
static int shell_child_fds(const int stdio[3], int *error_fd) {
        int lifted[4];

        for (int i = 0; i < 4; i++) {
                lifted[i] = fcntl(i < 3 ? stdio[i] : *error_fd, F_DUPFD_CLOEXEC, 4);
                if (lifted[i] < 0)
                        return negative_errno();
        }
        for (int i = 0; i < 3; i++)
                if (dup2(lifted[i], i) < 0) /* inheritable */
                        return negative_errno();
        if (dup3(lifted[3], 3, O_CLOEXEC) < 0)
                return negative_errno();
        *error_fd = 3;
        if (close_range(4, ~0U, 0) < 0)
                return negative_errno();
        return 0;
}

/* A failure of the child that one key of the description caused names that key with its value
 * ("LimitNOFILE=4096:524288: Operation not permitted (starting /usr/sbin/foo)"). 1 if *ret_error
 * was set, 0 if the stage names no key. */
/* systemd's exit status of a child that failed at that stage (EXIT_LIMITS, EXIT_NICE, ...: what
 * status shows as "205/LIMITS"), for the stages of a key; -1 for the others. */
static int last_failure_status = -1;

static int stage_exit_status(int stage, int detail) {
        static const int attribute_status[_SPAWN_ATTRIBUTE_MAX] = {
                [SPAWN_ATTRIBUTE_OOM_SCORE_ADJUST] = 206, [SPAWN_ATTRIBUTE_NICE] = 201,
                [SPAWN_ATTRIBUTE_CPU_SCHEDULING] = 214,   [SPAWN_ATTRIBUTE_IO_SCHEDULING] = 211,
                [SPAWN_ATTRIBUTE_CPU_AFFINITY] = 215,     [SPAWN_ATTRIBUTE_NUMA_POLICY] = 242,
                [SPAWN_ATTRIBUTE_TIMER_SLACK] = 212,
        };

        switch (stage) {
        case SPAWN_STAGE_STDIO:
                return detail == STDIN_FILENO ? 208 : detail == STDOUT_FILENO ? 209 : 222;
        case SPAWN_STAGE_LIMITS:
                return 205;
        case SPAWN_STAGE_ATTRIBUTES:
                return detail >= 0 && detail < _SPAWN_ATTRIBUTE_MAX ? attribute_status[detail] : -1;
        default:
                return -1;
        }
}

int spawn_failure_wait_status(void) {
        return last_failure_status >= 0 ? W_EXITCODE(last_failure_status, 0) : -1;
}

static int spawn_failure_key(const SpawnContext *c, int stage, int detail, const char *path, int error,
                             char **ret_error) {
        const ProcessOptions *p = &c->description->sandbox.process;
        const SpawnAttributes *a = &c->attributes;
        char *text = NULL;
        int k = -1;

        if (stage == SPAWN_STAGE_LIMITS && detail >= 0 && detail < SANDBOX_RLIMIT_MAX) {
                char soft[24], hard[24];

                format_rlim(soft, a->rlimits[detail].rlim_cur);
                format_rlim(hard, a->rlimits[detail].rlim_max);
                k = asprintf(&text, "%s=%s:%s: %s (starting %s)", sandbox_rlimit_key(detail), soft, hard,
                             strerror(-error), path);
        } else if (stage == SPAWN_STAGE_ATTRIBUTES && detail >= 0 && detail < _SPAWN_ATTRIBUTE_MAX)
                k = asprintf(&text, "%s=: cannot be applied: %s (starting %s)", attribute_key[detail], strerror(-error),
                             path);
        else if (stage == SPAWN_STAGE_STDIO && detail >= STDIN_FILENO && detail <= STDERR_FILENO && !!p) {
                static const char *const keys[] = { "StandardInput", "StandardOutput", "StandardError" };
                const char *target = detail == STDIN_FILENO    ? p->std_input_path
                                     : detail == STDOUT_FILENO ? p->std_output_path
                                                               : p->std_error_path;
                const char *type = detail == STDIN_FILENO    ? (p->std_input == EXEC_INPUT_FILE ? "file" : "null")
                                   : detail == STDOUT_FILENO ? exec_output_to_string(p->std_output)
                                                             : exec_output_to_string(p->std_error);

                k = asprintf(&text, "%s=%s%s%s: %s (starting %s)", keys[detail], type, target ? ":" : "",
                             target ?: "", strerror(-error), path);
        } else
                return 0;
        *ret_error = k < 0 ? NULL : text;
        return 1;
}

static int spawn(const SpawnContext *c, const ExecCommand *cmd, pid_t main_pid, bool main_process,
                 const SpawnShell *shell, pid_t *ret_pid, char **ret_error) {
        _cleanup_strv_free_ char **env = NULL, **argv = NULL;
        _cleanup_close_ int pipe_read = -EBADF, pipe_write = -EBADF;
        const char *path = shell ? (shell->argv && shell->argv[0] ? shell->argv[0] : "") : cmd->path;
        int report[3], pipe_fds[2], r;

        last_failure_status = -1;
        ssize_t n;
        pid_t pid;

        if (shell) {
                r = shell_environment(c, shell->term, &env);
                if (r < 0)
                        goto fail_early;
                argv = strv_copy(shell->argv);
                if (!argv || !argv[0]) {
                        r = argv ? -EINVAL : -ENOMEM;
                        goto fail_early;
                }
                goto fork;
        }

        env = strv_copy(c->env);
        if (!env) {
                r = -ENOMEM;
                goto fail_early;
        }
        if (main_pid > 0) {
                char v[sizeof("MAINPID=") + 3 * sizeof(pid_t)];

                /* As systemd: ExecReload=/bin/kill -HUP $MAINPID. */
                snprintf(v, sizeof(v), "MAINPID=%d", (int) main_pid);
                r = env_replace(&env, v);
                if (r < 0)
                        goto fail_early;
        }

        if (main_process && c->description->watchdog_usec > 0) {
                char v[sizeof("WATCHDOG_USEC=") + 20];

                /* WatchdogSec=, as systemd: WATCHDOG_PID is filled in by the child. */
                snprintf(v, sizeof(v), "WATCHDOG_USEC=%llu", (unsigned long long) c->description->watchdog_usec);
                r = env_replace(&env, v);
                if (r >= 0)
                        r = env_replace(&env, "WATCHDOG_PID=" "0000000000");
                if (r < 0)
                        goto fail_early;
        }

        for (char **i = main_process ? c->listen_env : NULL; i && *i; i++) {
                r = env_replace(&env, *i);
                if (r < 0)
                        goto fail_early;
        }

        r = exec_command_expand(cmd, env, &argv);
        if (r < 0)
                goto fail_early;

fork:
        if (learn_active() ? socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pipe_fds) < 0
                           : pipe2(pipe_fds, O_CLOEXEC) < 0) {
                r = negative_errno();
                goto fail_early;
        }
        pipe_read = pipe_fds[0];
        pipe_write = pipe_fds[1];

        /* TasksMax= exhausted makes fork() fail with EAGAIN for a moment: retry a little. */
        for (int attempt = 0;; attempt++) {
                pid = fork();
                if (pid >= 0 || errno != EAGAIN || attempt >= 20)
                        break;
                (void) usleep(50 * 1000);
        }
        if (pid < 0) {
                r = negative_errno();
                goto fail_early;
        }
        if (pid == 0) {
                if (shell) {
                        /* Not dumpable until exec: no process of the service reads its memory meanwhile. */
                        r = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ? negative_errno() : 0;
                        if (r >= 0)
                                r = shell_child_fds(shell->stdio, &pipe_write);
                        if (r < 0) {
                                report[0] = SPAWN_STAGE_STDIO;
                                report[1] = -r;
                                report[2] = 0;
                                (void) !write(pipe_write, report, sizeof(report));
                                _exit(127);
                        }
                }
                SandboxProcess sandbox = c->sandbox;

                /* "!": everything of the sandbox but the switch to User=, Group=, SupplementaryGroups=;
                 * PermissionsStartOnly=: the commands but ExecStart= as if they had '!', and without
                 * the unit's own capability sets (systemd runs them unsandboxed: here the sandbox's
                 * defaults stay). */
                if ((cmd && cmd->no_setuid) || (!main_process && !shell && c->description->permissions_start_only)) {
                        sandbox.switch_user = false;
                        sandbox.n_groups = 0;
                }
                if (!main_process && !shell && c->description->permissions_start_only)
                        sandbox.sandbox_capabilities = true;
                child_run(path, argv, env, c->description->working_directory, c->stream_fd, pipe_write,
                          main_process ? c->listen_fds : NULL, main_process ? c->n_listen_fds : 0, !!shell,
                          shell && shell->controlling_tty, &sandbox, &c->attributes);
        }

        pipe_write = safe_close(pipe_write);

        /* A process of the service may stop a shell before its exec (SIGSTOP: it is the service's user by
         * then): the init waits for it a bounded time only, and goes on without it. */
        if (shell) {
                struct pollfd p = { .fd = pipe_read, .events = POLLIN };
                int k;

                do
                        k = poll(&p, 1, SPAWN_SHELL_EXEC_TIMEOUT_MSEC);
                while (k < 0 && errno == EINTR);
                if (k == 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        r = -ETIMEDOUT;
                        if (ret_error && asprintf(ret_error, "%s did not start within %d s, killed", path,
                                                  SPAWN_SHELL_EXEC_TIMEOUT_MSEC / 1000) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }

        /* EOF: the exec closed the pipe, the command runs. */
        for (;;) {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control;
                struct iovec iov = { .iov_base = report, .iov_len = sizeof(report) };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                                     .msg_controllen = sizeof(control.buf) };
                struct cmsghdr *cm;
                int listener = -EBADF;

                if (!learn_active()) {
                        n = read(pipe_read, report, sizeof(report));
                        if (n < 0 && errno == EINTR)
                                continue;
                        break;
                }
                n = recvmsg(pipe_read, &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                for (cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
                            cm->cmsg_len == CMSG_LEN(sizeof(int)))
                                memcpy(&listener, CMSG_DATA(cm), sizeof(int));
                if (listener < 0)
                        break;
                learn_seccomp_add(listener); /* the filter's listener, then the exec's result */
        }

        if (n == 0) {
                *ret_pid = pid;
                return 0;
        }

        /* The child failed and is on its way out; a garbled report must not leave it running either. */
        r = n < 0 ? negative_errno() : -EIO;
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);

        if (n != (ssize_t) sizeof(report) || report[0] < 0 || report[0] >= _SPAWN_STAGE_MAX || report[1] <= 0) {
                if (ret_error && asprintf(ret_error, "Failed to start %s: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }

        r = -report[1];
        last_failure_status = stage_exit_status(report[0], report[2]);
        if (ret_error && spawn_failure_key(c, report[0], report[2], path, r, ret_error) == 0 &&
            asprintf(ret_error, "Failed to %s %s: %s", stage_what[report[0]], path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;

fail_early:
        if (ret_error && asprintf(ret_error, "Failed to prepare %s: %s", path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

int spawn_command(const SpawnContext *c, const ExecCommand *cmd, pid_t main_pid, pid_t *ret_pid, char **ret_error) {
        return spawn(c, cmd, main_pid, false, NULL, ret_pid, ret_error);
}

int spawn_main_command(const SpawnContext *c, pid_t *ret_pid, char **ret_error) {
        return spawn_main_command_of(c, c->description->exec_start, ret_pid, ret_error);
}

int spawn_main_command_of(const SpawnContext *c, const ExecCommand *cmd, pid_t *ret_pid, char **ret_error) {
        return spawn(c, cmd, 0, true, NULL, ret_pid, ret_error);
}

int spawn_shell(const SpawnContext *c, const SpawnShell *shell, pid_t *ret_pid, char **ret_error) {
        return spawn(c, NULL, 0, false, shell, ret_pid, ret_error);
}

int spawn_main(const Description *d, int stream_fd, pid_t *ret_pid, char **ret_error) {
        _cleanup_(spawn_context_done) SpawnContext c = {};
        int r;

        r = spawn_context_prepare(&c, d, stream_fd, NULL, NULL, ret_error);
        if (r < 0)
                return r;
        return spawn_main_command(&c, ret_pid, ret_error);
}
