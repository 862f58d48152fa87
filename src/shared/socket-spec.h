/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>

/* ListenStream= and ListenDatagram= of [Isolate]: the listening sockets the
 * daemon makes on the host and hands to the service (sd_listen_fds(3)). Pure
 * parser and helpers, no logging. */

#define SOCKET_SPECS_MAX 64 /* per service; far below SCM_MAX_FD */

typedef enum SocketKind {
        SOCKET_KIND_STREAM,   /* ListenStream= */
        SOCKET_KIND_DATAGRAM, /* ListenDatagram= */
} SocketKind;

/* As systemd.socket(5) reads the value: "/path" (a socket file) or
 * "@name" (abstract), "PORT" (every address, IPv6 and IPv4), "IPV4:PORT",
 * "[IPV6]:PORT". */
typedef struct SocketSpec {
        SocketKind kind;
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } address;
        socklen_t size;
        bool any_port_form; /* a bare "PORT": IPv6 any that takes IPv4 too */
} SocketSpec;

#define SOCKET_SPEC_STRING_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path) + 16)

/* -EINVAL for a malformed value, -ERANGE for a port out of range,
 * -ENAMETOOLONG for a path that does not fit a sockaddr_un. */
int socket_spec_parse(SocketKind kind, const char *s, SocketSpec *ret);
/* The value as it would be written back ("127.0.0.1:80", "[::1]:80", "80", "/run/x.sock", "@x"). */
const char *socket_spec_to_string(const SocketSpec *s, char buf[static SOCKET_SPEC_STRING_MAX]);
const char *socket_kind_to_key(SocketKind kind); /* "ListenStream", "ListenDatagram" */
int socket_spec_family(const SocketSpec *s);
/* The TCP or UDP port, 0 for a Unix socket. */
unsigned socket_spec_port(const SocketSpec *s);
/* The socket file a "/path" socket creates, NULL for any other. */
const char *socket_spec_path(const SocketSpec *s);
/* Would both bind the same socket: same kind, and the same path, or the
 * same port on the same address or on a wildcard that covers the other? */
bool socket_spec_clash(const SocketSpec *a, const SocketSpec *b);
