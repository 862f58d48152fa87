#!/bin/sh
# Installs what isolated needs to build, test, benchmark and run its demo on
# Debian 12: tools/install-deps.sh [--demo] (--demo: only what the demo needs).
set -eu
export DEBIAN_FRONTEND=noninteractive

# Real daemons are installed for the tests to isolate (memcached, nginx, sshd, the corpus):
# dpkg must not start them on this host. A policy-rc.d that refuses every
# start, removed afterwards if we made it.
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        created_policy=1
fi
trap '[ -z "$created_policy" ] || rm -f "$policy"' EXIT

# What isolated needs to build, run, test and demonstrate itself.
packages="gcc libc6-dev meson ninja-build pkg-config
        libsystemd-dev libcap-dev libseccomp-dev libdbus-1-dev check clang libclang-rt-14-dev
        systemd dbus polkitd python3 util-linux iproute2 procps psmisc man-db groff-base
        memcached nginx curl tini dumb-init openssh-server openssh-client zsh bash-completion"
# The tests' corpus: the daemons of tests/integration/test-debian-daemons*.sh and their clients
# (vsftpd, not proftpd-core: both are an ftp-server, they conflict), then the benchmarks' peers.
# `install-deps.sh --demo` (tools/demo.sh, README's first command) leaves them out: an
# administrator trying the demo gets no apache2 or mariadb.
corpus="lighttpd apache2 squid privoxy haproxy varnish php8.2-fpm radicale cups-daemon
        prometheus-node-exporter minidlna transmission-daemon
        bind9 dnsmasq unbound nsd knot chrony snmpd snmp tor bind9-dnsutils
        mosquitto redis-server redis-tools mariadb-server mariadb-client dovecot-imapd vsftpd iperf3
        rsync zabbix-agent nagios-nrpe-server opendkim cron
        samba smbclient exim4-daemon-light spamd spamc rsyslog
        postgresql-15 postgresql-client-15
        stubby kea-dhcp4-server tinyproxy prosody lldpd pdns-recursor dropbear postgrey fail2ban
        hyperfine bubblewrap crun"
[ "${1:-}" = --demo ] || packages="$packages $corpus"
# All there already (a machine without network, as the qemu guest): nothing to ask for.
missing=
for p in $packages; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
