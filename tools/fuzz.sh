#!/bin/bash
# Runs every libFuzzer target under ASan and UBSan for SECONDS each (default 60).
#   tools/fuzz.sh [SECONDS] [TARGET...]      targets: description description-sources env-file shell-reply tmpfiles-plan
# Seeds: the corpus in tests/fuzz/corpus-TARGET, plus (for description) the
# unit files Debian ships in /lib/systemd/system. A crash leaves its
# reproducer in tests/fuzz/corpus-TARGET/ (keep it there) and fails the run.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || :
targets=("${@:-description description-sources env-file init-message shell-reply tmpfiles-plan}")
out=${FUZZ_DIR:-$SRC/build-fuzz}
mkdir -p "$out"
command -v clang >/dev/null || { echo "fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)"; exit 77; }

# config.h as meson would write it.
printf '#define PACKAGE_VERSION "fuzz"\n#define ISOLATE_INIT_PATH "/nonexistent"\n#define ISOLATED_SYSCONF_DIR "/etc/isolated"\n' > "$out/config.h"

# The dictionary of fuzz-description, from the key table (as the meson build makes it).
clang -g -O1 -D_GNU_SOURCE -I"$SRC/src/shared" -I"$out" "$SRC/tests/fuzz/service-keys-dict.c" "$SRC"/src/shared/*.c \
        $(pkg-config --cflags --libs libsystemd libcap libseccomp) -o "$out/service-keys-dict"
"$out/service-keys-dict" > "$out/fuzz-description.dict"

for t in ${targets[@]}; do
        exe=$out/fuzz-$t
        dict=()
        case $t in description*) dict=(-dict="$out/fuzz-description.dict") ;; esac
        clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE \
                -I"$SRC/src/shared" -I"$out" "$SRC/tests/fuzz/fuzz-$t.c" "$SRC"/src/shared/*.c \
                $(pkg-config --cflags --libs libsystemd libcap libseccomp) -o "$exe"
        work=$out/corpus-$t
        mkdir -p "$work"
        seeds=("$SRC/tests/fuzz/corpus-$t")
        [ "$t" = description ] && [ -d /lib/systemd/system ] && seeds+=(/lib/systemd/system)
        echo "== fuzz-$t for ${seconds}s"
        (cd "$out" && "$exe" -max_total_time="$seconds" -max_len=65536 -timeout=${FUZZ_TIMEOUT:-60} -rss_limit_mb=2048 \
                -artifact_prefix="$SRC/tests/fuzz/corpus-$t/crash-" -print_final_stats=1 "${dict[@]}" \
                "$work" "${seeds[@]}" 2>&1 | grep -E '^#[0-9]+ *DONE|stat::number_of_executed_units|ERROR|SUMMARY|Done [0-9]+ runs' || :)
        # libFuzzer exits non-zero on a finding; the artifact names it.
        if ls "$SRC/tests/fuzz/corpus-$t"/crash-* >/dev/null 2>&1; then
                echo "fuzz-$t: FOUND a crash: $(ls "$SRC/tests/fuzz/corpus-$t"/crash-*)"
                exit 1
        fi
done
