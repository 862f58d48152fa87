#!/bin/bash
# build-image.sh: builds the Debian 12 guest (systemd as PID 1, Debian's 6.1 kernel)
# from Debian's packages: an ext4 root image, the kernel and a small busybox
# initramfs. Prints the image's directory on stdout (everything else goes to stderr).
#
# The image is cached under $GUEST_DIR (default: build-guest/ in the source tree),
# keyed by a hash of the package list (tools/guest/packages), this script and the
# files it puts into the image: a second run with nothing changed only prints the
# directory. GUEST_REBUILD=1 rebuilds all the same.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
GUEST_DIR=${GUEST_DIR:-$SRC/build-guest}
SUITE=bookworm
MIRROR=${GUEST_MIRROR:-http://deb.debian.org/debian}
SECURITY=${GUEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# What the initramfs loads to reach the root and the shares (with their dependencies).
INITRAMFS_MODULES="virtio_pci virtio_blk crc32c_generic ext4 9pnet_virtio 9p"

log() { echo "build-image: $*" >&2; }

packages() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages" | tr -d ' \t'; }

key=$(cat "$here/packages" "$here/build-image.sh" "$here/initramfs-init" "$here/guest-run" \
        "$here/guest-run.service" | sha256sum | cut -c1-16)
out=$GUEST_DIR/image-$key

if [ -z "${GUEST_REBUILD:-}" ] && [ -f "$out/done" ]; then
        log "cached: $out"
        echo "$out"
        exit 0
fi

# The host's tools, from Debian's archive.
need=()
for t in mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs busybox:busybox-static cpio:cpio \
        qemu-system-x86_64:qemu-system-x86 xz:xz-utils zstd:zstd; do
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
tmp=$(mktemp -d "$GUEST_DIR/.build.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
root=$tmp/root
start=$(date +%s.%N)

log "mmdebstrap $SUITE ($(packages | wc -l) packages) into $root"
mmdebstrap --quiet --variant=minbase --include="$(packages | paste -sd,)" \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        "$SUITE" "$root" \
        "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY $SUITE-security main" >&2
t_debootstrap=$(date +%s.%N)

# The system: a fixed identity, the root from /dev/vda, the script runner; the daemons
# the tests isolate installed but not started at boot (as tools/install-deps.sh leaves them).
echo guest > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 guest\n::1 localhost\n' > "$root/etc/hosts"
echo "$key$key" > "$root/etc/machine-id"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 0\n' > "$root/etc/fstab"
install -m 755 "$here/guest-run" "$root/usr/local/sbin/guest-run"
install -m 644 "$here/guest-run.service" "$root/etc/systemd/system/guest-run.service"
for u in nginx.service memcached.service ssh.service apt-daily.timer apt-daily-upgrade.timer \
        e2scrub_all.timer fstrim.timer man-db.timer; do
        systemctl --root="$root" disable "$u" > /dev/null 2>&1 || true
done
# No login prompt on the console the host logs.
systemctl --root="$root" mask serial-getty@ttyS0.service getty@tty1.service > /dev/null 2>&1
rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages

kver=$(basename "$(ls -d "$root"/usr/lib/modules/* | sort -V | tail -1)")
mkdir -p "$tmp/out"
cp "$root/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
echo "$kver" > "$tmp/out/kernel-version"

# The initramfs: busybox, the modules in load order (dependencies first), the init.
ird=$tmp/initramfs
mkdir -p "$ird"/{bin,dev,proc,sys,newroot,modules}
cp "$(command -v busybox)" "$ird/bin/busybox"
install -m 755 "$here/initramfs-init" "$ird/init"
moddir=$root/usr/lib/modules/$kver
declare -A loaded=()
order=()
modpath() { # the path in modules.dep of module $1 (- and _ are the same), empty if built in
        local n=${1//-/_}
        awk -F: -v n="$n" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b);
                if (b == n) { print $1; exit } }' "$moddir/modules.dep"
}
add_module() { # $1: a path in modules.dep
        local p=$1 d
        [ -n "${loaded[$p]:-}" ] && return 0
        loaded[$p]=1
        for d in $(awk -F: -v p="$p" '$1 == p { print $2; exit }' "$moddir/modules.dep"); do
                add_module "$d"
        done
        order+=("$p")
}
for m in $INITRAMFS_MODULES; do
        p=$(modpath "$m")
        if [ -z "$p" ]; then
                grep -q "/${m//_/[_-]}.ko" "$moddir/modules.builtin" || { log "no module $m in $kver"; exit 1; }
                continue
        fi
        add_module "$p"
done
for p in "${order[@]}"; do
        b=$(basename "$p")
        case "$b" in
        *.ko.xz) xz -dc "$moddir/$p" > "$ird/modules/${b%.xz}"; b=${b%.xz} ;;
        *.ko.zst) zstd -qdc "$moddir/$p" > "$ird/modules/${b%.zst}"; b=${b%.zst} ;;
        *) cp "$moddir/$p" "$ird/modules/$b" ;;
        esac
        echo "$b" >> "$ird/modules/order"
done
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/out/initrd.img"
# Debian's own initramfs is not used: leave it out of the image.
rm -f "$root"/boot/initrd.img*

size=$(( $(du -sm "$root" | cut -f1) + 1536 ))
mkfs.ext4 -q -F -L guest -d "$root" "$tmp/out/rootfs.ext4" "${size}M" >&2
t_end=$(date +%s.%N)
packages > "$tmp/out/packages"
awk -v s="$start" -v d="$t_debootstrap" -v e="$t_end" -v k="$kver" -v m="$size" \
        'BEGIN { printf "mmdebstrap %.0f s, total %.0f s, kernel %s, image %s MB\n", d - s, e - s, k, m }' \
        > "$tmp/out/build-time"
: > "$tmp/out/done"
rm -rf "$out"
mv "$tmp/out" "$out"
# Older images (another package list or script): 2 GB each, not used again.
for old in "$GUEST_DIR"/image-*; do
        [ "$old" = "$out" ] || rm -rf "$old"
done
log "built $out: $(cat "$out/build-time")"
echo "$out"
