#!/bin/bash
# The corpus, run stage, the 40th daemon: Debian 12's proftpd, from proftpd-core, started from its
# STOCK unit copied unchanged into /etc/isolated (Type=forking, ExecStartPre=proftpd --configtest,
# PIDFile=/run/proftpd.pid), asked for its greeting and an anonymous login from inside its network
# namespace, and stopped cleanly (Result=success); where the strict default needs more (proftpd
# writes /var/log/proftpd), `isolatectl learn NAME --apply` writes the drop-in first, as in
# test-debian-daemons*.sh (clients/corpus.sh).
#
# A file of its own: proftpd-core and vsftpd both Provide and Conflict ftp-server, so they cannot be
# installed side by side. The host's corpus (tools/install-deps.sh) has vsftpd: there this case
# skips, saying why. The Debian 12 guest has proftpd-core (tools/guest/packages): the guest stage
# (tests/guest/run-ci.sh) runs this file of the corpus and no other.
. "$TESTS/lib.sh"
. "$TESTS/clients/corpus.sh"

# The daemon resolves its hostname as it starts ("unable to determine IP address" otherwise): the
# service's hostname is its own, the private /etc/hosts names it (127.0.1.1 HOSTNAME).
testcase_proftpd() {
        if [ ! -x /usr/sbin/proftpd ] || [ ! -r "$unit_dir/proftpd.service" ]; then
                ok "# SKIP proftpd-core is not installed (it conflicts with vsftpd, the host's ftp-server: it runs in the Debian 12 guest, tests/guest/run-ci.sh)"
                return
        fi
        daemon proftpd proftpd.service /usr/sbin/proftpd 21 probe_proftpd
}

run_testcases
