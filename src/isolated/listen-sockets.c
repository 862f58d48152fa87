/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-directory.h"
#include "fs-util.h"
#include "listen-sockets.h"
#include "macro.h"
#include "strv.h"

/* A socket file's directory, walked so that no symlink of the service's takes us out of its own
 * directories (open_parent_confined()), and the file by /proc/self/fd/N/NAME for bind() and
 * connect(), which take no directory fd. */
typedef struct SocketPlace {
        int dir;
        const char *name;
        struct sockaddr_un address;
        socklen_t size;
} SocketPlace;

static int socket_place_open(const Description *d, const char *path, bool create, SocketPlace *ret) {
        _cleanup_strv_free_ char **writable = NULL;
        SocketPlace p = { .dir = -EBADF, .address.sun_family = AF_UNIX };
        int n, r;

        r = sandbox_host_writable_paths(d, &writable);
        if (r < 0)
                return r;
        r = open_parent_confined(path, writable, create, &p.dir, &p.name);
        if (r < 0)
                return r;
        n = snprintf(p.address.sun_path, sizeof(p.address.sun_path), "/proc/self/fd/%d/%s", p.dir, p.name);
        if (n < 0 || (size_t) n >= sizeof(p.address.sun_path)) {
                safe_close(p.dir);
                return -ENAMETOOLONG;
        }
        p.size = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + (size_t) n + 1);
        *ret = p;
        return 0;
}

/* A socket file left by an earlier run that nobody listens on is stale: systemd
 * replaces it as well. A live one, or anything else, is the caller's error. */
static int remove_stale_socket_file(const SocketPlace *p, int type) {
        _cleanup_close_ int probe = -EBADF;
        struct stat st;

        if (fstatat(p->dir, p->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return -EEXIST;
        probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (probe < 0)
                return negative_errno();
        if (connect(probe, (const struct sockaddr *) &p->address, p->size) >= 0)
                return -EADDRINUSE;
        if (errno != ECONNREFUSED)
                return errno == EPROTOTYPE ? -EADDRINUSE : negative_errno();
        return unlinkat(p->dir, p->name, 0) < 0 ? negative_errno() : 0;
}

/* bind() of a socket file, mode 0666 as systemd's SocketMode= default: by the umask at bind(), not
 * by a chmod() after it, which would follow a symlink put in the file's place meanwhile. */
static int bind_socket_file(int fd, const SocketPlace *p) {
        mode_t old = umask(0111);
        int r = bind(fd, (const struct sockaddr *) &p->address, p->size) < 0 ? negative_errno() : 0;

        (void) umask(old);
        return r;
}

static int open_one(const Description *d, const SocketSpec *spec, int *ret_fd, const char **ret_step) {
        int type = spec->kind == SOCKET_KIND_DATAGRAM ? SOCK_DGRAM : SOCK_STREAM;
        int family = socket_spec_family(spec);
        const char *path = socket_spec_path(spec);
        _cleanup_close_ int fd = -EBADF;
        SocketPlace place = { .dir = -EBADF };
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

        if (!path) {
                *ret_step = "bind";
                if (bind(fd, &spec->address.sa, spec->size) < 0)
                        return negative_errno();
        } else {
                *ret_step = "create its directory";
                r = socket_place_open(d, path, true, &place);
                if (r < 0)
                        return r;
                *ret_step = "bind";
                r = remove_stale_socket_file(&place, type);
                if (r >= 0)
                        r = bind_socket_file(fd, &place);
                if (r < 0) {
                        safe_close(place.dir);
                        return r;
                }
        }
        if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0) {
                r = negative_errno();
                if (path)
                        (void) unlinkat(place.dir, place.name, 0);
                safe_close(place.dir);
                *ret_step = "listen";
                return r;
        }
        safe_close(place.dir);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void listen_sockets_remove_files_of(const Description *d, size_t n);

int *listen_sockets_close(int *fds, size_t n) {
        for (size_t i = 0; fds && i < n; i++)
                safe_close(fds[i]);
        free(fds);
        return NULL;
}

int listen_sockets_open(const Description *d, int **ret_fds, char **ret_error) {
        int *fds;

        fds = calloc(d->n_listen ?: 1, sizeof(int));
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_listen; i++) {
                char spec[SOCKET_SPEC_STRING_MAX];
                const char *step = NULL;
                int r;

                r = open_one(d, &d->listen[i], &fds[i], &step);
                if (r < 0) {
                        listen_sockets_close(fds, i);
                        listen_sockets_remove_files_of(d, i);
                        if (asprintf(ret_error, "%s=%s: cannot %s: %s", socket_kind_to_key(d->listen[i].kind),
                                     socket_spec_to_string(&d->listen[i], spec), step,
                                     r == -EEXIST  ? "the path exists and is not a socket" :
                                     r == -ELOOP   ? "a symlink in the path, below a directory the service can write" :
                                                     strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }
        *ret_fds = fds;
        return 0;
}

/* Through the same walk as at the start, not creating anything: a link the service put in a
 * directory on the way since makes nothing be removed. */
static void listen_sockets_remove_files_of(const Description *d, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *path = socket_spec_path(&d->listen[i]);
                SocketPlace place;
                struct stat st;

                if (!path || socket_place_open(d, path, false, &place) < 0)
                        continue;
                if (fstatat(place.dir, place.name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISSOCK(st.st_mode))
                        (void) unlinkat(place.dir, place.name, 0);
                safe_close(place.dir);
        }
}

void listen_sockets_remove_files(const Description *d) {
        listen_sockets_remove_files_of(d, d->n_listen);
}
