/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "bus-error.h"
#include "description.h"
#include "log.h"
#include "listen-sockets.h"
#include "netns-util.h"
#include "network.h"
#include "port-forward.h"
#include "veth.h"

/* net.ipv4.ip_unprivileged_port_start: the ports below need root. */
static unsigned unprivileged_port_start(void) {
        unsigned v = 1024;
        FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");

        if (f) {
                if (fscanf(f, "%u", &v) != 1)
                        v = 1024;
                fclose(f);
        }
        return v;
}

/* Subnets of the other services' veth pairs, made or about to be. */
static int taken_subnets(const NetworkInUse *in_use, size_t n_in_use, Ipv4Prefix **ret, size_t *ret_n) {
        Ipv4Prefix *l;
        size_t n = 0;

        l = calloc(n_in_use + 1, sizeof(Ipv4Prefix));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n_in_use; i++)
                /* An adopted one with a default address has none here: its host end shows it. */
                if (in_use[i].veth->address.prefixlen > 0)
                        l[n++] = in_use[i].veth->address;
        *ret = l;
        *ret_n = n;
        return 0;
}

static int prepare_veth(ServiceNetwork *n, const char *name, const Description *d, const NetworkInUse *in_use,
                        size_t n_in_use, sd_bus_error *error) {
        _cleanup_free_ Ipv4Prefix *taken = NULL;
        _cleanup_free_ char *clash = NULL;
        VethLink *link;
        size_t n_taken;
        int r;

        link = calloc(1, sizeof(VethLink));
        if (!link)
                return -ENOMEM;
        n->veth = link;
        veth_host_ifname(name, link->host_ifname);

        for (size_t i = 0; i < n_in_use; i++)
                if (strcmp(in_use[i].veth->host_ifname, link->host_ifname) == 0)
                        return sd_bus_error_setf(error, BUS_ERROR_START_FAILED,
                                                 "Its host interface name %s is that of "
                                                 "service %s already (names are cut to %d characters).",
                                                 link->host_ifname, in_use[i].name, IFNAMSIZ - 1);
        if (if_nametoindex(link->host_ifname) > 0)
                return sd_bus_error_setf(error, BUS_ERROR_START_FAILED,
                                         "A network interface %s exists already on the host.",
                                         link->host_ifname);

        r = taken_subnets(in_use, n_in_use, &taken, &n_taken);
        if (r < 0)
                return r;
        if (!d->address_set) {
                r = veth_pick_address(taken, n_taken, &link->address);
                if (r == -EADDRNOTAVAIL)
                        return sd_bus_error_setf(error, BUS_ERROR_START_FAILED,
                                                 "No free /30 left in 10.231.0.0/16; set Address=.");
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Cannot pick an address: %m");
                return 0;
        }
        link->address = d->address;
        r = veth_address_free(&link->address, taken, n_taken, &clash);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the host's addresses: %m");
        if (r == 0) {
                char a[INET_ADDRSTRLEN] = "?";
                (void) inet_ntop(AF_INET, &d->address.address, a, sizeof(a));
                return sd_bus_error_setf(error, BUS_ERROR_START_FAILED,
                                         "Address=%s/%u clashes with %s.", a,
                                         d->address.prefixlen, clash ?: "an address in use");
        }
        return 0;
}

int network_prepare(ServiceNetwork *n, const char *name, const Description *d, sd_event *event, uid_t uid,
                    const NetworkInUse *in_use, size_t n_in_use, sd_bus_error *error) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (uid != 0) {
                unsigned start = unprivileged_port_start();

                for (size_t i = 0; i < d->n_listen; i++) {
                        unsigned port = socket_spec_port(&d->listen[i]);
                        char spec[SOCKET_SPEC_STRING_MAX];

                        if (port > 0 && port < start)
                                return sd_bus_error_setf(error, BUS_ERROR_START_FAILED,
                                                         "%s=%s: port %u is privileged (below %u); only root "
                                                         "may listen on it.",
                                                         socket_kind_to_key(d->listen[i].kind),
                                                         socket_spec_to_string(&d->listen[i], spec), port, start);
                }
                for (size_t i = 0; i < d->n_ports; i++)
                        if (d->ports[i].host_port < start) {
                                char spec[PORT_SPEC_STRING_MAX];
                                return sd_bus_error_setf(error, BUS_ERROR_START_FAILED,
                                                         "Port=%s: host port %u is privileged "
                                                         "(below %u); only root may publish it.",
                                                         port_spec_to_string(&d->ports[i], spec),
                                                         d->ports[i].host_port, start);
                        }
        }

        if (d->network == NETWORK_VETH) {
                r = prepare_veth(n, name, d, in_use, n_in_use, error);
                if (r < 0 || sd_bus_error_is_set(error)) {
                        n->veth = mfree(n->veth);
                        return r < 0 ? r : -EINVAL;
                }
        }

        if (d->n_ports > 0) {
                r = port_forwards_new(event, name, d->ports, d->n_ports, &n->port_forwards, &text);
                if (r < 0) {
                        n->veth = mfree(n->veth);
                        if (r == -ENOMEM)
                                return r;
                        return sd_bus_error_setf(error, BUS_ERROR_START_FAILED, "%s.",
                                                 text ?: strerror(-r));
                }
        }

        if (d->n_listen > 0) {
                r = listen_sockets_open(d, &n->listen_fds, &text);
                if (r < 0) {
                        n->veth = mfree(n->veth);
                        n->port_forwards = port_forwards_free(n->port_forwards);
                        if (r == -ENOMEM && !text)
                                return r;
                        return sd_bus_error_setf(error, BUS_ERROR_START_FAILED, "%s.", text ?: strerror(-r));
                }
                n->n_listen_fds = d->n_listen;
        }
        return 0;
}

int network_start(ServiceNetwork *n, const char *name, pid_t init_pid, char **ret_error) {
        _cleanup_close_ int netns_fd = -EBADF;
        int r;

        if (!n->veth && !n->port_forwards)
                return 0;
        /* Still our unreaped child: the PID cannot be anyone else's. */
        netns_fd = netns_open(init_pid);
        if (netns_fd < 0) {
                if (asprintf(ret_error, "cannot open the service's network namespace: %s", strerror(-netns_fd)) < 0)
                        *ret_error = NULL;
                return netns_fd;
        }
        if (n->veth) {
                r = veth_create(name, n->veth, netns_fd, ret_error);
                if (r < 0)
                        return r;
                n->veth->created = true;
                log_info("%s: %s up, the service's host0 has %s/%u.", name, n->veth->host_ifname,
                         inet_ntoa(n->veth->address.address), n->veth->address.prefixlen);
        }
        if (n->port_forwards) {
                int fd = fcntl(netns_fd, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        r = negative_errno();
                else
                        r = port_forwards_start(n->port_forwards, fd);
                if (r < 0) {
                        if (asprintf(ret_error, "cannot start forwarding the published ports: %s", strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }
        return 0;
}

void network_adopt(ServiceNetwork *n, const char *name, const Description *d, pid_t init_pid, sd_event *event) {
        _cleanup_free_ char *text = NULL;
        int netns_fd, r;

        if (!d)
                return;
        if (d->network == NETWORK_VETH) {
                n->veth = calloc(1, sizeof(VethLink));
                if (n->veth) {
                        veth_host_ifname(name, n->veth->host_ifname);
                        n->veth->created = true;
                        if (d->address_set)
                                n->veth->address = d->address; /* a default one shows on the host's end */
                }
        }
        if (d->n_ports == 0)
                return;
        r = port_forwards_new(event, name, d->ports, d->n_ports, &n->port_forwards, &text);
        if (r < 0) {
                log_error("%s: cannot publish its ports again after the restart: %s", name, text ?: strerror(-r));
                return;
        }
        /* The pidfd is open and the init was checked: the PID is still its. */
        netns_fd = netns_open(init_pid);
        r = netns_fd < 0 ? netns_fd : port_forwards_start(n->port_forwards, netns_fd);
        if (r < 0) {
                log_error_errno(r, "%s: cannot forward its ports again after the restart: %m", name);
                n->port_forwards = port_forwards_free(n->port_forwards);
                return;
        }
        log_info("%s: %zu published port(s) forwarded again.", name, d->n_ports);
}

void network_stop(ServiceNetwork *n, const char *name, const Description *d) {
        int r;

        n->port_forwards = port_forwards_free(n->port_forwards);
        /* The init held the listening sockets (or never got them): with it gone, their files are stale. */
        n->listen_fds = listen_sockets_close(n->listen_fds, n->n_listen_fds);
        n->n_listen_fds = 0;
        if (d)
                listen_sockets_remove_files(d);
        if (n->veth && n->veth->created) {
                r = veth_remove(name, n->veth->host_ifname);
                if (r < 0)
                        log_warning_errno(r, "%s: cannot remove %s: %m", name, n->veth->host_ifname);
        }
        n->veth = mfree(n->veth);
}

void network_done(ServiceNetwork *n, const Description *d) {
        /* Listeners close with the daemon; a running service keeps its veth pair. */
        n->port_forwards = port_forwards_free(n->port_forwards);
        n->veth = mfree(n->veth);
        if (n->listen_fds && d) {
                /* Never handed over: no init listens on them, their files are ours to remove. */
                n->listen_fds = listen_sockets_close(n->listen_fds, n->n_listen_fds);
                listen_sockets_remove_files(d);
        }
        n->n_listen_fds = 0;
}

void network_forget(const char *name) {
        char ifname[IFNAMSIZ];
        int r;

        veth_host_ifname(name, ifname);
        r = veth_remove(name, ifname);
        if (r < 0)
                log_warning_errno(r, "%s: cannot remove %s: %m", name, ifname);
}
