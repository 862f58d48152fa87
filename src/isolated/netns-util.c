/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "netns-util.h"

int netns_open(pid_t pid) {
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? negative_errno() : fd;
}

typedef struct SocketRequest {
        int netns_fd, family, type, protocol;
        size_t n;
        int *fds;
        int result;
} SocketRequest;

static void *socket_thread(void *userdata) {
        SocketRequest *req = userdata;
        size_t i;

        /* This thread only: the daemon's other threads stay where they are. */
        if (setns(req->netns_fd, CLONE_NEWNET) < 0) {
                req->result = negative_errno();
                return NULL;
        }
        for (i = 0; i < req->n; i++) {
                req->fds[i] = socket(req->family, req->type, req->protocol);
                if (req->fds[i] < 0) {
                        req->result = negative_errno();
                        while (i > 0)
                                safe_close(req->fds[--i]);
                        return NULL;
                }
        }
        req->result = 0;
        return NULL;
}

int netns_sockets(int netns_fd, int family, int type, int protocol, size_t n, int *ret_fds) {
        SocketRequest req = {
                .netns_fd = netns_fd,
                .family = family,
                .type = type,
                .protocol = protocol,
                .n = n,
                .fds = ret_fds,
                .result = -EIO,
        };
        pthread_t thread;
        int r;

        if (netns_fd < 0 || n == 0 || !ret_fds)
                return -EINVAL;
        r = pthread_create(&thread, NULL, socket_thread, &req);
        if (r != 0)
                return -r;
        r = pthread_join(thread, NULL);
        if (r != 0)
                return -r;
        return req.result;
}
