#!/bin/bash
# The sandbox, checked from inside: tests/integration/sandbox-probe.c runs as
# the service under the defaults and under each sandboxing key, and every line
# it prints must be a PASS. Then a real Debian daemon under the defaults.
. "$TESTS/lib.sh"

work=$(mktemp -d)
data=/var/lib/isolated-sandbox-test.$$
names="sbdef sbstrict sbpaths sbuser sbcaps sbcapsinv sbsys sbsyssvc sblim sbmc sbbad"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        [ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
        [ -n "${shmid:-}" ] && ipcrm -m "$shmid" 2>/dev/null
        rm -rf "$work" "$data"
}
trap cleanup EXIT

# The probe: from the build tree if this namespace sees it, else built from source here.
if [ -x "${BUILD:-}/tests/integration/sandbox-probe" ]; then
        cp "$BUILD/tests/integration/sandbox-probe" "$work/"
else
        cc -O1 -o "$work/sandbox-probe" "$SRC/tests/integration/sandbox-probe.c" || { not_ok "build the probe"; finish; exit 1; }
fi
chmod 755 "$work" "$work/sandbox-probe"
mkdir -p "$data/rw" "$data/secret" && echo s > "$data/secret/file"

# Host objects the probe must not reach: an abstract socket and a SysV shm segment.
python3 -c 'import socket,time; s=socket.socket(socket.AF_UNIX); s.bind("\0isolated-probe-host"); s.listen(); time.sleep(600)' &
listener=$!
shmid=$(ipcmk -M 4096 2>/dev/null | awk '{print $NF}')

# probe NAME "EXTRA KEYS" [CHECK...]: starts the probe with the extra [Service]
# keys, waits for its PROBE-END line, records each PASS/FAIL line, stops it.
probe() {
        local name=$1 extra=$2 unit=isolated-$1.scope log line n=0
        shift 2
        {
                printf '[Service]\nExecStart=/srv/probe/sandbox-probe %s\n' "$*"
                printf 'TemporaryFileSystem=/srv\nBindReadOnlyPaths=%s:/srv/probe\n' "$work"
                printf '%b\n' "$extra"
        } > "$work/$name.service"
        if ! out=$(isolatectl start "$name" "$work/$name.service" 2>&1); then
                not_ok "$name: start: $out"
                return 1
        fi
        ok "$name: started"
        if ! wait_for 20 sh -c "journalctl -u $unit -o cat | grep -q '^PROBE-END'"; then
                not_ok "$name: no PROBE-END in the journal"
                journalctl -u "$unit" -o cat | tail -20 | sed 's/^/    /'
        fi
        log=$(journalctl -u "$unit" -o cat | grep -E '^(PASS|FAIL) ')
        while IFS= read -r line; do
                [ -n "$line" ] || continue
                n=$((n + 1))
                case "$line" in
                        PASS*) ok "$name: ${line#PASS }" ;;
                        *) not_ok "$name: ${line#FAIL }" ;;
                esac
        done <<< "$log"
        PROBE_LINES=$n
        isolatectl stop "$name" >/dev/null 2>&1
        isolatectl reset-failed "$name" >/dev/null 2>&1
}

# --- the defaults: every check of the probe ---
probe sbdef ""
[ "${PROBE_LINES:-0}" -ge 40 ] && ok "sbdef: all $PROBE_LINES default checks ran" || not_ok "sbdef: only ${PROBE_LINES:-0} checks ran"

# --- ProtectSystem=strict, ReadWritePaths=, InaccessiblePaths=, BindReadOnlyPaths=, ProtectHome= ---
probe sbstrict "ProtectSystem=strict\nReadWritePaths=$data/rw\nInaccessiblePaths=$data/secret" \
        "ro:/" "ro:/var/lib" "ro:$data" "w:$data/rw" "w:/tmp" "w:/var/tmp" "w:/run" "w:/dev/shm" \
        "empty:$data/secret" "ro:/srv/probe" "exists:/srv/probe/sandbox-probe"
probe sbpaths "ProtectHome=yes\nBindPaths=$data/rw:/srv/rw\nTemporaryFileSystem=/mnt:ro" \
        "w:/srv/rw" "empty:/root" "empty:/home" "ro:/mnt" "empty:/mnt" "w:/var/lib"

# --- User=, CapabilityBoundingSet= (a list, and ~), SystemCallFilter=, Limit*= ---
probe sbuser "User=nobody\nGroup=nogroup\nUMask=0077" "uid:65534" "gid:$(getent group nogroup | cut -d: -f3)" "ro:/etc" "w:/tmp"
probe sbcaps "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL" "capbnd-has:10" "capbnd-has:5" "capbnd-lacks:0" "capbnd-lacks:21"
probe sbcapsinv "CapabilityBoundingSet=~CAP_CHOWN CAP_KILL" "capbnd-lacks:0" "capbnd-lacks:5" "capbnd-has:10" "capbnd-lacks:21"
probe sbsys "SystemCallFilter=~uname\nSystemCallErrorNumber=EACCES" "uname-errno:13"
probe sbsyssvc "SystemCallFilter=@system-service" "uname-errno:0" "w:/tmp"
probe sblim "LimitNOFILE=1000:2000" "nofile:1000:2000"

# --- bad values: a clear error naming the file and line, nothing started ---
printf '[Service]\nExecStart=/bin/true\nCapabilityBoundingSet=CAP_NO_SUCH\n' > "$work/sbbad.service"
out=$(isolatectl start sbbad "$work/sbbad.service" 2>&1)
check_match "unknown capability refused with file:line" "sbbad\.service:3.*CAP_NO_SUCH" "$out"
printf '[Service]\nExecStart=/bin/true\nSystemCallFilter=no_such_call\n' > "$work/sbbad.service"
out=$(isolatectl start sbbad "$work/sbbad.service" 2>&1)
check_match "unknown syscall refused with file:line" "sbbad\.service:3.*no_such_call" "$out"
printf '[Service]\nExecStart=/bin/true\nBindPaths=/no/such/source:/srv/x\n' > "$work/sbbad.service"
out=$(isolatectl start sbbad "$work/sbbad.service" 2>&1)
check_match "missing BindPaths= source: a clear error" "/no/such/source.*No such file" "$out"
check "no scope left for it" sh -c "! systemctl is-active -q isolated-sbbad.scope"
isolatectl reset-failed sbbad >/dev/null 2>&1

# --- a real Debian daemon under the default sandbox ---
printf '[Service]\nExecStart=/usr/bin/memcached -u nobody -l 127.0.0.1 -p 11211 -m 16\n' > "$work/sbmc.service"
check "memcached starts" isolatectl start sbmc "$work/sbmc.service"
init=$(prop sbmc InitPID)
stats() {
        nsenter -t "$init" -n python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 11211), timeout=2)
s.sendall(b"stats\r\nquit\r\n")
d = b""
while True:
    b = s.recv(4096)
    if not b: break
    d += b
print(d.decode())'
}
wait_for 10 stats
out=$(stats 2>&1)
check_match "memcached answers stats inside its network namespace" "STAT pid [0-9]+" "$out"
main=$(prop sbmc MainPID)
check_eq "memcached runs as nobody" 65534 "$(awk '/^Uid:/ {print $2}' /proc/$main/status)"
check_eq "memcached has no_new_privs" 1 "$(awk '/^NoNewPrivs:/ {print $2}' /proc/$main/status)"
check_eq "memcached is filtered" 2 "$(awk '/^Seccomp:/ {print $2}' /proc/$main/status)"
check "stop memcached" isolatectl stop sbmc
check "nothing of it left" sh -c "! systemctl is-active -q isolated-sbmc.scope"
finish
