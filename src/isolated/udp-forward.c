/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "netns-util.h"
#include "udp-forward.h"

#define DATAGRAM_MAX 65536U
#define RECEIVE_BURST 64U /* datagrams taken per wake-up, so one port cannot starve the loop */

typedef struct Session Session;

struct Session {
        UdpForward *owner;
        Session *prev, *next; /* most recently used first */
        struct sockaddr_storage peer;
        socklen_t peer_size;
        int fd; /* in the service's namespace, connected to 127.0.0.1:SERVICEPORT */
        sd_event_source *source;
        usec_t last_used;
};

struct UdpForward {
        sd_event *event;
        char *name;
        PortSpec spec;
        int fd; /* on the host */
        int netns_fd; /* the caller's */
        sd_event_source *source;
        sd_event_source *idle_timer;
        Session *sessions, *oldest;
        size_t n_sessions;
        char *buffer; /* DATAGRAM_MAX */
};

static void session_free(Session *s) {
        UdpForward *u = s->owner;

        if (s->prev)
                s->prev->next = s->next;
        else
                u->sessions = s->next;
        if (s->next)
                s->next->prev = s->prev;
        else
                u->oldest = s->prev;
        u->n_sessions--;
        sd_event_source_disable_unref(s->source);
        safe_close(s->fd);
        free(s);
}

static void session_touch(Session *s) {
        UdpForward *u = s->owner;

        s->last_used = now_usec(CLOCK_MONOTONIC);
        if (u->sessions == s)
                return;
        /* Unlink, then put first. */
        s->prev->next = s->next;
        if (s->next)
                s->next->prev = s->prev;
        else
                u->oldest = s->prev;
        s->prev = NULL;
        s->next = u->sessions;
        u->sessions->prev = s;
        u->sessions = s;
}

/* The service answered: back to the client of this session, from the host port. */
static int on_session_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Session *s = userdata;
        UdpForward *u = s->owner;

        for (unsigned i = 0; i < RECEIVE_BURST; i++) {
                ssize_t n = recv(fd, u->buffer, DATAGRAM_MAX, MSG_DONTWAIT);

                if (n < 0) {
                        /* ECONNREFUSED: nothing listened inside when we sent; the next datagram may find it. */
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
                                log_debug_errno(errno, "%s: UDP session: %m", u->name);
                        return 0;
                }
                (void) sendto(u->fd, u->buffer, (size_t) n, MSG_DONTWAIT, (struct sockaddr *) &s->peer,
                              s->peer_size);
                session_touch(s);
        }
        return 0;
}

static int arm_idle_timer(UdpForward *u);

static int on_idle_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        UdpForward *u = userdata;
        usec_t now = now_usec(CLOCK_MONOTONIC);

        while (u->oldest && now - u->oldest->last_used >= UDP_FORWARD_IDLE_USEC)
                session_free(u->oldest);
        (void) arm_idle_timer(u);
        return 0;
}

/* One timer, for the oldest session's end. */
static int arm_idle_timer(UdpForward *u) {
        usec_t when;

        if (!u->oldest)
                return sd_event_source_set_enabled(u->idle_timer, SD_EVENT_OFF);
        when = u->oldest->last_used + UDP_FORWARD_IDLE_USEC;
        if (!u->idle_timer)
                return sd_event_add_time(u->event, &u->idle_timer, CLOCK_MONOTONIC, when, USEC_PER_SEC,
                                         on_idle_timer, u);
        (void) sd_event_source_set_time(u->idle_timer, when);
        return sd_event_source_set_enabled(u->idle_timer, SD_EVENT_ONESHOT);
}

static bool same_peer(const Session *s, const struct sockaddr_storage *peer, socklen_t size) {
        return s->peer_size == size && memcmp(&s->peer, peer, size) == 0;
}

static int session_new(UdpForward *u, const struct sockaddr_storage *peer, socklen_t size, Session **ret) {
        struct sockaddr_in inside = {
                .sin_family = AF_INET,
                .sin_port = htons(u->spec.service_port),
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        Session *s;
        int r;

        if (u->n_sessions >= UDP_FORWARD_SESSIONS_MAX)
                session_free(u->oldest);

        s = calloc(1, sizeof(Session));
        if (!s)
                return -ENOMEM;
        *s = (Session) { .owner = u, .peer_size = size, .fd = -EBADF, .next = u->sessions };
        memcpy(&s->peer, peer, size);
        if (u->sessions)
                u->sessions->prev = s;
        else
                u->oldest = s;
        u->sessions = s;
        u->n_sessions++;
        s->last_used = now_usec(CLOCK_MONOTONIC);

        s->fd = netns_socket(u->netns_fd, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
        if (s->fd < 0) {
                r = s->fd;
                goto fail;
        }
        if (connect(s->fd, (struct sockaddr *) &inside, sizeof(inside)) < 0) {
                r = negative_errno();
                goto fail;
        }
        r = sd_event_add_io(u->event, &s->source, s->fd, EPOLLIN, on_session_io, s);
        if (r < 0)
                goto fail;
        r = arm_idle_timer(u);
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;

fail:
        session_free(s);
        return r;
}

/* A client's datagram: into the namespace through the client's session. */
static int on_host_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        UdpForward *u = userdata;

        for (unsigned i = 0; i < RECEIVE_BURST; i++) {
                struct sockaddr_storage peer;
                socklen_t size = sizeof(peer);
                Session *s;
                ssize_t n;
                int r;

                n = recvfrom(fd, u->buffer, DATAGRAM_MAX, MSG_DONTWAIT, (struct sockaddr *) &peer, &size);
                if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                log_debug_errno(errno, "%s: UDP port %u: %m", u->name, u->spec.host_port);
                        return 0;
                }
                for (s = u->sessions; s && !same_peer(s, &peer, size); s = s->next)
                        ;
                if (s)
                        session_touch(s);
                else {
                        r = session_new(u, &peer, size, &s);
                        if (r < 0) {
                                log_warning_errno(r, "%s: UDP port %u: cannot relay a new client: %m", u->name,
                                                  u->spec.host_port);
                                continue;
                        }
                }
                if (send(s->fd, u->buffer, (size_t) n, MSG_DONTWAIT) < 0 && errno != ECONNREFUSED)
                        log_debug_errno(errno, "%s: UDP port %u: cannot pass a datagram on: %m", u->name,
                                        u->spec.host_port);
        }
        return 0;
}

UdpForward *udp_forward_free(UdpForward *u) {
        if (!u)
                return NULL;
        while (u->sessions)
                session_free(u->sessions);
        sd_event_source_disable_unref(u->idle_timer);
        sd_event_source_disable_unref(u->source);
        safe_close(u->fd);
        sd_event_unref(u->event);
        free(u->buffer);
        free(u->name);
        return mfree(u);
}

static int bind_host(const PortSpec *spec) {
        _cleanup_close_ int fd = -EBADF;
        SockaddrIn sa;
        socklen_t size;

        fd = socket(spec->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
        if (fd < 0)
                return negative_errno();
        if (spec->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int) { 1 }, sizeof(int)) < 0)
                return negative_errno();
        size = port_spec_host_sockaddr(spec, &sa);
        if (bind(fd, &sa.sa, size) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

int udp_forward_new(sd_event *event, const char *name, const PortSpec *spec, UdpForward **ret) {
        _cleanup_(udp_forward_freep) UdpForward *u = NULL;
        int r;

        u = calloc(1, sizeof(UdpForward));
        if (!u)
                return -ENOMEM;
        *u = (UdpForward) { .event = sd_event_ref(event), .spec = *spec, .fd = -EBADF, .netns_fd = -EBADF };
        u->name = strdup(name);
        u->buffer = malloc(DATAGRAM_MAX);
        if (!u->name || !u->buffer)
                return -ENOMEM;
        u->fd = bind_host(spec);
        if (u->fd < 0)
                return u->fd;
        r = sd_event_add_io(event, &u->source, u->fd, EPOLLIN, on_host_io, u);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(u->source, SD_EVENT_OFF);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(u);
        return 0;
}

int udp_forward_start(UdpForward *u, int netns_fd) {
        u->netns_fd = netns_fd;
        return sd_event_source_set_enabled(u->source, SD_EVENT_ON);
}

size_t udp_forward_n_sessions(const UdpForward *u) {
        return u ? u->n_sessions : 0;
}
