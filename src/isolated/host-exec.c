/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "env-file.h"
#include "host-exec-protocol.h"
#include "host-exec.h"
#include "log.h"
#include "manager.h"
#include "service.h"
#include "string-util.h"
#include "strv.h"

#define HOST_EXEC_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct HostExec {
        Service *service;
        uint64_t seq;
        char *what;      /* "ExecReload=+/bin/kill", for the log */
        pid_t pid;
        int pidfd;
        int hold_fd;     /* one byte lets the child exec, once it is in the scope */
        int error_fd;    /* the child's errno if its exec failed */
        int attach_error; /* not moved into the scope: killed for that, reported as that */
        sd_event_source *child_source;
};

HostExec *host_exec_free(HostExec *h) {
        if (!h)
                return NULL;
        if (h->pidfd >= 0 && h->child_source)
                (void) syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
        /* sd-event reaps a child whose source goes with it still running: SIGKILL above first. */
        sd_event_source_disable_unref(h->child_source);
        safe_close(h->pidfd);
        safe_close(h->hold_fd);
        safe_close(h->error_fd);
        free(h->what);
        return mfree(h);
}

static void send_done(Service *s, uint64_t seq, int wait_status, int error) {
        char msg[HOST_EXEC_MESSAGE_MAX];
        int n;

        n = host_exec_message_format(&(HostExecMessage) { .type = HOST_EXEC_DONE, .seq = seq,
                                                           .wait_status = wait_status, .error = error },
                                     msg, sizeof(msg));
        if (n < 0 || s->control_fd < 0)
                return;
        if (send(s->control_fd, msg, (size_t) n, MSG_NOSIGNAL) < 0)
                log_warning_errno(errno, "%s: cannot tell the init the end of a '+' command: %m", s->name);
}

static void close_all_but(int a, int b) {
        int lo = a < b ? a : b, hi = a < b ? b : a;

        if (lo > 3)
                (void) close_range(3, (unsigned) lo - 1, 0);
        if (hi > lo + 1)
                (void) close_range((unsigned) lo + 1, (unsigned) hi - 1, 0);
        (void) close_range((unsigned) hi + 1, ~0U, 0);
}

/* journald's stdout stream, opened in the child once it is in the scope, so journald files it under
 * the scope as it does the service's own stream. Only system calls: the daemon may have threads. */
static int journal_connect(const char *header, size_t header_len) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/stdout" };
        int fd;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || shutdown(fd, SHUT_RD) < 0 ||
            write(fd, header, header_len) != (ssize_t) header_len) {
                (void) close(fd);
                return -1;
        }
        return fd;
}

static _Noreturn void child_run(const char *path, char *const *argv, char *const *env, int hold_fd, int error_fd,
                                const char *header, size_t header_len) {
        sigset_t none;
        int null_fd, out_fd, r;
        char b;

        close_all_but(hold_fd, error_fd);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);

        /* Held until systemd moved us into the scope. */
        while ((r = (int) read(hold_fd, &b, 1)) < 0 && errno == EINTR)
                ;
        if (r != 1)
                _exit(127);
        (void) close(hold_fd);

        if (setsid() < 0)
                goto fail;
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (null_fd < 0)
                goto fail;
        out_fd = journal_connect(header, header_len);
        if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd >= 0 ? out_fd : null_fd, STDOUT_FILENO) < 0 ||
            dup2(out_fd >= 0 ? out_fd : null_fd, STDERR_FILENO) < 0)
                goto fail;
        if (chdir("/") < 0)
                goto fail;
        umask(0022);
        execve(path, argv, env);
fail:
        r = errno;
        (void) !write(error_fd, &r, sizeof(r));
        _exit(127);
}

static int on_child_exit(sd_event_source *source, const siginfo_t *si, void *userdata) {
        HostExec *h = userdata;
        Service *s = h->service;
        int status, error = 0;

        status = si->si_code == CLD_EXITED ? W_EXITCODE(si->si_status, 0)
                 : si->si_code == CLD_DUMPED ? (si->si_status | 0x80)
                                             : si->si_status;
        if (read(h->error_fd, &error, sizeof(error)) != (ssize_t) sizeof(error))
                error = 0;
        if (h->attach_error > 0)
                error = h->attach_error;
        if (error > 0)
                log_warning("%s: %s could not run on the host: %s", s->name, h->what, strerror(error));
        else
                log_info("%s: %s on the host ended (status %d).", s->name, h->what, status);
        send_done(s, h->seq, error > 0 ? 0 : status, error > 0 ? error : 0);
        h->child_source = sd_event_source_disable_unref(h->child_source);
        s->host_exec = host_exec_free(h);
        return 0;
}

/* Where the cgroupfs of a hierarchy of /proc/PID/cgroup is: v1 "N:cpu,cpuacct:/x" under
 * /sys/fs/cgroup/cpu,cpuacct, "N:name=systemd:/x" under /sys/fs/cgroup/systemd, v2 "0::/x" under
 * /sys/fs/cgroup (or /sys/fs/cgroup/unified on a hybrid host). */
static char *hierarchy_root(const char *controllers) {
        const char *name;

        if (*controllers == 0)
                return strdup(access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified");
        name = startswith(controllers, "name=");
        return strprintf("/sys/fs/cgroup/%s", name ?: controllers);
}

/* Into the cgroups the init is in, hierarchy by hierarchy: the scope's (systemd's
 * AttachProcessesToUnit refuses a scope that is not delegated). The one of systemd's own
 * hierarchy (v1's name=systemd, or v2) must be in the unit, or nothing is moved. */
static int move_into_scope(Service *s, pid_t pid) {
        char path[64], line[2048], pidtext[32];
        bool in_unit = false;
        size_t k = strlen(s->unit);
        _cleanup_strv_free_ char **targets = NULL;
        FILE *f;
        int r = 0;

        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) s->init_pid);
        f = fopen(path, "re");
        if (!f)
                return negative_errno();
        while (r >= 0 && fgets(line, sizeof(line), f)) {
                char *controllers = strchr(line, ':'), *cg, *p;
                _cleanup_free_ char *root = NULL;

                if (!controllers || !(cg = strchr(++controllers, ':')))
                        continue;
                *cg++ = 0;
                cg[strcspn(cg, "\n")] = 0;
                if (cg[0] != '/' || strstr(cg, "/..") || strstr(cg, " (deleted)"))
                        continue;
                for (p = strstr(cg, s->unit); p && !(p[-1] == '/' && (p[k] == 0 || p[k] == '/')); p = strstr(p + 1, s->unit))
                        ;
                if (p && (*controllers == 0 || strcmp(controllers, "name=systemd") == 0))
                        in_unit = true;
                root = hierarchy_root(controllers);
                if (!root)
                        r = -ENOMEM;
                else
                        r = strv_consume(&targets, strprintf("%s%s/cgroup.procs", root, cg));
        }
        fclose(f);
        if (r < 0)
                return r;
        if (!in_unit)
                return -ESRCH; /* the init is gone, or is not where its scope is */
        snprintf(pidtext, sizeof(pidtext), "%d", (int) pid);
        for (char **t = targets; t && *t; t++) {
                int fd = open(*t, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

                if (fd < 0) {
                        if (errno == ENOENT)
                                continue; /* a hierarchy not mounted here */
                        return negative_errno();
                }
                if (write(fd, pidtext, strlen(pidtext)) < 0) {
                        r = negative_errno();
                        (void) close(fd);
                        return r;
                }
                (void) close(fd);
        }
        if (!pid_in_unit(pid, s->unit))
                return -ESRCH;
        return 0;
}

static int env_set(char ***env, const char *key, const char *value) {
        _cleanup_free_ char *a = strprintf("%s=%s", key, value);
        size_t n = strlen(key);

        if (!a)
                return -ENOMEM;
        for (char **i = *env; i && *i; i++)
                if (strncmp(*i, key, n) == 0 && (*i)[n] == '=') {
                        free(*i);
                        *i = TAKE_PTR(a);
                        return 0;
                }
        return strv_consume(env, TAKE_PTR(a));
}

/* The environment of a "+" command: the description's Environment= (the administrator's words),
 * then what systemd sets; never EnvironmentFile= (a file the service may have written). */
static int build_environment(Service *s, pid_t main_pid, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        char pid[32];
        int r;

        r = env_set(&env, "PATH", HOST_EXEC_PATH);
        for (char **i = s->description->environment; r >= 0 && i && *i; i++) {
                const char *eq = strchr(*i, '=');
                _cleanup_free_ char *key = eq ? strndup(*i, (size_t) (eq - *i)) : NULL;

                if (!key)
                        return -ENOMEM;
                r = env_set(&env, key, eq + 1);
        }
        if (r >= 0 && s->invocation_id[0])
                r = env_set(&env, "INVOCATION_ID", s->invocation_id);
        if (r >= 0 && main_pid > 0) {
                snprintf(pid, sizeof(pid), "%d", (int) main_pid);
                r = env_set(&env, "MAINPID", pid);
        }
        if (r < 0)
                return r;
        environment_unset(env, s->description->unset_environment);
        *ret = TAKE_PTR(env);
        return 0;
}

/* A bare name is looked up in PATH here, on the host, as systemd does for "+". */
static int find_executable(const char *name, char **ret) {
        const char *p = HOST_EXEC_PATH;

        if (name[0] == '/') {
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        while (*p) {
                size_t n = strcspn(p, ":");
                _cleanup_free_ char *c = strprintf("%.*s/%s", (int) n, p, name);

                if (!c)
                        return -ENOMEM;
                if (access(c, X_OK) == 0) {
                        *ret = TAKE_PTR(c);
                        return 0;
                }
                p += n + (p[n] == ':');
        }
        return -ENOENT;
}

static int host_exec_run(Service *s, const HostExecMessage *m, const ExecCommand *c, pid_t main_pid) {
        _cleanup_(host_exec_freep) HostExec *h = NULL;
        _cleanup_strv_free_ char **env = NULL, **argv = NULL;
        _cleanup_free_ char *path = NULL, *header = NULL;
        int hold[2], error[2], r;

        h = calloc(1, sizeof(HostExec));
        if (!h)
                return -ENOMEM;
        *h = (HostExec) { .service = s, .seq = m->seq, .pidfd = -EBADF, .hold_fd = -EBADF, .error_fd = -EBADF };
        h->what = strprintf("%s=+%s", host_exec_key_to_string(m->key), c->path);
        if (!h->what)
                return -ENOMEM;

        r = build_environment(s, main_pid, &env);
        if (r >= 0)
                r = exec_command_expand(c, env, &argv);
        if (r >= 0)
                r = find_executable(c->path, &path);
        if (r < 0)
                return r;
        /* identifier, unit id, priority, level prefix, syslog, kmsg, console: as the init writes it. */
        header = strprintf("%s\n%s\n%i\n0\n0\n0\n0\n", description_syslog_identifier(s->description) ?: "", s->unit,
                           LOG_INFO);
        if (!header)
                return -ENOMEM;

        if (pipe2(hold, O_CLOEXEC) < 0)
                return negative_errno();
        h->hold_fd = hold[1];
        if (pipe2(error, O_CLOEXEC | O_NONBLOCK) < 0) {
                safe_close(hold[0]);
                return negative_errno();
        }
        h->error_fd = error[0];
        /* The child writes its errno to a blocking end. */
        (void) fcntl(error[1], F_SETFL, 0);

        h->pid = fork();
        if (h->pid < 0) {
                r = negative_errno();
                safe_close(hold[0]);
                safe_close(error[1]);
                return r;
        }
        if (h->pid == 0)
                child_run(path, argv, env, hold[0], error[1], header, strlen(header));
        safe_close(hold[0]);
        safe_close(error[1]);

        h->pidfd = (int) syscall(SYS_pidfd_open, h->pid, 0);
        if (h->pidfd < 0) {
                r = negative_errno();
                (void) kill(h->pid, SIGKILL);
                (void) waitpid(h->pid, NULL, 0);
                return r;
        }
        r = sd_event_add_child_pidfd(s->manager->event, &h->child_source, h->pidfd, WEXITED, on_child_exit, h);
        if (r < 0) {
                (void) kill(h->pid, SIGKILL);
                (void) waitpid(h->pid, NULL, 0);
                return r;
        }
        /* Never run outside the scope: moved first, then let go. */
        r = move_into_scope(s, h->pid);
        if (r >= 0 && write(h->hold_fd, "x", 1) != 1)
                r = negative_errno();
        h->hold_fd = safe_close(h->hold_fd);
        if (r < 0) {
                log_warning_errno(r, "%s: cannot move %s into %s: %m", s->name, h->what, s->unit);
                h->attach_error = -r;
                (void) syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
        }
        log_info("%s: running %s on the host (PID %d, $MAINPID %d).", s->name, h->what, (int) h->pid, (int) main_pid);
        s->host_exec = TAKE_PTR(h);
        return 0;
}

bool host_exec_handle_message(Service *s, const char *msg, int *fds, size_t n_fds) {
        ExecCommand *const *list;
        const ExecCommand *c = NULL;
        HostExecMessage m;
        pid_t main_pid = 0;
        int r;

        r = host_exec_message_parse(msg, &m);
        if (r == -ENOMSG)
                return false;
        if (n_fds == 1 && r >= 0 && m.type == HOST_EXEC_RUN) {
                main_pid = pidfd_get_pid(fds[0]);
                if (main_pid > 0 && !pid_in_unit(main_pid, s->unit)) {
                        log_warning("%s: the init sent a pidfd of a process outside %s for $MAINPID, ignored.",
                                    s->name, s->unit);
                        main_pid = 0;
                }
        }
        for (size_t i = 0; i < n_fds; i++)
                safe_close(fds[i]);
        if (r < 0 || m.type == HOST_EXEC_DONE) {
                log_warning("%s: garbled '+' request from the init: %.64s", s->name, msg);
                return true;
        }

        if (m.type == HOST_EXEC_KILL) {
                if (s->host_exec && s->host_exec->seq == m.seq)
                        (void) syscall(SYS_pidfd_send_signal, s->host_exec->pidfd, SIGKILL, NULL, 0);
                return true;
        }

        if (s->host_exec) {
                send_done(s, m.seq, 0, EBUSY);
                return true;
        }
        list = s->description ? host_exec_key_list(s->description, m.key) : NULL;
        for (unsigned i = 0; list && list[i]; i++)
                if (i == m.index) {
                        c = list[i];
                        break;
                }
        /* Only the administrator's "+" commands: the init names one, it never writes one. */
        if (!c || !c->privileged) {
                log_warning("%s: the init asked to run %s= command %u on the host, which has no '+': refused.",
                            s->name, host_exec_key_to_string(m.key), m.index);
                send_done(s, m.seq, 0, EPERM);
                return true;
        }
        /* isolatectl learn: nothing reaches the host while it learns; the command counts as done. */
        if (s->learn) {
                log_notice("%s: not running %s=+%s on the host while learning.", s->name,
                           host_exec_key_to_string(m.key), c->path);
                send_done(s, m.seq, 0, 0);
                return true;
        }
        r = host_exec_run(s, &m, c, main_pid);
        if (r < 0) {
                log_warning_errno(r, "%s: cannot run %s=+%s on the host: %m", s->name, host_exec_key_to_string(m.key),
                                  c->path);
                send_done(s, m.seq, 0, -r);
        }
        return true;
}

void host_exec_abort(Service *s) {
        s->host_exec = host_exec_free(s->host_exec);
}
