#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The part of bench/run.sh that runs inside the harness's systemd, with
# isolated.service started. Writes raw samples to OUT (one file per row, one
# sample per line: nanoseconds, or "fail"); bench/report.py summarizes them.
#
#   inside.sh CLIENT OUT RUNS TP_RUNS N_SERVICES
set -uo pipefail
CLIENT=$1 OUT=$2 RUNS=$3 TP_RUNS=$4 N=$5
HF_RUNS=${HF_RUNS:-40}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DESC=$OUT/desc
mkdir -p "$OUT/lat" "$OUT/tp" "$OUT/warmup" "$DESC"

# The same limits everywhere they are compared.
LIMITS="MemoryMax=64M TasksMax=16 CPUQuota=50%"
limits_desc() { local l; for l in $LIMITS; do echo "$l"; done; }
{ echo "[Service]"; echo "ExecStart=/bin/true"; limits_desc; } > "$DESC/true.service"
cp "$DESC/true.service" "$DESC/true-default.service"
{ echo "[Service]"; echo "ExecStart=/bin/sleep infinity"; limits_desc; } > "$DESC/sleep.service"
{ echo "[Service]"; echo "ExecStart=/bin/sleep infinity"; } > "$DESC/sleep-plain.service"
# What the defaults cost per start: /bin/true under the default description, without its user
# namespace (and so without the idmapped host mounts), and under the permissive one of
# bench/sandbox-cost.c (every key the contract lets a description turn off, off, HostRoot= too).
{ cat "$DESC/true.service"; echo "[Isolate]"; echo "HostRoot=yes"; } > "$DESC/true-hostroot.service"
CAPS_ALL="CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP
CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER
CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE
CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP
CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF
CAP_CHECKPOINT_RESTORE"
CAPS_WITHHELD="CAP_SYS_ADMIN CAP_SYS_MODULE CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_BOOT CAP_MAC_ADMIN CAP_MAC_OVERRIDE
CAP_BPF CAP_PERFMON CAP_SYS_TIME CAP_MKNOD CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_SYSLOG CAP_IPC_LOCK CAP_LINUX_IMMUTABLE
CAP_SETFCAP CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_SYS_RESOURCE"
{
        printf '%s\n' "[Isolate]" HostRoot=yes PasswordHashes=yes ReadOnlyHost=no HideHome=no HostTmp=yes \
                HostDevices=yes KernelTunables=yes ControlGroups=yes NewPrivileges=yes KernelLogs=yes \
                SUIDSGIDFiles=yes Personality=yes
        echo "AllowCapabilities=$(echo $CAPS_WITHHELD)"
        cat "$DESC/true.service"
        printf '%s\n' PrivateTmp=no PrivateDevices=no ProtectSystem=no ProtectHome=no ProtectKernelTunables=no \
                ProtectKernelModules=no ProtectControlGroups=no NoNewPrivileges=no SystemCallFilter= \
                ProtectKernelLogs=no RestrictSUIDSGID=no LockPersonality=no
        echo "CapabilityBoundingSet=$(echo $CAPS_ALL)"
} > "$DESC/true-permissive.service"
SR_LIMITS=(); for l in $LIMITS; do SR_LIMITS+=(-p "$l"); done

daemon_pid() { systemctl show -p MainPID --value isolated.service; }

# rec ROW CMD...: CMD prints one sample; a failure is recorded as "fail".
rec() {
        local row=$1 out; shift
        if out=$("$@" 2>>"$OUT/errors") && [ -n "$out" ]; then
                echo "$out" >> "$OUT/$row"
        else
                echo fail >> "$OUT/$row"
                echo "($row failed: $*)" >> "$OUT/errors"
        fi
}

# --- latency: one run of every variant per round, the order rotating ---
variant() {
        local v=$1 i=$2 dir=$3
        case $v in
        iso_lifecycle)
                rec "$dir/iso_lifecycle" "$CLIENT" lifecycle "bench-lc-$i" "$DESC/true.service" ;;
        iso_ctl_wait)
                # The same name every run, as an administrator restarts one service (the headline row).
                rec "$dir/iso_ctl_wait" "$CLIENT" exec -- isolatectl -q start --wait bench-cw "$DESC/true.service"
                "$CLIENT" reset bench-cw 2>/dev/null || : ;;
        iso_ctl_netns | sr_scope_netns)
                # Right after another process's network namespace was torn down (its cleanup runs
                # asynchronously in the kernel and holds what a new namespace needs): both rows pay it.
                unshare --net true
                if [ "$v" = iso_ctl_netns ]; then
                        rec "$dir/$v" "$CLIENT" exec -- isolatectl -q start --wait bench-cw "$DESC/true.service"
                        "$CLIENT" reset bench-cw 2>/dev/null || :
                else
                        rec "$dir/$v" "$CLIENT" exec -- systemd-run --scope -q "${SR_LIMITS[@]}" true
                fi ;;
        bwrap)
                command -v bwrap > /dev/null || return 0
                rec "$dir/bwrap" "$CLIENT" exec -- bwrap --unshare-all --ro-bind / / --dev /dev --proc /proc \
                        --tmpfs /tmp --die-with-parent true ;;
        crun)
                [ -e "$OUT/oci/config.json" ] || return 0
                rec "$dir/crun" "$CLIENT" exec -- unshare -m --propagation private sh -c \
                        "mount --rbind / '$OUT/oci/rootfs' && exec crun --cgroup-manager=systemd run -b '$OUT/oci' bench-crun-$i" ;;
        iso_cost_default | iso_cost_hostroot | iso_cost_permissive)
                # The same name every run, as an administrator restarts one service.
                local d=${v#iso_cost_}
                rec "$dir/$v" "$CLIENT" exec -- isolatectl -q start --wait "bench-cost-$d" "$DESC/true-$d.service"
                "$CLIENT" reset "bench-cost-$d" 2>/dev/null || : ;;
        sr_scope)
                rec "$dir/sr_scope" "$CLIENT" exec -- systemd-run --scope -q "${SR_LIMITS[@]}" true ;;
        sr_wait)
                rec "$dir/sr_wait" "$CLIENT" exec -- systemd-run --wait -q -p PrivateNetwork=yes -p PrivateTmp=yes \
                        -p PrivateIPC=yes -p ProtectSystem=strict -p MemoryMax=64M true ;;
        unshare)
                rec "$dir/unshare" "$CLIENT" exec -- unshare --pid --fork --mount --uts --ipc --net --mount-proc true ;;
        iso_startstop)
                # start and stop of one long-running service: a pair, in this order.
                rec "$dir/iso_start" "$CLIENT" start "bench-ss-$i" "$DESC/sleep.service"
                rec "$dir/iso_stop" "$CLIENT" stop "bench-ss-$i" ;;
        esac
}
# crun (Debian's package): a minimal OCI bundle over the host root (read-only), the same limits,
# /bin/true; systemd's cgroup manager (a scope, as ours). crun cannot pivot_root into / itself
# ("Device or resource busy"; --no-pivot's MS_MOVE onto / fails too): its rootfs is a recursive
# bind of / made in a private mount namespace of its own (unshare -m, inside the timed command).
# Left out if crun cannot run it here.
oci_bundle() {
        command -v crun > /dev/null || return 0
        mkdir -p "$OUT/oci/rootfs" && (cd "$OUT/oci" && crun spec) || return 0
        python3 - "$OUT/oci/config.json" <<'PY' || { rm -f "$OUT/oci/config.json"; return 0; }
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["process"].update(terminal=False, args=["/bin/true"])
d["root"] = {"path": "rootfs", "readonly": True}
d["linux"]["resources"] = {"memory": {"limit": 64 << 20}, "pids": {"limit": 16},
                           "cpu": {"quota": 50000, "period": 100000}}
json.dump(d, open(p, "w"))
PY
        if ! unshare -m --propagation private sh -c "mount --rbind / '$OUT/oci/rootfs' &&
                        exec crun --cgroup-manager=systemd run -b '$OUT/oci' bench-crun-probe" > /dev/null 2>> "$OUT/crun-probe"; then
                echo "crun cannot run the bundle here: $(tail -1 "$OUT/crun-probe")" >> "$OUT/notes"
                rm -f "$OUT/oci/config.json"
        fi
}
oci_bundle
VARIANTS=(iso_lifecycle iso_ctl_wait sr_scope sr_wait unshare iso_startstop iso_cost_default iso_cost_hostroot iso_cost_permissive
          iso_ctl_netns sr_scope_netns bwrap crun)
# COST_ONLY=1 (run.sh --cost-only): only what the defaults cost per start, no throughput or footprint.
[ "${COST_ONLY:-0}" = 1 ] && VARIANTS=(iso_cost_default iso_cost_hostroot iso_cost_permissive)
K=${#VARIANTS[@]}

rec rss_daemon_fresh "$CLIENT" rss "$(daemon_pid)"

echo "warming up" >&2
for i in 0 1; do
        for v in "${VARIANTS[@]}"; do variant "$v" "w$i" warmup; done
done

echo "latency: $RUNS runs of ${K} variants, interleaved" >&2
for ((i = 0; i < RUNS; i++)); do
        for ((j = 0; j < K; j++)); do
                variant "${VARIANTS[$(((i + j) % K))]}" "$i" lat
        done
        (( (i + 1) % 10 == 0 )) && echo "  $((i + 1))/$RUNS" >&2
done
rec rss_daemon_idle "$CLIENT" rss "$(daemon_pid)"

# --- the four anchors of the contract as hyperfine measures them, in one invocation ---
if command -v hyperfine > /dev/null && [ "${COST_ONLY:-0}" != 1 ]; then
        echo "hyperfine: the four anchors, $HF_RUNS runs each" >&2
        # isolatectl under the same name every run; the ended record is reset before each run.
        hyperfine -N --runs "$HF_RUNS" --warmup 3 --export-json "$OUT/hyperfine.json" \
                --prepare "sh -c 'isolatectl -q reset-failed bench-hf || true'" \
                -n iso_ctl_wait "isolatectl -q start --wait bench-hf $DESC/true.service" \
                -n sr_scope "systemd-run --scope -q ${SR_LIMITS[*]} true" \
                -n sr_wait "systemd-run --wait -q -p PrivateNetwork=yes -p PrivateTmp=yes -p PrivateIPC=yes -p ProtectSystem=strict -p MemoryMax=64M true" \
                -n unshare "unshare --pid --fork --mount --uts --ipc --net --mount-proc true" \
                > "$OUT/hyperfine.txt" 2>> "$OUT/errors" || echo "(hyperfine failed)" >> "$OUT/errors"
fi
[ "${COST_ONLY:-0}" = 1 ] && exit 0

# --- throughput: N services at once, then stopped; rounds interleaved ---
tp_variant() {
        local v=$1 r=$2 names
        case $v in
        iso_many)
                rec tp/iso_many_start "$CLIENT" many-start "$N" "bench-tpa$r" "$DESC/sleep-plain.service"
                sleep 1
                rec rss_daemon_100 "$CLIENT" rss "$(daemon_pid)"
                rec tp/iso_many_stop "$CLIENT" many-stop "$N" "bench-tpa$r" ;;
        iso_ctl_par)
                rec tp/iso_ctl_start "$CLIENT" parallel "$N" -- isolatectl -q start "bench-tpc$r-%d" "$DESC/sleep-plain.service"
                sleep 1
                rec tp/iso_ctl_stop "$CLIENT" parallel "$N" -- isolatectl -q stop "bench-tpc$r-%d"
                names=$(seq -f "bench-tpc$r-%g" 0 $((N - 1)))
                # shellcheck disable=SC2086
                isolatectl -q reset-failed $names 2>/dev/null || : ;;
        sr_par)
                rec tp/sr_start "$CLIENT" parallel "$N" --until-exec "$(readlink -f /bin/sleep)" -- \
                        systemd-run --scope -q --unit "bench-tps$r-%d" sleep 1000
                sleep 1
                rec tp/sr_stop "$CLIENT" parallel "$N" -- systemctl stop "bench-tps$r-%d.scope" ;;
        esac
        sleep 1
}
TP_VARIANTS=(iso_many iso_ctl_par sr_par)
echo "throughput: $TP_RUNS rounds of $N services x ${#TP_VARIANTS[@]} variants, interleaved" >&2
for ((r = 0; r < TP_RUNS; r++)); do
        for ((j = 0; j < ${#TP_VARIANTS[@]}; j++)); do
                tp_variant "${TP_VARIANTS[$(((r + j) % ${#TP_VARIANTS[@]}))]}" "$r"
        done
done
rec rss_daemon_after "$CLIENT" rss "$(daemon_pid)"

# --- footprint of the inits, each supervising a sleep ---
# child_of PID: the first child of PID (unshare --fork's child is the init).
child_of() {
        local i c
        for i in $(seq 1 100); do
                c=$(awk '{print $1}' "/proc/$1/task/$1/children" 2>/dev/null)
                [ -n "$c" ] && { echo "$c"; return 0; }
                sleep 0.01
        done
        return 1
}
# mappings ROW PID: where the resident memory is, one "KiB-rss KiB-pss mapping" line
# per mapped file or kind of anonymous memory, largest share first, so a regression
# shows which part grew.
mappings() {
        {
                echo "== round $r"
                awk '/^[0-9a-f]+-[0-9a-f]+ /{name = NF >= 6 ? $6 : "[anon]"}
                     /^Rss:/{rss[name] += $2} /^Pss:/{pss[name] += $2}
                     END{for (n in rss) if (rss[n] > 0) printf "%6d %6d %s\n", rss[n], pss[n], n}' \
                        "/proc/$2/smaps" | sort -k2 -n -r
        } >> "$OUT/mappings_$1" 2>> "$OUT/errors"
}
echo "footprint" >&2
FP_ROUNDS=${FP_ROUNDS:-3}
for ((r = 0; r < FP_ROUNDS; r++)); do
        if "$CLIENT" start "bench-fp-$r" "$DESC/sleep-plain.service" > /dev/null; then
                sleep 1
                pid=$(isolatectl show -p InitPID --value "bench-fp-$r")
                rec rss_isolate_init "$CLIENT" rss "$pid"
                mappings isolate_init "$pid"
                "$CLIENT" stop "bench-fp-$r" > /dev/null
        else
                echo fail >> "$OUT/rss_isolate_init"
        fi
        for init in tini dumb-init; do
                if ! command -v $init > /dev/null; then
                        echo "n/a" >> "$OUT/rss_$init"
                        continue
                fi
                case $init in
                tini) cmd=(tini -- sleep 1000) ;;
                dumb-init) cmd=(dumb-init -- sleep 1000) ;;
                esac
                unshare --pid --fork --mount-proc "${cmd[@]}" < /dev/null > /dev/null 2>&1 &
                upid=$!
                if pid=$(child_of $upid); then
                        sleep 1
                        rec "rss_$init" "$CLIENT" rss "$pid"
                        mappings "$init" "$pid"
                        kill -KILL "$pid"
                else
                        echo fail >> "$OUT/rss_$init"
                        kill -KILL $upid
                fi
                wait $upid 2>/dev/null
        done
done
exit 0
