#!/bin/bash
# Installs the build into a staging tree, boots a throwaway systemd with the
# staging tree overlaid on /usr, starts isolated.service there the way an
# administrator does, runs every tests/integration/test-*.sh inside, and
# leaves nothing behind. Writes "RC NAME" lines to BUILD/integration-results.
set -uo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HARNESS=$SRC/tests/harness/systemd-harness
RESULTS=$BUILD/integration-results
STAGE=$BUILD/stage
STATE=$(mktemp -d /tmp/isolated-harness.XXXXXX)
: > "$RESULTS"

cleanup() {
        "$HARNESS" shutdown "$STATE" || echo "harness shutdown failed" >&2
        rm -rf "$STATE"
}
trap cleanup EXIT

"$SRC/tests/harness/stage-install" "$BUILD" "$STAGE" || exit 1

# The sources and the build may live under /tmp, which is private inside.
HARNESS_KEEP="$SRC $BUILD" "$HARNESS" boot "$STATE" "$STAGE" || exit 1
inside() { "$HARNESS" exec "$STATE" "$@"; }

if ! inside systemctl start isolated.service; then
        inside journalctl -u isolated.service --no-pager | tail -30
        echo "1 isolated.service-starts" >> "$RESULTS"
        exit 1
fi
echo "0 isolated.service-starts" >> "$RESULTS"

# selected NAME: whether ONLY= selects the test file NAME, printing the CASE it names. ONLY is
# words separated by spaces or commas (as tests/guest/run-integration-local.sh takes them), each
# FILE (a part of the file's name) or FILE:CASE (CASE: a case of the file's testcase_CASE
# functions, or several: A+B; lib.sh's run_testcases runs them).
selected() {
        local w
        [ -z "${ONLY:-}" ] && return 0
        for w in ${ONLY//,/ }; do
                if [[ "$1" == *"${w%%:*}"* ]]; then
                        [[ "$w" == *:* ]] && echo "${w#*:}"
                        return 0
                fi
        done
        return 1
}

for t in "$SRC"/tests/integration/test-*.sh; do
        name=$(basename "$t" .sh)
        case_=$(selected "$name") || continue
        echo "--- $name"
        since=$(date '+%Y-%m-%d %H:%M:%S')
        timeout 300 "$HARNESS" exec "$STATE" env SRC="$SRC" BUILD="$BUILD" TESTS="$SRC/tests/integration" \
                CASE="$case_" bash "$t"
        rc=$?
        if [ $rc != 0 ]; then
                echo "--- $name failed ($rc); isolated's journal:"
                inside journalctl -u isolated.service --since "$since" --no-pager -q | tail -40
        fi
        echo "$rc $name" >> "$RESULTS"

        # After every test: the daemon is up and no scope or state file is left. systemd collects
        # a stopped scope a moment after its stop job is done: wait for that (bounded) before
        # calling what is there a leftover.
        for i in $(seq 1 50); do
                left=$(inside systemctl list-units --all --plain --no-legend 'isolated-*.scope' | awk '{print $1}')
                states=$(inside sh -c 'ls /run/isolated/state 2>/dev/null')
                [ -z "$left" ] && [ -z "$states" ] && break
                sleep 0.1
        done
        active=$(inside systemctl is-active isolated.service)
        # A test may mask units for a while (test-toolbox's simulated boot): never isolated's own.
        masked=$(inside systemctl is-enabled isolated.service 2>/dev/null | grep masked)
        if [ -n "$left" ] || [ "$active" != active ] || [ -n "$states" ] || [ -n "$masked" ]; then
                echo "--- after $name: daemon '$active'${masked:+ ($masked)}, scopes left: '$left', state files: '$states'"
                echo "1 $name-leaves-nothing" >> "$RESULTS"
                inside sh -c 'for u in $(systemctl list-units --all --plain --no-legend "isolated-*.scope" | awk "{print \$1}"); do systemctl stop "$u"; done'
                [ -z "$masked" ] || inside systemctl unmask --runtime isolated.service
                [ "$active" = active ] || inside systemctl restart isolated.service
        else
                echo "0 $name-leaves-nothing" >> "$RESULTS"
        fi
done

# A sanitizer build reports from the daemon's (and the inits') stderr, which is the journal.
inside systemctl stop isolated.service
# LeakSanitizer cannot run at all in a process that may not ptrace (a child that
# ended inside a sandbox whose seccomp filter denies it): that is its failure to
# look, said in two lines of its own, not a finding; everything else is.
reports=$(inside journalctl -o cat --no-pager |
        grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' |
        grep -vE 'LeakSanitizer has encountered a fatal error|HINT: LeakSanitizer does not work under ptrace' |
        head -20)
if [ -n "$reports" ]; then
        echo "--- sanitizer reports in the journal:"
        echo "$reports"
        echo "1 no-sanitizer-reports" >> "$RESULTS"
else
        echo "0 no-sanitizer-reports" >> "$RESULTS"
fi
exit 0
