#!/bin/bash
# build-image.sh: builds the Debian 12 guest (systemd as PID 1, Debian's 6.1 kernel)
# from Debian's packages: an ext4 root image and the kernel, and a small busybox
# initramfs that boots them. Prints the image's directory on stdout (everything
# else goes to stderr): rootfs.ext4, vmlinuz, initrd.img, kernel-version, build-time.
#
# Two stages, each cached under $GUEST_DIR (default: build-guest/ in the source tree):
# - the root image (mmdebstrap, a few minutes), keyed by a hash of the package list
#   (tools/guest/packages) and of build_rootfs below;
# - the initramfs (seconds), keyed by a hash of build_initramfs and of the files it
#   carries: its init (initramfs-init) puts the script runner (guest-run,
#   guest-run.service) into the guest's root at every boot, so changing how scripts run
#   does not rebuild the root.
# A run with nothing changed only prints the directory. GUEST_REBUILD=1 rebuilds both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
GUEST_DIR=${GUEST_DIR:-$SRC/build-guest}
SUITE=bookworm
MIRROR=${GUEST_MIRROR:-http://deb.debian.org/debian}
SECURITY=${GUEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

log() { echo "build-image: $*" >&2; }
packages() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages" | tr -d ' \t'; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'; }

# build_rootfs DIR: DIR/rootfs.ext4, DIR/vmlinuz, DIR/kernel-version and DIR/modules/ (the
# modules the initramfs loads to reach the root and the shares, dependencies first, in
# DIR/modules/order).
build_rootfs() {
        local dir=$1 root=$1/root kver moddir m p b size
        local modules="virtio_pci virtio_blk crc32c_generic ext4 9pnet_virtio 9p"

        log "mmdebstrap $SUITE ($(packages | wc -l) packages)"
        mmdebstrap --quiet --variant=minbase --include="$(packages | paste -sd,)" \
                --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
                --dpkgopt='path-exclude=/usr/share/locale/*' \
                "$SUITE" "$root" \
                "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
                "deb $SECURITY $SUITE-security main" >&2

        # A fixed identity, the root from /dev/vda; the daemons the tests isolate installed
        # but not started at boot (as tools/install-deps.sh leaves them); no login prompt.
        echo guest > "$root/etc/hostname"
        printf '127.0.0.1 localhost\n127.0.1.1 guest\n::1 localhost\n' > "$root/etc/hosts"
        head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$root/etc/machine-id"
        echo >> "$root/etc/machine-id"
        printf '/dev/vda / ext4 rw,errors=remount-ro 0 0\n' > "$root/etc/fstab"
        for u in nginx.service memcached.service ssh.service proftpd.service apt-daily.timer apt-daily-upgrade.timer \
                e2scrub_all.timer fstrim.timer man-db.timer; do
                systemctl --root="$root" disable "$u" > /dev/null 2>&1 || true
        done
        systemctl --root="$root" mask serial-getty@ttyS0.service getty@tty1.service > /dev/null 2>&1
        rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages

        kver=$(basename "$(ls -d "$root"/usr/lib/modules/* | sort -V | tail -1)")
        cp "$root/boot/vmlinuz-$kver" "$dir/vmlinuz"
        echo "$kver" > "$dir/kernel-version"
        moddir=$root/usr/lib/modules/$kver
        mkdir -p "$dir/modules"
        declare -A seen=()
        local -a order=()
        modpath() { # the path in modules.dep of module $1 (- and _ alike), empty if built in
                awk -F: -v n="${1//-/_}" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
                        gsub(/-/, "_", b); if (b == n) { print $1; exit } }' "$moddir/modules.dep"
        }
        add_module() { # $1: a path in modules.dep, after its dependencies
                local d
                [ -n "${seen[$1]:-}" ] && return 0
                seen[$1]=1
                for d in $(awk -F: -v p="$1" '$1 == p { print $2; exit }' "$moddir/modules.dep"); do
                        add_module "$d"
                done
                order+=("$1")
        }
        for m in $modules; do
                p=$(modpath "$m")
                if [ -z "$p" ]; then
                        grep -q "/${m//_/[_-]}.ko" "$moddir/modules.builtin" || { log "no module $m in $kver"; return 1; }
                        continue
                fi
                add_module "$p"
        done
        for p in "${order[@]}"; do
                b=$(basename "$p")
                case "$b" in
                *.ko.xz) xz -dc "$moddir/$p" > "$dir/modules/${b%.xz}"; b=${b%.xz} ;;
                *.ko.zst) zstd -qdc "$moddir/$p" > "$dir/modules/${b%.zst}"; b=${b%.zst} ;;
                *) cp "$moddir/$p" "$dir/modules/$b" ;;
                esac
                echo "$b" >> "$dir/modules/order"
        done
        # Debian's own initramfs is not used.
        rm -f "$root"/boot/initrd.img*

        size=$(( $(du -sm "$root" | cut -f1) + 1536 ))
        mkfs.ext4 -q -F -L guest -d "$root" "$dir/rootfs.ext4" "${size}M" >&2
        rm -rf "$root"
        packages > "$dir/packages"
}

# build_initramfs ROOTFSDIR OUT: busybox, the modules, the init and the script runner.
build_initramfs() {
        local ird=$2.d
        rm -rf "$ird"
        mkdir -p "$ird"/{bin,dev,proc,sys,newroot,guest}
        cp "$(command -v busybox)" "$ird/bin/busybox"
        install -m 755 "$here/initramfs-init" "$ird/init"
        cp -r "$1/modules" "$ird/modules"
        install -m 755 "$here/guest-run" "$ird/guest/guest-run"
        install -m 644 "$here/guest-run.service" "$ird/guest/guest-run.service"
        (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$2.tmp"
        rm -rf "$ird"
        mv "$2.tmp" "$2"
}

hash() { sha256sum | cut -c1-16; }
rootfs_key=$( (cat "$here/packages"; declare -f build_rootfs) | hash)
rootfs=$GUEST_DIR/rootfs-$rootfs_key

# The host's tools, from Debian's archive.
need=()
for t in mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs cpio:cpio qemu-system-x86_64:qemu-system-x86 \
        xz:xz-utils zstd:zstd; do
        command -v "${t%%:*}" > /dev/null || need+=("${t#*:}")
done
# busybox must be the static one: it runs alone in the initramfs.
dpkg -s busybox-static > /dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]}"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
mkdir -p "$GUEST_DIR"

if [ -n "${GUEST_REBUILD:-}" ] || [ ! -f "$rootfs/done" ]; then
        tmp=$(mktemp -d "$GUEST_DIR/.rootfs.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        start=$(date +%s.%N)
        build_rootfs "$tmp"
        echo "root image: $(elapsed "$start") s, kernel $(cat "$tmp/kernel-version"), $(du -m --apparent-size \
                "$tmp/rootfs.ext4" | cut -f1) MB" > "$tmp/build-time"
        : > "$tmp/done"
        rm -rf "$rootfs"
        mv "$tmp" "$rootfs"
        trap - EXIT
        log "built $rootfs: $(cat "$rootfs/build-time")"
        # Older root images (another package list or recipe): 2 GB each, not used again.
        for old in "$GUEST_DIR"/rootfs-*; do
                [ "$old" = "$rootfs" ] || rm -rf "$old"
        done
else
        log "cached root image: $rootfs"
fi

initrd_key=$( (declare -f build_initramfs; cat "$here/initramfs-init" "$here/guest-run" "$here/guest-run.service" \
        "$rootfs/modules/order" "$(command -v busybox)") | hash)
if [ -n "${GUEST_REBUILD:-}" ] || [ ! -f "$rootfs/initrd-$initrd_key.img" ]; then
        rm -f "$rootfs"/initrd-*.img
        build_initramfs "$rootfs" "$rootfs/initrd-$initrd_key.img"
        log "built the initramfs $rootfs/initrd-$initrd_key.img"
fi
ln -sfn "initrd-$initrd_key.img" "$rootfs/initrd.img"
echo "$rootfs"
