#!/bin/bash
# [Isolate] networking on the real systemd: published ports (Port=) relayed
# into a namespace that still has only lo, 200 concurrent relayed connections
# with checksummed bytes, Network=veth with its addresses and routes, the
# failures that must leave nothing behind, and the teardown after a stop and
# after a SIGKILL of the daemon. The harness shares the host's network
# namespace: only loopback ports and 10.231.0.0/16 (this machine's only) are used.
. "$TESTS/lib.sh"

work=$(mktemp -d)
chmod 755 "$work"
user=isolatednet
rules=/etc/polkit-1/rules.d/49-isolated-net-test.rules
names="web echo udp v1 v2 v3 busy priv clash averyveryverylongname1 averyveryverylongname2 hostclash"
host_pids=()
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        for p in "${host_pids[@]}"; do kill "$p" 2>/dev/null; done
        ip link del ve-clash >/dev/null 2>&1
        revoke_manage "$user" "$rules"
        systemctl start isolated.service
        rm -rf "$work"
}
trap cleanup EXIT

# The ports, picked at run time: other harnesses share this network namespace.
read -r p_web p_busy p_busy2 p_echo p_priv p_udp p_hostsrv <<< "$(free_ports 7)"
listening() { ss -Hltn "sport = :$1" | grep -q .; }
no_veth() { ! ip -o link show | grep -q ': ve-'; }
scope_gone() { ! scope_exists "isolated-$1.scope"; }
# need NAME: the service NAME runs and answers (started by an earlier case, or now: CASE= runs
# one), started as its own case starts it. The files the services run are written above each
# case, always.
need() {
        isolatectl is-active -q "$1" && return 0
        case $1 in
        web) check "start nginx with Port=127.0.0.1:${p_web}:80" isolatectl start web "$work/web.service" ;;
        echo) check "start an echo server with Port=127.0.0.1:${p_echo}:7000" isolatectl start echo "$work/echo.service" ;;
        udp) check "start a UDP echo server with Port=127.0.0.1:${p_udp}:5300/udp (and /tcp on the same number)" \
                isolatectl start udp "$work/udp.service" ;;
        v1) check "start v1 with Network=veth, Address=10.231.200.2/30" isolatectl start v1 "$work/v1.service" ;;
        v2) check "start v2 with a default address" isolatectl start v2 "$work/v2.service" ;;
        esac
        wait_for 10 "${1}_answers"
}
v2_addr() { isolatectl shell v2 ip -4 -o addr show host0 2>/dev/null | awk '{print $4}'; }
web_answers() { curl -sf "http://127.0.0.1:${p_web}/"; }
echo_answers() {
        timeout 5 python3 -c 'import socket, sys; c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"x"); c.shutdown(1); assert c.recv(9) == b"x"' "$p_echo"
}
udp_answers() { [ "$(timeout 5 python3 "$work/udpclient.py" "$p_udp" 1 10)" = ok ]; }
v1_answers() { curl -sf http://10.231.200.2:8000/; }
v2_answers() { local a; a=$(v2_addr) && curl -sf "http://${a%/*}:8000/"; }

# --- 1. nginx on a published port, its namespace still private ---
mkdir -p "$work/nginx/html"
echo "isolated nginx says hello" > "$work/nginx/html/index.html"
cat > "$work/nginx/nginx.conf" <<'CONF'
user www-data;
worker_processes 2;
pid /tmp/nginx.pid;
error_log stderr notice;
events { worker_connections 512; }
http {
        access_log off;
        client_body_temp_path /tmp/body;
        proxy_temp_path /tmp/proxy;
        fastcgi_temp_path /tmp/fastcgi;
        uwsgi_temp_path /tmp/uwsgi;
        scgi_temp_path /tmp/scgi;
        server {
                listen 127.0.0.1:80;
                root /srv/nginx/html;
        }
}
CONF
chmod -R a+rX "$work/nginx"
cat > "$work/web.service" <<EOF2
[Service]
Type=simple
ExecStart=/usr/sbin/nginx -e stderr -c /srv/nginx/nginx.conf -g 'daemon off; master_process on;'
TemporaryFileSystem=/srv
BindReadOnlyPaths=$work/nginx:/srv/nginx
[Isolate]
Port=127.0.0.1:${p_web}:80
EOF2
testcase_published() {
        check "${p_web} is free on the host" sh -c '! ss -Hltn "sport = :'"${p_web}"'" | grep -q .'
        need web
        check "the daemon listens on 127.0.0.1:${p_web}" listening ${p_web}
        check "curl reaches nginx through the published port" wait_for 10 curl -sf http://127.0.0.1:${p_web}/
        check_eq "with nginx's page" "isolated nginx says hello" "$(curl -s http://127.0.0.1:${p_web}/)"
        links=$(isolatectl shell web ip -o link show 2>&1 | awk -F': ' '{print $2}' | tr '\n' ' ')
        check_eq "inside, ip link shows only lo" "lo " "$links"
        check_match "nginx listens on 127.0.0.1:80 inside, not on the host" "127.0.0.1:80 " "$(isolatectl shell web ss -Hltn 2>&1)"
        check "port 80 is not open on the host" sh -c '! ss -Hltn "sport = :80" | grep -q .'
}

# --- 2. 200 concurrent connections, checksummed, with half-close ---
cat > "$work/echo.py" <<'PY'
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7000)); s.listen(1024)
def serve(c):
    with c:
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
        c.shutdown(socket.SHUT_WR)   # after the client's EOF: half-close both ways
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
cat > "$work/client.py" <<'PY'
import hashlib, os, socket, sys, threading
N, SIZE, PORT = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
barrier = threading.Barrier(N)
bad = []
def one(i):
    data = os.urandom(SIZE + i)
    c = socket.create_connection(("127.0.0.1", PORT), timeout=60)
    barrier.wait(timeout=60)            # all N are open at once
    def send():
        c.sendall(data); c.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send); t.start()
    got = bytearray()
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
    t.join(); c.close()
    if hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
        bad.append((i, len(got), len(data)))
ts = [threading.Thread(target=one, args=(i,)) for i in range(N)]
[t.start() for t in ts]; [t.join() for t in ts]
print("ok" if not bad else "bad %d: %s" % (len(bad), bad[:5]))
PY
chmod 644 "$work"/*.py
printf '[Service]\nExecStart=/usr/bin/python3 /srv/w/echo.py\nTemporaryFileSystem=/srv\nBindReadOnlyPaths=%s:/srv/w\n[Isolate]\nPort=127.0.0.1:'"${p_echo}"':7000\n' \
        "$work" > "$work/echo.service"
testcase_relay() {
        need echo
        check "it answers" wait_for 10 sh -c 'echo hi | timeout 5 python3 -c "import socket; c=socket.create_connection((\"127.0.0.1\",'"${p_echo}"')); c.sendall(b\"x\"); c.shutdown(1); assert c.recv(9)==b\"x\""'
        check_eq "200 concurrent connections of ~256 KiB each come back intact" ok \
                "$(timeout 120 python3 "$work/client.py" 200 262144 ${p_echo} 2>&1 | tail -1)"
        check "no relayed connection is left open" wait_for 5 sh -c '! ss -Htn state established "( sport = :'"${p_echo}"' )" | grep -q .'
}

# --- 2b. Port=.../udp: one session per client, answers back to the right one ---
cat > "$work/udpecho.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5300))
while True:
    data, peer = s.recvfrom(65536)
    s.sendto(b"%s from %s" % (data, peer[0].encode()), peer)
PY
cat > "$work/udpclient.py" <<'PY'
import socket, sys
port, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
for i, c in enumerate(socks):
    c.settimeout(5)
    c.sendto(b"%d:" % i + b"x" * size, ("127.0.0.1", port))
bad = []
for i, c in enumerate(socks):
    try:
        got = c.recv(70000)
    except socket.timeout:
        bad.append((i, "timeout")); continue
    if got != b"%d:" % i + b"x" * size + b" from 127.0.0.1":
        bad.append((i, got[:20]))
print("ok" if not bad else "bad %d: %s" % (len(bad), bad[:5]))
PY
chmod 644 "$work"/*.py
printf '[Service]\nExecStart=/usr/bin/python3 /srv/w/udpecho.py\nTemporaryFileSystem=/srv\nBindReadOnlyPaths=%s:/srv/w\n[Isolate]\nPort=127.0.0.1:'"${p_udp}"':5300/udp\nPort=127.0.0.1:'"${p_udp}"':5300/tcp\n' \
        "$work" > "$work/udp.service"
testcase_udp() {
        need udp
        check "it answers a datagram" wait_for 10 sh -c "[ \"\$(timeout 5 python3 '$work/udpclient.py' ${p_udp} 1 10)\" = ok ]"
        check_eq "50 clients at once, each gets its own answer (1 KiB datagrams: 50 KiB fit the default socket buffers)" ok \
                "$(timeout 200 python3 "$work/udpclient.py" ${p_udp} 50 1024 2>&1 | tail -1)"
        check_eq "the service still sees only lo" 1 "$(nsenter -t "$(prop udp InitPID)" -n ip -o link | wc -l)"
        check "the daemon holds the host's UDP port" sh -c "ss -Hlunp 'sport = :${p_udp}' | grep -q isolated"
}

# --- 3. Network=veth ---
cat > "$work/v1.service" <<EOF2
[Service]
ExecStart=/usr/bin/python3 -m http.server --bind 0.0.0.0 --directory /srv/w 8000
TemporaryFileSystem=/srv
BindReadOnlyPaths=$work/nginx/html:/srv/w
[Isolate]
Network=veth
Address=10.231.200.2/30
EOF2
printf '[Service]\nExecStart=/usr/bin/python3 -m http.server --bind 0.0.0.0 8000\n[Isolate]\nNetwork=veth\n' > "$work/v2.service"
testcase_veth() {
        need v1
        check "ve-v1 exists on the host" ip link show ve-v1
        check_match "with the host's end of the /30" "inet 10.231.200.1/30" "$(ip -4 addr show ve-v1)"
        check_match "it is isolated's" "alias isolated:v1" "$(ip link show ve-v1)"
        check_eq "the host end does not forward" 0 "$(cat /proc/sys/net/ipv4/conf/ve-v1/forwarding)"
        inside_links=$(isolatectl shell v1 ip -o link show 2>&1 | awk -F': ' '{print $2}' | sed 's/@.*//' | tr '\n' ' ')
        check_eq "inside: lo and host0" "lo host0 " "$inside_links"
        check_match "host0 has 10.231.200.2/30" "inet 10.231.200.2/30" "$(isolatectl shell v1 ip -4 addr show host0 2>&1)"
        routes=$(isolatectl shell v1 ip -4 route show 2>&1)
        check_match "the default route inside goes via the host end" "^default via 10.231.200.1 dev host0" "$routes"
        check_eq "and there are just that and the /30" 2 "$(printf '%s\n' "$routes" | grep -c .)"
        check "the host reaches the service's address" wait_for 10 curl -sf http://10.231.200.2:8000/
        check_match "and gets its page" "isolated nginx says hello" "$(curl -s http://10.231.200.2:8000/index.html)"
        python3 -m http.server --bind 10.231.200.1 ${p_hostsrv} --directory "$work/nginx/html" >/dev/null 2>&1 &
        host_pids+=($!)
        check "a host server on the host end" wait_for 5 curl -sf http://10.231.200.1:${p_hostsrv}/
        reach() { # service url
                isolatectl shell "$1" python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=3)" "$2" 2>/dev/null
        }
        check "the service reaches the host's end" reach v1 http://10.231.200.1:${p_hostsrv}/
        need v2
        v2addr=$(v2_addr)
        check_match "v2 got a /30 of 10.231.0.0/16" "^10\.231\.[0-9]+\.[0-9]+/30$" "$v2addr"
        v2ip=${v2addr%/*}
        check "the host reaches v2" wait_for 10 curl -sf "http://$v2ip:8000/"
        # (eval, not sh -c: reach is a function of this shell; under sh -c the check always passed.)
        check "v1 cannot reach v2 through the host (no forwarding)" eval "! reach v1 http://$v2ip:8000/"
        check "nor anything beyond the host" sh -c "! isolatectl shell v1 python3 -c 'import socket; socket.create_connection((\"10.231.255.254\", 80), timeout=2)' 2>/dev/null"
}

# --- 4. Errors: before anything starts, nothing left ---
testcase_errors() {
        need web
        need v1
        python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",'"${p_busy}"')); s.listen(); time.sleep(300)' & # a host listener, until killed
        host_pids+=($!)
        wait_for 5 listening ${p_busy}
        printf '[Service]\nExecStart=/bin/sleep 1000\n[Isolate]\nPort=127.0.0.1:'"${p_busy2}"':80\nPort=127.0.0.1:'"${p_busy}"':80\n' > "$work/busy.service"
        out=$(isolatectl start busy "$work/busy.service" 2>&1)
        check_match "a port in use: a clear error" "Port=127.0.0.1:${p_busy}:80/tcp: 127.0.0.1 port ${p_busy} is in use on the host" "$out"
        check "no scope was made" scope_gone busy
        check "the other port is not left listening" sh -c '! ss -Hltn "sport = :'"${p_busy2}"'" | grep -q .'
        check_match "never started" "(failed|exited|No service)" "$(isolatectl is-active busy 2>&1; prop busy State 2>&1)"

        out=$(isolatectl start busy "$work/web.service" 2>&1)
        check_match "a port another service published: a clear error" "${p_web} is in use on the host" "$out"

        printf '[Service]\nExecStart=/bin/sleep 1000\n[Isolate]\nNetwork=veth\nAddress=127.0.0.6/30\n' > "$work/hostclash.service"
        out=$(isolatectl start hostclash "$work/hostclash.service" 2>&1)
        check_match "an address clashing with the host's" "Address=127.0.0.6/30 clashes with the host's address 127.0.0.1/8 on lo" "$out"
        printf '[Service]\nExecStart=/bin/sleep 1000\n[Isolate]\nNetwork=veth\nAddress=10.231.200.1/31\n' > "$work/hostclash.service"
        out=$(isolatectl start hostclash "$work/hostclash.service" 2>&1)
        check_match "an address clashing with another service's" "Address=10.231.200.1/31 clashes with another service's subnet 10.231.200.0/30" "$out"
        check "no veth for it" sh -c '! ip link show ve-hostclash 2>/dev/null'

        ip link add ve-clash type veth peer name ve-clashpeer
        printf '[Service]\nExecStart=/bin/sleep 1000\n[Isolate]\nNetwork=veth\n' > "$work/clash.service"
        out=$(isolatectl start clash "$work/clash.service" 2>&1)
        check_match "an interface name in use" "A network interface ve-clash exists already on the host" "$out"
        check "the other interface is untouched" ip link show ve-clash
        ip link del ve-clash
        check "the clash left nothing of its own" sh -c '! ip -o link | grep -q "ve-clash"'
        check "start a long name" isolatectl start averyveryverylongname1 "$work/clash.service"
        check "its host end is cut to 15 characters" ip link show ve-averyveryver
        out=$(isolatectl start averyveryverylongname2 "$work/clash.service" 2>&1)
        check_match "a second name cut the same way" "ve-averyveryver is that of service averyveryverylongname1" "$out"
        check "stop the long name" isolatectl stop averyveryverylongname1
        check "its veth is gone" sh -c '! ip link show ve-averyveryver 2>/dev/null'
}

testcase_privileged() {
        check "a user granted org.isolated1.manage by a polkit rule" grant_manage "$user" "$rules"
        as_user() { as "$user" "$@"; }
        printf '[Service]\nExecStart=/bin/sleep 1000\n[Isolate]\nPort=127.0.0.1:'"${p_priv}"':80\n' > "$work/priv.service"
        chmod 644 "$work/priv.service"
        check "an unprivileged port for a granted non-root caller: fine" wait_for 10 as_user isolatectl start priv "$work/priv.service"
        check "stop it" isolatectl stop priv
        printf '[Service]\nExecStart=/bin/sleep 1000\n[Isolate]\nPort=127.0.0.1:1023:80\n' > "$work/priv.service"
        out=$(as_user isolatectl start priv "$work/priv.service" 2>&1)
        check_match "a privileged port for that caller: refused" "Port=127.0.0.1:1023:80/tcp: host port 1023 is privileged \\(below 1024\\); only root may publish it" "$out"
        check "nothing listens on 1023" sh -c '! ss -Hltn "sport = :1023" | grep -q .'
        check "no scope for it" scope_gone priv
}

# --- 5. Re-adoption after a SIGKILL of the daemon; teardown ---
testcase_readopt() {
        local n
        for n in web echo udp v1 v2; do need $n; done
        v2addr=$(v2_addr)
        old=$(daemon_pid)
        check "kill -9 the daemon" systemctl kill -s SIGKILL isolated.service
        check "systemd restarts it" wait_for 10 daemon_restarted "$old"
        check "the published port is forwarded again" wait_for 10 curl -sf http://127.0.0.1:${p_web}/
        check_eq "through the new daemon, 50 connections still intact" ok \
                "$(timeout 60 python3 "$work/client.py" 50 65536 ${p_echo} 2>&1 | tail -1)"
        check_eq "and the UDP port relayed again, 20 clients" ok "$(timeout 100 python3 "$work/udpclient.py" ${p_udp} 20 100 2>&1 | tail -1)"
        check "ve-v1 is still there" ip link show ve-v1
        check "a new veth service after the restart" isolatectl start v3 "$work/v2.service"
        v3addr=$(isolatectl shell v3 ip -4 -o addr show host0 2>/dev/null | awk '{print $4}')
        check_match "gets a /30 of its own" "^10\.231\.[0-9]+\.[0-9]+/30$" "$v3addr"
        check "not the adopted v2's" test "$v3addr" != "$v2addr"
        check "stop v3" isolatectl stop v3
        check "the host still reaches v1" curl -sf http://10.231.200.2:8000/
        check "stop web" isolatectl stop web
        check "stop echo" isolatectl stop echo
        check "stop udp" isolatectl stop udp
        check "nothing bound to UDP ${p_udp} after the stop" sh -c '! ss -Hlun "sport = :'"${p_udp}"'" | grep -q .' 
        check "stop v1" isolatectl stop v1
        check "no listener on ${p_web} after the stop" sh -c '! ss -Hltn "sport = :'"${p_web}"'" | grep -q .'
        check "no listener on ${p_echo} after the stop" sh -c '! ss -Hltn "sport = :'"${p_echo}"'" | grep -q .'
        check "ve-v1 is gone after the stop" sh -c '! ip link show ve-v1 2>/dev/null'
}

# v2's daemon dies, then v2 ends on its own: its veth goes with its namespace.
testcase_v2_ends() {
        need v2
        old=$(daemon_pid)
        check "kill -9 the daemon again" systemctl kill -s SIGKILL isolated.service
        check "systemd restarts it" wait_for 10 daemon_restarted "$old"
        check "stop the scope behind the daemon's back" systemctl stop isolated-v2.scope
        for p in "${host_pids[@]}"; do kill "$p" 2>/dev/null; done
        check "no ve-* link is left" wait_for 5 no_veth
        check "no listener is left" sh -c '! ss -Hltn | grep -Eq ":('"${p_web}"'|'"${p_busy}"'|'"${p_busy2}"'|'"${p_echo}"'|'"${p_priv}"'|1023) "'
}

run_testcases
