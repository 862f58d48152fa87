/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env-file.h"
#include "learn.h"
#include "sandbox-process.h"
#include "spawn.h"
#include "strv.h"

/* Where the child was when it failed, sent with errno over the exec pipe. */
typedef enum SpawnStage {
        SPAWN_STAGE_SIGNALS,
        SPAWN_STAGE_SESSION,
        SPAWN_STAGE_STDIO,
        SPAWN_STAGE_CREDENTIALS,
        SPAWN_STAGE_CHDIR,
        SPAWN_STAGE_LISTEN_FDS,
        SPAWN_STAGE_SECCOMP,
        SPAWN_STAGE_EXEC,
        _SPAWN_STAGE_MAX,
} SpawnStage;

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

int spawn_build_environment(const Description *d, int stream_fd, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        r = strv_extend(&env, "PATH=" DEFAULT_PATH);
        if (r < 0)
                return r;

        if (stream_fd >= 0) {
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
                const SandboxProcess *sandbox) {

        SpawnStage stage;
        sigset_t all;
        int r, null_fd, report[2];

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
        if (own_stdio)
                goto credentials;
        null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (null_fd < 0) {
                r = negative_errno();
                goto fail;
        }
        r = move_fd(null_fd, STDIN_FILENO);
        if (r < 0)
                goto fail;
        if (stream_fd < 0)
                stream_fd = STDERR_FILENO;
        r = move_fd(stream_fd, STDOUT_FILENO);
        if (r < 0)
                goto fail;
        r = move_fd(stream_fd, STDERR_FILENO);
        if (r < 0)
                goto fail;

credentials:
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
        (void) !write(error_fd, report, sizeof(report));
        _exit(127);
}

static const char *const stage_what[_SPAWN_STAGE_MAX] = {
        [SPAWN_STAGE_SIGNALS] = "reset signals for",
        [SPAWN_STAGE_SESSION] = "create session for",
        [SPAWN_STAGE_STDIO] = "set up standard input/output for",
        [SPAWN_STAGE_CREDENTIALS] = "apply limits, user and capabilities to",
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

        r = env_user(&c->env, &c->sandbox);
        if (r >= 0)
                r = env_directories(&c->env, d);
        if (r < 0)
                goto fail;
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

static int spawn(const SpawnContext *c, const ExecCommand *cmd, pid_t main_pid, bool main_process,
                 const SpawnShell *shell, pid_t *ret_pid, char **ret_error) {
        _cleanup_strv_free_ char **env = NULL, **argv = NULL;
        _cleanup_close_ int pipe_read = -EBADF, pipe_write = -EBADF;
        const char *path = shell ? (shell->argv && shell->argv[0] ? shell->argv[0] : "") : cmd->path;
        int report[2], pipe_fds[2], r;
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
                                (void) !write(pipe_write, report, sizeof(report));
                                _exit(127);
                        }
                }
                SandboxProcess sandbox = c->sandbox;

                /* "!": everything of the sandbox but the switch to User=, Group=, SupplementaryGroups=. */
                if (cmd && cmd->no_setuid) {
                        sandbox.switch_user = false;
                        sandbox.n_groups = 0;
                }
                child_run(path, argv, env, c->description->working_directory, c->stream_fd, pipe_write,
                          main_process ? c->listen_fds : NULL, main_process ? c->n_listen_fds : 0, !!shell,
                          shell && shell->controlling_tty, &sandbox);
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
        if (ret_error && asprintf(ret_error, "Failed to %s %s: %s", stage_what[report[0]], path, strerror(-r)) < 0)
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
