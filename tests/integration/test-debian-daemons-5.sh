#!/bin/bash
# The corpus, run stage (file and mail servers, the syslog daemon): Debian 12's daemons, installed
# from Debian's packages (tools/install-deps.sh, with a policy-rc.d that keeps dpkg from
# starting them), each started from its STOCK unit copied unchanged into
# /etc/isolated, asked a real client request from inside its network namespace,
# and stopped cleanly (Result=success). Where the strict default needs more (the
# host's tree is read-only: rsyslog writes /var/log), `isolatectl learn NAME
# --apply` writes the drop-in first, as an administrator would run it.
#
# The fifth file of the run stage (test-debian-daemons*.sh; ONLY=debian-daemons runs them all):
# samba (smbd), exim4 (the unit systemd-sysv-generator makes of /etc/init.d/exim4: Debian ships
# no unit), spamd and rsyslog. Every daemon is a case (ONLY=debian-daemons-5:exim4).
. "$TESTS/lib.sh"
. "$TESTS/clients/corpus.sh"

# Debian's smbd.service: Type=notify, ExecCondition= (is-configured smb), an ExecStartPre= of
# AppArmor's, LimitCORE=infinity.
testcase_samba() { daemon samba smbd.service /usr/sbin/smbd 445 probe_samba; }

# Debian ships only /etc/init.d/exim4: the unit an administrator has is the one systemd makes of
# it at boot. systemd-sysv-generator is run into a directory of ours as systemd runs it
# (normal, early and late directories: it writes the late one), and that unit copied unchanged.
testcase_exim4() {
        local g=$corpus_tmp/sysv
        mkdir -p "$g/normal" "$g/early" "$g/late"
        if [ -x /etc/init.d/exim4 ]; then
                /lib/systemd/system-generators/systemd-sysv-generator "$g/normal" "$g/early" "$g/late" 2>/dev/null
        fi
        unit_dir=$g/late daemon exim4 exim4.service /usr/sbin/exim4 25 probe_exim4
}

# Debian's spamd.service: StandardOutput=null, ProtectClock= and the other hardening keys,
# PIDFile=/run/spamd.pid. Perl: it takes seconds to listen (daemon waits for its port, bounded).
testcase_spamd() { daemon spamd spamd.service /usr/sbin/spamd 783 probe_spamd; }

# Debian's rsyslog.service: Type=notify, Requires=syslog.socket, imuxsock on /dev/log. The lines
# it gets go where Debian's rsyslog.conf says: /var/log/syslog (and user.log), the host's files
# once the learned ReadWritePaths=/var/log lets it write there. The host has no syslog daemon: the
# files rsyslog made (which were not there before) are removed again, and the lines are tagged
# with this run's unique tag. Where a file was there before, the line is appended to it.
testcase_rsyslog() {
        local f made=
        for f in /var/log/syslog /var/log/user.log /var/log/auth.log /var/log/kern.log \
                 /var/log/mail.log /var/log/cron.log; do
                [ -e "$f" ] || made="$made $f"
        done
        corpus_cleanup="rm -f$made"
        daemon rsyslog rsyslog.service /usr/sbin/rsyslogd - probe_rsyslog
        eval "$corpus_cleanup"; corpus_cleanup=
}

run_testcases
