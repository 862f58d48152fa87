/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "learn.h"
#include "log.h"
#include "macro.h"
#include "string-util.h"

#define LEARN_LISTENERS_MAX 64 /* processes started with a filter of their own at once */
#define LEARN_SYSCALLS_MAX 1024
#define LEARN_ENTRIES_MAX 4096 /* lines of "write" */
#define LEARN_DEPTH_MAX 32

static struct {
        bool active;
        int report_fd;
        int layers_fd;
        char **paths; /* not owned: the START message's, alive as long as the init */
        size_t n_paths;
        int wake[2]; /* new listeners, as ints, to the thread */
        bool thread_started;
        atomic_ulong seen[LEARN_SYSCALLS_MAX / (8 * sizeof(unsigned long))];
        size_t n_entries;
} learn = { .report_fd = -1, .layers_fd = -1, .wake = { -1, -1 } };

bool learn_active(void) {
        return learn.active;
}

int learn_setup(int report_fd) {
        if (report_fd < 0)
                return -EBADF;
        learn.report_fd = report_fd;
        learn.active = true;
        return 0;
}

void learn_set_layers(int layers_fd, char *const *paths, size_t n) {
        safe_close(learn.layers_fd);
        learn.layers_fd = layers_fd;
        learn.paths = (char **) paths;
        learn.n_paths = n;
}

static void record(int nr) {
        const size_t bits = 8 * sizeof(unsigned long);

        if (nr >= 0 && nr < LEARN_SYSCALLS_MAX)
                atomic_fetch_or(&learn.seen[(size_t) nr / bits], 1UL << ((size_t) nr % bits));
}

/* One notification: recorded, and the call goes on as if no filter had seen it. */
static void answer(int fd) {
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;

        memset(&req, 0, sizeof(req));
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
                return; /* ENOENT: the caller was interrupted meanwhile */
        record(req.data.nr);
        memset(&resp, 0, sizeof(resp));
        resp.id = req.id;
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        (void) ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* No allocation, no lock: the init forks while this runs. */
static void *learn_thread(void *arg) {
        int fds[LEARN_LISTENERS_MAX];
        size_t n = 0;

        (void) arg;
        for (;;) {
                struct pollfd p[1 + LEARN_LISTENERS_MAX];

                p[0] = (struct pollfd) { .fd = learn.wake[0], .events = POLLIN };
                for (size_t i = 0; i < n; i++)
                        p[1 + i] = (struct pollfd) { .fd = fds[i], .events = POLLIN };
                if (poll(p, 1 + n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return NULL;
                }
                for (size_t i = n; i > 0; i--) {
                        struct pollfd *q = &p[i];

                        if (q->revents & POLLIN)
                                answer(q->fd);
                        else if (q->revents & (POLLHUP | POLLERR | POLLNVAL)) {
                                /* Every process of this filter is gone. */
                                (void) close(q->fd);
                                fds[i - 1] = fds[--n];
                        }
                }
                if (p[0].revents & POLLIN) {
                        int fd;

                        if (read(learn.wake[0], &fd, sizeof(fd)) == sizeof(fd)) {
                                if (n < LEARN_LISTENERS_MAX)
                                        fds[n++] = fd;
                                else
                                        (void) close(fd);
                        }
                } else if (p[0].revents & (POLLHUP | POLLERR))
                        return NULL;
        }
}

int learn_seccomp_start(void) {
        pthread_attr_t attr;
        pthread_t t;
        int r;

        if (!learn.active || learn.thread_started)
                return 0;
        if (pipe2(learn.wake, O_CLOEXEC) < 0)
                return negative_errno();
        if (pthread_attr_init(&attr) != 0)
                return -ENOMEM;
        (void) pthread_attr_setstacksize(&attr, 64 * 1024);
        (void) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        r = pthread_create(&t, &attr, learn_thread, NULL);
        (void) pthread_attr_destroy(&attr);
        if (r != 0)
                return -r;
        learn.thread_started = true;
        return 0;
}

void learn_seccomp_add(int listener_fd) {
        if (!learn.thread_started || write(learn.wake[1], &listener_fd, sizeof(listener_fd)) != sizeof(listener_fd))
                (void) close(listener_fd); /* its calls then fail with ENOSYS */
}

static int load_with_listener(const struct sock_fprog *prog) {
        int fd = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);

        return fd < 0 ? negative_errno() : fd;
}

int learn_seccomp_load(const struct sock_fprog *prog, bool no_new_privileges, int sock) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        char tag = 'L';
        struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        struct cmsghdr *c;
        int fd;

        if (!prog)
                return 0;
        fd = load_with_listener(prog);
        if (fd == -EACCES && !no_new_privileges) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return negative_errno();
                fd = load_with_listener(prog);
        }
        if (fd < 0)
                return fd;
        memset(control.buf, 0, sizeof(control.buf));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        if (sendmsg(sock, &mh, MSG_NOSIGNAL) != 1) {
                int r = negative_errno();
                (void) close(fd);
                return r;
        }
        (void) close(fd);
        return 0;
}

static void report_line(const char *kind, const char *value) {
        _cleanup_free_ char *line = strprintf("%s %s\n", kind, value);
        size_t k;

        if (!line || strchr(value, '\n'))
                return;
        k = strlen(line);
        if (write(learn.report_fd, line, k) != (ssize_t) k)
                log_warning_errno(errno, "Failed to record what was learned: %m");
}

static void report_entry(const char *path) {
        if (learn.n_entries++ < LEARN_ENTRIES_MAX)
                report_line("write", path);
}

/* The upper layer below dir (host path prefix), recursively: every entry that is not a directory,
 * every directory that holds nothing (or that we cannot read). Nothing is followed. */
static void walk(int dir_fd, const char *prefix, unsigned depth) {
        _cleanup_close_ int fd = dir_fd;
        DIR *d;
        struct dirent *de;
        bool empty = true;

        if (depth > LEARN_DEPTH_MAX) {
                report_entry(prefix);
                return;
        }
        d = fdopendir(fd);
        if (!d) {
                report_entry(*prefix ? prefix : "/");
                return;
        }
        fd = -EBADF; /* the DIR's now */
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                empty = false;
                path = strprintf("%s/%s", prefix, de->d_name);
                if (!path)
                        break;
                if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
                        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                        if (sub >= 0) {
                                walk(sub, path, depth + 1);
                                continue;
                        }
                        if (de->d_type == DT_DIR) {
                                report_entry(path);
                                continue;
                        }
                }
                report_entry(path);
        }
        closedir(d);
        if (empty && depth > 0)
                report_entry(prefix);
}

void learn_report(void) {
        const size_t bits = 8 * sizeof(unsigned long);

        if (!learn.active || learn.report_fd < 0)
                return;
        (void) ftruncate(learn.report_fd, 0);
        (void) lseek(learn.report_fd, 0, SEEK_SET);
        learn.n_entries = 0;
        for (size_t i = 0; learn.layers_fd >= 0 && i < learn.n_paths; i++) {
                char upper[32];
                int fd;

                snprintf(upper, sizeof(upper), "%zu/upper", i);
                fd = openat(learn.layers_fd, upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        continue;
                /* "/" is "", so that its entries are "/x", not "//x". */
                walk(fd, strcmp(learn.paths[i], "/") == 0 ? "" : learn.paths[i], 0);
        }
        for (int nr = 0; nr < LEARN_SYSCALLS_MAX; nr++) {
                _cleanup_free_ char *name = NULL;

                if (!(atomic_load(&learn.seen[(size_t) nr / bits]) & (1UL << ((size_t) nr % bits))))
                        continue;
                name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                if (name)
                        report_line("syscall", name);
        }
        if (learn.n_entries > LEARN_ENTRIES_MAX)
                log_warning("Learned %zu written paths, recorded the first %d.", learn.n_entries, LEARN_ENTRIES_MAX);
}
