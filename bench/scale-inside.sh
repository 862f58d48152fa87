#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The part of bench/scale.sh that runs inside the harness's systemd, with isolated.service
# started: N services (sleep infinity, default confinement) started at once through the bus,
# measured, listed, stopped; then N concurrent `systemd-run --scope` for comparison. Prints
# "key value" lines (bench/scale.sh formats them). Nothing is asserted but that all N ran and
# that nothing is left.
#
#   scale-inside.sh CLIENT N PREFIX
set -uo pipefail
CLIENT=$1 N=$2 P=$3
DESC=$(mktemp -d /tmp/isolated-scale.XXXXXX)
trap 'rm -rf "$DESC"' EXIT
printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$DESC/sleep.service"

ms() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:.1f}')" "$1"; }
kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
pss() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup"; }
daemon_pid() { systemctl show -p MainPID --value isolated.service; }
# median_ns CMD...: the median of 7 runs of CMD (bench-client exec), ns
median_ns() {
        local i
        for i in 1 2 3 4 5 6 7; do "$CLIENT" exec -- "$@"; done | sort -n | sed -n 4p
}
leftovers() {
        local scopes procs states veths mounts
        scopes=$(systemctl list-units --all --plain --no-legend "isolated-$P-*.scope" | wc -l)
        procs=$(pgrep -c -x isolate-init || true)
        states=$(find /run/isolated/state -maxdepth 1 -name "$P-*" 2>/dev/null | wc -l)
        veths=$(ip -o link show 2>/dev/null | grep -c " ve-$P" || true)
        mounts=$(grep -c "$P-" /proc/self/mountinfo || true)
        echo "leftover_scopes $scopes"
        echo "leftover_inits $procs"
        echo "leftover_state_files $states"
        echo "leftover_veths $veths"
        echo "leftover_mounts $mounts"
}

systemctl start isolated.service
D=$(daemon_pid)
echo "n $N"
echo "daemon_rss_kib_before $(kib "$D" VmRSS)"
echo "daemon_pss_kib_before $(pss "$D")"
echo "daemon_anon_kib_before $(kib "$D" RssAnon)"

out=$("$CLIENT" many-start "$N" "$P" "$DESC/sleep.service") || out="0 $N"
set -- $out
echo "start_ms $(ms "$1")"
echo "start_failures $2"
running=$(isolatectl list --no-legend 2>/dev/null | awk -v p="$P-" 'index($1, p) == 1 && $2 == "running"' | wc -l)
echo "running $running"
sleep 2 # the inits trim their pages once idle
D=$(daemon_pid)
echo "daemon_rss_kib $(kib "$D" VmRSS)"
echo "daemon_pss_kib $(pss "$D")"
echo "daemon_anon_kib $(kib "$D" RssAnon)"
# The inits: RSS and Pss of each (Pss charges shared pages to their users).
isolatectl list --no-legend 2>/dev/null | awk -v p="$P-" 'index($1, p) == 1 {print $1}' | head -50 > "$DESC/names"
rss=0 ps=0 k=0
while read -r name; do
        ip=$(isolatectl show -p InitPID --value "$name" 2>/dev/null) || continue
        [ -n "$ip" ] && [ "$ip" != 0 ] || continue
        r=$(kib "$ip" VmRSS) s=$(pss "$ip")
        [ -n "$r" ] && [ -n "$s" ] || continue
        rss=$((rss + r)) ps=$((ps + s)) k=$((k + 1))
done < "$DESC/names"
[ $k -gt 0 ] && echo "init_rss_kib $((rss / k))" && echo "init_pss_kib $((ps / k))"
echo "list_ms $(ms "$(median_ns isolatectl list)")"
echo "status_ms $(ms "$(median_ns isolatectl status "$P-$((N / 2))")")"
echo "show_ms $(ms "$(median_ns isolatectl show "$P-$((N / 2))")")"

out=$("$CLIENT" many-stop "$N" "$P") || out="0 $N"
set -- $out
echo "stop_ms $(ms "$1")"
echo "stop_failures $2"
sleep 1
D=$(daemon_pid)
echo "daemon_rss_kib_after $(kib "$D" VmRSS)"
leftovers

# The reference: N concurrent systemd-run --scope, until every one has exec'd its sleep.
if [ "${SCALE_SYSTEMD_RUN:-1}" = 1 ]; then
        out=$("$CLIENT" parallel "$N" --until-exec "$(readlink -f /bin/sleep)" -- \
                systemd-run --scope -q --unit "$P-sr-%d" sleep 1000 2>/dev/null) || out=fail
        set -- $out
        echo "sr_start_ms $([ "$1" = fail ] && echo fail || ms "$1")"
        echo "sr_start_failures ${2:-0}"
        out=$("$CLIENT" parallel "$N" -- systemctl stop "$P-sr-%d.scope" 2>/dev/null) || out=fail
        set -- $out
        echo "sr_stop_ms $([ "$1" = fail ] && echo fail || ms "$1")"
fi
exit 0
