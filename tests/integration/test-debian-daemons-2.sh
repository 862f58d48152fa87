#!/bin/bash
# The corpus, run stage (name servers, time, SNMP, tor, and more HTTP services): Debian 12's daemons, installed from Debian's
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

testcase_named() { daemon named named.service /usr/sbin/named 53 probe_named; }
testcase_dnsmasq() { daemon dnsmasq dnsmasq.service /usr/sbin/dnsmasq 53 probe_dnsmasq; }
testcase_unbound() { daemon unbound unbound.service /usr/sbin/unbound 53 probe_unbound; }
testcase_nsd() { daemon nsd nsd.service /usr/sbin/nsd 53 probe_nsd; }
# Debian's knot.conf listens on no address (its listen: is commented out: "warning: no network
# interface configured", under systemd too): the request is knotc's on its control socket.
testcase_knot() { daemon knot knot.service /usr/sbin/knotd - probe_knot; }
# chronyd sets the host's clock (adjtimex(2) needs CAP_SYS_TIME over the host's user namespace,
# which a sandbox must refuse): its unit's ConditionCapability=CAP_SYS_TIME is not met, as under a
# container's systemd, and isolated must say so (isolated.service(5), STOCK UNITS KNOWN TO WORK).
testcase_chrony() {
        local n=corpus$id-chrony out rc
        if [ ! -r "$unit_dir/chrony.service" ] || [ ! -x /usr/sbin/chronyd ]; then
                not_ok "chrony: Debian's chrony.service is installed (tools/install-deps.sh)"
                report chrony "NOT INSTALLED"
                return
        fi
        mkdir -p /etc/isolated
        current=$n
        cp "$unit_dir/chrony.service" "/etc/isolated/$n.service"
        out=$(timeout "$start_seconds" isolatectl start "$n" 2>&1); rc=$?
        check_eq "chrony: the start of its stock unit exits 0 (skipped)" 0 "$rc"
        check_match "chrony: isolated says why: its CAP_SYS_TIME condition is not met" \
                "skipped: ConditionCapability=CAP_SYS_TIME at .*$n.service:[0-9]+ was not met" "$out"
        check "chrony: nothing runs" sh -c "! isolatectl status $n 2>/dev/null | grep -q running"
        report chrony "refused: needs CAP_SYS_TIME (the host's clock): $(printf '%s' "$out" | head -1)"
        cleanup_one
}
testcase_snmpd() { daemon snmpd snmpd.service /usr/sbin/snmpd - probe_snmpd; }
testcase_tor() { daemon tor tor@default.service /usr/bin/tor 9050 probe_tor; }
# varnish stops as systemd 252 stops it (measured: Result=exit-code, status 64): KillMode=
# control-group's SIGTERM reaches its cache child too, and its manager, seeing the child die of a
# signal, exits 64. Its jail chowns /var/lib/varnish/varnishd: learn gives ReadWritePaths= of it.
testcase_varnish() { local stop_result="exit-code 64"; daemon varnish varnish.service /usr/sbin/varnishd 6081 probe_varnish; }
testcase_radicale() { daemon radicale radicale.service /usr/bin/radicale 5232 probe_radicale; }
testcase_minidlna() { daemon minidlna minidlna.service /usr/sbin/minidlnad 8200 probe_minidlna; }
testcase_cups() { daemon cups cups.service /usr/sbin/cupsd 631 probe_cups; }

run_testcases
