/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "port-spec.h"

/* Port=: the daemon listens on the host and relays each TCP connection to
 * 127.0.0.1:SERVICEPORT inside the service's network namespace, through a
 * socket created in that namespace, with splice(2) through a pipe per
 * direction. The service itself keeps only lo. */

#define PORT_FORWARD_CONNECTIONS_MAX 1024U /* per published port */

typedef struct PortForwards PortForwards;

/* Binds a listener for each port (nothing is accepted yet). On failure no
 * listener is left, and *ret_error says which Port= and why. */
int port_forwards_new(sd_event *event, const char *name, const PortSpec *ports, size_t n_ports,
                      PortForwards **ret, char **ret_error);

/* Starts relaying into netns_fd (taken over, also on failure). Connections
 * waiting in the backlog meanwhile are served now. */
int port_forwards_start(PortForwards *f, int netns_fd);

/* Closes the listeners and every relayed connection. */
PortForwards *port_forwards_free(PortForwards *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(PortForwards *, port_forwards_free);

/* Connections being relayed now, over all ports. */
size_t port_forwards_n_connections(const PortForwards *f);
