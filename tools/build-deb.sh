#!/bin/bash
# build-deb.sh: builds the Debian package (debian/) with dpkg-buildpackage -us -uc -b
# from a copy of the source tree in build-deb/src (the tree itself gets no debian/
# artifacts), after installing the build dependencies with apt-get, and runs lintian on
# the .changes (its report in build-deb/lintian.txt; an error fails the build).
# Prints the .deb's path on stdout; everything else goes to stderr.
#   DEB_OUT=DIR   where to build (default build-deb/ in the source tree)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${DEB_OUT:-$SRC/build-deb}
log() { echo "build-deb: $*" >&2; }
export DEBIAN_FRONTEND=noninteractive

# The tools and the Build-Depends of debian/control.
builddeps=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$SRC/debian/control" | sed -e '1s/^Build-Depends://' -e '/^[^ ]/d' |
        tr ',' '\n' | sed -e 's/(.*)//' -e 's/[[:space:]]//g' -e '/^$/d' -e 's/^debhelper-compat$/debhelper/')
need=()
for p in dpkg-dev fakeroot lintian $builddeps; do
        dpkg-query -W -f='${Status}\n' "$p" 2> /dev/null | grep -q '^install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]}"
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi

# A clean copy: the files git knows of (tracked, or new and not ignored), else the tree
# without build directories.
rm -rf "$OUT"
mkdir -p "$OUT/src"
if git -C "$SRC" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
        (cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
                while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
                cpio -0pdm --quiet "$OUT/src")
else
        tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$OUT/src" -xf -
fi

start=$(date +%s)
log "dpkg-buildpackage in $OUT/src"
(cd "$OUT/src" && dpkg-buildpackage -us -uc -b) > "$OUT/dpkg-buildpackage.log" 2>&1 || {
        tail -40 "$OUT/dpkg-buildpackage.log" >&2
        log "dpkg-buildpackage failed (the whole log: $OUT/dpkg-buildpackage.log)"
        exit 1
}
changes=$(ls "$OUT"/isolated_*.changes)
deb=$(ls "$OUT"/isolated_*.deb | grep -v dbgsym)
log "built $(basename "$deb") in $(($(date +%s) - start)) s"

lintian --info --display-info "$changes" > "$OUT/lintian.txt" 2>&1 || true
if grep -q '^E: ' "$OUT/lintian.txt"; then
        grep '^E: ' "$OUT/lintian.txt" >&2
        log "lintian reports errors ($OUT/lintian.txt)"
        exit 1
fi
log "lintian: $(grep -c '^E: ' "$OUT/lintian.txt") errors, $(grep -c '^W: ' "$OUT/lintian.txt") warnings," \
        "$(grep -c '^I: ' "$OUT/lintian.txt") notes ($OUT/lintian.txt)"
echo "$deb"
