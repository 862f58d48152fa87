#!/bin/bash
# Median time to parse a typical description (bench/parse-bench.c), from a
# release build of src/shared. Prints one JSON line.
#   bench/parse.sh [BATCHES]     (100 parses per batch; default 200)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '#define PACKAGE_VERSION "bench"\n#define ISOLATE_INIT_PATH "/nonexistent"\n#define ISOLATED_SYSCONF_DIR "/etc/isolated"\n' > "$out/config.h"
cc -O2 -D_GNU_SOURCE -I"$SRC/src/shared" -I"$out" "$SRC/bench/parse-bench.c" "$SRC"/src/shared/*.c \
        $(pkg-config --cflags --libs libsystemd libcap libseccomp) -o "$out/parse-bench"
"$out/parse-bench" "${1:-200}"
