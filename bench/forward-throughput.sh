#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/forward-throughput.sh BUILD [--bytes MiB] [--rtts N] [--connects N]
#
# The forwarder of Port= against a direct loopback connection, side by side:
# boots the test harness's throwaway systemd with the build BUILD (a meson
# build directory), starts isolated.service there, runs one small Python
# server twice - directly on the host's 127.0.0.1:18191, and inside an
# isolated service published with Port=127.0.0.1:18190:7000 - and measures,
# with the same client and clock for both:
#   throughput  MiB/s, one connection sending --bytes MiB (default 2048) to a sink
#   rtt         µs per 1-byte request/response on one connection (median, p99; --rtts, default 20000)
#   connect     µs for connect + 1-byte exchange + close (median, p99; --connects, default 2000)
# The client and server are Python on both paths, so the direct figures are
# the ceiling the forwarder is compared against, not the kernel's own limit.
# Leaves nothing running.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
BUILD=$(cd "$1" && pwd); shift
MIB=2048 RTTS=20000 CONNECTS=2000
while [ $# -gt 0 ]; do
        case $1 in
        --bytes) MIB=$2; shift ;;
        --rtts) RTTS=$2; shift ;;
        --connects) CONNECTS=$2; shift ;;
        *) echo "forward-throughput.sh: unknown argument $1" >&2; exit 2 ;;
        esac
        shift
done
[ "$(id -u)" = 0 ] || { echo "forward-throughput.sh: must run as root (it boots a systemd)" >&2; exit 1; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=$SRC/tests/harness/systemd-harness
STATE=$(mktemp -d /tmp/isolated-fwbench.XXXXXX)
WORK=$(mktemp -d /tmp/isolated-fwbench-work.XXXXXX)
chmod 755 "$WORK"
cleanup() {
        "$HARNESS" exec "$STATE" isolatectl stop fwbench >/dev/null 2>&1 || true
        "$HARNESS" shutdown "$STATE" >/dev/null 2>&1 || true
        rm -rf "$STATE" "$WORK"
}
trap cleanup EXIT

cat > "$WORK/server.py" <<'PY'
import socket, sys, threading
port = int(sys.argv[1])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(1024)
def serve(c):
    with c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mode = c.recv(1)
        if mode == b"S":                     # sink: count until EOF, answer the count
            buf, n = bytearray(1 << 20), 0
            while True:
                k = c.recv_into(buf)
                if not k:
                    break
                n += k
            c.sendall(n.to_bytes(8, "big"))
        elif mode == b"P":                   # ping-pong, one byte each way
            while True:
                b = c.recv(1)
                if not b:
                    break
                c.sendall(b)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
cat > "$WORK/client.py" <<'PY'
import socket, sys, time
port, mib, rtts, connects = (int(a) for a in sys.argv[1:5])
def conn():
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c
def pct(l, p):
    l = sorted(l); return l[min(len(l) - 1, int(len(l) * p))]
c = conn(); c.sendall(b"S")
chunk = b"x" * (1 << 20)
t = time.monotonic()
for _ in range(mib):
    c.sendall(chunk)
c.shutdown(socket.SHUT_WR)
n = int.from_bytes(c.recv(8), "big")
dt = time.monotonic() - t
c.close()
assert n == mib << 20, (n, mib << 20)
tp = mib / dt
c = conn(); c.sendall(b"P")
lat = []
for _ in range(rtts):
    t = time.perf_counter_ns(); c.sendall(b"a"); c.recv(1); lat.append(time.perf_counter_ns() - t)
c.close()
con = []
for _ in range(connects):
    t = time.perf_counter_ns()
    c = conn(); c.sendall(b"Pa"); c.recv(1); c.close()
    con.append(time.perf_counter_ns() - t)
print("%.0f %.1f %.1f %.1f %.1f" % (tp, pct(lat, .5) / 1e3, pct(lat, .99) / 1e3, pct(con, .5) / 1e3, pct(con, .99) / 1e3))
PY
printf '[Service]\nExecStart=/usr/bin/python3 /srv/w/server.py 7000\nTemporaryFileSystem=/srv\nBindReadOnlyPaths=%s:/srv/w\n[Isolate]\nPort=127.0.0.1:18190:7000\n' \
        "$WORK" > "$WORK/fwbench.service"

"$SRC/tests/harness/stage-install" "$BUILD" "$BUILD/stage" >/dev/null
HARNESS_KEEP="$BUILD $WORK" "$HARNESS" boot "$STATE" "$BUILD/stage" >/dev/null
inside() { "$HARNESS" exec "$STATE" "$@"; }
inside systemctl start isolated.service
inside isolatectl start fwbench "$WORK/fwbench.service" >/dev/null
inside sh -c "python3 $WORK/server.py 18191 >/dev/null 2>&1 & echo \$! > $WORK/direct.pid"
ready() { inside python3 -c "import socket; socket.create_connection(('127.0.0.1', $1)).sendall(b'Pa')" 2>/dev/null; }
for i in $(seq 50); do ready 18190 && ready 18191 && break; sleep 0.1; done

echo "# forwarder (Port=) vs direct loopback; $MIB MiB, $RTTS round trips, $CONNECTS connects; python3 client and server on both"
printf '%-10s %12s %10s %10s %12s %12s\n' path "MiB/s" "rtt-p50us" "rtt-p99us" "conn-p50us" "conn-p99us"
for round in 1 2; do
        for path in direct:18191 forwarded:18190; do
                read -r tp r50 r99 c50 c99 < <(inside python3 "$WORK/client.py" "${path#*:}" "$MIB" "$RTTS" "$CONNECTS")
                printf '%-10s %12s %10s %10s %12s %12s\n' "${path%:*}" "$tp" "$r50" "$r99" "$c50" "$c99"
        done
done
inside sh -c "kill \$(cat $WORK/direct.pid)"
