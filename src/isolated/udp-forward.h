/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "port-spec.h"
#include "time-util.h"

/* Port=.../udp: the daemon receives datagrams on the host port and relays
 * them to 127.0.0.1:SERVICEPORT inside the service's network namespace, from
 * one socket made in that namespace per client address (a "session"), so the
 * service's answers find their way back to that client. A session ends after
 * UDP_FORWARD_IDLE_USEC without traffic, as conntrack forgets a UDP flow; at
 * most UDP_FORWARD_SESSIONS_MAX per port, the least recently used giving way. */

#define UDP_FORWARD_SESSIONS_MAX 256U
#define UDP_FORWARD_IDLE_USEC (30 * USEC_PER_SEC)

typedef struct UdpForward UdpForward;

/* Binds the host socket (nothing is received yet); -errno. */
int udp_forward_new(sd_event *event, const char *name, const PortSpec *spec, UdpForward **ret);

/* Starts relaying into netns_fd, which stays the caller's and must outlive u.
 * Datagrams that arrived meanwhile wait in the socket's buffer. */
int udp_forward_start(UdpForward *u, int netns_fd);

UdpForward *udp_forward_free(UdpForward *u);
DEFINE_TRIVIAL_CLEANUP_FUNC(UdpForward *, udp_forward_free);

size_t udp_forward_n_sessions(const UdpForward *u);
