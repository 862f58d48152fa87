#!/bin/bash
# isolatectl, every verb and option against the real daemon: exit codes,
# messages, status fields, list as a table and as JSON, show -p, kill with
# --signal/--kill-whom, shell in the service's namespaces and scope, logs,
# start --wait, verify, cat, and the bash completion.
. "$TESTS/lib.sh"

work=$(mktemp -d)
names="ctlrl ctlu ctla ctlb ctlw ctlw2 ctlw3 ctlw4 ctlfail ctlsrch ctllog ctlinst@15-main ctlinst@x ctlinst@y"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; done
        for n in $names; do isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -rf "$work" /run/isolated/ctlsrch.service /run/isolated/ctlsrch.service.d /run/isolated/ctlinst@*
        rmdir /run/isolated 2>/dev/null
}
trap cleanup EXIT

journal_of() { journalctl -u "isolated-$1.scope" -o cat --no-pager 2>/dev/null; }
count_in_journal() { journal_of "$1" | grep -c -- "$2"; }

# --- start, status, is-active, show, list ----------------------------------
# The main shell traps USR1 and writes a line; so does a second process. It
# ends cleanly on TERM: a shell that is waiting for sleep may exit 143 rather
# than die of the signal, and systemd (and isolated) count exit 143 a failure.
cat > "$work/ctla.service" <<'UNIT'
[Unit]
Description=isolatectl test A

[Service]
ExecStart=/bin/sh -c '(trap "echo child-got-usr1" USR1; trap "echo child-got-usr2" USR2; while :; do sleep 0.1; done) & trap "echo main-got-usr1" USR1; trap "exit 0" TERM; echo ctla-ready; while :; do sleep 0.1; done'
MemoryMax=64M
TasksMax=20

[Isolate]
Hostname=ctlbox
UNIT

# need_ctla: ctla runs and has said so (started by an earlier case, or now: CASE= runs one).
# (The cases' bodies are not indented, to keep this file's history readable.)
need_ctla() {
        isolatectl is-active -q ctla ||
                check "start ctla" isolatectl --no-pager --no-ask-password start ctla "$work/ctla.service"
        init=$(prop ctla InitPID)
        main=$(prop ctla MainPID)
        wait_for 10 sh -c "journalctl -u isolated-ctla.scope -o cat | grep -q ctla-ready"
}

testcase_status() {
need_ctla
check "is-active ctla exits 0" isolatectl is-active ctla
check_eq "is-active prints active" active "$(isolatectl is-active ctla)"
check_eq "is-active -q prints nothing" "" "$(isolatectl -q is-active ctla)"
isolatectl is-failed ctla >/dev/null; check_eq "is-failed of a running service exits 1" 1 "$?"

status=$(isolatectl status ctla); rc=$?
check_eq "status of a running service exits 0" 0 "$rc"
check_match "status: name and description" "^● ctla - isolatectl test A" "$status"
check_match "status: state" "State: running \(Result: " "$status"
check_match "status: since" "Since: " "$status"
check_match "status: init PID" "Init PID: $init\$" "$status"
check_match "status: main PID" "Main PID: $main\$" "$status"
check_match "status: hostname" "Hostname: ctlbox\$" "$status"
pidns=$(stat -L -c %i /proc/$init/ns/pid)
check_match "status: namespaces, as inodes" "Namespaces:.* pid:\[$pidns\]" "$status"
check_match "status: the scope in its slice" "Unit: isolated-ctla.scope \(in isolated.slice\)" "$status"
check_match "status: memory limit" "Memory: .*\(max: 64.0M\)" "$status"
check_match "status: tasks limit" "Tasks: [0-9]+ \(limit: 20\)" "$status"
check_match "status: journal lines" "ctla-ready" "$status"
check_match "status: journal lines in short format" "ctla\[[0-9]+\]: ctla-ready|sh\[[0-9]+\]: ctla-ready" "$status"
check_eq "status -n 0 shows no journal" 0 "$(isolatectl status -n 0 ctla | grep -c ctla-ready)"

check_eq "show -p State --value" running "$(isolatectl show -p State --value ctla)"
check_eq "show -p MainPID" "MainPID=$main" "$(isolatectl show -p MainPID ctla)"
check_eq "show -p A,B gives two lines" 2 "$(isolatectl show -p State,Hostname ctla | wc -l)"
check_match "show -p Hostname" "^Hostname=ctlbox\$" "$(isolatectl show --property=Hostname ctla)"
show=$(isolatectl show ctla)
for p in Name Description State Result Unit InitPID MainPID ExitCode ExitStatus NRestarts StatusText \
         StartTimestamp MemoryCurrent TasksCurrent CPUUsageNSec Hostname Namespaces; do
        check_match "show has $p=" "^$p=" "$show"
done
check_match "show: Namespaces as type=inode" "^Namespaces=.*pid=$pidns" "$show"
out=$(isolatectl show nosuchsvc 2>&1); rc=$?
check_eq "show of an unknown service exits 4" 4 "$rc"

list=$(isolatectl list)
check_match "list: header" "^NAME +STATE +UNIT +INIT +MAIN" "$list"
check_match "list: the row" "^ctla +running +isolated-ctla.scope +$init +$main\$" "$list"
check_match "list: footer" "service(s)? listed\.\$" "$list"
check "list --output=json is JSON with ctla" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
s = [x for x in d if x["name"] == "ctla"][0]
assert s["state"] == "running" and s["unit"] == "isolated-ctla.scope", s
assert s["init_pid"] == int(sys.argv[2]) and s["main_pid"] == int(sys.argv[3]), s
assert s["path"] == "/org/isolated1/service/ctla", s
' "$(isolatectl list --output=json)" "$init" "$main"
check "list -o json -a is JSON" python3 -c 'import json, sys; json.loads(sys.argv[1])' "$(isolatectl list -o json -a)"
}

# --- kill -------------------------------------------------------------------
testcase_kill() {
need_ctla
check "kill --signal=SIGUSR1 --kill-whom=main" isolatectl kill --signal=SIGUSR1 --kill-whom=main ctla
wait_for 10 sh -c "journalctl -u isolated-ctla.scope -o cat | grep -q main-got-usr1"
check_eq "the main process got it" 1 "$(count_in_journal ctla main-got-usr1)"
# Had the other process got it, it said so before it says child-got-usr2: the shell runs the
# trap of a signal it got earlier (or the lower-numbered one of two pending) first.
child_sync_pid() { # the other process: the sh of the service that is not its main process
        local p
        for p in $(pids_in_pidns_of "$init"); do
                [ "$p" != "$main" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sh ] && { echo "$p"; return 0; }
        done
        return 1
}
child=$(child_sync_pid) && kill -USR2 "$child"
check "the other process answers a signal sent to it alone" \
        wait_for 10 sh -c "journalctl -u isolated-ctla.scope -o cat | grep -q child-got-usr2"
check_eq "the other process did not" 0 "$(count_in_journal ctla child-got-usr1)"
check "kill -s USR1 --kill-whom=all" isolatectl kill -s USR1 --kill-whom=all ctla
wait_for 10 sh -c "journalctl -u isolated-ctla.scope -o cat | grep -q child-got-usr1"
check_eq "now the other process got it" 1 "$(count_in_journal ctla child-got-usr1)"
wait_for 5 sh -c "[ \$(journalctl -u isolated-ctla.scope -o cat | grep -c main-got-usr1) = 2 ]"
check_eq "and the main one again" 2 "$(count_in_journal ctla main-got-usr1)"
out=$(isolatectl kill --signal=SIGNOPE ctla 2>&1); rc=$?
check_eq "a bad signal exits 1" 1 "$rc"
check_match "and says so" "Invalid signal 'SIGNOPE'" "$out"
out=$(isolatectl kill --kill-whom=some ctla 2>&1); rc=$?
check_eq "a bad --kill-whom= exits 1" 1 "$rc"
out=$(isolatectl kill nosuchsvc 2>&1); rc=$?
check_eq "kill of an unknown service exits 4" 4 "$rc"
}

# --- shell --------------------------------------------------------------------
testcase_shell() {
need_ctla
check_eq "shell: hostname is the service's" ctlbox "$(isolatectl shell ctla hostname)"
links=$(isolatectl shell ctla ip -o link show)
check_eq "shell: one interface" 1 "$(echo "$links" | wc -l)"
check_match "shell: it is lo" "^1: lo:" "$links"
check_eq "shell: the service's PID namespace" "$(readlink /proc/$init/ns/pid)" "$(isolatectl shell ctla readlink /proc/self/ns/pid)"
for ns in mnt uts ipc net cgroup; do
        check_eq "shell: the service's $ns namespace" "$(readlink /proc/$init/ns/$ns)" \
                "$(isolatectl shell ctla readlink /proc/self/ns/$ns)"
done
check_match "shell: sees the service's processes (its init is PID 1)" "^1\$" "$(isolatectl shell ctla sh -c 'ls -d /proc/[0-9]* | sed s,/proc/,, ' | sort -n | head -1)"
cg=$(isolatectl shell ctla cat /proc/self/cgroup)
check_match "shell: in the scope's cgroup (its cgroup namespace root)" "^0::/\$|^1:name=systemd:/\$" "$cg"
# From the host: a process of the shell is in the scope.
isolatectl shell ctla sleep 333.21 &
shpid=$!
cmdpid=""
# Sets cmdpid once the shell's command runs (bounded: a slow machine takes seconds). pgrep, not a
# process per /proc entry: under qemu TCG that loop took longer than the command ran.
shell_cmd() { cmdpid=$(pgrep -xf 'sleep 333\.21'); [ -n "$cmdpid" ]; }
wait_for 30 shell_cmd
if [ -e /sys/fs/cgroup/systemd/isolated.slice ]; then procs=/sys/fs/cgroup/systemd/isolated.slice/isolated-ctla.scope/cgroup.procs
else procs=/sys/fs/cgroup/isolated.slice/isolated-ctla.scope/cgroup.procs; fi
check "shell: the command runs in the scope's cgroup" grep -qx "$cmdpid" "$procs"
check "shell: in the service's PID namespace" test "$(readlink /proc/$cmdpid/ns/pid)" = "$(readlink /proc/$init/ns/pid)"
check "shell: isolatectl itself stays on the host" sh -c "! grep -qx $shpid $procs && [ \"\$(readlink /proc/$shpid/ns/mnt)\" = \"\$(readlink /proc/self/ns/mnt)\" ]"
[ -n "$cmdpid" ] && kill "$cmdpid"
wait $shpid
isolatectl shell ctla sh -c 'exit 5'; rc=$?
check_eq "shell: exits with the command's status" 5 "$rc"
echo 'echo from-stdin-$((6*7))' | isolatectl shell ctla > "$work/shell.out"
check_eq "shell: no CMD runs a shell (stdin not a tty)" from-stdin-42 "$(cat "$work/shell.out")"
# On a terminal, the confinement, the relay: test-shell.sh.
out=$(isolatectl -H root@localhost shell ctla true 2>&1); rc=$?
check_eq "shell under -H exits 1" 1 "$rc"
check_match "and says it needs local access" "shell needs local access" "$out"
out=$(isolatectl shell nosuchsvc true 2>&1); rc=$?
check_eq "shell of an unknown service exits 4" 4 "$rc"
isolatectl shell ctla /nonexistent/cmd 2>/dev/null; rc=$?
check_eq "shell: a missing command exits 127" 127 "$rc"
}

# As the service's User=.
# is-active as systemctl's: a reload under way is active (ExecReload='s sleep: a reload that
# lasts long enough to be seen).
testcase_reload_user() {
printf '[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sleep 3\n' > "$work/ctlrl.service"
check "start ctlrl" isolatectl start ctlrl "$work/ctlrl.service"
isolatectl reload ctlrl >/dev/null 2>&1 &
reload_pid=$!
check "it is reloading" wait_for 5 sh -c '[ "$(isolatectl show -p State --value ctlrl)" = reloading ]'
out=$(isolatectl is-active ctlrl); rc=$?
check_eq "is-active while reloading prints reloading, as systemctl does" reloading "$out"
check_eq "and exits 0" 0 "$rc"
wait "$reload_pid"
check "stop ctlrl" isolatectl stop ctlrl
printf '[Service]\nExecStart=/bin/sleep 1000\nUser=nobody\n' > "$work/ctlu.service"
if isolatectl start ctlu "$work/ctlu.service" >/dev/null 2>&1; then
        check_eq "shell: as the service's user" "$(id -u nobody)" "$(isolatectl shell ctlu id -u)"
        check_eq "shell: with the service's group" "$(id -g nobody)" "$(isolatectl shell ctlu id -g)"
        check_eq "shell: its HOME" "$(getent passwd nobody | cut -d: -f6)" "$(isolatectl shell ctlu sh -c 'echo $HOME')"
        isolatectl stop ctlu >/dev/null
else
        not_ok "start a User=nobody service"
fi
}

# --- restart, reload ---------------------------------------------------------------
testcase_restart() {
need_ctla
check "restart ctla" isolatectl restart ctla
check_eq "running again" running "$(isolatectl show -p State --value ctla)"
check "with a new main process" test "$(prop ctla MainPID)" != "$main"
out=$(isolatectl reload ctla 2>&1); rc=$?
check_eq "reload without ExecReload= exits 1" 1 "$rc"
check_eq "in one line" 1 "$(echo "$out" | wc -l)"
}

# --- stop, status of an ended service, exit codes ------------------------------
testcase_stop() {
need_ctla
check "stop ctla" isolatectl stop ctla
isolatectl status ctla >/dev/null; rc=$?
check_eq "status of an ended service exits 3" 3 "$rc"
check_match "status says exited" "State: exited" "$(isolatectl status ctla)"
isolatectl is-active ctla >/dev/null; check_eq "is-active of an ended service exits 3" 3 "$?"
check_eq "is-active prints its state" exited "$(isolatectl is-active ctla)"
check_eq "list hides it" 0 "$(isolatectl list | grep -c '^ctla ')"
check_match "list --all shows it" "^ctla +exited" "$(isolatectl list --all)"
isolatectl status nosuchsvc >/dev/null 2>&1; check_eq "status of an unknown service exits 4" 4 "$?"
isolatectl is-active nosuchsvc >/dev/null 2>&1; check_eq "is-active of an unknown service exits 3" 3 "$?"
isolatectl stop nosuchsvc >/dev/null 2>&1; check_eq "stop of an unknown service exits 4" 4 "$?"
out=$(isolatectl stop nosuchsvc 2>&1)
check_eq "an error is one line" 1 "$(echo "$out" | wc -l)"
check "reset-failed ctla" isolatectl reset-failed ctla
isolatectl status ctla >/dev/null 2>&1; check_eq "after reset-failed it is gone (4)" 4 "$?"
}

# A failed service: is-failed, list without --all, reset-failed.
testcase_failed() {
printf '[Service]\nExecStart=/bin/sh -c "exit 3"\n' > "$work/ctlfail.service"
check "start ctlfail" isolatectl start ctlfail "$work/ctlfail.service"
wait_for 10 sh -c '[ "$(isolatectl is-active ctlfail)" = failed ]'
check "is-failed exits 0" isolatectl is-failed ctlfail
check_match "list shows a failed service" "^ctlfail +failed" "$(isolatectl list)"
isolatectl status ctlfail >/dev/null; check_eq "status of a failed service exits 3" 3 "$?"
check_match "status shows the exit" "Exit: exited, status 3" "$(isolatectl status ctlfail)"
check "reset-failed ctlfail" isolatectl reset-failed ctlfail
isolatectl is-failed ctlfail >/dev/null; check_eq "is-failed after reset-failed exits 1" 1 "$?"
}

# --- logs -------------------------------------------------------------------------
testcase_logs() {
printf '[Service]\nExecStart=/bin/sh -c "for i in 1 2 3 4 5; do echo log-line-$$i; done; exec sleep 1000"\n' > "$work/ctllog.service"
check "start ctllog" isolatectl start ctllog "$work/ctllog.service"
wait_for 10 sh -c "journalctl -u isolated-ctllog.scope -o cat | grep -q log-line-5"
logs=$(isolatectl logs ctllog)
check_match "logs shows what it printed" "log-line-1" "$logs"
check_match "logs in short format" "^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} .*: log-line-5\$" "$logs"
last2=$(isolatectl logs -n 2 ctllog)
check_eq "logs -n 2: two lines" 2 "$(echo "$last2" | wc -l)"
check_match "logs -n 2: the last two" "log-line-4.*log-line-5" "$(echo $last2)"
timeout 2 isolatectl logs -f ctllog > "$work/follow.out"
check_eq "logs -f follows (killed by timeout)" 124 "$?"
check_match "logs -f showed the last lines first" "log-line-5" "$(cat "$work/follow.out")"
out=$(isolatectl -H root@localhost logs ctllog 2>&1); rc=$?
check_eq "logs under -H exits 1" 1 "$rc"
check "stop ctllog" isolatectl stop ctllog
}

# --- start --wait -------------------------------------------------------------
# (ctlw's sleep: a service that ends a while after its start, not at once as ctlw2.)
testcase_wait() {
printf '[Service]\nExecStart=/bin/sh -c "sleep 0.5; exit 7"\n' > "$work/ctlw.service"
isolatectl -q start --wait ctlw "$work/ctlw.service"; rc=$?
check_eq "start --wait exits with the service's exit status" 7 "$rc"
printf '[Service]\nExecStart=/bin/sh -c "exit 7"\n' > "$work/ctlw2.service"
isolatectl -q start --wait ctlw2 "$work/ctlw2.service"; rc=$?
check_eq "start --wait sees an immediate end too" 7 "$rc"
printf '[Service]\nExecStart=/bin/true\n' > "$work/ctlw3.service"
check "start --wait of a successful service exits 0" isolatectl start --wait ctlw3 "$work/ctlw3.service"
printf '[Service]\nExecStart=/bin/sh -c "kill -KILL $$$$"\n' > "$work/ctlw4.service"
isolatectl -q start --wait ctlw4 "$work/ctlw4.service"; rc=$?
check_eq "start --wait of a killed service exits 128+9" 137 "$rc"
isolatectl stop ctlw ctlw2 ctlw3 ctlw4 >/dev/null 2>&1
isolatectl reset-failed ctlw ctlw2 ctlw3 ctlw4 >/dev/null 2>&1
}

# SIGTERM to the waiting isolatectl stops the service.
testcase_sigterm() {
printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/ctlb.service"
isolatectl -q start --wait ctlb "$work/ctlb.service" &
waiter=$!
wait_for 10 sh -c '[ "$(isolatectl is-active ctlb)" = active ]'
check_eq "ctlb runs under start --wait" active "$(isolatectl is-active ctlb)"
kill -TERM $waiter
wait $waiter; rc=$?
check_eq "SIGTERM: start --wait exits 0 after the stop" 0 "$rc"
check_eq "and the service is stopped" exited "$(isolatectl is-active ctlb)"
check "and its scope is gone" sh -c '! systemctl is-active -q isolated-ctlb.scope'
out=$(isolatectl start --wait nosuchdesc 2>&1); rc=$?
check_eq "start --wait of a missing description exits 4 (no such service)" 4 "$rc"
check_match "and says which file is missing" "nosuchdesc" "$out"
check_eq "one line" 1 "$(echo "$out" | wc -l)"
out=$(isolatectl --wait stop ctlb 2>&1); rc=$?
check_eq "--wait with another verb exits 1" 1 "$rc"
}

# --- verify, cat, start by name -----------------------------------------------------
testcase_verify() {
printf '[Service]\nExecStart=/bin/true\nMemoryMax=10M\n' > "$work/good.service"
check "verify of a good file exits 0" isolatectl verify "$work/good.service"
printf '[Service]\nExecStart=/bin/true\nMemoryMax=lots\n' > "$work/bad.service"
out=$(isolatectl verify "$work/bad.service" 2>&1); rc=$?
check_eq "verify of a bad file exits 1" 1 "$rc"
check_match "and names file:line" "^$work/bad.service:3: .*MemoryMax" "$out"
isolatectl verify "$work/good.service" "$work/bad.service" >/dev/null 2>&1
check_eq "verify of good + bad exits 1" 1 "$?"
out=$(isolatectl verify /nonexistent.service 2>&1); rc=$?
check_eq "verify of a missing file exits 1" 1 "$rc"
}

testcase_search() {
mkdir -p /run/isolated/ctlsrch.service.d
printf '[Unit]\nDescription=from the search path\n[Service]\nExecStart=/bin/sleep 1000\n' > /run/isolated/ctlsrch.service
printf '[Isolate]\nHostname=dropped\n' > /run/isolated/ctlsrch.service.d/50-host.conf
cat=$(isolatectl cat ctlsrch)
check_match "cat: the main file under its path" "^# /run/isolated/ctlsrch.service\$" "$cat"
check_match "cat: its text" "^Description=from the search path\$" "$cat"
check_match "cat: the drop-in under its path" "^# /run/isolated/ctlsrch.service.d/50-host.conf\$" "$cat"
check_match "cat: the drop-in's text" "^Hostname=dropped\$" "$cat"
isolatectl cat nosuchdesc >/dev/null 2>&1; check_eq "cat of a missing description exits 4" 4 "$?"
check "start by name from the search path" isolatectl start ctlsrch
check_eq "the drop-in applied" dropped "$(isolatectl show -p Hostname --value ctlsrch)"
check "stop ctlsrch" isolatectl stop ctlsrch
}

# --- templates and instances (issue 15) ---------------------------------------------
# A template in the search path, started as PREFIX@INSTANCE: systemd's specifiers, a transient
# scope isolated-PREFIX\x40INSTANCE.scope (systemd allows no instance of a scope), drop-ins of
# the template and of the instance, the name everywhere (list, show, the D-Bus object path), and a hostname without "@".
testcase_instances() {
mkdir -p /run/isolated/ctlinst@.service.d /run/isolated/ctlinst@15-main.service.d
cat > /run/isolated/ctlinst@.service <<'UNIT'
[Unit]
Description=instance %i of %p
[Service]
ExecStart=/bin/sh -c 'echo "i=%i I=%I n=%n N=%N p=%p j=%j f=%f host=$(hostname)"; exec sleep 1000'
Environment=FROM=template
UNIT
printf '[Service]\nEnvironment=ALL=template-dropin\n' > /run/isolated/ctlinst@.service.d/10-all.conf
printf '[Service]\nTasksMax=55\n' > /run/isolated/ctlinst@15-main.service.d/20-mine.conf
check "start an instance of a template" isolatectl start ctlinst@15-main
check "its scope is isolated-ctlinst\\x4015-main.scope (no scope may be an instance)" scope_exists 'isolated-ctlinst\x4015-main.scope'
check_eq "the instance's drop-in applies" 55 "$(scope_prop 'isolated-ctlinst\x4015-main.scope' TasksMax)"
check "the specifiers, as systemd's" wait_for 10 sh -c "journalctl -u 'isolated-ctlinst\x4015-main.scope' -o cat --no-pager | grep -qxF 'i=15-main I=15/main n=ctlinst@15-main.service N=ctlinst@15-main p=ctlinst j=ctlinst f=/15/main host=ctlinst-15-main'"
check_eq "the Unit property names it" 'isolated-ctlinst\x4015-main.scope' "$(isolatectl show -p Unit --value ctlinst@15-main)"
check_match "logs finds its journal" "i=15-main I=15/main" "$(isolatectl logs ctlinst@15-main 2>&1)"
check_eq "Description with %i" "instance 15-main of ctlinst" "$(isolatectl show -p Description --value ctlinst@15-main)"
check_eq "Hostname without @" ctlinst-15-main "$(isolatectl show -p Hostname --value ctlinst@15-main)"
check_match "list shows the name" "^ctlinst@15-main +running" "$(isolatectl --no-legend list)"
check_eq "the D-Bus object path" "/org/isolated1/service/ctlinst_4015_2dmain" \
        "$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager GetService s ctlinst@15-main | awk '{print $2}' | tr -d '"')"
check_match "status names it" "ctlinst@15-main" "$(isolatectl status ctlinst@15-main 2>&1)"
cat=$(isolatectl cat ctlinst@15-main)
check_eq "cat: the template, then the drop-ins by file name" \
        "# /run/isolated/ctlinst@.service|# /run/isolated/ctlinst@.service.d/10-all.conf|# /run/isolated/ctlinst@15-main.service.d/20-mine.conf" \
        "$(grep '^# /' <<< "$cat" | paste -sd '|')"
check_eq "cat of the template: its file and its own drop-ins, as systemctl cat" \
        "# /run/isolated/ctlinst@.service|# /run/isolated/ctlinst@.service.d/10-all.conf" \
        "$(isolatectl cat ctlinst@ | grep '^# /' | paste -sd '|')"
check "a second instance of the same template" isolatectl start ctlinst@x
check_eq "runs beside the first" active "$(isolatectl is-active ctlinst@x)"
check "without the first's drop-in" sh -c "[ \"\$(systemctl show 'isolated-ctlinst\x40x.scope' -p TasksMax --value)\" != 55 ]"
check "stop the instances" isolatectl stop ctlinst@15-main ctlinst@x
check_eq "with Result=success" success "$(isolatectl show -p Result --value ctlinst@15-main)"
check "its scope is gone" wait_for 10 sh -c "! systemctl show 'isolated-ctlinst\x4015-main.scope' -p ActiveState --value | grep -qx active"

out=$(isolatectl start ctlinst@ 2>&1); rc=$?
check_eq "a template cannot be started" 1 "$rc"
check_match "saying so" "ctlinst@ is a template: start an instance, ctlinst@INSTANCE" "$out"
out=$(isolatectl start nosuchtpl@a 2>&1); rc=$?
check_match "an instance of no template names both files" "No description nosuchtpl@a.service nor its template nosuchtpl@.service" "$out"
printf '[Service]\nExecStart=/bin/sh -c "echo y=%%i; exec sleep 1000"\n' > "$work/ytpl@.service"
check "start NAME FILE with FILE a template takes the instance from NAME" isolatectl start ctlinst@y "$work/ytpl@.service"
check "and expands %i to it" wait_for 10 sh -c "journalctl -u 'isolated-ctlinst\x40y.scope' -o cat --no-pager | grep -qx 'y=y'"
check "stop ctlinst@y" isolatectl stop ctlinst@y
check "verify of a template verifies PREFIX@i, as systemd-analyze" isolatectl verify /run/isolated/ctlinst@.service
}

# --- usage errors ---------------------------------------------------------------------
testcase_usage() {
out=$(isolatectl frobnicate 2>&1); rc=$?
check_eq "an unknown verb exits 1" 1 "$rc"
check_match "and points at --help" "Unknown command 'frobnicate'; see isolatectl --help" "$out"
check "--help lists shell" sh -c 'isolatectl --help | grep -q "shell NAME"'
check "--version" sh -c 'isolatectl --version | grep -q "^isolatectl "'
}

# --- bash completion -------------------------------------------------------------
testcase_completion() {
comp=""
for d in /usr/share/bash-completion/completions; do [ -f $d/isolatectl ] && comp=$d/isolatectl; done
if [ -n "$comp" ]; then
        complete_words() { bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _isolatectl; echo "${COMPREPLY[*]}"' _ "$comp" "$@"; }
        check_eq "completion: verbs" "start stop status show shell security" "$(complete_words isolatectl s)"
        check_match "completion: --kill-whom values" "^main all\$" "$(complete_words isolatectl kill --kill-whom '')"
        check "start ctla for completion" isolatectl start ctla "$work/ctla.service"
        check_match "completion: service names" "ctla" "$(complete_words isolatectl status ct)"
        mkdir -p /run/isolated
        printf '[Service]\nExecStart=/bin/true\n' > /run/isolated/ctlsrch.service
        check_match "completion: description names" "ctlsrch" "$(complete_words isolatectl cat ctl)"
        mkdir -p /run/isolated
        printf '[Service]\nExecStart=/bin/true\n' > /run/isolated/ctlinst@.service
        check_eq "completion: a template for its instance" "ctlinst@" "$(complete_words isolatectl start ctlins)"
        isolatectl stop ctla >/dev/null
else
        not_ok "bash completion installed in /usr/share/bash-completion/completions"
fi
}

run_testcases
