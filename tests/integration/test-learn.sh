#!/bin/bash
# isolatectl learn (DESIGN.md, end of "Secure by default"; org.isolated1(5) LearnService): a
# service that writes where its file does not say fails under the strict default; learn runs it
# once with the host tree behind a throwaway overlay and the filter's refusals recorded, proposes
# the drop-in, and with --apply writes it; then the service runs. Nothing reaches the host, and
# nothing of the run is left (no record, scope, state file or mount).
# CASE=NAME runs one case (testcase_NAME): ONLY=learn:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-learn.XXXXXX)
tag=lrn$$
names="lnw lnsys lnend lncap lndur lngx lnrm"
cleanup() {
        for n in $names; do
                isolatectl stop "$n" >/dev/null 2>&1
                isolatectl reset-failed "$n" >/dev/null 2>&1
                rm -rf "/etc/isolated/$n.service.d"
        done
        rm -rf "$work" "/var/lib/$tag" "/var/log/$tag" "/var/lib/$tag-rm"
}
trap cleanup EXIT

# Nothing of a learning run stays: no record on the bus, no scope, no state file, no mount.
nothing_left() {
        local name=$1
        check "$name: no record is left" bash -c "! isolatectl list --no-legend | grep -qw '$name'"
        check "$name: no scope is left" bash -c "! systemctl is-active -q 'isolated-$name.scope'"
        check "$name: no state file is left" bash -c "! ls /run/isolated/state/ 2>/dev/null | grep -q '^$name\\.'"
        check "$name: no overlay is left on the host" bash -c "! grep -q isolated-learn /proc/self/mountinfo"
}

unit_file() { # NAME LINES...: a description in $work
        local name=$1; shift
        { echo "[Service]"; printf '%s\n' "$@"; } > "$work/$name.service"
}

testcase_writes() {
        mkdir -p "/var/lib/$tag" "/var/log/$tag"
        unit_file lnw "ExecStart=/bin/sh -c 'echo x > /var/lib/$tag/file && echo y >> /var/log/$tag/log && exec sleep 600'"
        # Under the strict default the write fails and so does the service.
        isolatectl start lnw "$work/lnw.service" >/dev/null 2>&1
        check "lnw: fails under the strict default" wait_prop lnw State failed 20
        isolatectl reset-failed lnw >/dev/null 2>&1

        out=$(isolatectl learn lnw "$work/lnw.service" --duration=5 2>&1)
        check_eq "lnw: learn exits 0" 0 $?
        check_match "lnw: the header says it was learned" "^# Learned by \"isolatectl learn lnw\" on .* UTC, for [0-9]+ s of at most 5 s" "$out"
        check_match "lnw: ReadWritePaths= of both directories" "^ReadWritePaths=/var/lib/$tag /var/log/$tag$" "$out"
        check "lnw: nothing reached the host" test ! -e "/var/lib/$tag/file" -a ! -e "/var/log/$tag/log"
        check "lnw: nothing proposes a [Isolate] section" bash -c '! grep -q "^\[Isolate\]" <<< "$1"' _ "$out"
        nothing_left lnw
        check "lnw: without --apply nothing is written" test ! -e /etc/isolated/lnw.service.d/50-learned.conf

        out=$(isolatectl learn lnw "$work/lnw.service" --duration=3 --apply 2>&1)
        check_eq "lnw: learn --apply exits 0" 0 $?
        check "lnw: the drop-in is written" test -f /etc/isolated/lnw.service.d/50-learned.conf
        check_eq "lnw: the drop-in is 0644" 644 "$(stat -c %a /etc/isolated/lnw.service.d/50-learned.conf 2>/dev/null)"
        check "lnw: the drop-in verifies with its file" isolatectl verify "$work/lnw.service"
        check "lnw: nothing reached the host (apply)" test ! -e "/var/lib/$tag/file"
        nothing_left lnw
        # Learning again leaves the learned drop-in out of the run: it proposes the same.
        out=$(isolatectl learn lnw "$work/lnw.service" --duration=2 2>&1)
        check_match "lnw: a second run learns the same without its drop-in" "^ReadWritePaths=/var/lib/$tag /var/log/$tag$" "$out"

        # With it the service runs, and now it writes the host.
        check "lnw: starts with the learned drop-in" isolatectl start lnw "$work/lnw.service"
        check "lnw: runs" wait_prop lnw State running 20
        check "lnw: wrote the host's directory" wait_for 10 test -s "/var/log/$tag/log"
        isolatectl stop lnw >/dev/null 2>&1
        isolatectl reset-failed lnw >/dev/null 2>&1
        rm -rf /etc/isolated/lnw.service.d "/var/lib/$tag" "/var/log/$tag"
}

# Removing and renaming host files goes to the overlay too (whiteouts in the upper layer, on a
# tmpfs with or without user xattrs: 6.18 and 6.1): learned, and the host keeps its files.
testcase_removes() {
        local d=/var/lib/$tag-rm
        mkdir -p "$d/sub" && echo a > "$d/a" && echo b > "$d/sub/b"
        unit_file lnrm "ExecStart=/bin/sh -c 'rm $d/a && mv $d/sub/b $d/sub/c && test ! -e $d/a && test -s $d/sub/c'"
        out=$(isolatectl learn lnrm "$work/lnrm.service" --duration=10 2>&1)
        check_eq "lnrm: learn exits 0" 0 $?
        check_match "lnrm: the removal and the rename worked while learning" "result: success" "$out"
        check_match "lnrm: ReadWritePaths= of the directory" "^ReadWritePaths=(.* )?$d( |$)" "$out"
        check "lnrm: the host keeps its files" test -s "$d/a" -a -s "$d/sub/b" -a ! -e "$d/sub/c"
        nothing_left lnrm
        rm -rf "$d"
}

testcase_syscalls() {
        # acct(2) is on the default deny list; a personality change is refused by LockPersonality=.
        # tests/fixtures/learn-syscalls.c, built by meson.
        helper learn-syscalls "$work" || { not_ok "build the syscall helper"; return; }
        unit_file lnsys "ExecStart=$work/learn-syscalls"
        isolatectl start --wait lnsys "$work/lnsys.service" >/dev/null 2>&1
        check_eq "lnsys: the personality change fails under the defaults" 1 $?
        isolatectl reset-failed lnsys >/dev/null 2>&1

        began=$(date +%s)
        out=$(isolatectl learn lnsys "$work/lnsys.service" --apply 2>&1)
        check_eq "lnsys: learn exits 0" 0 $?
        took=$(( $(date +%s) - began ))
        check_match "lnsys: AllowSystemCalls= of the denied call" "^AllowSystemCalls=acct$" "$out"
        check_match "lnsys: Personality=yes for the personality change" "^Personality=yes$" "$out"
        check_match "lnsys: the calls went on while learning (result in the header)" "result: success" "$out"
        check "lnsys: a service that ends early ends learn early ($took s of 30)" test "$took" -lt 20
        nothing_left lnsys
        isolatectl start --wait lnsys "$work/lnsys.service" >/dev/null 2>&1
        check_eq "lnsys: with the learned drop-in the change works" 0 $?
        isolatectl reset-failed lnsys >/dev/null 2>&1
        rm -rf /etc/isolated/lnsys.service.d
}

testcase_nothing() {
        local t0 t1 t2
        unit_file lnend "ExecStart=/bin/true"
        t0=$(date +%s%N)
        isolatectl start --wait lnend "$work/lnend.service" >/dev/null 2>&1
        t1=$(date +%s%N)
        isolatectl reset-failed lnend >/dev/null 2>&1
        out=$(isolatectl learn lnend "$work/lnend.service" --apply 2>&1)
        check_eq "lnend: learn exits 0 when it learned nothing" 0 $?
        t2=$(date +%s%N)
        echo "# /bin/true: start --wait $(( (t1 - t0) / 1000000 )) ms, learn (overlays, notifications) $(( (t2 - t1) / 1000000 )) ms"
        check_match "lnend: says so" "Nothing was learned" "$out"
        check "lnend: nothing is written" test ! -e /etc/isolated/lnend.service.d/50-learned.conf
        nothing_left lnend
}

# A capability the unit asks for that the defaults leave out: granted while learning, proposed.
testcase_caps() {
        unit_file lncap "AmbientCapabilities=CAP_IPC_LOCK" \
                "ExecStart=/bin/sh -c 'grep -Eq \"^CapAmb:[[:space:]]+0*4000\$\" /proc/self/status'"
        out=$(isolatectl learn lncap "$work/lncap.service" 2>&1)
        check_eq "lncap: learn exits 0" 0 $?
        check_match "lncap: AllowCapabilities= of what the unit asks for" "^AllowCapabilities=CAP_IPC_LOCK$" "$out"
        check_match "lncap: the capability was granted while learning" "result: success" "$out"
        check_match "lncap: the man page's caveat is said" "cannot be observed here" "$out"
        nothing_left lncap
}

testcase_duration() {
        unit_file lndur "ExecStart=/bin/sleep 600"
        began=$(date +%s)
        out=$(isolatectl learn lndur "$work/lndur.service" --duration=3 2>&1)
        check_eq "lndur: learn exits 0" 0 $?
        took=$(( $(date +%s) - began ))
        check "lndur: stops after --duration=3 (took $took s)" test "$took" -ge 3 -a "$took" -lt 20
        nothing_left lndur
        check "lndur: --duration= beyond 600 s is refused" bash -c "! isolatectl learn lndur '$work/lndur.service' --duration=601 2>/dev/null"
        check "lndur: a missing service is an error" bash -c "! isolatectl learn lnnosuch 2>/dev/null"
}

# A real Debian daemon from its stock unit: nginx writes /var/log/nginx and /var/lib/nginx.
testcase_nginx() {
        if [ ! -x /usr/sbin/nginx ] || [ ! -f /lib/systemd/system/nginx.service ]; then
                ok "# SKIP nginx is not installed"
                return
        fi
        cp /lib/systemd/system/nginx.service "$work/lngx.service"
        out=$(isolatectl learn lngx "$work/lngx.service" --duration=8 --apply 2>&1)
        check_eq "lngx: learn --apply exits 0" 0 $?
        check_match "lngx: proposes /var/log/nginx" "^ReadWritePaths=(.* )?/var/log/nginx( |$)" "$out"
        # (/var/lib/nginx is written only by a request with a large body: not by a start.)
        nothing_left lngx
        check "lngx: starts with the learned drop-in" isolatectl start lngx "$work/lngx.service"
        check "lngx: runs" wait_prop lngx State running 20
        check "lngx: answers curl inside" wait_for 10 isolatectl shell lngx /usr/bin/curl -fsS -o /dev/null http://127.0.0.1/
        isolatectl stop lngx >/dev/null 2>&1
        isolatectl reset-failed lngx >/dev/null 2>&1
        rm -rf /etc/isolated/lngx.service.d
}

# Learning stacks overlayfs on the idmapped host mounts inside the service's user namespace, its
# layers given as paths: this machine's 6.18 and Debian 12's 6.1 (the guest) both take it, so no
# case is skipped on either (6.1 refused the layers as file descriptors: EOPNOTSUPP).
run_testcases
