/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "init-listener.h"
#include "init-protocol.h"
#include "macro.h"

void init_listener_take(InitListener *l, int listen_fd, int exit_fd) {
        l->listen_fd = listen_fd;
        l->exit_fd = exit_fd;
}

int init_listener_accept(InitListener *l) {
        _cleanup_close_ int fd = -EBADF;
        struct ucred cred = {};
        socklen_t len = sizeof(cred);

        fd = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        /* The daemon is outside our PID namespace, so its PID reads as 0 here; every process of the
         * service has one we see. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return negative_errno();
        if (cred.pid != 0)
                return -EPERM;
        return TAKE_FD(fd);
}

int init_listener_record_exit(InitListener *l, int wait_status, InitEndResult result) {
        char buf[64];
        int n;

        if (l->exit_fd < 0)
                return 0;
        n = init_exit_record_format(wait_status, result, buf, sizeof(buf));
        if (n < 0)
                return n;
        /* One small write at the start: the daemon reads it whole or finds it empty. */
        if (pwrite(l->exit_fd, buf, (size_t) n, 0) != n)
                return errno > 0 ? -errno : -EIO;
        if (ftruncate(l->exit_fd, n) < 0)
                return negative_errno();
        return 0;
}

void init_listener_done(InitListener *l) {
        l->listen_fd = safe_close(l->listen_fd);
        l->exit_fd = safe_close(l->exit_fd);
}
