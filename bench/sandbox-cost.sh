#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the sandbox adds to a service start (bench/sandbox-cost.c): the init's own
# sandbox code (src/isolate-init but its main(), and src/shared) and the daemon's part
# for a user namespace (src/isolated/host-mounts.c), built -O2, timed
# in-process for the default and a permissive description, interleaved. As root;
# every mount happens in the bench's own throwaway namespaces. Prints a table and,
# last, one JSON line.
#   bench/sandbox-cost.sh [--src TREE] [RUNS [KEY=VALUE...]]
#       RUNS per description (default 300); TREE: the sources to build (default this one);
#       KEY=VALUE...: compare the default with the default plus these keys (what one key costs)
#       instead of with the permissive description
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --src ]; then
        TREE=$(cd "$2" && pwd)
        shift 2
else
        TREE=$SRC
fi
[ "$(id -u)" = 0 ] || { echo "sandbox-cost.sh: must run as root (it mounts, in its own namespaces)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '#define PACKAGE_VERSION "bench"\n#define ISOLATE_INIT_PATH "/nonexistent"\n#define ISOLATED_SYSCONF_DIR "/etc/isolated"\n' > "$out/config.h"
# Every source of the init but its main(), as its core library has them.
init_sources=$(ls "$TREE"/src/isolate-init/*.c | grep -v '/isolate-init\.c$')
# shellcheck disable=SC2086
cc -O2 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -D_GNU_SOURCE \
        -I"$TREE/src/isolate-init" -I"$TREE/src/isolated" -I"$TREE/src/shared" -I"$out" "$SRC/bench/sandbox-cost.c" \
        $init_sources "$TREE/src/isolated/host-mounts.c" "$TREE"/src/shared/*.c \
        $(pkg-config --cflags --libs libsystemd libcap libseccomp) -o "$out/sandbox-cost"
"$out/sandbox-cost" "${1:-300}" "${@:2}"
