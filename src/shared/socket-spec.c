/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "port-spec.h"
#include "socket-spec.h"

const char *socket_kind_to_key(SocketKind kind) {
        return kind == SOCKET_KIND_DATAGRAM ? "ListenDatagram" : "ListenStream";
}

static int parse_port(const char *s, uint16_t *ret) {
        return port_number_parse(s, strlen(s), ret);
}

static int parse_unix(const char *s, SocketSpec *spec) {
        size_t n = strlen(s);

        /* Abstract names keep their bytes after the leading NUL; paths need their own. */
        if (n < 2 || n >= sizeof(spec->address.un.sun_path))
                return n < 2 ? -EINVAL : -ENAMETOOLONG;
        spec->address.un.sun_family = AF_UNIX;
        memcpy(spec->address.un.sun_path, s, n);
        if (s[0] == '@') {
                spec->address.un.sun_path[0] = 0;
                spec->size = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n);
        } else
                spec->size = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
}

int socket_spec_parse(SocketKind kind, const char *s, SocketSpec *ret) {
        SocketSpec spec = { .kind = kind };
        char host[INET6_ADDRSTRLEN + 2];
        const char *colon;
        uint16_t port;
        int r;

        if (!s || !*s)
                return -EINVAL;

        if (s[0] == '/' || s[0] == '@') {
                r = parse_unix(s, &spec);
                if (r < 0)
                        return r;
                *ret = spec;
                return 0;
        }

        if (!strchr(s, ':')) {
                r = parse_port(s, &port);
                if (r < 0)
                        return r;
                spec.address.in6 = (struct sockaddr_in6) {
                        .sin6_family = AF_INET6,
                        .sin6_addr = in6addr_any,
                        .sin6_port = htons(port),
                };
                spec.size = sizeof(struct sockaddr_in6);
                spec.any_port_form = true;
                *ret = spec;
                return 0;
        }

        if (s[0] == '[') {
                const char *close = strchr(s, ']');

                if (!close || close[1] != ':' || (size_t) (close - s - 1) >= sizeof(host))
                        return -EINVAL;
                memcpy(host, s + 1, (size_t) (close - s - 1));
                host[close - s - 1] = 0;
                r = parse_port(close + 2, &port);
                if (r < 0)
                        return r;
                spec.address.in6.sin6_family = AF_INET6;
                spec.address.in6.sin6_port = htons(port);
                if (inet_pton(AF_INET6, host, &spec.address.in6.sin6_addr) != 1)
                        return -EINVAL;
                spec.size = sizeof(struct sockaddr_in6);
                *ret = spec;
                return 0;
        }

        colon = strrchr(s, ':');
        if ((size_t) (colon - s) >= sizeof(host))
                return -EINVAL;
        memcpy(host, s, (size_t) (colon - s));
        host[colon - s] = 0;
        r = parse_port(colon + 1, &port);
        if (r < 0)
                return r;
        spec.address.in.sin_family = AF_INET;
        spec.address.in.sin_port = htons(port);
        if (inet_pton(AF_INET, host, &spec.address.in.sin_addr) != 1)
                return -EINVAL;
        spec.size = sizeof(struct sockaddr_in);
        *ret = spec;
        return 0;
}

int socket_spec_family(const SocketSpec *s) {
        return s->address.sa.sa_family;
}

unsigned socket_spec_port(const SocketSpec *s) {
        switch (s->address.sa.sa_family) {
        case AF_INET:
                return ntohs(s->address.in.sin_port);
        case AF_INET6:
                return ntohs(s->address.in6.sin6_port);
        default:
                return 0;
        }
}

const char *socket_spec_path(const SocketSpec *s) {
        if (s->address.sa.sa_family != AF_UNIX || s->address.un.sun_path[0] != '/')
                return NULL;
        return s->address.un.sun_path;
}

const char *socket_spec_to_string(const SocketSpec *s, char buf[static SOCKET_SPEC_STRING_MAX]) {
        char host[INET6_ADDRSTRLEN];

        switch (s->address.sa.sa_family) {
        case AF_UNIX:
                if (s->address.un.sun_path[0] == 0)
                        snprintf(buf, SOCKET_SPEC_STRING_MAX, "@%.*s",
                                 (int) (s->size - offsetof(struct sockaddr_un, sun_path) - 1),
                                 s->address.un.sun_path + 1);
                else
                        snprintf(buf, SOCKET_SPEC_STRING_MAX, "%s", s->address.un.sun_path);
                break;
        case AF_INET:
                inet_ntop(AF_INET, &s->address.in.sin_addr, host, sizeof(host));
                snprintf(buf, SOCKET_SPEC_STRING_MAX, "%s:%u", host, socket_spec_port(s));
                break;
        case AF_INET6:
                if (s->any_port_form) {
                        snprintf(buf, SOCKET_SPEC_STRING_MAX, "%u", socket_spec_port(s));
                        break;
                }
                inet_ntop(AF_INET6, &s->address.in6.sin6_addr, host, sizeof(host));
                snprintf(buf, SOCKET_SPEC_STRING_MAX, "[%s]:%u", host, socket_spec_port(s));
                break;
        default:
                snprintf(buf, SOCKET_SPEC_STRING_MAX, "?");
        }
        return buf;
}

static bool ip_is_any(const SocketSpec *s) {
        if (s->address.sa.sa_family == AF_INET)
                return s->address.in.sin_addr.s_addr == htonl(INADDR_ANY);
        return memcmp(&s->address.in6.sin6_addr, &in6addr_any, sizeof(struct in6_addr)) == 0;
}

bool socket_spec_clash(const SocketSpec *a, const SocketSpec *b) {
        int fa = a->address.sa.sa_family, fb = b->address.sa.sa_family;

        if (a->kind != b->kind)
                return false; /* TCP and UDP ports, stream and datagram sockets apart */
        if (fa == AF_UNIX || fb == AF_UNIX)
                return fa == fb && a->size == b->size &&
                       memcmp(a->address.un.sun_path, b->address.un.sun_path,
                              a->size - offsetof(struct sockaddr_un, sun_path)) == 0;
        if (socket_spec_port(a) != socket_spec_port(b))
                return false;
        /* A bare PORT takes IPv4 too; a wildcard takes every address of its family. */
        if (a->any_port_form || b->any_port_form)
                return true;
        if (fa != fb)
                return false;
        if (ip_is_any(a) || ip_is_any(b))
                return true;
        if (fa == AF_INET)
                return a->address.in.sin_addr.s_addr == b->address.in.sin_addr.s_addr;
        return memcmp(&a->address.in6.sin6_addr, &b->address.in6.sin6_addr, sizeof(struct in6_addr)) == 0;
}
