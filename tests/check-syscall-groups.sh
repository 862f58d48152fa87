#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# src/shared/syscall-groups.c is what tools/generate-syscall-groups.sh makes of the machine's
# systemd, when that is systemd 252 (other versions have other groups: skipped, 77).
set -eu
src=${1:?usage: check-syscall-groups.sh SRCDIR}
command -v systemd-analyze >/dev/null 2>&1 || { echo "no systemd-analyze: skipped"; exit 77; }
version=$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
[ "$version" = 252 ] || { echo "systemd $version, not 252: skipped"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$src/tools/generate-syscall-groups.sh" > "$out"
diff -u "$src/src/shared/syscall-groups.c" "$out"
