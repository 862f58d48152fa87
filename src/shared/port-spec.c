/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "port-spec.h"
#include "string-util.h"

static const char *const port_protocol_table[_PORT_PROTOCOL_MAX] = {
        [PORT_PROTOCOL_TCP] = "tcp",
        [PORT_PROTOCOL_UDP] = "udp",
};

const char *port_protocol_to_string(PortProtocol p) {
        if (p < 0 || p >= _PORT_PROTOCOL_MAX)
                return NULL;
        return port_protocol_table[p];
}

PortProtocol port_protocol_from_string(const char *s) {
        return table_lookup(port_protocol_table, _PORT_PROTOCOL_MAX, s);
}

static const char *const network_mode_table[_NETWORK_MODE_MAX] = {
        [NETWORK_PRIVATE] = "private",
        [NETWORK_VETH] = "veth",
};

const char *network_mode_to_string(NetworkMode m) {
        if (m < 0 || m >= _NETWORK_MODE_MAX)
                return NULL;
        return network_mode_table[m];
}

NetworkMode network_mode_from_string(const char *s) {
        return table_lookup(network_mode_table, _NETWORK_MODE_MAX, s);
}

int port_number_parse(const char *s, size_t n, uint16_t *ret) {
        unsigned v = 0;

        if (n == 0 || n > 5)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -ERANGE;
        *ret = (uint16_t) v;
        return 0;
}

int port_spec_parse(const char *s, PortSpec *ret) {
        PortSpec p = { .family = AF_INET, .protocol = PORT_PROTOCOL_TCP };
        const char *ports, *colon, *slash, *end;
        int r;

        if (!s || !*s)
                return -EINVAL;

        if (s[0] == '[') {
                char a[INET6_ADDRSTRLEN];
                const char *close = strchr(s, ']');

                if (!close || close[1] != ':' || (size_t) (close - s - 1) >= sizeof(a))
                        return -EINVAL;
                memcpy(a, s + 1, close - s - 1);
                a[close - s - 1] = 0;
                if (inet_pton(AF_INET6, a, &p.address.in6) != 1)
                        return -EINVAL;
                p.family = AF_INET6;
                ports = close + 2;
        } else {
                /* Two colons: an IPv4 address comes first. */
                const char *first = strchr(s, ':');
                if (!first)
                        return -EINVAL;
                if (strchr(first + 1, ':')) {
                        char a[INET_ADDRSTRLEN];

                        if ((size_t) (first - s) >= sizeof(a))
                                return -EINVAL;
                        memcpy(a, s, first - s);
                        a[first - s] = 0;
                        if (inet_pton(AF_INET, a, &p.address.in) != 1)
                                return -EINVAL;
                        ports = first + 1;
                } else
                        ports = s; /* 0.0.0.0 */
        }

        colon = strchr(ports, ':');
        if (!colon)
                return -EINVAL;
        slash = strchr(colon + 1, '/');
        end = slash ?: colon + 1 + strlen(colon + 1);
        r = port_number_parse(ports, colon - ports, &p.host_port);
        if (r < 0)
                return r;
        r = port_number_parse(colon + 1, end - colon - 1, &p.service_port);
        if (r < 0)
                return r;
        if (slash) {
                p.protocol = port_protocol_from_string(slash + 1);
                if (p.protocol < 0)
                        return -EINVAL;
        }
        *ret = p;
        return 0;
}

const char *port_spec_to_string(const PortSpec *p, char buf[static PORT_SPEC_STRING_MAX]) {
        char a[INET6_ADDRSTRLEN] = "?";

        (void) inet_ntop(p->family, &p->address, a, sizeof(a));
        snprintf(buf, PORT_SPEC_STRING_MAX, p->family == AF_INET6 ? "[%s]:%u:%u/%s" : "%s:%u:%u/%s", a,
                 p->host_port, p->service_port, port_protocol_to_string(p->protocol) ?: "?");
        return buf;
}

static bool address_is_any(const PortSpec *p) {
        if (p->family == AF_INET)
                return p->address.in.s_addr == htonl(INADDR_ANY);
        return IN6_IS_ADDR_UNSPECIFIED(&p->address.in6);
}

socklen_t port_spec_host_sockaddr(const PortSpec *p, SockaddrIn *ret) {
        *ret = (SockaddrIn) {};
        if (p->family == AF_INET6) {
                ret->in6 = (struct sockaddr_in6) {
                        .sin6_family = AF_INET6,
                        .sin6_port = htons(p->host_port),
                        .sin6_addr = p->address.in6,
                };
                return sizeof(ret->in6);
        }
        ret->in = (struct sockaddr_in) {
                .sin_family = AF_INET,
                .sin_port = htons(p->host_port),
                .sin_addr = p->address.in,
        };
        return sizeof(ret->in);
}

bool port_spec_conflict(const PortSpec *a, const PortSpec *b) {
        if (a->protocol != b->protocol || a->host_port != b->host_port)
                return false;
        if (a->family != b->family)
                return false; /* the daemon binds IPv6 sockets IPV6_V6ONLY */
        if (address_is_any(a) || address_is_any(b))
                return true;
        return memcmp(&a->address, &b->address, a->family == AF_INET ? sizeof(struct in_addr)
                                                                      : sizeof(struct in6_addr)) == 0;
}

static uint32_t prefix_mask(unsigned prefixlen) {
        return prefixlen == 0 ? 0 : UINT32_MAX << (32 - prefixlen);
}

int ipv4_prefix_parse(const char *s, Ipv4Prefix *ret) {
        char a[INET_ADDRSTRLEN];
        const char *slash;
        struct in_addr addr;
        unsigned len = 0;
        uint32_t h, host_bits;

        if (!s)
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash || (size_t) (slash - s) >= sizeof(a) || !slash[1] || strlen(slash + 1) > 2)
                return -EINVAL;
        memcpy(a, s, slash - s);
        a[slash - s] = 0;
        if (inet_pton(AF_INET, a, &addr) != 1)
                return -EINVAL;
        for (const char *c = slash + 1; *c; c++) {
                if (*c < '0' || *c > '9')
                        return -EINVAL;
                len = len * 10 + (unsigned) (*c - '0');
        }
        if (len < 8 || len > 31)
                return -ERANGE;
        h = ntohl(addr.s_addr);
        host_bits = h & ~prefix_mask(len);
        if (len < 31 && (host_bits == 0 || host_bits == ~prefix_mask(len)))
                return -EINVAL; /* the network or the broadcast address */
        *ret = (Ipv4Prefix) { .address = addr, .prefixlen = len };
        return 0;
}

struct in_addr ipv4_prefix_peer(const Ipv4Prefix *p) {
        uint32_t h = ntohl(p->address.s_addr), net = h & prefix_mask(p->prefixlen);

        if (p->prefixlen == 31)
                return (struct in_addr) { htonl(h ^ 1) };
        return (struct in_addr) { htonl(h == net + 1 ? net + 2 : net + 1) };
}

bool ipv4_prefix_overlap(const Ipv4Prefix *a, const Ipv4Prefix *b) {
        uint32_t mask = prefix_mask(a->prefixlen < b->prefixlen ? a->prefixlen : b->prefixlen);

        return (ntohl(a->address.s_addr) & mask) == (ntohl(b->address.s_addr) & mask);
}

int ipv4_prefix_pool_slot(const Ipv4Prefix *pool, unsigned n, Ipv4Prefix *ret) {
        uint32_t net = ntohl(pool->address.s_addr) & prefix_mask(pool->prefixlen);

        if (pool->prefixlen > 30 || n >= (1U << (30 - pool->prefixlen)))
                return -ERANGE;
        *ret = (Ipv4Prefix) { .address = { htonl(net + 4 * n + 2) }, .prefixlen = 30 };
        return 0;
}
