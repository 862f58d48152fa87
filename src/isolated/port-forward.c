/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netns-util.h"
#include "port-forward.h"
#include "time-util.h"
#include "udp-forward.h"

#define ACCEPT_BURST 64U        /* connections taken per wake-up, so one port cannot starve the loop */
#define INNER_POOL_BATCH 16U    /* inner sockets made per trip into the namespace */
#define PUMP_ROUNDS 8U          /* splice rounds per wake-up and direction */
#define REFUSED_LOG_INTERVAL_USEC (10 * USEC_PER_SEC)

typedef struct Forward Forward;
typedef struct Connection Connection;

/* One direction: from fd[dir] through the pipe to fd[!dir]. */
typedef struct Relay {
        int pipe[2];
        size_t buffered; /* bytes in the pipe */
        bool eof;        /* the source said EOF */
        bool shut;       /* the destination was shut down for writing */
} Relay;

struct Connection {
        Forward *forward;
        Connection *prev, *next;
        int fd[2]; /* 0: the client, on the host; 1: the service side, in its namespace */
        sd_event_source *source[2];
        Relay relay[2];
        bool connected;
};

struct Forward {
        PortForwards *owner;
        PortSpec spec;
        UdpForward *udp; /* /udp: all of it is there */
        int listen_fd;
        sd_event_source *listen_source;
        Connection *connections;
        size_t n_connections;
        size_t n_refused;
        usec_t refused_logged;
};

struct PortForwards {
        sd_event *event;
        char *name;
        int netns_fd;
        int pool[INNER_POOL_BATCH]; /* unconnected inner sockets, pool[0..n_pool) */
        size_t n_pool;
        size_t pipe_size;
        Forward *forwards;
        size_t n_forwards;
};

static void connection_free(Connection *c) {
        Forward *f;

        if (!c)
                return;
        f = c->forward;
        if (c->prev)
                c->prev->next = c->next;
        else
                f->connections = c->next;
        if (c->next)
                c->next->prev = c->prev;
        f->n_connections--;
        for (int i = 0; i < 2; i++) {
                sd_event_source_disable_unref(c->source[i]);
                safe_close(c->fd[i]);
                safe_close(c->relay[i].pipe[0]);
                safe_close(c->relay[i].pipe[1]);
        }
        free(c);
}

/* An error on one side: the other side sees a reset, not a clean end. */
static void connection_abort(Connection *c) {
        static const struct linger l = { .l_onoff = 1, .l_linger = 0 };

        for (int i = 0; i < 2; i++)
                if (c->fd[i] >= 0)
                        (void) setsockopt(c->fd[i], SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        connection_free(c);
}

/* Moves what it can in direction dir; -errno on a broken connection. */
static int relay_pump(Connection *c, int dir) {
        Relay *r = &c->relay[dir];
        size_t cap = c->forward->owner->pipe_size;
        int src = c->fd[dir], dst = c->fd[!dir];

        for (unsigned round = 0; round < PUMP_ROUNDS; round++) {
                bool progress = false;
                ssize_t n;

                if (!r->eof && r->buffered < cap) {
                        n = splice(src, NULL, r->pipe[1], NULL, cap - r->buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0) {
                                r->buffered += n;
                                progress = true;
                        } else if (n == 0)
                                r->eof = true;
                        else if (errno != EAGAIN && errno != EINTR)
                                return negative_errno();
                }
                if (r->buffered > 0) {
                        n = splice(r->pipe[0], NULL, dst, NULL, r->buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0) {
                                r->buffered -= n;
                                progress = true;
                        } else if (n < 0 && errno != EAGAIN && errno != EINTR)
                                return negative_errno();
                }
                if (!progress)
                        break;
        }
        if (r->eof && r->buffered == 0 && !r->shut) {
                /* Half-close: the end of one direction is passed on, the other goes on. */
                if (shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN)
                        return negative_errno();
                r->shut = true;
        }
        return 0;
}

/* What each side waits for now; a side with nothing to wait for is switched
 * off (an idle socket would otherwise report EPOLLHUP over and over). */
static int connection_update(Connection *c) {
        size_t cap = c->forward->owner->pipe_size;
        int r;

        for (int i = 0; i < 2; i++) {
                uint32_t events = 0;

                if (!c->connected)
                        events = i == 1 ? EPOLLOUT : 0;
                else {
                        if (!c->relay[i].eof && c->relay[i].buffered < cap)
                                events |= EPOLLIN;
                        if (c->relay[!i].buffered > 0)
                                events |= EPOLLOUT;
                }
                if (events) {
                        r = sd_event_source_set_io_events(c->source[i], events);
                        if (r < 0)
                                return r;
                }
                r = sd_event_source_set_enabled(c->source[i], events ? SD_EVENT_ON : SD_EVENT_OFF);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int on_connection_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Connection *c = userdata;
        int r;

        if (!c->connected) {
                int error = 0;
                socklen_t len = sizeof(error);

                if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &error, &len) < 0)
                        error = errno;
                if (error != 0) {
                        char spec[PORT_SPEC_STRING_MAX];
                        log_debug("%s: Port=%s: cannot reach 127.0.0.1:%u inside: %s", c->forward->owner->name,
                                  port_spec_to_string(&c->forward->spec, spec), c->forward->spec.service_port,
                                  strerror(error));
                        connection_abort(c);
                        return 0;
                }
                c->connected = true;
        }
        for (int dir = 0; dir < 2; dir++) {
                r = relay_pump(c, dir);
                if (r < 0) {
                        connection_abort(c);
                        return 0;
                }
        }
        if (c->relay[0].shut && c->relay[1].shut) {
                connection_free(c);
                return 0;
        }
        if (connection_update(c) < 0)
                connection_abort(c);
        return 0;
}

static int inner_socket(PortForwards *p) {
        int r;

        if (p->n_pool == 0) {
                r = netns_sockets(p->netns_fd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP,
                                  INNER_POOL_BATCH, p->pool);
                if (r < 0)
                        return r;
                p->n_pool = INNER_POOL_BATCH;
        }
        return p->pool[--p->n_pool];
}

static int connection_new(Forward *f, int client_fd) {
        static const int one = 1;
        PortForwards *p = f->owner;
        struct sockaddr_in sa = {
                .sin_family = AF_INET,
                .sin_port = htons(f->spec.service_port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        Connection *c;
        int r;

        c = calloc(1, sizeof(Connection));
        if (!c) {
                safe_close(client_fd);
                return -ENOMEM;
        }
        *c = (Connection) {
                .forward = f,
                .fd = { client_fd, -EBADF },
                .relay = { { .pipe = { -EBADF, -EBADF } }, { .pipe = { -EBADF, -EBADF } } },
                .next = f->connections,
        };
        if (f->connections)
                f->connections->prev = c;
        f->connections = c;
        f->n_connections++;

        c->fd[1] = inner_socket(p);
        if (c->fd[1] < 0) {
                r = c->fd[1];
                goto fail;
        }
        for (int i = 0; i < 2; i++) {
                if (pipe2(c->relay[i].pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
                        r = negative_errno();
                        goto fail;
                }
                if (p->pipe_size > 65536)
                        (void) fcntl(c->relay[i].pipe[1], F_SETPIPE_SZ, (int) p->pipe_size);
                /* Relayed bytes go on as they come: the sender's own Nagle already decided. */
                (void) setsockopt(c->fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                r = sd_event_add_io(p->event, &c->source[i], c->fd[i], 0, on_connection_io, c);
                if (r < 0)
                        goto fail;
        }
        if (connect(c->fd[1], (struct sockaddr *) &sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
                log_debug_errno(errno, "%s: cannot reach 127.0.0.1:%u inside: %m", p->name, f->spec.service_port);
                connection_abort(c);
                return 0;
        }
        r = connection_update(c);
        if (r < 0)
                goto fail;
        return 0;

fail:
        connection_abort(c);
        return r;
}

static int on_listen_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Forward *f = userdata;
        char spec[PORT_SPEC_STRING_MAX];
        int r;

        for (unsigned i = 0; i < ACCEPT_BURST; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                                return 0;
                        /* EMFILE and kin: back off until the next wake-up rather than spin. */
                        log_warning_errno(errno, "%s: Port=%s: accept failed: %m", f->owner->name,
                                          port_spec_to_string(&f->spec, spec));
                        return 0;
                }
                if (f->n_connections >= PORT_FORWARD_CONNECTIONS_MAX) {
                        usec_t now = now_usec(CLOCK_MONOTONIC);

                        safe_close(cfd);
                        f->n_refused++;
                        if (f->refused_logged == 0 || now - f->refused_logged >= REFUSED_LOG_INTERVAL_USEC) {
                                log_warning("%s: Port=%s: %u connections are relayed already; closed %zu more",
                                            f->owner->name, port_spec_to_string(&f->spec, spec),
                                            PORT_FORWARD_CONNECTIONS_MAX, f->n_refused);
                                f->refused_logged = now;
                                f->n_refused = 0;
                        }
                        continue;
                }
                r = connection_new(f, cfd);
                if (r < 0)
                        log_warning_errno(r, "%s: Port=%s: cannot relay a connection: %m", f->owner->name,
                                          port_spec_to_string(&f->spec, spec));
        }
        return 0;
}

static int listen_on(const PortSpec *spec) {
        _cleanup_close_ int fd = -EBADF;
        SockaddrIn sa;
        socklen_t size;

        fd = socket(spec->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0)
                return negative_errno();
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int) { 1 }, sizeof(int)) < 0)
                return negative_errno();
        if (spec->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int) { 1 }, sizeof(int)) < 0)
                return negative_errno();
        size = port_spec_host_sockaddr(spec, &sa);
        if (bind(fd, &sa.sa, size) < 0)
                return negative_errno();
        if (listen(fd, SOMAXCONN) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

PortForwards *port_forwards_free(PortForwards *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_forwards; i++) {
                Forward *f = &p->forwards[i];

                while (f->connections)
                        connection_free(f->connections);
                udp_forward_free(f->udp);
                sd_event_source_disable_unref(f->listen_source);
                safe_close(f->listen_fd);
        }
        while (p->n_pool > 0)
                safe_close(p->pool[--p->n_pool]);
        safe_close(p->netns_fd);
        sd_event_unref(p->event);
        free(p->forwards);
        free(p->name);
        return mfree(p);
}

static int error_text(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static int error_text(char **ret_error, const char *fmt, ...) {
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(ret_error, fmt, ap);
        va_end(ap);
        if (n < 0)
                *ret_error = NULL;
        return 0;
}

/* Which Port= could not be bound and why, for the caller's error; returns r. */
static int bind_error(const PortSpec *port, int r, char **ret_error) {
        char spec[PORT_SPEC_STRING_MAX], addr[INET6_ADDRSTRLEN] = "?";

        (void) inet_ntop(port->family, &port->address, addr, sizeof(addr));
        port_spec_to_string(port, spec);
        if (r == -EADDRINUSE)
                error_text(ret_error, "Port=%s: %s port %u is in use on the host", spec, addr, port->host_port);
        else if (r == -EADDRNOTAVAIL)
                error_text(ret_error, "Port=%s: %s is not an address of this host", spec, addr);
        else
                error_text(ret_error, "Port=%s: cannot listen on %s port %u: %s", spec, addr, port->host_port,
                           strerror(-r));
        return r;
}

int port_forwards_new(sd_event *event, const char *name, const PortSpec *ports, size_t n_ports,
                      PortForwards **ret, char **ret_error) {
        _cleanup_(port_forwards_freep) PortForwards *p = NULL;
        int r;

        p = calloc(1, sizeof(PortForwards));
        if (!p)
                return -ENOMEM;
        p->event = sd_event_ref(event);
        p->netns_fd = -EBADF;
        p->pipe_size = 65536;
        p->name = strdup(name);
        p->forwards = calloc(n_ports ?: 1, sizeof(Forward));
        if (!p->name || !p->forwards)
                return -ENOMEM;

        for (size_t i = 0; i < n_ports; i++) {
                Forward *f = &p->forwards[i];

                *f = (Forward) { .owner = p, .spec = ports[i], .listen_fd = -EBADF };
                p->n_forwards++;
                if (ports[i].protocol == PORT_PROTOCOL_UDP) {
                        r = udp_forward_new(event, name, &ports[i], &f->udp);
                        if (r < 0)
                                return bind_error(&ports[i], r, ret_error);
                        continue;
                }
                f->listen_fd = listen_on(&ports[i]);
                if (f->listen_fd < 0)
                        return bind_error(&ports[i], f->listen_fd, ret_error);
                /* Off until the service's namespace is there: the backlog holds early clients. */
                r = sd_event_add_io(event, &f->listen_source, f->listen_fd, EPOLLIN, on_listen_io, f);
                if (r < 0)
                        return r;
                r = sd_event_source_set_enabled(f->listen_source, SD_EVENT_OFF);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

int port_forwards_start(PortForwards *p, int netns_fd) {
        int r;

        safe_close(p->netns_fd);
        p->netns_fd = netns_fd;
        for (size_t i = 0; i < p->n_forwards; i++) {
                Forward *f = &p->forwards[i];

                r = f->udp ? udp_forward_start(f->udp, p->netns_fd)
                           : sd_event_source_set_enabled(f->listen_source, SD_EVENT_ON);
                if (r < 0)
                        return r;
        }
        return 0;
}

size_t port_forwards_n_connections(const PortForwards *p) {
        size_t n = 0;

        for (size_t i = 0; p && i < p->n_forwards; i++)
                n += p->forwards[i].n_connections + udp_forward_n_sessions(p->forwards[i].udp);
        return n;
}
