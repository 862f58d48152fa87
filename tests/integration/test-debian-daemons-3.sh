#!/bin/bash
# The corpus, run stage (mail, databases, logins and the rest): Debian 12's daemons, installed from Debian's
# packages (tools/install-deps.sh, with a policy-rc.d that keeps dpkg from
# starting them), each started from its STOCK unit copied unchanged into
# /etc/isolated, asked a real client request from inside its network namespace,
# and stopped cleanly (Result=success). Where the strict default needs more (the
# host's tree is read-only: nginx writes /var/log/nginx), `isolatectl learn NAME
# --apply` writes the drop-in first, as an administrator would run it.
#
# The run stage is three files (test-debian-daemons*.sh, ONLY=debian-daemons
# runs them all) to stay well inside the 300 s a file may take. Every daemon is
# a case (ONLY=debian-daemons:nginx+squid). Each is expected to pass: a daemon
# that fails today for a key or an environment item issue 15 names goes green as
# the fixes merge. REPORT=1 (tools/survey-daemons.sh) prints one line per daemon:
# unchanged / learned / FAILS and the first error lines. The verify stage of the
# same packages is test-debian-units.sh.
. "$TESTS/lib.sh"
. "$TESTS/clients/corpus.sh"

testcase_mosquitto() { daemon mosquitto mosquitto.service /usr/sbin/mosquitto 1883 probe_mosquitto; }
testcase_memcached() { daemon memcached memcached.service /usr/bin/memcached 11211 probe_memcached; }
testcase_redis() { daemon redis redis-server.service /usr/bin/redis-server 6379 probe_redis; }
testcase_mariadb() { daemon mariadb mariadb.service /usr/sbin/mariadbd 3306 probe_mariadb; }
testcase_ssh() { daemon ssh ssh.service /usr/sbin/sshd 22 probe_ssh; }
# Debian's dovecot takes the snakeoil certificate of ssl-cert (a Recommends: the install has
# none): where there is no certificate the administrator makes one first, removed again.
testcase_dovecot() {
        local made='' d=/etc/dovecot/private
        if [ -d "$d" ] && [ ! -e "$d/dovecot.pem" ] && [ ! -e "$d/dovecot.key" ]; then
                openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
                        -keyout "$d/dovecot.key" -out "$d/dovecot.pem" >/dev/null 2>&1
                made=1 corpus_cleanup="rm -f $d/dovecot.pem $d/dovecot.key"
        fi
        daemon dovecot dovecot.service /usr/sbin/dovecot 143 probe_dovecot
        [ -z "$made" ] || { eval "$corpus_cleanup"; corpus_cleanup=; }
}
testcase_vsftpd() { daemon vsftpd vsftpd.service /usr/sbin/vsftpd 21 probe_vsftpd; }
testcase_iperf3() { daemon iperf3 iperf3.service /usr/bin/iperf3 5201 probe_iperf3; }
# Debian ships no /etc/rsyncd.conf (under systemd the unit's ConditionPathExists= skips the
# start): the administrator's own comes first, one module, read-only. /etc is the host's: only
# if there is none, removed again.
testcase_rsync() {
        local made=
        if [ ! -e /etc/rsyncd.conf ]; then
                printf '[corpusdoc]\n\tpath = /usr/share/doc/rsync\n\tread only = yes\n' > /etc/rsyncd.conf
                made=1 corpus_cleanup='rm -f /etc/rsyncd.conf'
        fi
        daemon rsync rsync.service /usr/bin/rsync 873 probe_rsync
        [ -z "$made" ] || { rm -f /etc/rsyncd.conf; corpus_cleanup=; }
}
testcase_zabbix() { daemon zabbix-agent zabbix-agent.service /usr/sbin/zabbix_agentd 10050 probe_zabbix; }
testcase_nrpe() { daemon nrpe nagios-nrpe-server.service /usr/sbin/nrpe 5666 probe_nrpe; }
testcase_opendkim() { daemon opendkim opendkim.service /usr/sbin/opendkim - probe_opendkim; }
testcase_cron() { daemon cron cron.service /usr/sbin/cron - probe_cron; }

run_testcases
