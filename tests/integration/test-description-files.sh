#!/bin/bash
# Description files on the search path: a description in /etc/isolated with
# drop-ins in /etc/isolated/NAME.service.d and /run/isolated/NAME.service.d,
# started by name (isolatectl and busctl), effective values as systemd and the
# service see them; a masked description; bus text with drop-ins applied; an
# error in a drop-in naming its path:line.
#
# /etc inside the harness is the host's /etc: only our own files are created
# there, and removed again; directories only if we made them and they are empty.
. "$TESTS/lib.sh"

# The names are this run's own (/etc is the host's, shared with whatever else runs there, another
# harness running this file too); digits only, so that a check's text is the same in every run
# but for numbers (tests/run.sh --repeat compares runs by it).
id=$(( RANDOM * 32768 + RANDOM ))
n_a=idf-a$id n_masked=idf-masked$id n_bad=idf-bad$id n_all=idf-all$id
p_a=idf_2da$id # n_a's object path, as sd_bus_path_encode escapes it
names="${n_a} ${n_masked} ${n_bad} ${n_all}"
created_dirs=()
created_files=()

mkdir_own() {
        local d
        for d in "$@"; do
                if [ ! -d "$d" ]; then
                        mkdir -p "$d" && created_dirs+=("$d")
                fi
        done
}
put() { # put PATH [TEXT]: TEXT (or stdin) into PATH, remembered for the cleanup
        if [ $# -ge 2 ]; then printf '%b' "$2" > "$1"; else cat > "$1"; fi && created_files+=("$1")
}
running() { [ "$(prop "$1" State)" = running ]; }
cleanup() {
        local i
        for n in $names; do
                isolatectl stop "$n" >/dev/null 2>&1
                isolatectl reset-failed "$n" >/dev/null 2>&1
        done
        for f in "${created_files[@]}"; do
                rm -f -- "$f"
        done
        # Deepest first; rmdir refuses a directory that is not empty.
        for ((i = ${#created_dirs[@]} - 1; i >= 0; i--)); do
                rmdir -- "${created_dirs[$i]}" 2>/dev/null
        done
}
trap cleanup EXIT

for n in $names; do
        if [ -e "/etc/isolated/$n.service" ] || [ -e "/run/isolated/$n.service" ] ||
           [ -e "/etc/isolated/$n.service.d" ] || [ -e "/run/isolated/$n.service.d" ]; then
                echo "Bail out! /etc/isolated or /run/isolated already has $n: not touching it"
                exit 1
        fi
done

mkdir_own /etc/isolated /run/isolated /etc/isolated/${n_a}.service.d /run/isolated/${n_a}.service.d

put /etc/isolated/${n_a}.service <<'UNIT'
[Unit]
Description=description files test for %N

[Service]
# A builtin loop keeps the writer alive for journald (see test-first-path.sh).
ExecStart=/bin/sh -c 'echo "idf FOO=$$FOO BAR=$$BAR BAZ=$$BAZ OPT=$${OPT-unset} N=%n P=%p"; exec sleep 1000'
Environment=FOO=main BAR=main
MemoryMax=100M
TasksMax=20
UNIT
put /run/isolated/${n_a}.service.d/10-limits.conf <<'UNIT'
[Service]
MemoryMax=64M
Environment=BAR=run-dropin
UNIT
put /run/isolated/${n_a}.service.d/20-env.conf <<'UNIT'
[Service]
# Masked by the /etc/isolated drop-in of the same name.
Environment=FOO=from-run-must-not-win
TasksMax=3
UNIT
put /etc/isolated/${n_a}.service.d/20-env.conf <<UNIT
[Service]
Environment=FOO=etc-dropin
EnvironmentFile=/etc/isolated/${n_a}.env
EnvironmentFile=-/etc/isolated/${n_a}-missing.env
UNIT
put /etc/isolated/${n_a}.env <<'ENV'
# read by isolate-init right before the exec
BAZ="from env file"
ENV

unit=isolated-${n_a}.scope
journal_has() { grep -qF -- "$1" <<< "$(journalctl -u "$unit" -o cat)"; } # (not a pipe: see check_match)
expected='idf FOO=etc-dropin BAR=run-dropin BAZ=from env file OPT=unset N='"${n_a}"'.service P='"${n_a}"''

# --- started by name through isolatectl ---
testcase_byname() {
        since=$(date '+%Y-%m-%d %H:%M:%S')
        check "isolatectl start ${n_a} (by name, no file)" isolatectl start ${n_a}
        check_eq "running" running "$(prop ${n_a} State)"
        check_eq "MemoryMax from the /run drop-in, as systemd reports it" 67108864 "$(scope_prop $unit MemoryMax)"
        check_eq "TasksMax from the main file (the /run 20-env.conf is masked by /etc's)" 20 "$(scope_prop $unit TasksMax)"
        check "the service's environment and specifiers in the journal" wait_for 10 journal_has "$expected"
        log=$(journalctl -u "$unit" -o cat --since "$since")
        check_match "journal line" "idf FOO=etc-dropin BAR=run-dropin" "$log"
        out=$(isolatectl cat ${n_a} 2>&1)
        check_match "isolatectl cat shows the main file" "/etc/isolated/${n_a}.service" "$out"
        check_match "isolatectl cat shows the drop-ins" "/run/isolated/${n_a}.service.d/10-limits.conf" "$out"

        # A restart reuses the files it was started with; a new start reads them again.
        put /etc/isolated/${n_a}.service.d/30-later.conf '[Service]\nMemoryMax=32M\n'
        check "isolatectl restart ${n_a}" isolatectl restart ${n_a}
        check "running again" wait_for 10 running ${n_a}
        check_eq "restart keeps the loaded MemoryMax" 67108864 "$(scope_prop $unit MemoryMax)"
        check "isolatectl stop ${n_a}" isolatectl stop ${n_a}

        # --- started by name through busctl, empty text ---
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss ${n_a} "" 2>&1)
        check_eq "busctl StartService ${n_a} \"\"" 'o "/org/isolated1/service/'"${p_a}"'"' "$out"
        check_eq "MemoryMax from the new /etc drop-in" 33554432 "$(scope_prop $unit MemoryMax)"
        check "busctl stop" busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StopService s ${n_a}
        rm -f /etc/isolated/${n_a}.service.d/30-later.conf
}

# --- bus text stands for idf-a.service; the drop-ins still apply ---
testcase_bustext() {
        text='[Service]
ExecStart=/bin/sh -c "echo idf-bus FOO=$$FOO BAR=$$BAR; exec sleep 1000"
MemoryMax=200M'
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss ${n_a} "$text" 2>&1)
        check_eq "busctl StartService with text" 'o "/org/isolated1/service/'"${p_a}"'"' "$out"
        check_eq "drop-in MemoryMax overrides the bus text" 67108864 "$(scope_prop $unit MemoryMax)"
        check "drop-in Environment= reaches the service" wait_for 10 journal_has "idf-bus FOO=etc-dropin BAR=run-dropin"
        check "stop" isolatectl stop ${n_a}
}

# --- a masked description ---
testcase_masked() {
        ln -s /dev/null /etc/isolated/${n_masked}.service && created_files+=(/etc/isolated/${n_masked}.service)
        out=$(isolatectl start ${n_masked} 2>&1); rc=$?
        check_eq "masked: isolatectl start fails" 1 "$rc"
        check_match "masked: says so" "Description ${n_masked}\.service is masked" "$out"
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss ${n_masked} "" 2>&1)
        check_match "masked: busctl gets the error" "is masked" "$out"
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss ${n_masked} \
                "$(printf '[Service]\nExecStart=/bin/true\n')" 2>&1)
        check_match "masked: bus text for a masked name is refused too" "is masked" "$out"
        check "masked: no scope" sh -c "! systemctl is-active -q isolated-${n_masked}.scope"
}

# --- an error in a drop-in names its path:line ---
testcase_dropin_error() {
        mkdir_own /run/isolated/${n_bad}.service.d
        put /etc/isolated/${n_bad}.service '[Service]\nExecStart=/bin/sleep 1000\n'
        put /run/isolated/${n_bad}.service.d/50-typo.conf '[Service]\n# a typo below\nMemoryMax=lots\n'
        out=$(isolatectl start ${n_bad} 2>&1); rc=$?
        check_eq "bad drop-in: start fails" 1 "$rc"
        check_match "bad drop-in: names path:line" "/run/isolated/${n_bad}\.service\.d/50-typo\.conf:3: Invalid MemoryMax= value 'lots'" "$out"
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss ${n_bad} "" 2>&1)
        check_match "bad drop-in: BadDescription over the bus" "50-typo\.conf:3" "$out"
        put /run/isolated/${n_bad}.service.d/60-spec.conf '[Service]\nEnvironment=X=%z\n'
        rm -f /run/isolated/${n_bad}.service.d/50-typo.conf
        out=$(isolatectl start ${n_bad} 2>&1)
        check_match "unknown specifier: names path:line" "60-spec\.conf:2: Failed to resolve specifiers in 'X=%z'" "$out"
}

# --- every error of the files at once, one prefix; a drop-in's empty assignments take them back ---
testcase_all_errors() {
        mkdir_own /etc/isolated/${n_all}.service.d
        put /etc/isolated/${n_all}.service '[Service]\nExecStart=/bin/sleep 1000\nSocketBindDeny=any\nType=bogus\nCoredumpFilter=5\n'
        put /etc/isolated/${n_all}.service.d/10-more.conf '[Service]\nPersonality=x86\nRestrictFileSystems=ext4\n'
        out=$(isolatectl start ${n_all} 2>&1); rc=$?
        check_eq "all errors: start fails" 1 "$rc"
        check_match "all errors: the main file's refused key" "${n_all}\.service:3: SocketBindDeny= is not supported yet" "$out"
        check_match "all errors: its bad value" "${n_all}\.service:4: Invalid Type= value 'bogus'" "$out"
        check_match "all errors: its next refused key" "${n_all}\.service:5: CoredumpFilter= is not supported yet" "$out"
        check_match "all errors: the drop-in's, by path:line" "10-more\.conf:2: Personality= is not supported yet" "$out"
        check_match "all errors: the drop-in's second" "10-more\.conf:3: RestrictFileSystems= is not supported yet" "$out"
        check_eq "all errors: five lines" 5 "$(printf '%s\n' "$out" | grep -c '\.\(service\|conf\):[0-9]*: ')"
        check_eq "all errors: one prefix" 1 "$(printf '%s\n' "$out" | grep -o "Failed to start ${n_all}" | wc -l)"
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss ${n_all} "" 2>&1)
        check_match "all errors: the bus error carries the first" "${n_all}\.service:3: SocketBindDeny=" "$out"
        check_match "all errors: and the last" "10-more\.conf:3: RestrictFileSystems=" "$out"
        put /etc/isolated/${n_all}.service.d/90-reset.conf \
                '[Service]\nSocketBindDeny=\nType=\nCoredumpFilter=\nPersonality=\nRestrictFileSystems=\n'
        check "all errors: a drop-in of empty assignments resets every key, refused ones too" isolatectl start ${n_all}
        check_eq "all errors: running" running "$(prop ${n_all} State)"
        check "all errors: stop" isolatectl stop ${n_all}
}

# --- no such description ---
testcase_unknown() {
        out=$(isolatectl start idf-nothere 2>&1); rc=$?
        check_eq "unknown name fails (4: no such service)" 4 "$rc"
        check_match "and says where it looked" "No description idf-nothere\.service in /etc/isolated, /run/isolated or /usr/lib/isolated" "$out"
}

run_testcases
