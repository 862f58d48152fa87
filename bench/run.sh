#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/run.sh [--quick] [--runs N] [--tp-runs N] [--services N] [--json PATH]
#              [--build DIR] [--head] [--no-build] [--cost-only] [--scale N] [--scale-only]
#
# Builds isolated for release in its own build directory, installs it into a
# staging tree, boots the test harness's throwaway systemd with it, starts
# isolated.service there, and runs the benchmarks of bench/README.md side by
# side with systemd-run and unshare, interleaved. Prints a table and writes
# it as JSON (default bench/results.json). Leaves nothing running.
#
#   --quick        3 runs, 1 throughput round of 10 services: proves it works
#   --runs N       latency runs per row (default 50)
#   --tp-runs N    throughput rounds (default 10)
#   --services N   services per throughput round (default 100)
#   --json PATH    where the JSON goes (default bench/results.json)
#   --build DIR    the build directory (default SRC/build-bench)
#   --head         build the committed HEAD (git archive) instead of the work tree
#   --no-build     use the build directory as it is
#   --cost-only    only the per-start cost of the defaults (isolatectl start --wait of true:
#                  default, HostRoot=yes, permissive) and bench/sandbox-cost.sh
#   --scale N      the scale rows with N services at once (default 1000, 20 with --quick, 0: none)
#   --scale-only   only the scale rows (bench/scale.sh)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$SRC/bench
HARNESS=$SRC/tests/harness/systemd-harness
RUNS=50 TP_RUNS=10 N=100 JSON=$BENCH/results.json BUILD=$SRC/build-bench HEAD=0 BUILDING=1 QUICK=0 COST_ONLY=0
SCALE_N= SCALE_ONLY=0

while [ $# -gt 0 ]; do
        case $1 in
        --quick) QUICK=1; RUNS=3; TP_RUNS=1; N=10 ;;
        --runs) RUNS=$2; shift ;;
        --tp-runs) TP_RUNS=$2; shift ;;
        --services) N=$2; shift ;;
        --json) JSON=$2; shift ;;
        --build) BUILD=$2; shift ;;
        --head) HEAD=1 ;;
        --no-build) BUILDING=0 ;;
        --cost-only) COST_ONLY=1 ;;
        --scale) SCALE_N=$2; shift ;;
        --scale-only) SCALE_ONLY=1 ;;
        -h|--help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
        esac
        shift
done
[ -n "$SCALE_N" ] || SCALE_N=$([ $QUICK = 1 ] && echo 20 || echo 1000)
[ $COST_ONLY = 0 ] || SCALE_N=0
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (it boots a systemd)" >&2; exit 1; }
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
case $JSON in /*) ;; *) JSON=$PWD/$JSON ;; esac

# --- build: release, in BUILD only ---
tree=$SRC
if [ $BUILDING = 1 ]; then
        # What is measured: the commit, "+dirty" for a work tree with changes under src/.
        commit=$(git -C "$SRC" rev-parse --short HEAD)
        tree=$SRC
        if [ $HEAD = 1 ]; then
                tree=$BUILD/src-head
                rm -rf "$tree"; mkdir -p "$tree"
                git -C "$SRC" archive "$commit" | tar -x -C "$tree"
                echo "building HEAD $commit" >&2
        elif ! git -C "$SRC" diff --quiet HEAD -- src; then
                commit=$commit+dirty
        fi
        opts=(--buildtype=release -Dtests=false -Dprefix=/usr -Dsysconfdir=/etc)
        if [ -e "$BUILD/build/build.ninja" ] &&
           [ "$(cat "$BUILD/build/.bench-src" 2>/dev/null)" = "$tree" ]; then
                meson configure "$BUILD/build" "${opts[@]}" > /dev/null
        else
                rm -rf "$BUILD/build"
                meson setup "${opts[@]}" "$BUILD/build" "$tree" > "$BUILD/meson-setup.log" ||
                        { cat "$BUILD/meson-setup.log" >&2; exit 1; }
                echo "$tree" > "$BUILD/build/.bench-src"
        fi
        ninja -C "$BUILD/build" > "$BUILD/ninja.log" 2>&1 ||
                { tail -30 "$BUILD/ninja.log" >&2; echo "run.sh: the build failed (see $BUILD/ninja.log)" >&2; exit 1; }
        echo "$commit" > "$BUILD/commit"
        # shellcheck disable=SC2046
        cc -O2 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -o "$BUILD/bench-client" \
                "$BENCH/bench-client.c" $(pkg-config --cflags --libs libsystemd)
fi
CLIENT=$BUILD/bench-client
OUT=$BUILD/out
STAGE=$BUILD/stage
rm -rf "$OUT"; mkdir -p "$OUT"

# --- binary sizes, unstripped and stripped ---
{
        for b in src/isolated/isolated src/isolate-init/isolate-init src/isolatectl/isolatectl; do
                f=$BUILD/build/$b
                strip -o "$OUT/stripped" "$f"
                echo "$(basename "$b") $(stat -c %s "$f") $(stat -c %s "$OUT/stripped")"
        done
        for b in tini dumb-init; do
                f=$(command -v $b) || continue
                strip -o "$OUT/stripped" "$f"
                echo "$b $(stat -c %s "$f") $(stat -c %s "$OUT/stripped")"
        done
        rm -f "$OUT/stripped"
} > "$OUT/sizes"

# --- what the sandbox adds to a start: its steps timed in-process (bench/sandbox-cost.sh),
# on the host in throwaway namespaces, before the harness boots ---
[ $SCALE_ONLY = 1 ] ||
        bash "$BENCH/sandbox-cost.sh" --src "$tree" "$([ $QUICK = 1 ] && echo 20 || echo 300)" > "$OUT/sandbox-cost" \
                2>> "$OUT/errors" || echo "run.sh: bench/sandbox-cost.sh failed (see $OUT/errors)" >&2

# --- boot, start isolated.service, run inside, shut down ---
"$SRC/tests/harness/stage-install" "$BUILD/build" "$STAGE"
STATE=$(mktemp -d /tmp/isolated-bench.XXXXXX)
cleanup() {
        "$HARNESS" shutdown "$STATE" || echo "run.sh: harness shutdown failed" >&2
        rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The sources and the build may live under /tmp (a CI clone), private inside.
HARNESS_KEEP="$SRC $BUILD" "$HARNESS" boot "$STATE" "$STAGE"
inside() { "$HARNESS" exec "$STATE" "$@"; }
if ! inside systemctl start isolated.service; then
        inside journalctl -u isolated.service --no-pager | tail -30 >&2
        exit 1
fi
cut -d' ' -f1-3 /proc/loadavg > "$OUT/load-before"
[ $SCALE_ONLY = 1 ] ||
        inside env FP_ROUNDS=$([ $QUICK = 1 ] && echo 1 || echo 3) COST_ONLY=$COST_ONLY HF_RUNS=$([ $QUICK = 1 ] && echo 3 || echo 40) \
                bash "$BENCH/inside.sh" "$CLIENT" "$OUT" "$RUNS" "$TP_RUNS" "$N"
# --- scale: SCALE_N services at once (bench/scale-inside.sh), then as many systemd-run --scope ---
if [ "$SCALE_N" -gt 0 ]; then
        echo "scale: $SCALE_N services at once" >&2
        inside bash "$BENCH/scale-inside.sh" "$CLIENT" "$SCALE_N" bench-scale > "$OUT/scale" 2>> "$OUT/errors" ||
                echo "run.sh: bench/scale-inside.sh failed (see $OUT/errors)" >&2
fi
cut -d' ' -f1-3 /proc/loadavg > "$OUT/load-after"
left=$(inside systemctl list-units --all --plain --no-legend 'isolated-*.scope' 'bench-*.scope' | awk '{print $1}')
[ -z "$left" ] || echo "run.sh: units left behind: $left" >&2

meta=(--runs "$RUNS" --tp-runs "$TP_RUNS" --services "$N" --commit "$(cat "$BUILD/commit" 2>/dev/null || echo unknown)")
python3 "$BENCH/report.py" "$OUT" "$JSON" "${meta[@]}"
