/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The network keys of [Isolate]: Port= and Address=. Pure parsers and
 * helpers, no logging; used by the description parser and the daemon. */

typedef enum PortProtocol {
        PORT_PROTOCOL_TCP,
        PORT_PROTOCOL_UDP,
        _PORT_PROTOCOL_MAX,
        _PORT_PROTOCOL_INVALID = -EINVAL,
} PortProtocol;

const char *port_protocol_to_string(PortProtocol p);
PortProtocol port_protocol_from_string(const char *s);

typedef enum NetworkMode {
        NETWORK_PRIVATE, /* loopback only, the default */
        NETWORK_VETH,    /* a veth pair to the host */
        _NETWORK_MODE_MAX,
        _NETWORK_MODE_INVALID = -EINVAL,
} NetworkMode;

const char *network_mode_to_string(NetworkMode m);
NetworkMode network_mode_from_string(const char *s);

/* Port=[ADDRESS:]HOSTPORT:SERVICEPORT[/tcp|/udp]; ADDRESS is IPv4, or IPv6 in
 * brackets ("[::1]:8080:80"); without it the port is published on every IPv4
 * address (0.0.0.0), as docker -p does. */
typedef struct PortSpec {
        int family; /* AF_INET or AF_INET6 */
        union {
                struct in_addr in;
                struct in6_addr in6;
        } address;
        uint16_t host_port;    /* 1..65535 */
        uint16_t service_port; /* 1..65535, on 127.0.0.1 inside */
        PortProtocol protocol;
} PortSpec;

#define PORT_SPEC_STRING_MAX (INET6_ADDRSTRLEN + 2 + 1 + 5 + 1 + 5 + 4 + 1)

/* n bytes of s, digits only, 1..65535: -EINVAL if not digits, -ERANGE out of range. */
int port_number_parse(const char *s, size_t n, uint16_t *ret);

typedef union SockaddrIn {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
} SockaddrIn;

/* Returns -EINVAL for a malformed value, -ERANGE for a port out of range. */
int port_spec_parse(const char *s, PortSpec *ret);
/* "ADDRESS:HOSTPORT:SERVICEPORT/PROTO", IPv6 in brackets; buf of PORT_SPEC_STRING_MAX. */
const char *port_spec_to_string(const PortSpec *p, char buf[static PORT_SPEC_STRING_MAX]);
/* ADDRESS:HOSTPORT, the host's side, as a socket address; returns its size. */
socklen_t port_spec_host_sockaddr(const PortSpec *p, SockaddrIn *ret);
/* Do both bind the same host socket (same protocol and port, and the same
 * address or a wildcard of the same family)? */
bool port_spec_conflict(const PortSpec *a, const PortSpec *b);

/* An IPv4 address with its prefix: Address=10.231.5.2/30. The service gets
 * ADDRESS; the host end gets the other usable address of the subnet (see
 * ipv4_prefix_peer()). Prefixes /8../31; ADDRESS must be a usable host
 * address (neither the network nor the broadcast address, except in a /31). */
typedef struct Ipv4Prefix {
        struct in_addr address;
        unsigned prefixlen;
} Ipv4Prefix;

int ipv4_prefix_parse(const char *s, Ipv4Prefix *ret);
/* The host's end: in a /31 the other address; otherwise the first usable
 * address of the subnet, or the second if the service holds the first. */
struct in_addr ipv4_prefix_peer(const Ipv4Prefix *p);
/* Do the subnets of a and b overlap? */
bool ipv4_prefix_overlap(const Ipv4Prefix *a, const Ipv4Prefix *b);
/* The n-th /30 of pool (service: its second address): the default of Network=veth.
 * -ERANGE once n is beyond the pool. */
int ipv4_prefix_pool_slot(const Ipv4Prefix *pool, unsigned n, Ipv4Prefix *ret);
