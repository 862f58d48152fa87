#!/bin/bash
# The corpus, run stage (shapes the first five files have few of: Type=notify, DynamicUser=,
# the *Directory= keys, User= with Group=, AmbientCapabilities=, tmpfiles.d, ExecReload=):
# Debian 12's daemons, installed from Debian's packages (tools/install-deps.sh, with a
# policy-rc.d that keeps dpkg from starting them), each started from its STOCK unit copied
# unchanged into /etc/isolated, asked a real client request from inside its network namespace,
# and stopped cleanly (Result=success). Where the strict default needs more (the host's tree is
# read-only), `isolatectl learn NAME --apply` writes the drop-in first, as an administrator
# would run it.
#
# The sixth file of the run stage (test-debian-daemons*.sh; ONLY=debian-daemons runs them all):
# stubby, kea-dhcp4-server, tinyproxy, prosody, lldpd, pdns-recursor, dropbear, postgrey and
# fail2ban. Every daemon is a case (ONLY=debian-daemons-6:stubby).
#
# Measured and left out: coturn, vnstat, bird2 and wsdd need an interface besides lo (coturn:
# "Cannot configure any meaningful IP listener address"; vnstatd: "No interfaces found";
# bird: "Cannot determine router ID", after a capset(2) of CAP_NET_ADMIN, which the defaults
# withhold and no key of its unit names); each runs with [Isolate] Network=veth (bird with
# AllowCapabilities=CAP_NET_ADMIN too), which learn does not propose. avahi-daemon (Type=dbus)
# is refused by dbus-daemon, which cannot look its uid up (isolated.service(5), Type=).
. "$TESTS/lib.sh"
. "$TESTS/clients/corpus.sh"

# Debian's stubby.service: DynamicUser=true, RuntimeDirectory=stubby as its WorkingDirectory=,
# AmbientCapabilities=CAP_NET_BIND_SERVICE with the same CapabilityBoundingSet=. It forwards
# over TLS to resolvers the service's network cannot reach: its answer is SERVFAIL.
testcase_stubby() { daemon stubby stubby.service /usr/bin/stubby - probe_stubby; }

# Debian's kea-dhcp4-server.service: User=_kea, AmbientCapabilities=CAP_NET_BIND_SERVICE
# CAP_NET_RAW, RuntimeDirectory=kea lock/kea with RuntimeDirectoryPreserve=yes,
# LogsDirectory= (with LogsDirectoryMode=0750), StateDirectory=, ConfigurationDirectory=.
# Debian's kea-dhcp4.conf serves no interface: its control socket answers.
testcase_kea() { daemon kea kea-dhcp4-server.service /usr/sbin/kea-dhcp4 - probe_kea; }


# Debian's tinyproxy.service: its /run/tinyproxy comes from tmpfiles.d (D, tinyproxy's),
# PrivateDevices=yes, ExecReload=/bin/kill -USR1 $MAINPID, KillMode=process.
testcase_tinyproxy() { daemon tinyproxy tinyproxy.service /usr/bin/tinyproxy 8888 probe_tinyproxy; }

# Debian's prosody.service: User=prosody with Group=prosody, RuntimeDirectory=prosody,
# PIDFile= there (Type=simple), WorkingDirectory=/var/lib/prosody, NonBlocking=true. Lua.
testcase_prosody() { daemon prosody prosody.service /usr/bin/prosody 5222 probe_prosody; }

# Debian's lldpd.service: Type=notify, NotifyAccess=main, RequiresMountsFor=/run/lldpd,
# ProtectKernelTunables=no. lldpcli asks it on its socket in the service's /run.
testcase_lldpd() { daemon lldpd lldpd.service /usr/sbin/lldpd - probe_lldpd; }


# Debian's pdns-recursor.service: Type=notify, User=pdns with Group=pdns,
# AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_CHOWN, RuntimeDirectory=, most of systemd's
# hardening keys (ProtectSystem=full, SystemCallFilter=~..., RestrictNamespaces=, ...).
testcase_pdns_recursor() { daemon pdns-recursor pdns-recursor.service /usr/sbin/pdns_recursor 53 probe_pdns_recursor; }

# Debian's dropbear.service: Environment= and EnvironmentFile=-/etc/default/dropbear expanded
# in ExecStart= ("$DROPBEAR_PORT"), KillMode=process.
# SIGTERM ends dropbear with status 1 (dropbear_exit("Terminated by signal")): systemd 252
# ends the same unit with Result=exit-code, status 1 (measured).
testcase_dropbear() { local stop_result="exit-code 1"; daemon dropbear dropbear.service /usr/sbin/dropbear 22 probe_ssh; }

# Debian's postgrey.service: Perl, Environment= with a specifier (%H) expanded into
# ExecStart= as "${POSTGREY_TEXT}", TimeoutSec=5. A policy request of Postfix's protocol.
testcase_postgrey() { daemon postgrey postgrey.service /usr/sbin/postgrey 10023 probe_postgrey; }

# Debian's fail2ban.service: Python, RuntimeDirectory=fail2ban (tmpfiles.d's too),
# PIDFile= there, ExecStop= and ExecReload= of fail2ban-client. fail2ban-client pings it.
# Debian's sshd jail reads /var/log/auth.log and fails the start where there is none (a host
# without a syslog daemon, as here: under systemd too): it is made empty for the case, as
# installing rsyslog would, and removed again with the log and database fail2ban made.
testcase_fail2ban() {
        local f made=
        for f in /var/log/auth.log /var/log/fail2ban.log /var/lib/fail2ban/fail2ban.sqlite3; do
                [ -e "$f" ] || made="$made $f"
        done
        corpus_cleanup="rm -f$made"
        [ -e /var/log/auth.log ] || : > /var/log/auth.log
        daemon fail2ban fail2ban.service /usr/bin/fail2ban-server - probe_fail2ban
        eval "$corpus_cleanup"; corpus_cleanup=
}




run_testcases
