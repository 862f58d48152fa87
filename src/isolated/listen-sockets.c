/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "listen-sockets.h"
#include "macro.h"

/* A socket file left by an earlier run that nobody listens on is stale: systemd
 * replaces it as well. A live one, or anything else, is the caller's error. */
static int remove_stale_socket_file(const SocketSpec *spec, int type) {
        const char *path = socket_spec_path(spec);
        _cleanup_close_ int probe = -EBADF;
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return -EEXIST;
        probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (probe < 0)
                return negative_errno();
        if (connect(probe, &spec->address.sa, spec->size) >= 0)
                return -EADDRINUSE;
        if (errno != ECONNREFUSED)
                return errno == EPROTOTYPE ? -EADDRINUSE : negative_errno();
        return unlink(path) < 0 ? negative_errno() : 0;
}

static int open_one(const SocketSpec *spec, int *ret_fd, const char **ret_step) {
        int type = spec->kind == SOCKET_KIND_DATAGRAM ? SOCK_DGRAM : SOCK_STREAM;
        int family = socket_spec_family(spec);
        const char *path = socket_spec_path(spec);
        _cleanup_close_ int fd = -EBADF;
        SocketSpec v4;
        int r;

        *ret_step = "create the socket";
        fd = socket(family, type | SOCK_CLOEXEC, 0);
        if (fd < 0 && errno == EAFNOSUPPORT && spec->any_port_form) {
                /* No IPv6 here: a bare PORT is every IPv4 address. */
                v4 = (SocketSpec) { .kind = spec->kind, .size = sizeof(struct sockaddr_in) };
                v4.address.in = (struct sockaddr_in) {
                        .sin_family = AF_INET,
                        .sin_port = spec->address.in6.sin6_port,
                        .sin_addr.s_addr = htonl(INADDR_ANY),
                };
                spec = &v4;
                family = AF_INET;
                fd = socket(family, type | SOCK_CLOEXEC, 0);
        }
        if (fd < 0)
                return negative_errno();

        *ret_step = "set its options";
        if (family != AF_UNIX && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int) { 1 }, sizeof(int)) < 0)
                return negative_errno();
        if (spec->any_port_form && family == AF_INET6 &&
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int) { 0 }, sizeof(int)) < 0)
                return negative_errno();

        if (path) {
                *ret_step = "create its directory";
                r = mkdir_parents(path);
                if (r < 0)
                        return r;
                *ret_step = "bind";
                r = remove_stale_socket_file(spec, type);
                if (r < 0)
                        return r;
        }

        *ret_step = "bind";
        if (bind(fd, &spec->address.sa, spec->size) < 0)
                return negative_errno();
        if (path && chmod(path, 0666) < 0) {
                r = negative_errno();
                (void) unlink(path);
                *ret_step = "make it accessible";
                return r;
        }
        if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0) {
                r = negative_errno();
                if (path)
                        (void) unlink(path);
                *ret_step = "listen";
                return r;
        }

        *ret_fd = TAKE_FD(fd);
        return 0;
}

int *listen_sockets_close(int *fds, size_t n) {
        for (size_t i = 0; fds && i < n; i++)
                safe_close(fds[i]);
        free(fds);
        return NULL;
}

int listen_sockets_open(const SocketSpec *specs, size_t n, int **ret_fds, char **ret_error) {
        int *fds;

        fds = calloc(n ?: 1, sizeof(int));
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char spec[SOCKET_SPEC_STRING_MAX];
                const char *step = NULL;
                int r;

                r = open_one(&specs[i], &fds[i], &step);
                if (r < 0) {
                        listen_sockets_close(fds, i);
                        listen_sockets_remove_files(specs, i);
                        if (asprintf(ret_error, "%s=%s: cannot %s: %s", socket_kind_to_key(specs[i].kind),
                                     socket_spec_to_string(&specs[i], spec), step,
                                     r == -EEXIST ? "the path exists and is not a socket" : strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }
        *ret_fds = fds;
        return 0;
}

void listen_sockets_remove_files(const SocketSpec *specs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *path = socket_spec_path(&specs[i]);
                struct stat st;

                if (path && lstat(path, &st) >= 0 && S_ISSOCK(st.st_mode))
                        (void) unlink(path);
        }
}
