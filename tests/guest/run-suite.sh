#!/bin/bash
# run-suite.sh [BUILD]: stages BUILD's install (default: build/, inside the source tree)
# and boots the guest to run the integration test files against its own systemd
# (tests/guest/run-integration-local.sh). ONLY=, SKIP= and TEST_TIMEOUT= are passed in.
# Exits 0 if every file passed; the results are in BUILD/integration-results-guest.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
case "$BUILD/" in
"$SRC"/*) ;;
*) echo "run-suite.sh: $BUILD is not inside $SRC" >&2; exit 2 ;;
esac
"$SRC/tests/harness/stage-install" "$BUILD" "$BUILD/stage-guest"
script=$(mktemp)
trap 'rm -f "$script"' EXIT
printf 'export ONLY=%q SKIP=%q TEST_TIMEOUT=%q\nexec bash %q %q\n' "${ONLY:-}" "${SKIP:-}" "${TEST_TIMEOUT:-900}" \
        "$SRC/tests/guest/run-integration-local.sh" "$BUILD" > "$script"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-3600} "$SRC/tools/guest/run.sh" "$script" "$SRC"
