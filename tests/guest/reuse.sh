#!/bin/bash
# reuse.sh [STARTS [CYCLES]]: issue 14's figures for a name reused at once, where isolated
# is installed and running (the guest: tests/guest/ci-guest.sh). STARTS (default 500)
# back-to-back `isolatectl start --wait` of one name whose service runs /bin/true, then
# CYCLES (default 200) start/stop/start cycles of one name (a service that sleeps), each
# followed by a stop. Every call must succeed: prints the failures, the counts and the times.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/lib.sh"
starts=${1:-500} cycles=${2:-200}
name=guestreuse
work=$(mktemp -d)
cleanup() {
        isolatectl stop "$name" > /dev/null 2>&1
        isolatectl reset-failed "$name" > /dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
printf '[Service]\nExecStart=/bin/true\n' > "$work/true.service"
printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$work/sleep.service"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
failed=0
call() { # what, command...: counts a failure, prints the first ten
        local what=$1 out
        shift
        if ! out=$("$@" 2>&1); then
                failed=$((failed + 1))
                [ "$failed" -le 10 ] && echo "    $what failed: $out"
        fi
}

t0=$(date +%s.%N)
for i in $(seq 1 "$starts"); do
        call "start --wait #$i" isolatectl start --wait "$name" "$work/true.service"
done
t=$(elapsed "$t0")
echo "reuse: $failed of $starts back-to-back start --wait of one name failed, in $t s" \
        "($(awk -v t="$t" -v n="$starts" 'BEGIN { printf "%.2f", t / n }') s each)"
check_eq "$starts back-to-back start --wait of one name: none fails" 0 "$failed"

failed=0
t0=$(date +%s.%N)
for i in $(seq 1 "$cycles"); do
        call "cycle $i: start" isolatectl start "$name" "$work/sleep.service"
        call "cycle $i: stop" isolatectl stop "$name"
        call "cycle $i: start again" isolatectl start "$name" "$work/sleep.service"
        call "cycle $i: stop again" isolatectl stop "$name"
done
t=$(elapsed "$t0")
echo "reuse: $failed of $((cycles * 4)) calls of $cycles start/stop/start cycles failed, in $t s" \
        "($(awk -v t="$t" -v n="$cycles" 'BEGIN { printf "%.2f", t / n }') s a cycle)"
check_eq "$cycles start/stop/start cycles: no call fails" 0 "$failed"
left() { scope_exists "isolated-$name.scope" || compgen -G "/run/isolated/state/$name.*"; }
check "nothing is left of the service" eval '! left'
finish
