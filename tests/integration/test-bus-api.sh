#!/bin/bash
# The bus API: what the daemon exports matches dbus/*.xml; objects, escaping,
# ObjectManager, signals and PropertiesChanged; kill, restart, reload; many
# callers at once.
. "$TESTS/lib.sh"

work=$(mktemp -d)
monitor_pid=
cleanup() {
        [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
        for n in api a-b.c sig $(seq -f 'many%g' 1 50); do isolatectl stop "$n" >/dev/null 2>&1; done
        for n in api a-b.c sig $(seq -f 'many%g' 1 50); do isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -rf "$work"
}
trap cleanup EXIT
call() { busctl call org.isolated1 /org/isolated1 org.isolated1.Manager "$@"; }

printf '[Unit]\nDescription=api test\n[Service]\nExecStart=/bin/sh -c %s\n' \
        "'trap \"echo got-usr1\" USR1; trap \"exit 0\" TERM; while :; do sleep 0.1; done'" > "$work/api.service"

# The signals the daemon sends, from now on (testcase_signals reads them). The monitor has its
# match in place once it sees a signal of our own, matched by its second --match.
busctl monitor --json=short --match "type='signal',sender='org.isolated1'" \
        --match "type='signal',interface='org.isolated1test.Probe'" > "$work/signals" 2>/dev/null &
monitor_pid=$!
monitor_ready() {
        busctl emit /org/isolated1test org.isolated1test.Probe Ready &&
                grep -q '"member":"Ready"' "$work/signals"
}
wait_for 10 monitor_ready || echo "# the bus monitor saw no signal of ours in 10 s"

# need_api: the service api runs (started by an earlier case, or now: CASE= runs one).
need_api() { isolatectl is-active -q api || check "start api" isolatectl start api "$work/api.service"; }
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/sleep.service"

# Introspection matches the shipped XML.
interface_block() { # xml interface
        python3 -c '
import re, sys
x = sys.stdin.read()
m = re.search(r"<interface name=\"%s\">.*?</interface>" % re.escape(sys.argv[1]), x, re.S)
print(re.sub(r"\s+", " ", m.group(0)) if m else "")' "$1"
}
testcase_introspect() {
        need_api
        for pair in "/org/isolated1 org.isolated1.Manager" "/org/isolated1/service/api org.isolated1.Service"; do
                set -- $pair
                live=$(busctl introspect --xml-interface org.isolated1 "$1" | interface_block "$2")
                shipped=$(interface_block "$2" < "$SRC/dbus/$2.xml")
                check "introspection of $2 matches dbus/$2.xml" test -n "$live" -a "$live" = "$shipped"
                check "dbus/$2.xml is installed" test -e "/usr/share/dbus-1/interfaces/$2.xml"
        done
}

# ObjectManager and the node enumerator.
testcase_objects() {
        need_api
        check_match "GetManagedObjects lists the service" "/org/isolated1/service/api" \
                "$(busctl call org.isolated1 /org/isolated1 org.freedesktop.DBus.ObjectManager GetManagedObjects)"
        check_match "busctl tree shows it" "/org/isolated1/service/api" "$(busctl tree org.isolated1 --list)"
}

# Names are escaped as sd_bus_path_encode does.
testcase_escaping() {
        check "start a-b.c" isolatectl start a-b.c "$work/sleep.service"
        check_eq "its path is escaped" '/org/isolated1/service/a_2db_2ec' "$(service_path a-b.c)"
        check_eq "and its Name is readable there" a-b.c "$(prop a-b.c Name)"
        check_eq "its scope" isolated-a-b.c.scope "$(prop a-b.c Unit)"
        check "stop a-b.c" isolatectl stop a-b.c
}

# Properties.
testcase_properties() {
        need_api
        check_eq "Description" "api test" "$(prop api Description)"
        check_eq "Hostname defaults to the name" api "$(prop api Hostname)"
        init=$(prop api InitPID)
        ns=$(busctl get-property org.isolated1 /org/isolated1/service/api org.isolated1.Service Namespaces)
        pid_ino=$(stat -L -c %i /proc/$init/ns/pid)
        check_match "Namespaces has the pid namespace's inode" "\"pid\" $pid_ino" "$ns"
        check_match "Namespaces has all six" '^a\{st\} 6 ' "$ns"
        check "TasksCurrent comes from systemd" prop_settles_ge api TasksCurrent 2
        check "MemoryCurrent comes from systemd" prop_settles_ge api MemoryCurrent 1
        check_eq "and is what systemd reports for the scope" "$(scope_prop isolated-api.scope TasksCurrent)" "$(prop api TasksCurrent)"
        check "StartTimestamp is recent" test "$(prop api StartTimestamp)" -gt "$(( ($(date +%s) - 60) * 1000000 ))"
}

# Kill: main, a bad whom, a bad signal.
testcase_kill() {
        need_api
        check "KillService main SIGUSR1" call KillService ssi api main 10
        check "the main process got it" wait_for 5 sh -c "journalctl -u isolated-api.scope -o cat | grep -q got-usr1"
        out=$(call KillService ssi api someone 10 2>&1)
        check_match "a bad whom is refused" "Invalid" "$out"
        out=$(call KillService ssi api main 99 2>&1)
        check_match "a bad signal is refused" "Invalid" "$out"
        check_match "isolatectl checks the signal name itself" "Invalid signal 'SIGNOPE'" "$(isolatectl kill --signal=SIGNOPE api 2>&1)"
        out=$(isolatectl reload api 2>&1)
        check_match "reload without ExecReload= is refused, as systemd does" "no ExecReload=" "$out"
}

# Restart: a new init, same name and path.
testcase_restart() {
        need_api
        old=$(prop api InitPID)
        out=$(call RestartService s api)
        check_eq "RestartService returns the path" 'o "/org/isolated1/service/api"' "$out"
        check_eq "running again" running "$(prop api State)"
        check "with a new init" test "$(prop api InitPID)" != "$old"
        check "the old init is gone" test ! -d /proc/$old
        old=$(prop api InitPID)
        out=$(busctl call org.isolated1 /org/isolated1/service/api org.isolated1.Service Restart)
        check_eq "Service.Restart() returns the path too, as introspection says" 'o "/org/isolated1/service/api"' "$out"
        check "with a new init again" test "$(prop api InitPID)" != "$old"
}

# What the daemon sent while api started, changed state and was removed.
testcase_signals() {
        need_api
        check "stop api" isolatectl stop api
        check "reset-failed api" isolatectl reset-failed api
        wait_for 10 grep -q '"member":"ServiceRemoved"' "$work/signals"
        kill "$monitor_pid"; wait "$monitor_pid" 2>/dev/null; monitor_pid=
        sigs=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try: m = json.loads(line)
    except ValueError: continue
    data = m.get("payload", {}).get("data", [])
    extra = ""
    if m.get("member") == "PropertiesChanged" and data and "State" in data[1]:
        extra = data[1]["State"]["data"]
    print(m.get("member"), m.get("path"), extra)' "$work/signals")
        check_match "ServiceNew was sent" "^ServiceNew /org/isolated1 " "$sigs"
        check_match "PropertiesChanged running" "^PropertiesChanged /org/isolated1/service/api running" "$sigs"
        check_match "PropertiesChanged stopping" "^PropertiesChanged /org/isolated1/service/api stopping" "$sigs"
        check_match "PropertiesChanged exited" "^PropertiesChanged /org/isolated1/service/api exited" "$sigs"
        check_match "ServiceRemoved was sent" "^ServiceRemoved /org/isolated1 " "$sigs"
}

# Many callers at once.
testcase_many() {
        # (Waiting for these calls only: the bus monitor runs in the background too.)
        local pids=()
        for i in $(seq 1 50); do
                call StartService ss "many$i" "$(cat "$work/sleep.service")" > "$work/out$i" 2>&1 &
                pids+=($!)
        done
        wait "${pids[@]}"
        fails=0
        for i in $(seq 1 50); do grep -q "^o \"/org/isolated1/service/many$i\"" "$work/out$i" || fails=$((fails + 1)); done
        check_eq "50 concurrent starts all succeed" 0 "$fails"
        check_eq "50 running" 50 "$(isolatectl list | grep -c '^many[0-9]* *running')"
        check_eq "50 scopes, one each" 50 "$(systemctl list-units --plain --no-legend 'isolated-many*.scope' | grep -c active)"
        pids=()
        for i in $(seq 1 50); do call StopService s "many$i" > "$work/stop$i" 2>&1 & pids+=($!); done
        wait "${pids[@]}"
        check_eq "50 concurrent stops, no scope left" 0 "$(systemctl list-units --all --plain --no-legend 'isolated-many*.scope' | wc -l)"
}

run_testcases
