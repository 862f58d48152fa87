/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ctl-pty.h"
#include "ctl.h"
#include "log.h"

/* The order matters: the user namespace first, so that we hold capabilities
 * over the others; the mount namespace last, as it hides /proc and /sys of the
 * host that the steps before need. */
static const struct {
        const char *name;
        int flag;
} namespace_order[] = {
        { "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
        { "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID },
        { "mnt", CLONE_NEWNS },
};

typedef struct Target {
        pid_t init_pid, main_pid;
        int pidfd;
        int ns_fd[ELEMENTSOF(namespace_order)];
        int root_fd;
        char *cgroup; /* /proc/INIT/cgroup */
        uid_t uid;
        gid_t gid;
        gid_t groups[64];
        int n_groups;
} Target;

static void target_done(Target *t) {
        t->pidfd = safe_close(t->pidfd);
        for (size_t i = 0; i < ELEMENTSOF(t->ns_fd); i++)
                t->ns_fd[i] = safe_close(t->ns_fd[i]);
        t->root_fd = safe_close(t->root_fd);
        free(t->cgroup);
}

static const NamespaceInfo *find_namespace(const ServiceInfo *info, const char *type) {
        for (size_t i = 0; i < info->n_namespaces; i++)
                if (strcmp(info->namespaces[i].type, type) == 0)
                        return &info->namespaces[i];
        return NULL;
}

/* Opens the namespaces of the init that differ from ours, checking each
 * against what the daemon reported, so a reused PID is never entered. */
static int open_namespaces(Target *t, const ServiceInfo *info) {
        for (size_t i = 0; i < ELEMENTSOF(namespace_order); i++) {
                char path[64];
                struct stat theirs, ours;
                const NamespaceInfo *expected;
                int fd;

                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) t->init_pid, namespace_order[i].name);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT) /* a kernel without this namespace type */
                                continue;
                        return negative_errno();
                }
                if (fstat(fd, &theirs) < 0) {
                        int r = negative_errno();
                        safe_close(fd);
                        return r;
                }
                snprintf(path, sizeof(path), "/proc/self/ns/%s", namespace_order[i].name);
                if (stat(path, &ours) >= 0 && ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev) {
                        safe_close(fd);
                        continue;
                }
                expected = find_namespace(info, namespace_order[i].name);
                if (expected && expected->inode != (uint64_t) theirs.st_ino) {
                        safe_close(fd);
                        return -ESRCH;
                }
                t->ns_fd[i] = fd;
        }
        return 0;
}

static int read_ids(Target *t) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        const char *p;
        int r;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) (t->main_pid > 0 ? t->main_pid : t->init_pid));
        r = read_text_file(path, 64 * 1024, &text);
        if (r < 0)
                return r;
        p = strstr(text, "\nUid:");
        if (!p || sscanf(p, "\nUid: %u", &t->uid) != 1)
                return -EBADMSG;
        p = strstr(text, "\nGid:");
        if (!p || sscanf(p, "\nGid: %u", &t->gid) != 1)
                return -EBADMSG;
        p = strstr(text, "\nGroups:");
        if (p) {
                p += strlen("\nGroups:");
                for (;;) {
                        unsigned g;
                        int n;
                        if (t->n_groups >= (int) ELEMENTSOF(t->groups) || sscanf(p, " %u%n", &g, &n) != 1)
                                break;
                        t->groups[t->n_groups++] = g;
                        p += n;
                        if (*p == '\n')
                                break;
                }
        }
        return 0;
}

/* Moves us into every hierarchy's cgroup of the init, which is the scope's
 * (on a hybrid v1 host there is one per mounted hierarchy). */
static int join_cgroups(const Target *t) {
        _cleanup_free_ char *copy = strdup(t->cgroup);
        char *saveptr = NULL, pid[32];
        bool unified = access("/sys/fs/cgroup/cgroup.procs", F_OK) >= 0;
        int joined = 0;

        if (!copy)
                return -ENOMEM;
        snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        for (char *line = strtok_r(copy, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr)) {
                _cleanup_free_ char *procs = NULL;
                _cleanup_close_ int fd = -EBADF;
                char *controllers, *path;
                const char *dir;

                controllers = strchr(line, ':');
                if (!controllers)
                        continue;
                path = strchr(++controllers, ':');
                if (!path)
                        continue;
                *path++ = 0;
                if (strstr(path, "/..") || path[0] != '/')
                        continue; /* outside our cgroup namespace: not ours to join */
                if (*controllers == 0)
                        dir = unified ? "" : "/unified";
                else if (strncmp(controllers, "name=", 5) == 0)
                        dir = controllers + 5; /* name=systemd is mounted at /sys/fs/cgroup/systemd */
                else
                        dir = controllers;
                if (asprintf(&procs, "/sys/fs/cgroup%s%s%s/cgroup.procs", *controllers && *dir ? "/" : "", dir,
                             strcmp(path, "/") == 0 ? "" : path) < 0)
                        return -ENOMEM;
                fd = open(procs, O_WRONLY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT) /* a hierarchy that is not mounted here */
                                continue;
                        return negative_errno();
                }
                if (write(fd, pid, strlen(pid)) < 0)
                        return negative_errno();
                joined++;
        }
        return joined > 0 ? 0 : -ENOENT;
}

static void set_user_environment(uid_t uid) {
        struct passwd *pw = getpwuid(uid);

        if (!pw)
                return;
        (void) setenv("HOME", pw->pw_dir, 1);
        (void) setenv("USER", pw->pw_name, 1);
        (void) setenv("LOGNAME", pw->pw_name, 1);
}

__attribute__((noreturn)) static void exec_child(const Target *t, int pty_slave, char **cmd) {
        const char *shell = getenv("SHELL");
        char *sh_argv[] = { NULL, NULL };
        sigset_t none;

        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) signal(SIGINT, SIG_DFL);
        (void) signal(SIGQUIT, SIG_DFL);
        if (pty_slave >= 0 && pty_make_controlling(pty_slave) < 0) {
                log_error_errno(errno, "Failed to set up the terminal: %m");
                _exit(EXIT_FAIL);
        }
        if (t->uid != 0 || t->gid != 0) {
                if (setgroups((size_t) t->n_groups, t->groups) < 0 || setresgid(t->gid, t->gid, t->gid) < 0 ||
                    setresuid(t->uid, t->uid, t->uid) < 0) {
                        log_error_errno(errno, "Failed to become UID %u: %m", t->uid);
                        _exit(EXIT_FAIL);
                }
        }
        set_user_environment(t->uid);
        if (chdir(getenv("HOME") ?: "/") < 0)
                (void) chdir("/");
        if (cmd && cmd[0]) {
                execvp(cmd[0], cmd);
                log_error_errno(errno, "Failed to execute %s inside the service: %m", cmd[0]);
                _exit(errno == ENOENT ? 127 : 126);
        }
        if (isempty(shell) || access(shell, X_OK) < 0)
                shell = "/bin/sh";
        sh_argv[0] = (char *) shell;
        execv(shell, sh_argv);
        log_error_errno(errno, "Failed to execute %s inside the service: %m", shell);
        _exit(127);
}

static int enter(Target *t) {
        for (size_t i = 0; i < ELEMENTSOF(namespace_order); i++) {
                if (t->ns_fd[i] < 0)
                        continue;
                if (setns(t->ns_fd[i], namespace_order[i].flag) < 0)
                        return log_error_errno(errno, "Failed to enter the %s namespace: %m",
                                               namespace_order[i].name);
        }
        /* The service's root: RootDirectory= is a chroot inside the mount namespace. */
        if (t->root_fd >= 0 && (fchdir(t->root_fd) < 0 || chroot(".") < 0))
                return log_error_errno(errno, "Failed to enter the service's root directory: %m");
        if (chdir("/") < 0)
                return log_error_errno(errno, "Failed to change to /: %m");
        return 0;
}

static int wait_child(pid_t child, siginfo_t *ret) {
        for (;;) {
                if (waitid(P_PID, (id_t) child, ret, WEXITED) >= 0)
                        return 0;
                if (errno != EINTR)
                        return negative_errno();
        }
}

/* In the namespaces now: the command, and its end as an exit status. */
static int run_command(const Target *t, int pty_slave, char **cmd) {
        siginfo_t si = {};
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork inside the service: %m"), EXIT_FAIL;
        if (pid == 0)
                exec_child(t, pty_slave, cmd);
        if (wait_child(pid, &si) < 0)
                return log_error_errno(errno, "Failed to wait for the command: %m"), EXIT_FAIL;
        return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

int verb_shell(sd_bus *bus, int argc, char **argv) {
        _cleanup_(service_info_done) ServiceInfo info = {};
        _cleanup_(target_done) Target t = { .pidfd = -EBADF, .root_fd = -EBADF };
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int pty_master = -EBADF, pty_slave = -EBADF;
        char proc[64];
        struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
        siginfo_t si = {};
        pid_t child;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(t.ns_fd); i++)
                t.ns_fd[i] = -EBADF;
        if (argc < 2)
                return log_error("Usage: isolatectl shell NAME [COMMAND [ARG...]]"), EXIT_FAIL;
        if (arg_host)
                return refuse_remote("shell");
        if (geteuid() != 0)
                return log_error("shell enters namespaces and needs root; run it with sudo or as root."), EXIT_FAIL;

        r = get_service_path(bus, argv[1], &path);
        if (r == EXIT_OK)
                r = get_service_info(bus, path, &info);
        if (r != EXIT_OK)
                return r;
        if (!state_is_active(info.state) || info.init_pid == 0)
                return log_error("%s is not running (%s); start it with \"isolatectl start %s\".", argv[1],
                                 info.state, argv[1]),
                       EXIT_NOT_RUNNING;
        t.init_pid = (pid_t) info.init_pid;
        t.main_pid = (pid_t) info.main_pid;

        /* Held from here: the init cannot be replaced by another process of the same PID. */
        t.pidfd = (int) syscall(SYS_pidfd_open, t.init_pid, 0);
        if (t.pidfd < 0)
                return log_error_errno(errno, "Failed to open the init process %d of %s: %m", (int) t.init_pid,
                                       argv[1]),
                       EXIT_FAIL;
        snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int) t.init_pid);
        r = read_text_file(proc, 64 * 1024, &t.cgroup);
        if (r >= 0)
                r = open_namespaces(&t, &info);
        if (r >= 0)
                r = read_ids(&t);
        if (r >= 0) {
                snprintf(proc, sizeof(proc), "/proc/%d/root", (int) (t.main_pid > 0 ? t.main_pid : t.init_pid));
                t.root_fd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (t.root_fd < 0)
                        r = negative_errno();
        }
        /* Everything above came from /proc/PID: still the same process? */
        if (r >= 0 && syscall(SYS_pidfd_send_signal, t.pidfd, 0, NULL, 0) < 0)
                r = -ESRCH;
        if (r == -ESRCH)
                return log_error("%s ended while entering it.", argv[1]), EXIT_NOT_RUNNING;
        if (r < 0)
                return log_error_errno(r, "Failed to inspect %s (init PID %d): %m", argv[1], (int) t.init_pid),
                       EXIT_FAIL;

        /* Interactive: a pty of our own, from the host's /dev/ptmx, so that
         * nothing inside gets a descriptor of the caller's terminal. */
        if (isatty(STDIN_FILENO)) {
                r = pty_open(&pty_master, &pty_slave);
                if (r < 0)
                        return log_error_errno(r, "Failed to allocate a pseudo terminal: %m"), EXIT_FAIL;
        }

        /* isolatectl itself stays on the host: a child joins the scope and
         * the namespaces, and forks the command, as the PID namespace
         * applies to children only. It passes the command's end on. */
        (void) sigaction(SIGINT, &ignore, &old_int);
        (void) sigaction(SIGQUIT, &ignore, &old_quit);
        fflush(stdout);
        fflush(stderr);
        child = fork();
        if (child < 0)
                return log_error_errno(errno, "Failed to fork: %m"), EXIT_FAIL;
        if (child == 0) {
                pty_master = safe_close(pty_master);
                r = join_cgroups(&t);
                if (r < 0) {
                        log_error_errno(r, "Failed to join the cgroup of %s: %m", info.unit);
                        _exit(EXIT_FAIL);
                }
                if (enter(&t) < 0)
                        _exit(EXIT_FAIL);
                _exit(run_command(&t, pty_slave, argv + 2));
        }
        pty_slave = safe_close(pty_slave);
        if (pty_master >= 0) {
                r = pty_relay(pty_master, child, &si);
                if (r < 0)
                        return log_error_errno(r, "Failed to relay the terminal: %m"), EXIT_FAIL;
        } else {
                r = wait_child(child, &si);
                if (r < 0)
                        return log_error_errno(r, "Failed to wait for the shell: %m"), EXIT_FAIL;
        }
        if (si.si_code == CLD_EXITED)
                return si.si_status;
        return 128 + si.si_status;
}
