#!/bin/bash
# The corpus, verify stage: every system unit that Debian 12's daemon packages
# ship verifies when an administrator drops it into /etc/isolated. The files
# come from the packages themselves (apt-get download; nothing is installed),
# so the test follows Debian's versions. The run stage (the daemons installed,
# started from these units and asked a real request) is test-debian-daemons.sh.
#
# A unit whose User= (or Group=) is made by its package's maintainer scripts
# does not resolve here, where the package is not installed, and verify refuses
# it (the sandbox's /etc is the host's: the name would not resolve at start
# either). isolatectl verify has no option to skip that check, so such a unit
# is verified again in a mount namespace of its own whose /etc/passwd and
# /etc/group are copies with the user added, as the package's postinst would:
# it counts as verifying if that is its only error, and is counted apart.
#
# REPORT=1 prints every unit with its result and its first error lines.
. "$TESTS/lib.sh"

# The 40 daemons of the survey of issue 15 (41 packages: postgresql-15's
# cluster unit is a template of postgresql-common)...
packages_survey="nginx-common lighttpd cron squid bind9 dnsmasq exim4-base mosquitto cups-daemon
        samba snmpd prometheus-node-exporter transmission-daemon minidlna rsync privoxy iperf3
        memcached redis-server postgresql-common postgresql-15 nagios-nrpe-server mariadb-server
        unbound nsd tor chrony spamd apache2 haproxy php8.2-fpm opendkim zabbix-agent
        openssh-server vsftpd dovecot-core proftpd-core radicale varnish knot rsyslog"
# ...and more of Debian 12's daemon packages that ship system units.
packages_more="avahi-daemon openvpn nut-server ntpsec postfix smartmontools lldpd hostapd
        keepalived conntrackd fail2ban clamav-daemon clamav-freshclam nfs-kernel-server rpcbind
        autofs apcupsd irqbalance acpid haveged sysstat at anacron munin-node collectd-core
        prometheus-alertmanager prometheus-blackbox-exporter vnstat tinyproxy dante-server sslh
        openbsd-inetd radvd bird2 pdns-server pdns-recursor dnsdist coturn ngircd mpd gpsd
        beanstalkd nscd opendmarc postsrsd miniupnpd ser2net openntpd i2pd opensmtpd nullmailer
        postgrey redis-sentinel"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# shellcheck disable=SC2086
if ! apt-get download -qq $packages_survey $packages_more >download.log 2>&1; then
        echo "# apt-get download failed: no package lists? (apt-get update)"
        grep -E '^E:' download.log | head -5 | sed 's/^/#   /'
        not_ok "download Debian's packages"
        finish
        exit
fi
n_packages=0
for deb in *.deb; do
        p=${deb%%_*}
        mkdir -p "x/$p"
        # Only the units (tar still reads the whole archive, but writes only these): the package
        # may ship none (its rc script only) and tar then says nothing matched.
        dpkg-deb --fsys-tarfile "$deb" > data.tar && n_packages=$((n_packages + 1))
        tar -x -f data.tar -C "x/$p" --wildcards './lib/systemd/system/*' './usr/lib/systemd/system/*' 2>/dev/null
done
check_eq "every package downloaded" "$(echo $packages_survey $packages_more | wc -w)" "$n_packages"

# Every system unit a package ships but aliases (a symbolic link to another unit or /dev/null),
# as an administrator copies them into a directory of their own, the name unchanged
# (tor@default.service, an instance with a file of its own, among them). A template
# (NAME@.service) is verified as the instance an administrator starts (verify takes the name from
# the file's): the cluster instance 15-main of postgresql-common's templates (postgresql@15-main,
# the cluster postgresql-15's package makes; pg_dump@15-main...), tor's instance default (the one
# tor.service wants), else NAME@test. It goes into etc/instances/, apart: tor@default.service
# is also a unit of its own.
instance_of() {
        case $1 in
        postgresql@ | pg_*@) echo 15-main ;;
        tor@) echo default ;;
        *) echo test ;;
        esac
}
mkdir -p etc/instances
: > units
for f in x/*/lib/systemd/system/*.service x/*/usr/lib/systemd/system/*.service; do
        [ -f "$f" ] && [ ! -L "$f" ] || continue
        u=$(basename "$f")
        p=${f#x/}; p=${p%%/*}
        case "$u" in
        *@.service)
                t=${u%.service}
                u=instances/$t$(instance_of "$t").service ;;
        esac
        cp "$f" "etc/$u"
        echo "$p $u" >> units
done
check "the templates are verified too" grep -q "^postgresql-common instances/postgresql@15-main.service$" units

# user_of UNIT KEY: the last KEY= (User or Group) of the unit.
user_of() { sed -nE "s/^[[:space:]]*$2=[[:space:]]*([^[:space:]]+).*/\1/p" "etc/$1" | tail -1; }

# verify_with_users UNIT: verify it with its User= and Group= made to exist, in
# a mount namespace of its own (the host's /etc is not touched).
verify_with_users() {
        local u=$1 user group
        user=$(user_of "$u" User) group=$(user_of "$u" Group)
        cp /etc/passwd passwd; cp /etc/group group
        if [ -n "$user" ] && ! getent passwd "$user" >/dev/null; then
                echo "$user:x:64999:64999::/nonexistent:/usr/sbin/nologin" >> passwd
                getent group "$user" >/dev/null || echo "$user:x:64999:" >> group
        fi
        if [ -n "$group" ] && ! getent group "$group" >/dev/null && ! grep -q "^$group:" group; then
                echo "$group:x:64998:" >> group
        fi
        unshare -m sh -c 'mount --bind passwd /etc/passwd && mount --bind group /etc/group &&
                exec isolatectl verify "$1"' _ "etc/$u"
}

testcase_verify() {
        local p u out rc n=0 n_good=0 n_users=0 line
        local report=
        while read -r p u; do
                n=$((n + 1))
                out=$(isolatectl verify "etc/$u" 2>&1); rc=$?
                if [ $rc = 0 ] && grep -qE "^etc/$u: (User|Group)=[^ ]+ does not exist on this host" <<< "$out"; then
                        # It verifies, saying its package's user is not here: and once it is, it
                        # verifies without a word about it.
                        if out=$(verify_with_users "$u" 2>&1) && ! grep -q "does not exist" <<< "$out"; then
                                ok "$p: $u verifies (saying its package's user is missing here; silent once it exists)"
                                n_users=$((n_users + 1)); n_good=$((n_good + 1))
                                report+="users   $p $u"$'\n'
                                continue
                        fi
                        rc=1
                fi
                if [ $rc = 0 ]; then
                        ok "$p: $u verifies"
                        n_good=$((n_good + 1))
                        report+="ok      $p $u"$'\n'
                else
                        not_ok "$p: $u verifies"
                        printf '%s\n' "$out" | head -3 | sed 's/^/    /'
                        line=$(printf '%s' "$out" | head -1)
                        report+="FAILS   $p $u: ${line#etc/}"$'\n'
                fi
        done < units
        echo "# corpus: $n_good of $n units of $n_packages packages verify ($n_users of them saying their package's user is not on this host, and without a word once it is;" \
                "$(grep -c ' instances/' units) of the $n are templates, verified as an instance)"
        if [ "${REPORT:-0}" = 1 ]; then
                printf '%s' "$report" | sort -k1,1 -k2 | sed 's/^/# /'
        fi
}

# What verify says of a unit it takes, it says naming file:line (a notice of a
# key ignored), or naming the file (a user that does not exist here).
testcase_notices() {
        local p u out bad=
        while read -r p u; do
                out=$(isolatectl verify "etc/$u" 2>&1)
                bad+=$(printf '%s\n' "$out" | grep -v '^$' | grep -vE "^etc/$u(:[0-9]+)?: " | head -2)
        done < units
        check_eq "every line verify prints names the unit's file (and line)" "" "$bad"
}

run_testcases
