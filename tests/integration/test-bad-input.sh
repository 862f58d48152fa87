#!/bin/bash
# Bad input over the bus: each call gets a named error, the daemon stays up,
# and nothing leaks: fds, children, scopes, state files, memory.
. "$TESTS/lib.sh"

work=$(mktemp -d)
cleanup() {
        for n in held dup; do isolatectl stop $n >/dev/null 2>&1; isolatectl reset-failed $n >/dev/null 2>&1; done
        rm -rf "$work"
}
trap cleanup EXIT
call() { busctl call org.isolated1 /org/isolated1 org.isolated1.Manager "$@"; }
daemon=$(daemon_pid)
fds() { ls /proc/$daemon/fd | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/$daemon/status; }

helper bus-start-big "$work" || not_ok "build the big-call client"

# The setup of every case: the services the bad calls aim at, and the baseline.
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/held.service"
check "a running service to aim at" isolatectl start held "$work/held.service"
isolatectl start ended "$work/held.service" >/dev/null && isolatectl stop ended >/dev/null

# Warm up whatever the daemon allocates once, then take the baseline.
call ListServices >/dev/null; call GetService s held >/dev/null; call GetService s nosuch >/dev/null 2>&1
fds0=$(fds); rss0=$(rss_kb)

testcase_calls() {
        long=$(head -c 65536 /dev/zero | tr '\0' a)
        n=0 named=0
        expect() { # error-regex command...
                local want=$1; shift
                local out
                out=$("$@" 2>&1) && { not_ok "accepted: $*"; return; }
                n=$((n + 1))
                # (Not printf | grep -q: bash's stdout is line-buffered, so under pipefail grep
                # leaving at a match on the first line fails printf's write of the second.)
                grep -Eq -- "$want" <<< "$out" && named=$((named + 1)) || echo "    unexpected: $out" | head -3
        }
        for i in $(seq 1 50); do
                expect "Invalid argument|InvalidArgs|signature" call StartService s only-one
                expect "Invalid argument|InvalidArgs|signature" call StopService i 5
                expect "Invalid service name" isolatectl start "" "$work/held.service"
                expect "Invalid service name" isolatectl start "$long" "$work/held.service"
                expect "Invalid service name" isolatectl start "a/b" "$work/held.service"
                expect "Invalid service name" isolatectl start ".." "$work/held.service"
                expect "Invalid service name" isolatectl start "$(printf 'a\001b')" "$work/held.service"
                expect "held@ is a template: start an instance, held@INSTANCE" call StartService ss "held@" ""
                expect "Invalid service name" call StartService ss "@b" ""
                expect "Invalid service name" call StartService ss "a:b@c" ""
                expect "No description nosuch@x.service nor its template" call StartService ss "nosuch@x" ""
                expect "No service nosuch" call StopService s nosuch
                expect "No service nosuch" call KillService ssi nosuch all 15
                expect "Unknown object|UnknownObject" busctl get-property org.isolated1 /org/isolated1/service/nosuch org.isolated1.Service State
                expect "already running" call StartService ss held "$(cat "$work/held.service")"
                expect "is running, not ended|not ended" call ResetFailedService s held
                expect "is not running" call KillService ssi ended main 15
                expect "Invalid" call KillService ssi held nobody 15
                expect "no ExecReload=" call ReloadService s held
                expect "BadDescription|Unknown section|unknown|Invalid" call StartService ss bad1 "$(printf '[Nope]\nX=1\n')"
                expect "No description bad2.service" call StartService ss bad2 ""
        done
        check_eq "every bad call got its named error ($n calls)" "$n" "$named"
        check "at least 500 bad calls" test "$n" -ge 500
}

testcase_big() {
        # A call busctl cannot make: a 10 MiB description.
        out=$("$work/bus-start-big" huge 10485760)
        check_match "a 10 MiB description is refused with BadDescription" "^org.isolated1.Error.BadDescription: .*huge.service" "$out"
        check "non-UTF-8 never reaches the daemon as a name" sh -c "! busctl call org.isolated1 /org/isolated1 org.isolated1.Manager GetService s \"\$(printf 'a\\377')\" 2>/dev/null"
}

testcase_leaks() {
        # Nothing leaked, whatever cases ran: the baseline is the setup's.
        check "the daemon is up" call ListServices
        check_eq "the same number of fds as before" "$fds0" "$(fds)"
        rss1=$(rss_kb)
        if grep -q libasan /proc/$daemon/maps; then
                echo "# RSS not compared: AddressSanitizer keeps freed memory in quarantine (${rss0} kB -> ${rss1} kB)"
        else
                check "RSS grew by less than 1 MiB (from ${rss0} kB to ${rss1} kB)" test $((rss1 - rss0)) -lt 1024
        fi
        check_eq "one init only: the held service's" 1 "$(pgrep -cx isolate-init)"
        check_eq "one scope only" 1 "$(systemctl list-units --all --plain --no-legend 'isolated-*.scope' | wc -l)"
        check_eq "one state record only" "held.exit held.sock held.sources held.state" "$(ls /run/isolated/state | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
}

# A description with several errors, as bus text: one BadDescription carrying each line.
testcase_errors() {
        text=$(printf '[Service]\nExecStrat=/bin/true\nCoredumpFilter=1\n[Nope]\nX=1\n')
        out=$(call StartService ss bad3 "$text" 2>&1) && not_ok "accepted"
        check_match "BadDescription" "BadDescription|bad3" "$out"
        check_match "the misspelling" "bad3\.service:2: Unknown key ExecStrat=" "$out"
        check_match "the refused key" "bad3\.service:3: CoredumpFilter= is not supported yet" "$out"
        check_match "the unknown section" "bad3\.service:4: Unknown section \[Nope\]" "$out"
        check_match "the missing ExecStart=" "bad3\.service: ExecStart= is required" "$out"
        out=$(printf '%s' "$text" > "$work/bad3.service"; isolatectl start bad3 "$work/bad3.service" 2>&1)
        check_eq "isolatectl: one prefix for four errors" 1 "$(printf '%s\n' "$out" | grep -c 'Failed to start bad3')"
        check_eq "isolatectl: four lines naming the file" 4 "$(printf '%s\n' "$out" | grep -c 'bad3\.service:')"
}

# The same name started twice at once: one service, one AlreadyRunning.
testcase_dup() {
        call StartService ss dup "$(cat "$work/held.service")" > "$work/dup1" 2>&1 &
        call StartService ss dup "$(cat "$work/held.service")" > "$work/dup2" 2>&1 &
        wait
        check_eq "one of two concurrent starts of one name succeeds" 1 "$(cat "$work/dup1" "$work/dup2" | grep -c '^o ')"
        check_eq "the other is refused" 1 "$(cat "$work/dup1" "$work/dup2" | grep -ci 'already')"
        check_eq "one scope for it" 1 "$(systemctl list-units --all --plain --no-legend 'isolated-dup.scope' | wc -l)"
}

run_testcases
