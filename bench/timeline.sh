#!/bin/bash
# bench/timeline.sh [RUNS]: where the wall time of one `isolatectl start --wait` goes, step by
# step, beside one `systemd-run --scope` (bench/timeline.py names the steps). As root, with perf.
# Uses the release build and stage bench/run.sh made (build-bench/; run bench/run.sh --quick
# first), boots tests/harness/systemd-harness, starts isolated.service there, and records
# `perf trace -a` of the marking system calls around RUNS (default 20) of each, alternating,
# /bin/true with MemoryMax=64M TasksMax=16 CPUQuota=50%, the same name every run. The trace's
# own cost (a few microseconds per traced call) is in every step alike. Nothing is asserted.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-20}
STAGE=${STAGE:-$SRC/build-bench/stage}
OUT=${OUT:-$SRC/build-bench/out}
HARNESS=$SRC/tests/harness/systemd-harness
[ -x "$STAGE/usr/bin/isolatectl" ] || { echo "timeline.sh: no $STAGE (run bench/run.sh --quick first)" >&2; exit 2; }
command -v perf >/dev/null || { echo "timeline.sh: no perf (apt-get install linux-perf)" >&2; exit 2; }
mkdir -p "$OUT"
STATE=$(mktemp -d /tmp/isolated-timeline.XXXXXX)
perf_pid=
cleanup() {
        [ -z "$perf_pid" ] || kill -INT "$perf_pid" 2>/dev/null || true
        "$HARNESS" shutdown "$STATE" >/dev/null 2>&1 || echo "timeline.sh: harness shutdown failed" >&2
        rm -rf "$STATE"
}
trap cleanup EXIT
HARNESS_KEEP="$SRC" "$HARNESS" boot "$STATE" "$STAGE" >/dev/null
inside() { "$HARNESS" exec "$STATE" "$@"; }
inside systemctl start isolated.service
inside sh -c 'printf "[Service]\nExecStart=/bin/true\nMemoryMax=64M\nTasksMax=16\nCPUQuota=50%%\n" > /tmp/timeline.service
        for i in 1 2 3; do isolatectl -q start --wait timeline /tmp/timeline.service; systemd-run --scope -q true; done'
perf trace -a -e execve,clone,clone3,waitid,recvmsg,pivot_root,exit_group -o "$OUT/timeline.perf" &
perf_pid=$!
sleep 2 # perf attaches its tracepoints
inside env RUNS="$RUNS" sh -c 'for i in $(seq "$RUNS"); do
        isolatectl -q start --wait timeline /tmp/timeline.service; isolatectl reset-failed timeline 2>/dev/null
        systemd-run --scope -q -p MemoryMax=64M -p TasksMax=16 -p CPUQuota=50% true; done'
sleep 0.5
kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
perf_pid=
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$SRC/bench/timeline.py" "$OUT/timeline.perf"
