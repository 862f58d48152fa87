#!/bin/bash
# The survey of issue 15, re-runnable: how Debian 12's daemons fare from their
# stock unit files under the build given (default ./build, as tests/run.sh
# builds it). Runs the corpus tests in a throwaway harness with REPORT=1:
#   - test-debian-units.sh: every system unit of ~90 daemon packages (apt-get
#     download), a template as the instance an administrator starts, verified;
#     per unit ok / users (verifies once its package's user exists) / FAILS and
#     the first error;
#   - test-debian-daemons*.sh: the daemons tools/install-deps.sh installs, each
#     started from its stock unit (learn --apply where needed), asked a real
#     request and stopped; per daemon unchanged / learned (and what the unchanged
#     attempt said) / FAILS and the first error lines (of isolatectl, then of
#     the journal of that attempt).
# Prints the lines and the counts; the whole log is kept in BUILD/survey-log.
#
#   tools/survey-daemons.sh [BUILD] [CASES]
#
# CASES (optional) is what ONLY= takes after the file (nginx+redis): only
# those daemons of the run stage, and no verify stage. Needs root, as the tests.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd) || exit 2
cases=${2:-}
log=$BUILD/survey-log
if [ -n "$cases" ]; then
        only="debian-daemons:$cases"
else
        only="debian-units debian-daemons"
fi
[ -e "$BUILD/build.ninja" ] || { echo "no build in $BUILD (meson setup first)" >&2; exit 2; }
meson compile -C "$BUILD" >/dev/null || exit 1
ONLY=$only REPORT=1 bash "$SRC/tests/integration/run-integration.sh" "$BUILD" > "$log" 2>&1

echo "== verify stage (test-debian-units.sh)"
grep '^# corpus:' "$log" | sed 's/^# //'
grep -E '^# (FAILS|users) ' "$log" | sed 's/^# //'
echo
echo "== run stage (test-debian-daemons*.sh)"
grep '^# survey ' "$log" | sed 's/^# survey //'
unchanged=$(grep -cE '^# survey +[^ ]+ +unchanged$' "$log")
learned=$(grep -cE '^# survey +[^ ]+ +learned(;|$)' "$log")
total=$(grep -c '^# survey ' "$log")
echo
echo "== $total daemons: $unchanged run and answer unchanged, $learned with a learned drop-in, $((total - unchanged - learned)) fail"
echo "(whole log: $log)"
