#!/bin/bash
# The corpus, run stage (web servers, proxies, HTTP services): Debian 12's daemons, installed from Debian's
# packages (tools/install-deps.sh, with a policy-rc.d that keeps dpkg from
# starting them), each started from its STOCK unit copied unchanged into
# /etc/isolated, asked a real client request from inside its network namespace,
# and stopped cleanly (Result=success). Where the strict default needs more (the
# host's tree is read-only: nginx writes /var/log/nginx), `isolatectl learn NAME
# --apply` writes the drop-in first, as an administrator would run it.
#
# The run stage is several files (test-debian-daemons*.sh, ONLY=debian-daemons
# runs them all) to stay well inside the 300 s a file may take: this one (web
# servers, proxies, HTTP services), -2 (name servers, time, SNMP, tor and more
# HTTP services), -3 (mail, databases, logins and the rest), -5 (samba, exim4,
# spamd, rsyslog). Every daemon is a case (ONLY=debian-daemons:nginx+squid).
# Each is expected to pass: a daemon that fails today for a key or an environment
# item issue 15 names goes green as the fixes merge. REPORT=1 (tools/survey-daemons.sh) prints one line per daemon:
# unchanged / learned / FAILS and the first error lines. The verify stage of the
# same packages is test-debian-units.sh.
. "$TESTS/lib.sh"
. "$TESTS/clients/corpus.sh"

# The harness's systemd sees the host's /etc, where the packages enabled their own units: none
# of them may run here (only isolated runs these daemons). The harness starts its own target,
# not multi-user.target, so what they are enabled for is never reached.
testcase_packaged_units_idle() {
        local active
        active=$(systemctl list-units --state=active --plain --no-legend --type=service,socket,path,timer |
                awk '{print $1}' | grep -E "^($(sed -nE 's/^testcase_[a-z0-9_]+\(\) \{ daemon [^ ]+ ([^ ]+)\.service .*/\1/p' "$TESTS"/test-debian-daemons*.sh | tr '\n' '|' | sed 's/|$//'))\." )
        check_eq "no unit of the installed daemons runs in the harness" "" "$active"
}

testcase_nginx() { daemon nginx nginx.service /usr/sbin/nginx 80 probe_nginx; }
testcase_lighttpd() { daemon lighttpd lighttpd.service /usr/sbin/lighttpd 80 probe_lighttpd; }
testcase_apache2() { daemon apache2 apache2.service /usr/sbin/apache2 80 probe_apache2; }
testcase_squid() { daemon squid squid.service /usr/sbin/squid 3128 probe_squid; }
testcase_privoxy() { daemon privoxy privoxy.service /usr/sbin/privoxy 8118 probe_privoxy; }
testcase_haproxy() { daemon haproxy haproxy.service /usr/sbin/haproxy - probe_haproxy; }
testcase_php_fpm() { daemon php-fpm php8.2-fpm.service /usr/sbin/php-fpm8.2 - probe_php_fpm; }
testcase_node_exporter() { daemon node-exporter prometheus-node-exporter.service /usr/bin/prometheus-node-exporter 9100 probe_node_exporter; }
testcase_transmission() { daemon transmission transmission-daemon.service /usr/bin/transmission-daemon 9091 probe_transmission; }

run_testcases
