#!/bin/bash
# The whole test suite: unit tests (also under ASan+UBSan), then the
# integration tests against a real systemd and its real system bus. Where PID 1
# is not systemd, a throwaway systemd is booted in new namespaces for them.
# Prints "N passed, N failed" at the end; exits non-zero on any failure.
#
#   tests/run.sh [--repeat N]
#
# --repeat N runs the integration suite N times, each in a freshly booted
# harness, and names every check that failed in some runs but not in all of
# them (a flaky check). The default is 2, what CI runs (.ci/run runs exactly
# this command); 1 when ONLY= selects some files. REPEAT=N in the environment
# does the same as --repeat N.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${ONLY:-}" ]; then repeat=${REPEAT:-1}; else repeat=${REPEAT:-2}; fi
while [ $# -gt 0 ]; do
        case "$1" in
        --repeat) repeat=${2:-}; shift 2 || { echo "--repeat needs a number" >&2; exit 2; } ;;
        --repeat=*) repeat=${1#--repeat=}; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "Unknown argument: $1 (tests/run.sh [--repeat N])" >&2; exit 2 ;;
        esac
done
case "$repeat" in ''|*[!0-9]*|0) echo "--repeat needs a number of at least 1, not '$repeat'" >&2; exit 2 ;; esac
BUILD=${BUILD:-$SRC/build}
ASAN_BUILD=${ASAN_BUILD:-$SRC/build-asan}
passed=0
failed=0
failures=()

note() { printf '== %s\n' "$*"; }
record() { # name rc
        if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}

build() { # dir [meson options...]
        local dir=$1; shift
        if [ ! -e "$dir/build.ninja" ]; then
                meson setup "$dir" "$SRC" --prefix=/usr -Dwerror=true "$@" >/dev/null || return 1
        elif [ $# -gt 0 ]; then
                meson configure "$dir" "$@" >/dev/null || return 1
        fi
        meson compile -C "$dir" >/dev/null || meson compile -C "$dir"
}

if ! command -v meson >/dev/null || ! pkg-config --exists libsystemd libcap libseccomp check dbus-1; then
        note "installing build dependencies"
        bash "$SRC/tools/install-deps.sh" || exit 1
fi

note "build"
# The test builds have the fault injection points (test-faults.sh); a package build has none.
build "$BUILD" -Dfault-injection=true || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

count_meson() { # dir suite label
        local dir=$1 suite=$2 label=$3 line ok fail
        local log
        log=$(mktemp)
        CK_FORK=no UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                meson test -C "$dir" --suite "$suite" --print-errorlogs >"$log" 2>&1
        local rc=$?
        # With --print-errorlogs meson lists a failed test again under "Summary of Failures":
        # each test counts once, by its "N/M".
        grep -E '^ *[0-9]+/[0-9]+ ' "$log" | awk '!seen[$1]++' > "$log.tests"
        sed "s/^/   [$label] /" "$log.tests"
        [ $rc = 0 ] || tail -50 "$log"
        while read -r line; do
                case "$line" in
                *" OK "*|*" EXPECTEDFAIL "*|*" SKIP "*) record "$label: $line" 0 ;;
                *" FAIL "*|*" ERROR "*|*" TIMEOUT "*|*" UNEXPECTEDPASS "*) record "$label: $line" 1 ;;
                esac
        done < "$log.tests"
        rm -f "$log.tests"
        rm -f "$log"
        return $rc
}

note "unit tests"
count_meson "$BUILD" unit unit
count_meson "$BUILD" fuzz fuzz-corpus
count_meson "$BUILD" init isolate-init

if [ "${SKIP_ASAN:-0}" != 1 ]; then
        note "unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
        if build "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false -Dfault-injection=true; then
                count_meson "$ASAN_BUILD" unit unit-asan
                count_meson "$ASAN_BUILD" fuzz fuzz-corpus-asan
        else
                record "sanitizer build" 1
        fi
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
        note "a short libFuzzer run of every parser under ASan and UBSan (tools/fuzz.sh; longer by hand)"
        bash "$SRC/tools/fuzz.sh" "${FUZZ_SECONDS:-20}"
        rc=$?
        [ $rc = 77 ] || record "short fuzz run" $rc
fi

# flaky_checks N LOG...: the checks that failed in some of the N runs but not in all. A check is
# its file, its text with every number as N (a duration may differ), and its rank among the
# checks of that file with that text; a file's own results (RC NAME) count as checks too.
flaky_checks() {
        local runs=$1; shift
        awk -v runs="$runs" '
                FNR == 1 { file = ""; delete rank }
                /^--- test-[^ ]*$/ { file = substr($0, 5); delete rank; next }
                /^(ok|not ok) - / {
                        failed = /^not ok/
                        text = $0; sub(/^(ok|not ok) - /, "", text); gsub(/[0-9]+/, "N", text)
                        key = file ": " text; key = key " #" (++rank[key])
                }
                /^RESULT [0-9]+ / { failed = $2 != 0; key = "result of " $3 }
                /^(ok - |not ok - |RESULT )/ { keys[key]; if (failed) fails[key]++ }
                END {
                        for (k in keys)
                                if (fails[k] > 0 && fails[k] < runs)
                                        printf "%s (failed in %d of %d runs)\n", k, fails[k], runs
                }' "$@" | sort
}

if [ "${SKIP_INTEGRATION:-0}" != 1 ]; then
        logs=()
        for run in $(seq 1 "$repeat"); do
                log=$BUILD/integration-log
                [ "$repeat" = 1 ] || log=$BUILD/integration-log.$run
                of=
                [ "$repeat" = 1 ] || of=" (run $run of $repeat)"
                note "integration tests against a real systemd$of"
                bash "$SRC/tests/integration/run-integration.sh" "$BUILD" | tee "$log"
                rc=${PIPESTATUS[0]}
                checks_ok=$(grep -c '^ok - ' "$log")
                checks_failed=$(grep -c '^not ok - ' "$log")
                note "integration$of: $checks_ok checks passed, $checks_failed failed"
                # Each test file's result (and its leaves-nothing check) counts once, and
                # so does each of its checks: the closing line counts assertions.
                label=integration
                [ "$repeat" = 1 ] || label="integration (run $run)"
                if [ -s "$BUILD/integration-results" ]; then
                        while read -r res name; do
                                record "$label: $name" "$res"
                                echo "RESULT $res $name" >> "$log"
                        done < "$BUILD/integration-results"
                fi
                passed=$((passed + checks_ok))
                failed=$((failed + checks_failed))
                [ $rc = 0 ] || [ -s "$BUILD/integration-results" ] || record "$label harness" 1
                logs+=("$log")
        done
        [ "$repeat" = 1 ] || cp "$BUILD/integration-log.$repeat" "$BUILD/integration-log"
        if [ "$repeat" -gt 1 ]; then
                flaky=$(flaky_checks "$repeat" "${logs[@]}")
                if [ -n "$flaky" ]; then
                        note "flaky: these failed in some of the $repeat runs, not in all"
                        printf '%s\n' "$flaky" | sed 's/^/FLAKY: /'
                        flaky_lines=$flaky
                else
                        note "no flaky check in $repeat runs"
                fi
        fi
fi

if [ "${SKIP_INTEGRATION:-0}" != 1 ] && [ "${SKIP_ASAN:-0}" != 1 ] && [ -e "$ASAN_BUILD/build.ninja" ]; then
        note "integration tests again, with the daemon, the init and the CLI under ASan and UBSan"
        bash "$SRC/tests/integration/run-integration.sh" "$ASAN_BUILD" > "$ASAN_BUILD/integration-log" 2>&1
        grep -E '^(not ok|--- )' "$ASAN_BUILD/integration-log" | grep -B1 -A8 '^not ok' | head -60
        grep -E '^--- sanitizer' -A20 "$ASAN_BUILD/integration-log"
        while read -r res name; do record "integration-asan: $name" "$res"; done < "$ASAN_BUILD/integration-results"
        note "integration under sanitizers: $(grep -c '^ok - ' "$ASAN_BUILD/integration-log") checks passed, $(grep -c '^not ok - ' "$ASAN_BUILD/integration-log") failed"
        passed=$((passed + $(grep -c '^ok - ' "$ASAN_BUILD/integration-log")))
        failed=$((failed + $(grep -c '^not ok - ' "$ASAN_BUILD/integration-log")))
fi

if [ "${SKIP_BENCH:-0}" != 1 ]; then
        note "benchmarks, quick mode: proves bench/run.sh works (no timing is asserted)"
        mkdir -p "$SRC/build-bench"
        bash "$SRC/bench/run.sh" --quick --json "$SRC/build-bench/quick.json" > "$SRC/build-bench/quick.log" 2>&1
        rc=$?
        tail -25 "$SRC/build-bench/quick.log"
        record "bench/run.sh --quick" $rc
        note "bench/parse.sh: $(bash "$SRC/bench/parse.sh" 20)"
fi

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
[ -z "${flaky_lines:-}" ] || printf '%s\n' "$flaky_lines" | sed 's/^/FLAKY: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
