#!/bin/bash
# Socket handover on the real systemd: ListenStream=/ListenDatagram= make the
# daemon bind on the host and the init hand the sockets to the main process
# as sd_listen_fds(3) expects (tests/fixtures/listen-echo answers with what it
# got), with the service's namespace still showing only lo; the sockets
# outlive a restart in place (a client that connects meanwhile waits in the
# backlog) and a SIGKILL of the daemon; the failures leave nothing behind.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-ho.XXXXXX)
sockdir=/run/isolated-ho-test
user=isolatedho
rules=/etc/polkit-1/rules.d/49-isolated-ho-test.rules
names="ho hobusy hofile holive hopriv hobad hoclash hodual"
host_pids=()
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        for p in "${host_pids[@]}"; do kill "$p" 2>/dev/null; done
        revoke_manage "$user" "$rules"
        systemctl start isolated.service
        rm -rf "$work" "$sockdir"
}
trap cleanup EXIT

helper listen-echo "$work" || { not_ok "build listen-echo"; finish; exit 1; }
chmod 755 "$work"
E=$work/listen-echo
# The ports, picked at run time: other harnesses share this network namespace.
read -r p_tcp p_udp p_busy p_dual p_busy_udp p_clash p_priv <<< "$(free_ports 7)"

# ask tcp HOST PORT | unix PATH | udp HOST PORT, then LINE: prints the answer.
ask() {
        timeout 15 python3 - "$@" <<'PY'
import socket, sys
kind = sys.argv[1]
if kind == "tcp":
        fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM); s.connect((sys.argv[2], int(sys.argv[3]))); line = sys.argv[4]
elif kind == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10)
        s.sendto(sys.argv[4].encode() + b"\n", (sys.argv[2], int(sys.argv[3])))
        print(s.recv(4096).decode().strip()); sys.exit(0)
else:
        path = sys.argv[2]
        if path.startswith("@"): path = "\0" + path[1:]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path); line = sys.argv[3]
s.sendall(line.encode() + b"\n")
data = b""
while True:
        chunk = s.recv(4096)
        if not chunk: break
        data += chunk
print(data.decode().strip())
PY
}
# need_ho: ho runs with its four sockets (started by an earlier case, or now: CASE= runs one).
need_ho() {
        if ! isolatectl is-active -q ho; then
                cat > "$work/ho.service" <<EOF2
[Service]
ExecStartPre=/bin/sh -c 'echo "\$\${LISTEN_FDS:-none} \$\$(ls /proc/self/fd | wc -l)" > /run/ho-pre'
ExecStart=$E
Restart=always
RestartSec=1
[Isolate]
ListenStream=127.0.0.1:${p_tcp}
ListenStream=$sockdir/ho.sock
ListenDatagram=127.0.0.1:${p_udp}
ListenStream=@isolated-ho-test
EOF2
                check "a service with four listening sockets starts" isolatectl start ho "$work/ho.service"
        fi
        main=$(prop ho MainPID); init=$(prop ho InitPID)
}
nspid_of() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status"; }
scope_gone() { ! systemctl is-active -q "isolated-$1.scope"; }
tcp_listening() { ss -Hltn "sport = :$1" | grep -q .; }
udp_bound() { ss -Hlun "sport = :$1" | grep -q .; }

# --- 1. Three kinds of socket handed over, in file order ---
testcase_sockets() {
        need_ho
        out=$(ask tcp 127.0.0.1 ${p_tcp} hello)
        check_match "TCP: fd 3, named after the service, 4 fds, only lo inside" "^fd=3 name=ho\.socket pid=[0-9]+ nfds=4 links=lo got=hello$" "$out"
        check_eq "answered by the main process (LISTEN_PID was its PID inside)" "$(nspid_of "$main")" \
                "$(sed -n 's/.* pid=\([0-9]*\) .*/\1/p' <<< "$out")"
        check_match "Unix socket file: fd 4" "^fd=4 name=ho\.socket .* got=unix$" "$(ask unix "$sockdir/ho.sock" unix)"
        check_eq "the socket file is srw-rw-rw- like a socket unit's" "srw-rw-rw-" "$(stat -c %A "$sockdir/ho.sock")"
        check_match "UDP: fd 5" "^fd=5 name=ho\.socket .* got=dgram$" "$(ask udp 127.0.0.1 ${p_udp} dgram)"
        check_match "abstract socket: fd 6" "^fd=6 name=ho\.socket .* got=abstract$" "$(ask unix @isolated-ho-test abstract)"
        check_eq "the namespace still shows only lo" 1 "$(nsenter -t "$init" -n ip -o link | wc -l)"
        check_eq "ExecStartPre= gets no sockets (as in systemd): no LISTEN_FDS, fds 0-2 and ls's own" "none 4" "$(nsenter -t "$init" -m cat /run/ho-pre)"
        daemon=$(daemon_pid)
        check "the daemon kept no copy of the sockets" sh -c "! ss -Hltnp 'sport = :${p_tcp}' | grep -q 'pid=$daemon,'"
        check_match "the init and the service hold the listener" "listen-echo" "$(ss -Hltnp "sport = :${p_tcp}")"
}

# --- 2. Restart in place: the same sockets; a client that connects meanwhile waits in the backlog ---
testcase_restart() {
        need_ho
        check "kill the main process" isolatectl kill --kill-whom=main --signal=KILL ho
        out=$(ask tcp 127.0.0.1 ${p_tcp} during)
        check_match "a connection made while it was down is served by the next main process" "^fd=3 .* got=during$" "$out"
        check_eq "NRestarts counts it" 1 "$(prop ho NRestarts)"
        newmain=$(prop ho MainPID)
        check "a new main process" test "$newmain" != "$main"
        check_match "which has the datagram socket too" "^fd=5 .* got=again$" "$(ask udp 127.0.0.1 ${p_udp} again)"
}

# --- 3. Re-adoption: the init held the sockets while the daemon was down ---
testcase_readopt() {
        need_ho
        old=$(daemon_pid)
        check "kill -9 the daemon" systemctl kill -s SIGKILL isolated.service
        check "systemd restarts it" wait_for 10 daemon_restarted "$old"
        check_match "still served, through no daemon at all" "^fd=3 .* got=after$" "$(ask tcp 127.0.0.1 ${p_tcp} after)"
        check "stop it through the new daemon" isolatectl stop ho
        check "its socket file is removed" test ! -e "$sockdir/ho.sock"
        check "nothing listens on its TCP port" sh -c "! ss -Hltn 'sport = :${p_tcp}' | grep -q ."
        check "nothing is bound to its UDP port" sh -c "! ss -Hlun 'sport = :${p_udp}' | grep -q ."
        check "nor on its abstract name" sh -c "! ss -Hlx | grep -q '@isolated-ho-test'"
        check "no scope left" scope_gone ho
}

# --- 4. A bare PORT listens on IPv6 and IPv4, as systemd's does ---
testcase_dual() {
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream='"${p_dual}"'\n' "$E" > "$work/hodual.service"
        check "ListenStream=PORT starts" isolatectl start hodual "$work/hodual.service"
        check_match "reached on 127.0.0.1" "^fd=3 .* got=v4$" "$(ask tcp 127.0.0.1 ${p_dual} v4)"
        if [ -e /proc/net/if_inet6 ] && ip -6 addr show lo | grep -q '::1'; then
                check_match "and on ::1" "^fd=3 .* got=v6$" "$(ask tcp ::1 ${p_dual} v6)"
        fi
        check "stop it" isolatectl stop hodual
}

# --- 5. Errors: clear, before anything starts, nothing left ---
testcase_errors() {
        python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",'"${p_busy}"')); s.listen(); time.sleep(300)' & # a host listener, until killed
        host_pids+=($!)
        wait_for 5 tcp_listening ${p_busy}
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream=%s/busy.sock\nListenDatagram=127.0.0.1:'"${p_busy_udp}"'\nListenStream=127.0.0.1:'"${p_busy}"'\n' \
                "$E" "$sockdir" > "$work/hobusy.service"
        out=$(isolatectl start hobusy "$work/hobusy.service" 2>&1)
        check_match "a port in use: the key, the address and why" "ListenStream=127\.0\.0\.1:${p_busy}: cannot bind: Address already in use" "$out"
        check "no scope for it" scope_gone hobusy
        check "the socket file made before it is removed again" test ! -e "$sockdir/busy.sock"
        check "the UDP socket made before it is closed again" sh -c "! ss -Hlun 'sport = :${p_busy_udp}' | grep -q ."

        mkdir -p "$sockdir" && echo keep > "$sockdir/file"
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream=%s/file\n' "$E" "$sockdir" > "$work/hofile.service"
        out=$(isolatectl start hofile "$work/hofile.service" 2>&1)
        check_match "a path that is not a socket: refused" "ListenStream=$sockdir/file: cannot bind: the path exists and is not a socket" "$out"
        check_eq "and left alone" keep "$(cat "$sockdir/file")"

        python3 -c "import socket,time; s=socket.socket(socket.AF_UNIX); s.bind('$sockdir/live.sock'); s.listen(); time.sleep(300)" & # a listener, until killed
        host_pids+=($!)
        wait_for 5 test -S "$sockdir/live.sock"
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream=%s/live.sock\n' "$E" "$sockdir" > "$work/holive.service"
        out=$(isolatectl start holive "$work/holive.service" 2>&1)
        check_match "a socket file someone listens on: refused" "ListenStream=$sockdir/live.sock: cannot bind: Address already in use" "$out"
        check "that listener still works" python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.connect('$sockdir/live.sock')"

        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream=127.0.0.1:99999\n' "$E" > "$work/hobad.service"
        out=$(isolatectl start hobad "$work/hobad.service" 2>&1)
        check_match "a bad value names file:line" "hobad\.service:4: Invalid ListenStream= value '127\.0\.0\.1:99999': ports are 1\.\.65535" "$out"
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream='"${p_clash}"'\nListenStream=127.0.0.1:'"${p_clash}"'\n' "$E" > "$work/hoclash.service"
        out=$(isolatectl start hoclash "$work/hoclash.service" 2>&1)
        check_match "two sockets on one port: file:line" "hoclash\.service:5: ListenStream=127\.0\.0\.1:${p_clash} clashes with ListenStream=${p_clash} above" "$out"
}

testcase_privileged() {
        check "a user granted org.isolated1.manage by a polkit rule" grant_manage "$user" "$rules"
        as_user() { as "$user" "$@"; }
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream=127.0.0.1:'"${p_priv}"'\n' "$E" > "$work/hopriv.service"
        chmod 644 "$work/hopriv.service"
        check "an unprivileged port for a granted non-root caller: fine" wait_for 10 as_user isolatectl start hopriv "$work/hopriv.service"
        check "stop it" isolatectl stop hopriv
        printf '[Service]\nExecStart=%s\n[Isolate]\nListenStream=127.0.0.1:1022\n' "$E" > "$work/hopriv.service"
        out=$(as_user isolatectl start hopriv "$work/hopriv.service" 2>&1)
        check_match "a privileged port for that caller: refused" "ListenStream=127\.0\.0\.1:1022: port 1022 is privileged \\(below 1024\\); only root may listen on it" "$out"
        check "nothing listens on 1022" sh -c '! ss -Hltn "sport = :1022" | grep -q .'
        check "no scope for it" scope_gone hopriv
}

run_testcases
