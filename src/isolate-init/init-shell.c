/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-shell.h"
#include "log.h"
#include "shell-protocol.h"
#include "strv.h"

static int send_text(int fd, const char *text, const int *fds, size_t n_fds) {
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(2 * sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) text, .iov_len = strlen(text) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd < 0)
                return -ENOTCONN;
        if (n_fds > 2)
                return -EINVAL;
        if (n_fds > 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
                memcpy(CMSG_DATA(cmsg), fds, n_fds * sizeof(int));
        }
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

static void send_failed(int control_fd, uint64_t id, int error, const char *text) {
        char msg[SHELL_TEXT_MAX + 64];

        if (shell_reply_format_failed(id, error, text ?: strerror(error < 0 ? -error : error), msg, sizeof(msg)) >= 0)
                (void) send_text(control_fd, msg, NULL, 0);
}

/* A shell for login: /sbin/nologin and /bin/false do not count. */
static bool shell_usable(const char *shell) {
        size_t n;

        if (!shell || shell[0] != '/')
                return false;
        n = strlen(shell);
        if ((n >= 8 && strcmp(shell + n - 8, "/nologin") == 0) || (n >= 6 && strcmp(shell + n - 6, "/false") == 0))
                return false;
        return access(shell, X_OK) >= 0;
}

/* The user's shell in the service's own /etc/passwd, or /bin/sh. */
static const char *default_shell(const SpawnContext *c) {
        const struct passwd *pw;

        if (shell_usable(c->sandbox.shell))
                return c->sandbox.shell;
        pw = getpwuid(c->sandbox.switch_user ? c->sandbox.uid : 0);
        if (pw && shell_usable(pw->pw_shell))
                return pw->pw_shell;
        return "/bin/sh";
}

/* Is fd a terminal of our own devpts (the one PTY hands out), not one of the host's? */
static bool is_own_pty(int fd) {
        struct stat st, pts;

        if (!isatty(fd) || fstat(fd, &st) < 0 || stat("/dev/pts/ptmx", &pts) < 0)
                return false;
        return S_ISCHR(st.st_mode) && st.st_dev == pts.st_dev;
}

void init_shell_start(InitShells *sh, const SpawnContext *c, int control_fd, bool running, char *msg, size_t size,
                      int *fds, size_t n_fds) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *error = NULL, *term = NULL;
        const char *shell_argv[2] = {};
        SpawnShell shell;
        uint64_t id;
        pid_t pid;
        int r;

        if (shell_request_id(msg, &id) < 0) {
                log_warning("Ignoring malformed SHELL message.");
                goto finish;
        }
        r = shell_request_decode(msg, size, &id, &argv, &term);
        if (r < 0) {
                send_failed(control_fd, id, r, r == -EBADMSG ? "malformed SHELL message" : NULL);
                goto finish;
        }
        if (n_fds != 3) {
                send_failed(control_fd, id, EBADMSG, "SHELL needs three fds");
                goto finish;
        }
        if (!running) {
                send_failed(control_fd, id, EBUSY, "the service is not running");
                goto finish;
        }
        if (sh->n >= INIT_SHELLS_MAX) {
                send_failed(control_fd, id, EBUSY, "too many shells run in the service already");
                goto finish;
        }

        shell = (SpawnShell) {
                .argv = argv,
                .term = term, /* the only variable of the caller's that the shell gets */
                .stdio = fds,
                .controlling_tty = is_own_pty(fds[0]),
        };
        if (!argv[0]) {
                shell_argv[0] = default_shell(c);
                shell.argv = (char *const *) shell_argv;
        }
        r = spawn_shell(c, &shell, &pid, &error);
        if (r < 0) {
                send_failed(control_fd, id, r, error);
                goto finish;
        }
        sh->running[sh->n++] = (InitShell) { .id = id, .pid = pid, .connection = sh->connection };
        log_debug("Shell %" PRIu64 " started as PID %d.", id, (int) pid);

finish:
        for (size_t i = 0; i < n_fds; i++)
                fds[i] = safe_close(fds[i]);
}

void init_shell_open_pty(const SpawnContext *c, int control_fd, const char *msg) {
        _cleanup_close_ int master = -EBADF, peer = -EBADF;
        uint64_t id;
        char reply[64];
        int unlock = 0, fds[2];

        if (shell_simple_decode("PTY", msg, &id) < 0) {
                log_warning("Ignoring malformed PTY message.");
                return;
        }
        /* The service's devpts, where the shell's terminal belongs: its ptmx node itself, not the
         * /dev/ptmx link, which the service may replace (its /dev is writable, as systemd's
         * PrivateDevices= /dev; the devpts is a mount it cannot swap). */
        master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
        if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
                goto fail;
        peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                goto fail;
        /* As grantpt(): the terminal belongs to its user. */
        if (c->sandbox.switch_user && fchown(peer, c->sandbox.uid, (gid_t) -1) < 0)
                goto fail;

        (void) shell_reply_format_pty(id, 0, reply, sizeof(reply));
        fds[0] = master;
        fds[1] = peer;
        if (send_text(control_fd, reply, fds, 2) < 0)
                log_warning_errno(errno, "Failed to send a pty to the daemon: %m");
        return;

fail:
        (void) shell_reply_format_pty(id, errno > 0 ? errno : EIO, reply, sizeof(reply));
        (void) send_text(control_fd, reply, NULL, 0);
}

bool init_shells_reaped(InitShells *sh, int control_fd, pid_t pid, int wait_status) {
        for (size_t i = 0; i < sh->n; i++) {
                InitShell shell = sh->running[i];
                char msg[128];

                if (shell.pid != pid)
                        continue;
                sh->running[i] = sh->running[--sh->n];
                if (shell.connection != sh->connection)
                        return true; /* asked by a daemon that is gone */
                if (shell_reply_format_exited(shell.id, wait_status, msg, sizeof(msg)) < 0)
                        return true;
                if (send_text(control_fd, msg, NULL, 0) < 0 && control_fd >= 0)
                        log_warning_errno(errno, "Failed to report the end of shell %" PRIu64 ": %m", shell.id);
                return true;
        }
        return false;
}

void init_shell_hang_up(InitShells *sh, const char *msg) {
        bool sigkill = strncmp(msg, "SHELL-SIGKILL ", 14) == 0;
        int sig = sigkill ? SIGKILL : SIGHUP;
        uint64_t id;

        if (shell_simple_decode(sigkill ? "SHELL-SIGKILL" : "SHELL-KILL", msg, &id) < 0) {
                log_warning("Ignoring malformed %s message.", sigkill ? "SHELL-SIGKILL" : "SHELL-KILL");
                return;
        }
        for (size_t i = 0; i < sh->n; i++)
                if (sh->running[i].id == id && sh->running[i].connection == sh->connection) {
                        pid_t pid = sh->running[i].pid;

                        /* Its process group, as a terminal's hangup reaches it (setsid() made it one). */
                        if (kill(-pid, sig) < 0)
                                (void) kill(pid, sig);
                        if (!sigkill)
                                (void) kill(-pid, SIGCONT);
                        return;
                }
}

void init_shells_kill(InitShells *sh, int sig) {
        for (size_t i = 0; i < sh->n; i++) {
                (void) kill(sh->running[i].pid, sig);
                if (sig != SIGKILL && sig != SIGCONT)
                        (void) kill(sh->running[i].pid, SIGCONT);
        }
}
