#!/bin/bash
# run-integration-local.sh BUILD: tests/integration/run-integration.sh without the harness:
# runs the integration test files against the systemd this machine booted (PID 1), as the
# guest has it. Installs BUILD's staged tree (BUILD/stage-guest, made by
# tests/harness/stage-install) over /, starts isolated.service, runs every
# tests/integration/test-*.sh (ONLY=FILE or ONLY=FILE:CASE as in run-integration.sh, or
# ONLY=FILE,FILE...),
# checks after each that nothing is left, and writes "RC NAME" lines to
# BUILD/integration-results-guest. Meant for a throwaway machine: it installs into /.
# INSTALLED=1 tests what is installed instead (the Debian package: tests/guest/run-ci.sh):
# nothing is staged or copied, BUILD only gives the test fixtures (tests/fixtures,
# tests/integration's probes).
set -uo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=$BUILD/integration-results-guest
STAGE=$BUILD/stage-guest
: > "$RESULTS"

[ "$(cat /proc/1/comm)" = systemd ] || { echo "PID 1 is not systemd" >&2; exit 1; }
if [ -n "${INSTALLED:-}" ]; then
        [ -x /usr/bin/isolatectl ] || { echo "isolated is not installed" >&2; exit 1; }
        echo "--- testing the installed isolated: $(/usr/sbin/isolated --version)" \
                "$(dpkg-query -W -f='(package ${Package} ${Version})' isolated 2> /dev/null)"
else
        [ -x "$STAGE/usr/bin/isolatectl" ] || { echo "no staged install in $STAGE" >&2; exit 1; }
        cp -a "$STAGE/." /
        systemctl daemon-reload
        systemctl reload dbus.service
        systemd-tmpfiles --create > /dev/null 2>&1
fi

if ! systemctl start isolated.service; then
        journalctl -u isolated.service --no-pager | tail -30
        echo "1 isolated.service-starts" >> "$RESULTS"
        exit 1
fi
echo "0 isolated.service-starts" >> "$RESULTS"

# skipped NAME: whether a pattern of SKIP matches the whole NAME ([[ == ]] matches extglob's
# patterns; read splits SKIP without expanding the patterns against the directory).
skipped() {
        local p ps=()
        IFS=', ' read -ra ps <<< "${SKIP:-}"
        for p in "${ps[@]}"; do
                # shellcheck disable=SC2053 # (a pattern, unquoted on purpose)
                [[ "$1" == $p ]] && return 0
        done
        return 1
}

for t in "$SRC"/tests/integration/test-*.sh; do
        name=$(basename "$t" .sh)
        # ONLY=A,B,...: the files whose names contain any of them.
        if [ -n "${ONLY:-}" ]; then
                want=
                for o in ${ONLY//,/ }; do
                        [[ "$name" == *"${o%%:*}"* ]] && want=1
                done
                [ -n "$want" ] || continue
        fi
        # SKIP=NAME,NAME: files this machine cannot run (said in the results as rc 77); each NAME
        # is a bash pattern (extglob) the whole file name must match: test-debian-daemons!(-ftp)
        # is every test-debian-daemons* file but test-debian-daemons-ftp.
        if skipped "$name"; then
                echo "--- $name skipped${SKIP_REASON:+: $SKIP_REASON}"
                echo "77 $name" >> "$RESULTS"
                continue
        fi
        echo "--- $name"
        since=$(date '+%Y-%m-%d %H:%M:%S')
        t0=$(date +%s)
        timeout "${TEST_TIMEOUT:-900}" env SRC="$SRC" BUILD="$BUILD" TESTS="$SRC/tests/integration" \
                CASE="$([[ "${ONLY:-}" == *:* ]] && echo "${ONLY#*:}")" \
                bash "$t"
        rc=$?
        echo "--- $name: rc $rc in $(( $(date +%s) - t0 )) s"
        if [ $rc != 0 ]; then
                echo "--- $name failed ($rc); isolated's journal:"
                journalctl -u isolated.service --since "$since" --no-pager -q | tail -40
        fi
        echo "$rc $name" >> "$RESULTS"

        for i in $(seq 1 50); do
                left=$(systemctl list-units --all --plain --no-legend 'isolated-*.scope' | awk '{print $1}')
                states=$(ls /run/isolated/state 2> /dev/null)
                [ -z "$left" ] && [ -z "$states" ] && break
                sleep 0.1
        done
        active=$(systemctl is-active isolated.service)
        # A test may mask units for a while (test-toolbox's simulated boot): never isolated's own.
        masked=$(systemctl is-enabled isolated.service 2>/dev/null | grep masked)
        if [ -n "$left" ] || [ "$active" != active ] || [ -n "$states" ] || [ -n "$masked" ]; then
                echo "--- after $name: daemon '$active'${masked:+ ($masked)}, scopes left: '$left', state files: '$states'"
                echo "1 $name-leaves-nothing" >> "$RESULTS"
                for u in $left; do systemctl stop "$u"; done
                [ -z "$masked" ] || systemctl unmask --runtime isolated.service
                [ "$active" = active ] || systemctl restart isolated.service
        else
                echo "0 $name-leaves-nothing" >> "$RESULTS"
        fi
done
echo "--- results:"
cat "$RESULTS"
! grep -qvE '^(0|77) ' "$RESULTS"
