# shellcheck shell=bash
# Sourced by the run stage of the corpus, tests/integration/test-debian-daemons*.sh (after lib.sh):
# daemon KEY UNIT BINARY PORT PROBE starts Debian's daemon from its stock unit, learns a drop-in
# where the strict default needs one, asks it a real request (the probe_* functions here), stops
# it and says how it went (REPORT=1: a "# survey" line, what tools/survey-daemons.sh collects).
id=$(( RANDOM * 32768 + RANDOM ))
made_etc_dir=
[ -d /etc/isolated ] || made_etc_dir=1   # /etc is the host's: leave it as found
PROBE=$TESTS/clients/probe.py
# How long learn runs a daemon (it stops sooner if the daemon ends): long enough for what a
# daemon writes as it starts (its logs, its state, its PID file).
learn_seconds=${LEARN_SECONDS:-5}
# Where the stock units are (the installed packages'). Only to try a probe against a unit
# changed by hand (the survey's "what if"): CORPUS_UNIT_DIR=DIR.
unit_dir=${CORPUS_UNIT_DIR:-/lib/systemd/system}
current=
current_file= # the unit's copy: /etc/isolated/$current.service, or its template's
corpus_tmp=$(mktemp -d)
cleanup_one() {
        [ -n "$current" ] || return 0
        timeout 60 isolatectl stop "$current" >/dev/null 2>&1
        isolatectl reset-failed "$current" >/dev/null 2>&1
        rm -f "/etc/isolated/$current.service" "$current_file"
        rm -rf "/etc/isolated/$current.service.d"
        current=
}
cleanup() {
        cleanup_one
        rm -rf "$corpus_tmp"
        [ -z "${corpus_cleanup:-}" ] || eval "$corpus_cleanup"
        [ -z "$made_etc_dir" ] || rmdir /etc/isolated 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# in_net PID COMMAND...: the client runs in the service's network namespace (the host's
# tree and tools, the service's loopback).
in_net() { local pid=$1; shift; timeout 15 nsenter -t "$pid" -n -- "$@"; }
# in_mnt_net PID COMMAND...: also in its mount namespace, for a socket in its private /run.
in_mnt_net() { local pid=$1; shift; timeout 15 nsenter -t "$pid" -m -n -- "$@"; }
# probe PID ARGS...: tests/integration/clients/probe.py in the service's network namespace.
probe() { local pid=$1; shift; in_net "$pid" python3 "$PROBE" "$@"; }
# probe_unix PID PATH ARGS...: probe.py on a socket of its /run (fed on stdin: the script's
# path may not be in its view of the tree).
probe_unix() { local pid=$1; shift; timeout 15 nsenter -t "$pid" -m -n -- python3 - --unix "$@" < "$PROBE"; }
http_code() { local pid=$1; shift; in_net "$pid" curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

# The survey's lines, for REPORT=1.
report() { [ "${REPORT:-0}" != 1 ] || printf '# survey %-14s %s\n' "$1" "${2//corpus$id-/corpus-}"; }

# first_errors NAME SINCE TEXT: what a failure said first: isolatectl's own lines, then the
# journal's lines of this attempt (since SINCE, a date +%s) of the service and of isolated about it
# (not PID 1's about its scope: where systemd is PID 1, as in the guest, "Started isolated-NAME.scope"
# took one of the four lines before the daemon's error).
first_errors() {
        { printf '%s\n' "$3"
          # (not the notices of the parser, every start says them again)
          journalctl --since "@$2" --no-pager -q -o short | grep -F "$1" | grep -vE '/etc/isolated/[^ ]+\.service:[0-9]+: ' |
                sed -E 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]+ [^ ]+ //'
        } |
                grep -v '^[[:space:]]*$' |
                grep -vE 'Ignoring|started, init PID|learning for|learned long enough|systemd\[1\]: (Started isolated-|isolated-.*\.scope: (Deactivated|Consumed))' |
                awk '!seen[$0]++' | head -4 | tr '\n' '|' | sed 's/|$//; s/|/ | /g'
}

# A daemon's start takes seconds; a start that waits out its TimeoutStartSec= (90 s by default)
# has failed long before, and the stop cancels it.
start_seconds=30

# attempt NAME PORT PROBE: start NAME and ask it; 0 if it answered. Leaves its words in
# attempt_out.
attempt_out=
attempt() {
        local n=$1 port=$2 probe_fn=$3 out init rc
        out=$(timeout "$start_seconds" isolatectl start "$n" 2>&1); rc=$?
        [ $rc != 124 ] || out="isolatectl start had not returned after $start_seconds s"
        if [ $rc != 0 ]; then
                attempt_out="start: $out"
                return 1
        fi
        init=$(prop "$n" InitPID)
        if [ "$port" != - ] && ! wait_listen "$init" "$port" 20; then
                attempt_out="started, but nothing listens on port $port after 20 s"
                return 1
        fi
        # No TCP port to wait for (UDP, a unix socket): the request is asked again until it is
        # answered, for as long.
        [ "$port" != - ] || wait_for 20 "$probe_fn" "$init"
        if ! out=$("$probe_fn" "$init" 2>&1); then
                attempt_out="started, but the request failed: $(printf '%s' "$out" | head -3)"
                return 1
        fi
        attempt_out=$out
        return 0
}

# learn NAME PORT PROBE: isolatectl learn NAME --apply, while the daemon is asked its request
# (as the administrator uses the service while it learns: vsftpd opens its log only when a
# client comes). Leaves learn's words in learn_out.
learn_out=
running() { [ "$(prop "$1" State 2>/dev/null)" = running ] && [ "$(prop "$1" InitPID 2>/dev/null)" -gt 0 ] 2>/dev/null; }
learn() {
        local n=$1 port=$2 probe_fn=$3 lp rc init
        timeout 120 isolatectl learn "$n" --duration="$learn_seconds" --apply > "$corpus_tmp/learn" 2>&1 &
        lp=$!
        if wait_for "$learn_seconds" running "$n"; then
                init=$(prop "$n" InitPID)
                [ "$port" = - ] || wait_listen "$init" "$port" "$learn_seconds"
                "$probe_fn" "$init" >/dev/null 2>&1
        fi
        wait "$lp"; rc=$?
        learn_out=$(cat "$corpus_tmp/learn")
        return $rc
}

# run_once NAME PORT PROBE: attempt, then a clean stop with Result=success (or, where systemd
# itself ends the stock unit otherwise, $stop_result: "RESULT STATUS" as measured under systemd);
# 0 if all of it went well, else the failure in attempt_out.
run_once() {
        local n=$1 out r
        attempt "$@" || return 1
        if ! out=$(timeout 60 isolatectl stop "$n" 2>&1); then
                attempt_out="answered, but the stop failed: $out"
                return 1
        fi
        r=$(prop "$n" Result)
        [ "$r" = success ] || r="$r $(prop "$n" ExitStatus)"
        if [ "$r" != "${stop_result:-success}" ]; then
                attempt_out="answered, but stopped with Result=$r ($(prop "$n" ExitCode), status $(prop "$n" ExitStatus))"
                return 1
        fi
}

# daemon KEY UNIT BINARY PORT PROBE [INSTANCE]: the whole stage for one daemon: its stock unit must
# run, answer PROBE and stop with Result=success, unchanged or with the drop-in learn --apply wrote.
# PORT is a TCP port it listens on inside (waited for before the request), or -. A template UNIT
# (NAME@.service) is copied as one and started as its INSTANCE (postgresql@15-main).
daemon() {
        local key=$1 unit=$2 bin=$3 port=$4 probe_fn=$5 instance=${6:-}
        local n=corpus$id-$key${6:+@$6} how out t first
        if [ ! -r "$unit_dir/$unit" ] || [ ! -x "$bin" ]; then
                not_ok "$key: Debian's $unit is installed (tools/install-deps.sh)"
                report "$key" "NOT INSTALLED"
                return
        fi
        mkdir -p /etc/isolated
        current=$n current_file=/etc/isolated/corpus$id-$key${instance:+@}.service
        cp "$unit_dir/$unit" "$current_file"
        # verify takes the name from the file's: a template's as its instance, in a copy
        local verify_file=$current_file
        [ -z "$instance" ] || { verify_file=$corpus_tmp/$n.service; cp "$current_file" "$verify_file"; }
        how=unchanged
        if ! out=$(isolatectl verify -q "$verify_file" 2>&1); then
                # Refused as it is: a drop-in cannot help (learn would be refused the same).
                how="FAILS: refused: $(printf '%s' "$out" | head -3 | tr '\n' '|' | sed 's/|$//; s/|/ | /g')"
        elif t=$(date +%s); ! run_once "$n" "$port" "$probe_fn"; then
                first=$(first_errors "$n" "$t" "$attempt_out")
                timeout 60 isolatectl stop "$n" >/dev/null 2>&1
                isolatectl reset-failed "$n" >/dev/null 2>&1
                # What the strict default needs, learned as an administrator learns it.
                t=$(date +%s)
                if learn "$n" "$port" "$probe_fn" && [ -e "/etc/isolated/$n.service.d/50-learned.conf" ]; then
                        isolatectl reset-failed "$n" >/dev/null 2>&1
                        t=$(date +%s)
                        if run_once "$n" "$port" "$probe_fn"; then
                                how="learned; unchanged: $first"
                        else
                                how="FAILS: unchanged: $first; with the learned drop-in: $(first_errors "$n" "$t" "$attempt_out")"
                        fi
                else
                        how="FAILS: $first; learn: $(first_errors "$n" "$t" "$(printf '%s\n' "$learn_out" | grep -vE '^(#|Learning what)')")"
                fi
        fi
        case "$how" in
        unchanged) ok "$key: Debian's $unit runs, answers and stops with Result=${stop_result:-success}, unchanged" ;;
        learned*)  ok "$key: Debian's $unit runs, answers and stops with Result=${stop_result:-success}, with the drop-in learn --apply wrote"
                   sed 's/^/    /' "/etc/isolated/$n.service.d/50-learned.conf" | grep -v '^ *#' ;;
        *)         not_ok "$key: Debian's $unit runs, answers and stops with Result=${stop_result:-success}"
                   echo "    ${how#FAILS: }" | sed "s/corpus$id-/corpus-/g" ;;
        esac
        report "$key" "$how"
        cleanup_one
}

# answer PID REGEX COMMAND...: the client in the service's network namespace; what it printed
# must match REGEX (grep -E -i), and the matching line is printed. Never `client | grep -m1`:
# under pipefail, grep leaving at its match fails a client still writing (SIGPIPE).
answer() {
        local pid=$1 re=$2 out; shift 2
        out=$(in_net "$pid" "$@")
        grep -E -i -m1 -- "$re" <<< "$out" || { printf '%s\n' "$out" | head -3; return 1; }
}

# answer_mnt PID REGEX COMMAND...: the same in its mount namespace too (a socket of its /run).
answer_mnt() {
        local pid=$1 re=$2 out; shift 2
        out=$(in_mnt_net "$pid" "$@")
        grep -E -i -m1 -- "$re" <<< "$out" || { printf '%s\n' "$out" | head -3; return 1; }
}

# The clients: each gets the PID of the service's init and says what came back.
# probe_server PID PORT NAME: an HTTP request answered by the server NAME (its Server: header:
# /var/www/html is shared by the web servers installed side by side, its index.html is apache2's).
probe_server() { answer "$1" "^server: $3" curl -sI --max-time 5 "http://127.0.0.1:$2/"; }
probe_http() { local c; c=$(http_code "$1" "http://127.0.0.1:$2/"); echo "HTTP $c"; [[ "$c" =~ ^[2-4][0-9][0-9]$ ]]; }
probe_nginx() { probe_server "$1" 80 nginx; }
probe_lighttpd() { probe_server "$1" 80 lighttpd; }
probe_apache2() { probe_server "$1" 80 apache; }
probe_squid() { answer "$1" '^server: squid' curl -sI --max-time 5 http://127.0.0.1:3128/; }
probe_named() { answer "$1" 'status: NOERROR' dig @127.0.0.1 localhost +time=2 +tries=1; }
probe_dnsmasq() { answer "$1" 'status: NOERROR' dig @127.0.0.1 localhost +time=2 +tries=1; }
probe_unbound() { answer "$1" 'status: NOERROR' dig @127.0.0.1 localhost +time=2 +tries=1; }
# nsd serves no zone as Debian installs it: an answer (REFUSED) is an answer. knot listens on no
# address as Debian configures it: knotc asks it on its control socket.
probe_nsd() { answer "$1" 'status: (NOERROR|REFUSED|NXDOMAIN)' dig @127.0.0.1 example.org +time=2 +tries=1; }
probe_knot() { answer_mnt "$1" '^Running' knotc -s /run/knot/knot.sock status; }
probe_mosquitto() { probe "$1" 127.0.0.1:1883 --send 100c00044d5154540402003c0000 --expect hex:^20020000; }
probe_memcached() { probe "$1" 127.0.0.1:11211 --text 'version\r\n' --expect '^VERSION '; }
probe_redis() { answer "$1" '^PONG$' redis-cli -h 127.0.0.1 -p 6379 PING; }
probe_mariadb() { probe "$1" 127.0.0.1:3306 --expect 'MariaDB'; }
probe_ssh() { answer "$1" ' ssh-' ssh-keyscan -T 5 -p 22 127.0.0.1; }
probe_dovecot() { probe "$1" 127.0.0.1:143 --expect '^\* OK'; }
probe_vsftpd() { probe "$1" 127.0.0.1:21 --expect '^220'; }
# proftpd: its greeting (220), then an anonymous login, which Debian's proftpd.conf refuses (its
# <Anonymous> section is commented out: 331, then 530 after PASS; 230 where the administrator
# enabled it): the session's own process (forked, switched to the proftpd user, PAM asked) answers.
probe_proftpd() {
        in_net "$1" python3 -c '
import ftplib, sys
f = ftplib.FTP()
w = f.connect("127.0.0.1", 21, timeout=5)
print(w)
if not w.startswith("220"):
        sys.exit(1)
try:
        a = f.login("anonymous", "corpus@example.org")
except ftplib.error_perm as e:
        a = str(e)
print(a)
print(f.quit())
sys.exit(0 if a[:3] in ("230", "530") else 1)
'
}
probe_privoxy() { answer "$1" '<title>Privoxy' curl -s --max-time 5 -x http://127.0.0.1:8118 http://config.privoxy.org/; }
probe_iperf3() { answer "$1" 'iperf Done' iperf3 -c 127.0.0.1 -t 1; }
probe_chrony() { answer "$1" 'Reference ID' chronyc -h 127.0.0.1 -n tracking; }
probe_haproxy() { probe_unix "$1" /run/haproxy/admin.sock --text 'show info\n' --expect '^Name: HAProxy'; }
probe_tor() { probe "$1" 127.0.0.1:9050 --send 050100 --expect hex:^0500; }
probe_rsync() { in_net "$1" rsync --contimeout=5 rsync://127.0.0.1/; }
probe_node_exporter() { answer "$1" '^node_exporter_build_info' curl -s --max-time 5 http://127.0.0.1:9100/metrics; }
probe_radicale() { probe_http "$1" 5232; }
probe_varnish() { answer "$1" 'varnish' curl -sI --max-time 5 http://127.0.0.1:6081/; }
probe_snmpd() { answer "$1" 'STRING:' snmpget -v2c -c public -t 2 -r 1 127.0.0.1 1.3.6.1.2.1.1.1.0; }
probe_cups() { answer "$1" '^server: cups' curl -sI --max-time 5 http://127.0.0.1:631/; }
probe_transmission() { local c; c=$(http_code "$1" http://127.0.0.1:9091/transmission/rpc); echo "HTTP $c"; [[ "$c" =~ ^(401|409)$ ]]; }
probe_minidlna() { answer "$1" 'MiniDLNA status' curl -s --max-time 5 http://127.0.0.1:8200/; }
# Zabbix's protocol: "ZBXD" 01, the length (8 bytes, little endian), the key.
probe_zabbix() { probe "$1" 127.0.0.1:10050 --send "5a42584401""0a00000000000000$(printf agent.ping | od -An -tx1 | tr -d ' \n')" --expect '^ZBXD'; }
# NRPE speaks TLS: its listener accepting is what a client without check_nrpe sees.
probe_nrpe() { probe "$1" 127.0.0.1:5666 --send 16030100 --timeout 3 || answer "$1" . ss -Htln 'sport = :5666'; }
# opendkim speaks the milter protocol on the socket of its /run: an option negotiation
# (SMFIC_OPTNEG: version 6, all actions, no protocol steps) gets one back ('O').
probe_opendkim() { probe_unix "$1" /run/opendkim/opendkim.sock --send 0000000d4f00000006000001ff00000000 --expect 'hex:^[0-9a-f]{8}4f'; }
# php-fpm speaks FastCGI on the socket of its /run: a request for a script that is not there gets
# php-fpm's own answer.
probe_php_fpm() { timeout 15 nsenter -t "$1" -m -n -- python3 - < "$TESTS/clients/fcgi.py"; }
# cron serves nothing: that it runs in its PID namespace is what there is to see.
probe_cron() { local p; for p in $(pids_in_pidns_of "$1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = cron ] && { echo "cron is PID $p"; return 0; }; done; return 1; }

# samba: smbclient lists the shares anonymously (an SMB negotiate, a session, IPC$).
probe_samba() { answer "$1" 'IPC\$' smbclient -L //127.0.0.1 -N -t 5; }
# exim4: the SMTP greeting, then an EHLO answered (exim refuses a client talking before the 220).
probe_exim4() {
        local out
        out=$(probe "$1" 127.0.0.1:25 --greeting '^220 ' --text 'EHLO corpus.example\r\nQUIT\r\n' --expect '^250 ') || { printf '%s\n' "$out" | head -3; return 1; }
        grep -m1 'ESMTP Exim' <<< "$out" || { printf '%s\n' "$out" | head -3; return 1; }
}
# spamd: SPAMC's PING, then a CHECK of a small message (spamc -c prints SCORE/THRESHOLD).
probe_spamd() {
        probe "$1" 127.0.0.1:783 --text 'PING SPAMC/1.5\r\n\r\n' --expect '^SPAMD/1.5 0 PONG' || return 1
        local out
        out=$(printf 'From: a@example.org\nTo: b@example.org\nSubject: corpus\n\nhello\n' |
                in_net "$1" spamc -x -d 127.0.0.1 -p 783 -t 10 -c)
        echo "CHECK: $out"
        [[ "$out" =~ ^-?[0-9.]+/[0-9.]+$ ]] && [ "$out" != 0/0 ]
}
# rsyslog: syslog(3) inside its mount namespace (logger on its /dev/log), the line found where
# rsyslog's stock rsyslog.conf writes it (read there too: while learning, in the throwaway layer).
# One quick try (the caller asks again, bounded): a line an earlier try logged counts once
# rsyslog has written it.
probe_rsyslog() {
        local tag=corpus$id-rsyslog
        in_mnt_net "$1" logger -t "$tag" "probe from inside" || return 1
        in_mnt_net "$1" grep -m1 "$tag.*probe from inside" /var/log/syslog
}

# stubby: any DNS answer (its upstreams are out of the service's reach: SERVFAIL).
probe_stubby() { answer "$1" 'status: (NOERROR|SERVFAIL)' dig @127.0.0.1 example.org +time=8 +tries=1; }
# kea-dhcp4: version-get on its control socket in the service's /run.
probe_kea() { probe_unix "$1" /run/kea/kea4-ctrl-socket --text '{ "command": "version-get" }' --expect '"result": 0'; }
# tinyproxy: a proxied request for a port nothing listens on: tinyproxy's own error page.
probe_tinyproxy() { answer "$1" '^server: tinyproxy' curl -sI --max-time 5 -x http://127.0.0.1:8888 http://127.0.0.1:9/; }
# prosody: an XMPP client stream opened: the server's stream header and its features.
probe_prosody() { probe "$1" 127.0.0.1:5222 --text "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" --expect 'stream:features'; }
# lldpd: lldpcli on its socket in the service's /run.
probe_lldpd() { answer_mnt "$1" '^Global configuration' lldpcli -u /run/lldpd.socket show configuration; }
# pdns-recursor: localhost is one of its built-in zones.
probe_pdns_recursor() { answer "$1" 'status: NOERROR' dig @127.0.0.1 localhost +time=2 +tries=1; }
# postgrey: a policy request (Postfix's policy delegation protocol) gets an action= back.
probe_postgrey() { probe "$1" 127.0.0.1:10023 --text 'request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=SMTP\nclient_address=127.0.0.1\nclient_name=localhost\nsender=a@example.org\nrecipient=b@example.org\n\n' --expect '^action='; }
# fail2ban: fail2ban-client's ping on its socket in the service's /run.
probe_fail2ban() { answer_mnt "$1" 'pong' fail2ban-client -s /run/fail2ban/fail2ban.sock ping; }
