/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "port-spec.h"

/* Network=veth: a veth pair as systemd-nspawn --network-veth makes it, over
 * rtnetlink (no ip(8)): the host end "ve-NAME" (cut to IFNAMSIZ-1), the
 * service end "host0" in the service's namespace with Address=, a default
 * route inside via the host end. The host end does not forward. */

#define VETH_POOL_ADDRESS 0x0ae70000U /* 10.231.0.0/16: the default /30s */
#define VETH_POOL_PREFIXLEN 16U
#define VETH_ALIAS_PREFIX "isolated:"  /* the host end's ifalias: ours, for the service after the colon */

typedef struct VethLink {
        char host_ifname[IFNAMSIZ];
        Ipv4Prefix address; /* the service's (host0) */
        bool created;       /* by this daemon, or found at adoption */
} VethLink;

/* "ve-" and as much of the service name as fits, an instance's "@", ":" and "\\" made "-". */
void veth_host_ifname(const char *name, char ret[static IFNAMSIZ]);

/* Is the subnet of p free: no overlap with an address of the host (any
 * interface) nor with taken[]? 1 if free, 0 if not (*ret_clash describes
 * what it clashes with), -errno. */
int veth_address_free(const Ipv4Prefix *p, const Ipv4Prefix *taken, size_t n_taken, char **ret_clash);

/* The first /30 of the pool that overlaps none of taken[]. Pure. -EADDRNOTAVAIL if none is left. */
int veth_pool_pick(const Ipv4Prefix *taken, size_t n_taken, Ipv4Prefix *ret);

/* The first /30 of the pool that is free: clear of taken[] and of the host's addresses. */
int veth_pick_address(const Ipv4Prefix *taken, size_t n_taken, Ipv4Prefix *ret);

/* Creates the pair with its peer in netns_fd, the addresses, the links up
 * and the default route inside. On failure nothing is left and *ret_error
 * says what failed. */
int veth_create(const char *name, const VethLink *link, int netns_fd, char **ret_error);

/* Removes the host end (and with it the pair) if it is isolated's for name. */
int veth_remove(const char *name, const char *host_ifname);
