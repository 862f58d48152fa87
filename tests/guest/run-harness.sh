#!/bin/bash
# run-harness.sh [BUILD]: the harness (tests/harness/systemd-harness) on cgroup v2: boots
# the guest and runs tests/integration/run-integration.sh there, a throwaway systemd in
# namespaces under the guest's own, for the files HARNESS_FILES names (default
# "start-errors isolatectl": one plain, one that execs much into the harness). BUILD
# (default build/, inside the source tree) is staged as run-integration.sh does. Exits 0
# if every file passed.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
case "$BUILD/" in
"$SRC"/*) ;;
*) echo "run-harness.sh: $BUILD is not inside $SRC" >&2; exit 2 ;;
esac
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat > "$script" <<SCRIPT
rc=0
for f in ${HARNESS_FILES:-start-errors isolatectl}; do
        echo "=== harness on \$(stat -fc %T /sys/fs/cgroup): \$f"
        t=\$(date +%s)
        ONLY=\$f bash $(printf %q "$SRC/tests/integration/run-integration.sh") $(printf %q "$BUILD") > /tmp/harness-\$f.log 2>&1
        grep -E '^(not ok|--- |# [0-9]+ passed|systemd-harness|Failed|Cannot)' /tmp/harness-\$f.log
        echo "=== \$f: \$(( \$(date +%s) - t )) s; results: \$(tr '\n' ' ' < $(printf %q "$BUILD")/integration-results)"
        if [ ! -s $(printf %q "$BUILD")/integration-results ] || grep -qvE '^0 ' $(printf %q "$BUILD")/integration-results; then
                rc=1
                tail -40 /tmp/harness-\$f.log
        fi
done
exit \$rc
SCRIPT
"$SRC/tools/guest/run.sh" "$script" "$SRC"
