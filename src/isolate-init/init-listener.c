/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "init-listener.h"
#include "macro.h"

int init_listener_open(InitListener *l, const char *state_dir, const char *name) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *n = NULL, *sock = NULL;

        n = strdup(name);
        if (!n || asprintf(&sock, "%s.sock", name) < 0)
                return -ENOMEM;
        if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", state_dir, sock) >= (int) sizeof(sa.sun_path))
                return -ENAMETOOLONG;

        dir_fd = open(state_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dir_fd < 0)
                return negative_errno();

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        /* A socket left by an init that died without cleaning up. */
        (void) unlinkat(dir_fd, sock, 0);
        mode_t old_umask = umask(0077);
        int r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old_umask);
        if (r < 0)
                return negative_errno();
        if (listen(fd, 4) < 0) {
                r = negative_errno();
                (void) unlinkat(dir_fd, sock, 0);
                return r;
        }

        l->dir_fd = TAKE_FD(dir_fd);
        l->listen_fd = TAKE_FD(fd);
        l->name = TAKE_PTR(n);
        return 0;
}

int init_listener_accept(InitListener *l) {
        int fd;

        fd = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        return fd;
}

int init_listener_record_exit(InitListener *l, int wait_status) {
        _cleanup_free_ char *tmp = NULL, *final = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[64];
        int n;

        if (l->dir_fd < 0)
                return 0;
        if (asprintf(&tmp, "%s.exit.tmp", l->name) < 0 || asprintf(&final, "%s.exit", l->name) < 0)
                return -ENOMEM;
        if (WIFEXITED(wait_status))
                n = snprintf(buf, sizeof(buf), "EXITED exited %d\n", WEXITSTATUS(wait_status));
        else
                n = snprintf(buf, sizeof(buf), "EXITED %s %d\n", WCOREDUMP(wait_status) ? "dumped" : "killed",
                             WTERMSIG(wait_status));

        fd = openat(l->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        if (write(fd, buf, n) != n)
                return -EIO;
        if (renameat(l->dir_fd, tmp, l->dir_fd, final) < 0)
                return negative_errno();
        return 0;
}

void init_listener_done(InitListener *l) {
        if (l->dir_fd >= 0 && l->listen_fd >= 0 && l->name) {
                _cleanup_free_ char *sock = NULL;
                if (asprintf(&sock, "%s.sock", l->name) >= 0)
                        (void) unlinkat(l->dir_fd, sock, 0);
        }
        l->listen_fd = safe_close(l->listen_fd);
        l->dir_fd = safe_close(l->dir_fd);
        l->name = mfree(l->name);
}
