/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "netns-util.h"
#include "veth.h"

void veth_host_ifname(const char *name, char ret[static IFNAMSIZ]) {
        snprintf(ret, IFNAMSIZ, "ve-%s", name);
        /* An instance's "@" reads as ip(8)'s "dev@link", ":" is refused by the kernel, "\\"
         * needs quoting: "-" instead (ve-postgresql-1). */
        for (char *p = ret; *p; p++)
                if (strchr("@:\\", *p))
                        *p = '-';
}

static void ipv4_prefix_subnet_string(const Ipv4Prefix *p, char *buf, size_t size) {
        char a[INET_ADDRSTRLEN] = "?";
        uint32_t mask = p->prefixlen == 0 ? 0 : UINT32_MAX << (32 - p->prefixlen);
        struct in_addr net = { htonl(ntohl(p->address.s_addr) & mask) };

        (void) inet_ntop(AF_INET, &net, a, sizeof(a));
        snprintf(buf, size, "%s/%u", a, p->prefixlen);
}

int veth_address_free(const Ipv4Prefix *p, const Ipv4Prefix *taken, size_t n_taken, char **ret_clash) {
        struct ifaddrs *addrs = NULL;
        char subnet[INET_ADDRSTRLEN + 4];
        int r = 1;

        for (size_t i = 0; i < n_taken; i++)
                if (ipv4_prefix_overlap(p, &taken[i])) {
                        ipv4_prefix_subnet_string(&taken[i], subnet, sizeof(subnet));
                        if (ret_clash && asprintf(ret_clash, "another service's subnet %s", subnet) < 0)
                                *ret_clash = NULL;
                        return 0;
                }

        if (getifaddrs(&addrs) < 0)
                return negative_errno();
        for (struct ifaddrs *a = addrs; a; a = a->ifa_next) {
                Ipv4Prefix host;
                uint32_t mask;

                if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !a->ifa_netmask)
                        continue;
                mask = ntohl(((struct sockaddr_in *) a->ifa_netmask)->sin_addr.s_addr);
                host = (Ipv4Prefix) {
                        .address = ((struct sockaddr_in *) a->ifa_addr)->sin_addr,
                        .prefixlen = (unsigned) __builtin_popcount(mask),
                };
                if (!ipv4_prefix_overlap(p, &host))
                        continue;
                if (ret_clash) {
                        char addr[INET_ADDRSTRLEN] = "?";
                        (void) inet_ntop(AF_INET, &host.address, addr, sizeof(addr));
                        if (asprintf(ret_clash, "the host's address %s/%u on %s", addr, host.prefixlen,
                                     a->ifa_name) < 0)
                                *ret_clash = NULL;
                }
                r = 0;
                break;
        }
        freeifaddrs(addrs);
        return r;
}

int veth_pool_pick(const Ipv4Prefix *taken, size_t n_taken, Ipv4Prefix *ret) {
        Ipv4Prefix pool = { .address = { htonl(VETH_POOL_ADDRESS) }, .prefixlen = VETH_POOL_PREFIXLEN }, p;

        for (unsigned n = 0;; n++) {
                bool clash = false;

                if (ipv4_prefix_pool_slot(&pool, n, &p) < 0)
                        return -EADDRNOTAVAIL; /* the pool is used up */
                for (size_t i = 0; i < n_taken && !clash; i++)
                        clash = ipv4_prefix_overlap(&p, &taken[i]);
                if (!clash) {
                        *ret = p;
                        return 0;
                }
        }
}

int veth_pick_address(const Ipv4Prefix *taken, size_t n_taken, Ipv4Prefix *ret) {
        _cleanup_free_ Ipv4Prefix *all = NULL;
        struct ifaddrs *addrs = NULL;
        size_t n = 0, n_host = 0;

        /* The other services' subnets and the host's addresses alike. */
        if (getifaddrs(&addrs) < 0)
                return negative_errno();
        for (struct ifaddrs *a = addrs; a; a = a->ifa_next)
                n_host++;
        all = calloc(n_taken + n_host + 1, sizeof(Ipv4Prefix));
        if (!all) {
                freeifaddrs(addrs);
                return -ENOMEM;
        }
        if (n_taken > 0)
                memcpy(all, taken, n_taken * sizeof(Ipv4Prefix));
        n = n_taken;
        for (struct ifaddrs *a = addrs; a; a = a->ifa_next) {
                if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !a->ifa_netmask)
                        continue;
                all[n++] = (Ipv4Prefix) {
                        .address = ((struct sockaddr_in *) a->ifa_addr)->sin_addr,
                        .prefixlen = (unsigned) __builtin_popcount(
                                ntohl(((struct sockaddr_in *) a->ifa_netmask)->sin_addr.s_addr)),
                };
        }
        freeifaddrs(addrs);
        return veth_pool_pick(all, n, ret);
}

/* --- a little rtnetlink --- */

typedef struct NlMessage {
        union {
                struct nlmsghdr hdr;
                uint8_t buf[1024];
        };
} NlMessage;

static void *nl_tail(NlMessage *m) {
        return m->buf + NLMSG_ALIGN(m->hdr.nlmsg_len);
}

static void nl_init(NlMessage *m, uint16_t type, uint16_t flags, const void *header, size_t size) {
        memset(m, 0, sizeof(*m));
        m->hdr.nlmsg_type = type;
        m->hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        m->hdr.nlmsg_len = NLMSG_LENGTH(size);
        memcpy(NLMSG_DATA(&m->hdr), header, size);
}

/* Appends an attribute (data may be NULL for a nest); returns it. Sizes here
 * are fixed and small: the buffer is far larger than any message we build. */
static struct rtattr *nl_put(NlMessage *m, uint16_t type, const void *data, size_t size) {
        struct rtattr *a = nl_tail(m);

        a->rta_type = type;
        a->rta_len = RTA_LENGTH(size);
        if (data)
                memcpy(RTA_DATA(a), data, size);
        m->hdr.nlmsg_len = NLMSG_ALIGN(m->hdr.nlmsg_len) + RTA_ALIGN(a->rta_len);
        return a;
}

static struct rtattr *nl_nest(NlMessage *m, uint16_t type) {
        return nl_put(m, type, NULL, 0);
}

static void nl_nest_end(NlMessage *m, struct rtattr *nest) {
        nest->rta_len = (unsigned short) ((uint8_t *) nl_tail(m) - (uint8_t *) nest);
}

static void nl_put_string(NlMessage *m, uint16_t type, const char *s) {
        nl_put(m, type, s, strlen(s) + 1);
}

/* Sends m and waits for its ack; a reply message (RTM_GETLINK) lands in ret_reply. */
static int nl_call(int fd, NlMessage *m, NlMessage *ret_reply) {
        static uint32_t seq = 0;
        uint8_t buf[8192];

        m->hdr.nlmsg_seq = ++seq;
        if (send(fd, m, m->hdr.nlmsg_len, 0) < 0)
                return negative_errno();
        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_seq != m->hdr.nlmsg_seq)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                return e->error; /* 0: the ack */
                        }
                        if (ret_reply) /* the headers are all we read of it */
                                memcpy(ret_reply->buf, h,
                                       h->nlmsg_len < sizeof(ret_reply->buf) ? h->nlmsg_len : sizeof(ret_reply->buf));
                }
        }
}

static int link_index(int fd, const char *ifname) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        NlMessage m, reply = {};
        int r;

        nl_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
        nl_put_string(&m, IFLA_IFNAME, ifname);
        r = nl_call(fd, &m, &reply);
        if (r < 0)
                return r;
        if (reply.hdr.nlmsg_type != RTM_NEWLINK)
                return -ENODEV;
        return ((struct ifinfomsg *) NLMSG_DATA(&reply.hdr))->ifi_index;
}

static int link_up(int fd, int ifindex, const char *alias) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
        NlMessage m;

        nl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
        if (alias)
                nl_put_string(&m, IFLA_IFALIAS, alias);
        return nl_call(fd, &m, NULL);
}

static int address_add(int fd, int ifindex, struct in_addr address, unsigned prefixlen) {
        struct ifaddrmsg ifa = {
                .ifa_family = AF_INET,
                .ifa_prefixlen = (unsigned char) prefixlen,
                .ifa_scope = RT_SCOPE_UNIVERSE,
                .ifa_index = (unsigned) ifindex,
        };
        NlMessage m;

        nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
        nl_put(&m, IFA_LOCAL, &address, sizeof(address));
        nl_put(&m, IFA_ADDRESS, &address, sizeof(address));
        if (prefixlen < 31) {
                uint32_t mask = UINT32_MAX << (32 - prefixlen);
                struct in_addr broadcast = { htonl(ntohl(address.s_addr) | ~mask) };
                nl_put(&m, IFA_BROADCAST, &broadcast, sizeof(broadcast));
        }
        return nl_call(fd, &m, NULL);
}

static int default_route_add(int fd, int ifindex, struct in_addr gateway) {
        struct rtmsg rtm = {
                .rtm_family = AF_INET,
                .rtm_table = RT_TABLE_MAIN,
                .rtm_protocol = RTPROT_STATIC,
                .rtm_scope = RT_SCOPE_UNIVERSE,
                .rtm_type = RTN_UNICAST,
        };
        uint32_t oif = (uint32_t) ifindex;
        NlMessage m;

        nl_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
        nl_put(&m, RTA_GATEWAY, &gateway, sizeof(gateway));
        nl_put(&m, RTA_OIF, &oif, sizeof(oif));
        return nl_call(fd, &m, NULL);
}

static int link_delete(int fd, const char *ifname) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        NlMessage m;

        nl_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
        nl_put_string(&m, IFLA_IFNAME, ifname);
        return nl_call(fd, &m, NULL);
}

static int veth_pair_add(int fd, const char *host_ifname, const char *peer_ifname, int netns_fd) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        uint32_t nsfd = (uint32_t) netns_fd;
        struct rtattr *info, *data, *peer;
        NlMessage m;

        nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        nl_put_string(&m, IFLA_IFNAME, host_ifname);
        info = nl_nest(&m, IFLA_LINKINFO);
        nl_put_string(&m, IFLA_INFO_KIND, "veth");
        data = nl_nest(&m, IFLA_INFO_DATA);
        peer = nl_nest(&m, VETH_INFO_PEER);
        /* The peer's attributes follow its own ifinfomsg. */
        memset(nl_tail(&m), 0, sizeof(struct ifinfomsg));
        m.hdr.nlmsg_len = NLMSG_ALIGN(m.hdr.nlmsg_len) + NLMSG_ALIGN(sizeof(struct ifinfomsg));
        nl_put_string(&m, IFLA_IFNAME, peer_ifname);
        nl_put(&m, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
        nl_nest_end(&m, peer);
        nl_nest_end(&m, data);
        nl_nest_end(&m, info);
        return nl_call(fd, &m, NULL);
}

static int write_sysctl(const char *path, const char *value) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return negative_errno();
        if (write(fd, value, strlen(value)) < 0)
                return negative_errno();
        return 0;
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&what, fmt, ap) < 0)
                what = NULL;
        va_end(ap);
        if (ret_error && asprintf(ret_error, "%s: %s", what ?: "veth", strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

int veth_create(const char *name, const VethLink *link, int netns_fd, char **ret_error) {
        _cleanup_close_ int host_fd = -EBADF, inner_fd = -EBADF;
        struct in_addr host_address = ipv4_prefix_peer(&link->address);
        char path[128], alias[IFNAMSIZ + 80];
        int host_index, inner_index, r;

        host_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (host_fd < 0)
                return fail(ret_error, negative_errno(), "cannot open rtnetlink");
        /* Its twin inside: everything sent on it applies to the service's namespace. */
        inner_fd = netns_socket(netns_fd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (inner_fd < 0)
                return fail(ret_error, inner_fd, "cannot open rtnetlink in the service's network namespace");

        r = veth_pair_add(host_fd, link->host_ifname, "host0", netns_fd);
        if (r < 0)
                return fail(ret_error, r, "cannot create the veth pair %s/host0", link->host_ifname);

        /* From here on, a failure removes the pair (both ends go with one). */
        host_index = link_index(host_fd, link->host_ifname);
        if (host_index < 0) {
                r = fail(ret_error, host_index, "cannot find %s", link->host_ifname);
                goto undo;
        }
        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", link->host_ifname);
        r = write_sysctl(path, "0");
        if (r < 0) {
                r = fail(ret_error, r, "cannot turn forwarding off on %s", link->host_ifname);
                goto undo;
        }
        /* Strict reverse-path filtering: what comes in on the service's end must be from an address
         * routed back through it. CAP_NET_RAW inside would otherwise send as another service's
         * address (or any other) to the host. */
        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", link->host_ifname);
        r = write_sysctl(path, "1");
        if (r < 0) {
                r = fail(ret_error, r, "cannot turn reverse-path filtering on on %s", link->host_ifname);
                goto undo;
        }
        /* The host's end has an IPv6 link-local address, and would take router advertisements from
         * the service: a default route of high preference through it (every IPv6 packet of the
         * host to the service), prefixes, addresses; and IPv6 has no reverse-path filter of its
         * own. The pair is IPv4: no IPv6 on the host's end at all, and none taken if it comes
         * back. A host without IPv6 has none of these files (ENOENT). */
        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", link->host_ifname);
        r = write_sysctl(path, "1");
        if (r < 0 && r != -ENOENT) {
                r = fail(ret_error, r, "cannot turn IPv6 off on %s", link->host_ifname);
                goto undo;
        }
        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra", link->host_ifname);
        r = write_sysctl(path, "0");
        if (r < 0 && r != -ENOENT) {
                r = fail(ret_error, r, "cannot turn router advertisements off on %s", link->host_ifname);
                goto undo;
        }
        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_redirects", link->host_ifname);
        r = write_sysctl(path, "0");
        if (r < 0 && r != -ENOENT) {
                r = fail(ret_error, r, "cannot turn ICMPv6 redirects off on %s", link->host_ifname);
                goto undo;
        }
        r = address_add(host_fd, host_index, host_address, link->address.prefixlen);
        if (r < 0) {
                r = fail(ret_error, r, "cannot add the host's address to %s", link->host_ifname);
                goto undo;
        }
        snprintf(alias, sizeof(alias), VETH_ALIAS_PREFIX "%s", name);
        r = link_up(host_fd, host_index, alias);
        if (r < 0) {
                r = fail(ret_error, r, "cannot bring %s up", link->host_ifname);
                goto undo;
        }

        inner_index = link_index(inner_fd, "host0");
        if (inner_index < 0) {
                r = fail(ret_error, inner_index, "cannot find host0 inside");
                goto undo;
        }
        r = address_add(inner_fd, inner_index, link->address.address, link->address.prefixlen);
        if (r < 0) {
                r = fail(ret_error, r, "cannot add the service's address to host0");
                goto undo;
        }
        r = link_up(inner_fd, inner_index, NULL);
        if (r < 0) {
                r = fail(ret_error, r, "cannot bring host0 up");
                goto undo;
        }
        r = default_route_add(inner_fd, inner_index, host_address);
        if (r < 0) {
                r = fail(ret_error, r, "cannot add the default route inside");
                goto undo;
        }
        return 0;

undo:
        (void) link_delete(host_fd, link->host_ifname);
        return r;
}

static bool link_is_ours(const char *name, const char *host_ifname) {
        char path[128], alias[IFNAMSIZ + 80] = {}, expected[IFNAMSIZ + 80];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        snprintf(path, sizeof(path), "/sys/class/net/%s/ifalias", host_ifname);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return false;
        n = read(fd, alias, sizeof(alias) - 1);
        if (n <= 0)
                return false;
        alias[strcspn(alias, "\n")] = 0;
        snprintf(expected, sizeof(expected), VETH_ALIAS_PREFIX "%s", name);
        return strcmp(alias, expected) == 0;
}

int veth_remove(const char *name, const char *host_ifname) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!link_is_ours(name, host_ifname))
                return 0; /* gone already (with the namespace), or not ours to remove */
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return negative_errno();
        r = link_delete(fd, host_ifname);
        return r == -ENODEV ? 0 : r;
}
