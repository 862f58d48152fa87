#!/bin/bash
# run-first.sh [BUILD]: stages BUILD's install (default: build/ in the source tree, which
# must lie inside it: the guest sees the source tree only) and boots the guest to run
# tests/guest/first-run.sh there. Exits with its status (tools/guest/run.sh's codes).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
case "$BUILD/" in
"$SRC"/*) ;;
*) echo "run-first.sh: $BUILD is not inside $SRC" >&2; exit 2 ;;
esac
"$SRC/tests/harness/stage-install" "$BUILD" "$BUILD/stage-guest"
script=$(mktemp)
trap 'rm -f "$script"' EXIT
printf 'export SRC=%q BUILD=%q\nexec bash "$SRC/tests/guest/first-run.sh"\n' "$SRC" "$BUILD" > "$script"
"$SRC/tools/guest/run.sh" "$script" "$SRC"
