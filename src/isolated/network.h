/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

typedef struct Description Description;
typedef struct PortForwards PortForwards;
typedef struct VethLink VethLink;

/* What a service holds of the network, kept in its record. */
typedef struct ServiceNetwork {
        PortForwards *port_forwards; /* Port=: host listeners, bound before the child exists */
        VethLink *veth;              /* Network=veth */
        int *listen_fds;             /* ListenStream=, ListenDatagram=: ours until START hands them over */
        size_t n_listen_fds;
} ServiceNetwork;

/* The veth pair of another active service, which a new one must not clash with. */
typedef struct NetworkInUse {
        const char *name;
        const VethLink *veth;
} NetworkInUse;

/* The network of a service ([Isolate] Network=, Address=, Port=), in the
 * order of its start: checked and the host's listeners bound before the child
 * exists, the veth pair made and forwarding begun once the scope holds the
 * child and before it is released, all of it closed when the service ends. */

/* Before service_start(): uid is the caller's (privileged ports need root), in_use the
 * other active services' veth pairs, event the loop the published ports are served by.
 * On failure error is set, and nothing is left. */
int network_prepare(ServiceNetwork *n, const char *name, const Description *d, sd_event *event, uid_t uid,
                    const NetworkInUse *in_use, size_t n_in_use, sd_bus_error *error);

/* After the scope job, before RELEASE: the init's namespace exists. */
int network_start(ServiceNetwork *n, const char *name, pid_t init_pid, char **ret_error);

/* A running service taken over after a restart of the daemon: its listeners
 * again (the veth pair lives in its namespace already). Logs its failures. */
void network_adopt(ServiceNetwork *n, const char *name, const Description *d, pid_t init_pid, sd_event *event);

/* The service ended: listeners and connections closed, the veth pair removed. */
void network_stop(ServiceNetwork *n, const char *name, const Description *d);

/* The record goes (the daemon exits, or the record is dropped): listeners closed, sockets
 * never handed over removed; a veth pair, which a running service keeps, is left as it is. */
void network_done(ServiceNetwork *n, const Description *d);

/* A service that ended while the daemon was away: its veth pair, if any. */
void network_forget(const char *name);
