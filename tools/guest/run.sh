#!/bin/bash
# run.sh SCRIPT [SHARE]: boots the guest image (tools/guest/build-image.sh, built or
# taken from its cache) under qemu TCG, with the host directory SHARE mounted over 9p
# at the same path in the guest, runs SCRIPT there as root (bash, from a oneshot unit
# after multi-user.target, GUEST_SHARE=SHARE in its environment), powers off and exits
# with SCRIPT's status. Its output is printed as it comes.
#
# The guest's disk is a snapshot: every run starts from the image as built. The run's
# control directory (the script, its output and status, the guest's console) is a 9p
# share too, kept as $GUEST_DIR/last-run. The guest has a network interface as a host
# has (a probe compares its own with the host's), restricted: it reaches nothing. GUEST_TIMEOUT (seconds, default 1800) bounds
# the whole run: qemu is killed then, and run.sh exits 124.
# Exit: the script's status; 124 timeout; 125 the guest never ran the script.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
export GUEST_DIR=${GUEST_DIR:-$SRC/build-guest}
TIMEOUT=${GUEST_TIMEOUT:-1800}
MEM=${GUEST_MEM:-2048}

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 SCRIPT [SHARE]" >&2; exit 2; }
script=$1
[ -f "$script" ] || { echo "run.sh: no script $script" >&2; exit 2; }
share=
if [ $# = 2 ]; then
        share=$(cd "$2" && pwd) || exit 2
fi

img=$("$here/build-image.sh") || { echo "run.sh: no image" >&2; exit 125; }
ctl=$(mktemp -d "$GUEST_DIR/.run.XXXXXX")
chmod 755 "$ctl"
cp "$script" "$ctl/script"
qemu=
tailer=
cleanup() {
        [ -n "$qemu" ] && kill -9 "$qemu" 2> /dev/null && wait "$qemu" 2> /dev/null
        [ -n "$tailer" ] && kill "$tailer" 2> /dev/null && wait "$tailer" 2> /dev/null
        rm -rf "$GUEST_DIR/last-run"
        mv "$ctl" "$GUEST_DIR/last-run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

virtfs=(-virtfs "local,path=$ctl,mount_tag=ctl,security_model=passthrough,id=ctl")
cmdline="root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 systemd.wants=guest-run.service"
cmdline+=" systemd.show_status=false loglevel=4"
if [ -n "$share" ]; then
        virtfs+=(-virtfs "local,path=$share,mount_tag=share,security_model=passthrough,id=share")
        cmdline+=" guest.share=$share"
fi

t0=$(date +%s.%N)
qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -smp 2 -m "$MEM" \
        -nodefaults -no-reboot -display none -monitor none \
        -nic user,model=virtio-net-pci,restrict=on \
        -serial "file:$ctl/console" \
        -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$cmdline" \
        -drive "file=$img/rootfs.ext4,format=raw,if=virtio,snapshot=on" \
        "${virtfs[@]}" < /dev/null > "$ctl/qemu.log" 2>&1 &
qemu=$!

since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
t_started= t_done=
deadline=$(( $(date +%s) + TIMEOUT ))
rc=125
while kill -0 "$qemu" 2> /dev/null; do
        if [ -z "$t_started" ] && [ -f "$ctl/started" ]; then
                t_started=$(date +%s.%N)
                echo "run.sh: the guest booted in $(since "$t0") s; running $script" >&2
                touch "$ctl/output"
                tail -n +1 -f "$ctl/output" &
                tailer=$!
        fi
        if [ -z "$t_done" ] && [ -f "$ctl/status" ]; then
                t_done=$(date +%s.%N)
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
                echo "run.sh: timeout after $TIMEOUT s: killing qemu" >&2
                rc=124
                break
        fi
        sleep 0.2
done
if [ $rc != 124 ]; then
        wait "$qemu"
        qrc=$?
        qemu=
        t_end=$(date +%s.%N)
fi
if [ -n "$tailer" ]; then
        sleep 0.3
        kill "$tailer" 2> /dev/null
        wait "$tailer" 2> /dev/null
        tailer=
fi
if [ $rc != 124 ]; then
        if [ -f "$ctl/status" ]; then
                rc=$(cat "$ctl/status")
                [ -z "$t_done" ] && t_done=$t_end
                echo "run.sh: boot $(awk -v a="$t0" -v b="$t_started" 'BEGIN { printf "%.1f", b - a }') s," \
                        "script $(awk -v a="$t_started" -v b="$t_done" 'BEGIN { printf "%.1f", b - a }') s," \
                        "poweroff $(awk -v a="$t_done" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }') s;" \
                        "script status $rc" >&2
                # The guest's side: its uptime when the script started, and systemd's own count.
                awk '$1 == "uptime" { u = $2 } $1 == "multi-user.target" { m = $2 / 1e6 } $1 == "script" { s = $2 }
                        END { printf "run.sh: guest clock: multi-user.target %.1f s after the kernel started," \
                                " the script at %.1f s, for %.1f s\n", m, u, s }' \
                        "$ctl/started" >&2
                [ -f "$ctl/systemd-analyze" ] && echo "run.sh: guest: $(head -1 "$ctl/systemd-analyze")" >&2
        else
                echo "run.sh: qemu ended ($qrc) without the script's status; the console's end:" >&2
                tail -30 "$ctl/console" >&2
                rc=125
        fi
fi
echo "run.sh: console, output and status in $GUEST_DIR/last-run" >&2
exit "$rc"
