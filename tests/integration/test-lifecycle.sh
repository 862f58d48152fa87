#!/bin/bash
# The lifecycle of DESIGN.md, against the real systemd with tests/fixtures/legacyd:
# Type=forking (PIDFile= and the guess), Type=notify (READY=1, STATUS=,
# NotifyAccess=), exit results, ExecStartPre=/ExecStartPost=/ExecStop=/ExecReload=,
# KillMode=, TimeoutStopSec=, TimeoutStartSec=, Restart= with NRestarts and the
# start limit, a stop during the start, the orphan storm, the execution keys
# and RuntimeDirectory= and kin.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-life.XXXXXX)
names="lf1 lf2 lf3 lf4 lf5 lf6 lf7 lf8 lf9 lf10 lf11 lf12 lf13 lf14 lf15 lf16 lf17 lf18 lf19 lf20 lf21 lf22 lf23 lf24 lf25 lf26 lf27 lf28 lf29"
journald_pid=
cleanup() {
        [ -n "$journald_pid" ] && kill -CONT "$journald_pid" 2>/dev/null
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        # The many of 17-19: whichever are still known.
        for n in $(isolatectl list --all 2>/dev/null | awk '$1 ~ /^lf(26-|cap)/ { print $1 }'); do
                isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1
        done
        systemctl kill -s KILL isolated-lf28.scope >/dev/null 2>&1
        systemctl stop isolated-lf27.scope isolated-lf28.scope >/dev/null 2>&1
        rm -rf "$work" /var/lib/lf-state /var/log/lf-logs /var/cache/lf-cache
}
trap cleanup EXIT

helper legacyd "$work" || { not_ok "build legacyd"; finish; exit 1; }
chmod 755 "$work"
L=$work/legacyd

# svc NAME LINES...: writes $work/NAME.service with [Service] and the lines.
svc() {
        local n=$1; shift
        { echo "[Service]"; printf '%s\n' "$@"; } > "$work/$n.service"
}
nspid_of() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
gone() { ! systemctl is-active -q "isolated-$1.scope" && [ ! -d "/proc/$2" ]; }
# (The cases' bodies are not indented, to keep this file's history readable.)

# 1. Type=forking with PIDFile=: the daemon, not the process that was started, is the main process.
testcase_forking_pidfile() {
svc lf1 "Type=forking" "PIDFile=/run/lf1.pid" "ExecStart=$L --fork --pidfile /run/lf1.pid"
check "forking daemon starts" isolatectl start lf1 "$work/lf1.service"
main=$(prop lf1 MainPID); init=$(prop lf1 InitPID)
check_eq "State running" running "$(prop lf1 State)"
check_eq "MainPID is the PID in PIDFile= (read inside)" "$(nsenter -t "$init" -m cat /run/lf1.pid)" "$(nspid_of "$main")"
check_match "and it is the daemonized legacyd" "legacyd.--fork" "$(tr '\0' ' ' < /proc/$main/cmdline)"
check_eq "its parent is the init (re-parented)" "$init" "$(awk '/^PPid:/ {print $2}' /proc/$main/status)"
check "stop" isolatectl stop lf1
check "everything gone when stop returns" gone lf1 "$init"
check_eq "stopped by SIGTERM: Result success" success "$(prop lf1 Result)"
}

# 2. Type=forking without PIDFile=: the main PID guessed as systemd does.
testcase_forking_guess() {
svc lf2 "Type=forking" "ExecStart=$L --fork"
check "forking without PIDFile= starts" isolatectl start lf2 "$work/lf2.service"
main=$(prop lf2 MainPID)
check_match "the guessed main PID is the daemon" "legacyd.--fork" "$(tr '\0' ' ' < /proc/$main/cmdline 2>/dev/null)"
check "stop" isolatectl stop lf2
}

# 3. Exit status and signals as systemd reports them.
testcase_exit_status() {
svc lf3 "ExecStart=$L --delay 300 --exit 3"
check "exit-3 service starts" isolatectl start lf3 "$work/lf3.service"
check "it ends" wait_prop lf3 State failed 10
check_eq "exit 3: Result=exit-code" exit-code "$(prop lf3 Result)"
check_eq "ExitCode=exited" exited "$(prop lf3 ExitCode)"
check_eq "ExitStatus=3" 3 "$(prop lf3 ExitStatus)"
check "is-failed" isolatectl is-failed lf3
svc lf4 "ExecStart=$L --delay 300 --segv"
check "crashing service starts" isolatectl start lf4 "$work/lf4.service"
check "it crashes" wait_prop lf4 State failed 10
check_match "SIGSEGV: Result core-dump or signal" "^(core-dump|signal)$" "$(prop lf4 Result)"
check_eq "ExitStatus=11" 11 "$(prop lf4 ExitStatus)"
}

# 4. Restart=on-failure restarts a crashed daemon in place; NRestarts counts it.
testcase_restart() {
svc lf5 "Restart=on-failure" "RestartSec=200ms" "ExecStart=$L --trigger /run/lf5.trigger"
check "restartable service starts" isolatectl start lf5 "$work/lf5.service"
init=$(prop lf5 InitPID); main=$(prop lf5 MainPID)
check_eq "NRestarts=0 at first" 0 "$(prop lf5 NRestarts)"
nsenter -t "$init" -U -m sh -c 'echo segv > /run/lf5.trigger'
check "it comes back (NRestarts=1)" wait_prop lf5 NRestarts 1 10
check "running again" wait_prop lf5 State running 5
check_eq "in the same scope, same init" "$init" "$(prop lf5 InitPID)"
new=$(prop lf5 MainPID)
check "with a new main process" test "$new" != "$main" -a -d "/proc/$new"
check "stop" isolatectl stop lf5
check_eq "a stop is no failure" success "$(prop lf5 Result)"
}

# 5. Restart=always of a service that keeps failing stops at the start limit.
testcase_start_limit() {
printf '[Unit]\nStartLimitIntervalSec=10\nStartLimitBurst=3\n' > "$work/lf6.service"
printf '[Service]\nRestart=always\nRestartSec=100ms\nExecStart=/bin/false\n' >> "$work/lf6.service"
check "failing service starts" isolatectl start lf6 "$work/lf6.service"
check "it gives up" wait_prop lf6 State failed 15
check_eq "Result=start-limit-hit" start-limit-hit "$(prop lf6 Result)"
check_eq "NRestarts=2 (3 starts in 10 s)" 2 "$(prop lf6 NRestarts)"
}

# 6. A daemon that ignores SIGTERM is killed after TimeoutStopSec=.
testcase_stop_timeout() {
svc lf7 "TimeoutStopSec=2" "ExecStart=$L --ignore-term"
check "SIGTERM-ignoring daemon starts" isolatectl start lf7 "$work/lf7.service"
init=$(prop lf7 InitPID)
t=$(date +%s%N)
check "stop" isolatectl stop lf7
ms=$(ms_since "$t")
check "stop took TimeoutStopSec= ($ms ms)" test "$ms" -ge 1900 -a "$ms" -lt 10000
check "everything gone" gone lf7 "$init"
# journald reads the stream on its own time: wait for the line (bounded).
check "the journal says why (TimeoutStopSec=)" \
        wait_for 10 sh -c "journalctl -u isolated-lf7.scope -o cat | tail -20 | grep -q TimeoutStopSec="
}

# 7. The orphan storm: 10,000 short-lived orphans, zero zombies after.
testcase_orphans() {
svc lf8 "ExecStart=$L --trigger /run/lf8.trigger"
check "orphan factory starts" isolatectl start lf8 "$work/lf8.service"
init=$(prop lf8 InitPID)
nsenter -t "$init" -U -m sh -c 'echo orphans 10000 > /run/lf8.trigger'
check "10000 orphans spawned" wait_for 200 sh -c "journalctl -u isolated-lf8.scope -o cat | grep -q 'spawned 10000 orphans'"
n_zombies() {
        local p n=0
        for p in $(pids_in_pidns_of "$1"); do
                [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && n=$((n + 1))
        done
        echo "$n"
}
# The last orphans may still be exiting when the line is logged: the init reaps them as they go.
settled() { [ "$(n_zombies "$1")" = 0 ] && [ "$(pids_in_pidns_of "$1" | wc -l)" = 2 ]; }
wait_for 10 settled "$init"
check_eq "zero zombies in the namespace after the storm" 0 "$(n_zombies "$init")"
check_eq "only init and the daemon remain" 2 "$(pids_in_pidns_of "$init" | wc -l)"
check "stop" isolatectl stop lf8
}

# 8. Type=notify: start returns only after READY=1 (from the main process: NotifyAccess=main).
testcase_notify() {
svc lf9 "Type=notify" "ExecStart=$L --notify 1000 --status 'serving 42'"
t=$(date +%s%N)
check "notify service starts" isolatectl start lf9 "$work/lf9.service"
ms=$(ms_since "$t")
check "start returned after READY=1 ($ms ms)" test "$ms" -ge 1000
check_eq "StatusText from STATUS=" "serving 42" "$(prop lf9 StatusText)"
check_match "status shows it" "serving 42" "$(isolatectl status lf9)"
check "stop" isolatectl stop lf9
# systemd-notify sends from its own PID: it needs NotifyAccess=all.
svc lf10 "Type=notify" "NotifyAccess=all" "ExecStart=/bin/sh -c 'sleep 1; systemd-notify --ready --status=via-systemd-notify; exec sleep 1000'"
t=$(date +%s%N)
check "systemd-notify with NotifyAccess=all" isolatectl start lf10 "$work/lf10.service"
check "after READY=1 ($(ms_since "$t") ms)" test "$(ms_since "$t")" -ge 1000
check_eq "StatusText" via-systemd-notify "$(prop lf10 StatusText)"
check "stop" isolatectl stop lf10
# ... and under NotifyAccess=main its READY=1 is ignored: TimeoutStartSec= fails the start.
svc lf11 "Type=notify" "TimeoutStartSec=3" "ExecStart=/bin/sh -c 'systemd-notify --ready; exec sleep 1000'"
t=$(date +%s%N)
out=$(isolatectl start lf11 "$work/lf11.service" 2>&1); rc=$?
ms=$(ms_since "$t")
check "READY=1 from another PID is ignored: the start fails" test "$rc" != 0
check "after TimeoutStartSec= ($ms ms)" test "$ms" -ge 2900 -a "$ms" -lt 15000
check_match "and says so" "TimeoutStartSec" "$out"
check_eq "Result=timeout" timeout "$(prop lf11 Result)"
check "nothing left of it" sh -c '! systemctl is-active -q isolated-lf11.scope'
}

# 9. ExecStartPre=/ExecStartPost=/ExecReload=/ExecStop= inside the sandbox, $MAINPID set.
testcase_exec_hooks() {
svc lf12 "Type=forking" "PIDFile=/run/lf12.pid" "RuntimeDirectory=lf12" \
        "ExecStartPre=-/bin/false" \
        "ExecStartPre=/bin/sh -c 'echo pre-on-\$(hostname) > /run/lf12/pre'" \
        "ExecStart=$L --fork --pidfile /run/lf12.pid" \
        "ExecStartPost=/bin/sh -c 'echo post > /run/lf12/post'" \
        "ExecReload=/bin/sh -c 'echo \$MAINPID > /run/lf12/reload; kill -HUP \$MAINPID'" \
        "ExecStop=/bin/sh -c 'echo stop MAINPID=\$MAINPID'"
check "service with Exec* starts" isolatectl start lf12 "$work/lf12.service"
init=$(prop lf12 InitPID); main=$(prop lf12 MainPID)
check_eq "ExecStartPre= ran inside (its hostname), after a '-' failure" pre-on-lf12 "$(nsenter -t "$init" -m cat /run/lf12/pre)"
check_eq "ExecStartPost= ran" post "$(nsenter -t "$init" -m cat /run/lf12/post)"
check "reload" isolatectl reload lf12
check_eq "ExecReload= got \$MAINPID (as seen inside)" "$(nspid_of "$main")" "$(nsenter -t "$init" -m cat /run/lf12/reload)"
check "the daemon got SIGHUP" wait_for 5 sh -c "journalctl -u isolated-lf12.scope -o cat | grep -q 'legacyd.*SIGHUP'"
check_eq "running after the reload" running "$(prop lf12 State)"
mainns=$(nspid_of "$main")
check "stop" isolatectl stop lf12
check "ExecStop= ran with \$MAINPID before the signals" \
        wait_for 5 sh -c "journalctl -u isolated-lf12.scope -o cat | grep -qx 'stop MAINPID=$mainns'"
svc lf13 "ExecStartPre=/bin/sh -c 'exit 4'" "ExecStart=/bin/sleep 100"
out=$(isolatectl start lf13 "$work/lf13.service" 2>&1); rc=$?
check "a failing ExecStartPre= fails the start" test "$rc" != 0
check_match "naming it" "ExecStartPre=.*status 4" "$out"
check_eq "Result=exit-code" exit-code "$(prop lf13 Result)"
check_eq "ExitStatus=4" 4 "$(prop lf13 ExitStatus)"
}

# 10. A stop during the start: the start fails, the stop returns once all is gone.
testcase_stop_during_start() {
svc lf14 "Type=notify" "ExecStart=$L --notify 5000"
isolatectl start lf14 "$work/lf14.service" > "$work/lf14.out" 2>&1 &
starter=$!
check "starting" wait_prop lf14 InitPID '!0' 5
init=$(prop lf14 InitPID)
check "stop during start" isolatectl stop lf14
wait "$starter"; rc=$?
check "the start failed" test "$rc" != 0
check_match "stopped while starting" "stopped while starting" "$(cat "$work/lf14.out")"
check "nothing left" gone lf14 "$init"
check_eq "a stop during the start is no failure" success "$(prop lf14 Result)"
}

# 11. KillMode=mixed: SIGTERM to the main process only, the rest SIGKILL; KillMode=process: main only.
testcase_killmode() {
svc lf15 "KillMode=mixed" "ExecStart=/bin/sh -c 'trap \"echo child-got-term\" TERM; (trap \"echo grandchild-got-term\" TERM; sleep 1000 & wait) & wait'"
check "mixed starts" isolatectl start lf15 "$work/lf15.service"
init=$(prop lf15 InitPID)
# The stop must come once the shells have set their traps and the grandchild runs: its sleep is the last.
has_sleep() { local p; for p in $(pids_in_pidns_of "$1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ] && return 0; done; return 1; }
check "the grandchild runs" wait_for 5 has_sleep "$init"
check "stop" isolatectl stop lf15
check "gone" gone lf15 "$init"
check "the rest got no SIGTERM" sh -c "! journalctl -u isolated-lf15.scope -o cat | grep -q grandchild-got-term"
}

# 12. Execution keys: WorkingDirectory=, UMask=, Environment=, EnvironmentFile=, SyslogIdentifier=.
testcase_exec_keys() {
printf 'FROMFILE=yes\n' > "$work/env"
svc lf16 "WorkingDirectory=/usr" "UMask=0077" "Environment=A=1 B=two" "EnvironmentFile=$work/env" \
        "EnvironmentFile=-/nonexistent" "SyslogIdentifier=lf16-ident" \
        "ExecStart=/bin/sh -c 'echo pwd=\$(pwd) umask=\$(umask) A=\$A B=\$B F=\$FROMFILE; exec sleep 1000'"
check "exec keys service starts" isolatectl start lf16 "$work/lf16.service"
check "its line under SyslogIdentifier=" wait_for 5 sh -c "journalctl -t lf16-ident -o cat | grep -q 'pwd='"
check_eq "WorkingDirectory=, UMask=, Environment=, EnvironmentFile=" "pwd=/usr umask=0077 A=1 B=two F=yes" \
        "$(journalctl -t lf16-ident -o cat | grep 'pwd=' | tail -1)"
check "stop" isolatectl stop lf16
}

# 13. RuntimeDirectory=, StateDirectory=, LogsDirectory=, CacheDirectory=: owned by User=, writable under strict.
testcase_directories() {
svc lf17 "User=nobody" "ProtectSystem=strict" "RuntimeDirectory=lf-run" "StateDirectory=lf-state" \
        "LogsDirectory=lf-logs" "CacheDirectory=lf-cache" "StateDirectoryMode=0700" \
        "ExecStart=/bin/sh -c 'for d in /run/lf-run /var/lib/lf-state /var/log/lf-logs /var/cache/lf-cache; do touch \$d/f && echo ok-\$d; done; touch /var/lib/x 2>/dev/null || echo strict-holds; exec sleep 1000'"
check "directories service starts" isolatectl start lf17 "$work/lf17.service"
init=$(prop lf17 InitPID)
check "writes went through" wait_for 5 sh -c "journalctl -u isolated-lf17.scope -o cat | grep -q strict-holds"
log=$(journalctl -u isolated-lf17.scope -o cat)
for d in /run/lf-run /var/lib/lf-state /var/log/lf-logs /var/cache/lf-cache; do
        check_match "$d writable by User= under ProtectSystem=strict" "ok-$d" "$log"
done
check_eq "StateDirectory= on the host, owned by nobody, mode 700" "nobody 700" "$(stat -c '%U %a' /var/lib/lf-state)"
check_eq "RuntimeDirectory= inside, owned by nobody" nobody "$(nsenter -t "$init" -U -m stat -c %U /run/lf-run)"
check "stop" isolatectl stop lf17
}

# 14. The variables systemd.exec(5) gives: $USER and kin with User= only, $*_DIRECTORY; Environment= wins.
testcase_variables() {
svc lf20 "User=nobody" "RuntimeDirectory=lf-run lf-run2" "StateDirectory=lf-state" "Environment=SHELL=/bin/custom" \
        "ExecStart=/bin/sh -c 'env > /run/lf-run/env; exec sleep 1000'"
check "a User= service starts" isolatectl start lf20 "$work/lf20.service"
init=$(prop lf20 InitPID)
check "it wrote its environment" wait_for 5 nsenter -t "$init" -m test -s /run/lf-run/env
env=$(nsenter -t "$init" -m cat /run/lf-run/env)
check_match "USER=nobody" "(^|$(printf '\n'))USER=nobody" "$env"
check_match "LOGNAME=nobody" "LOGNAME=nobody" "$env"
check_match "HOME from the sandbox's passwd" "HOME=$(getent passwd nobody | cut -d: -f6)" "$env"
check_match "SHELL= of Environment= wins over the user's" "SHELL=/bin/custom" "$env"
check_match "RUNTIME_DIRECTORY= lists both, absolute" "RUNTIME_DIRECTORY=/run/lf-run:/run/lf-run2" "$env"
check_match "STATE_DIRECTORY=" "STATE_DIRECTORY=/var/lib/lf-state" "$env"
check "no LOGS_DIRECTORY= without LogsDirectory=" test -z "$(grep LOGS_DIRECTORY <<< "$env")"
id=$(systemctl show -p InvocationID --value isolated-lf20.scope)
check_match "the scope has an invocation ID" "^[0-9a-f]{32}$" "$id"
check_match "INVOCATION_ID= is the scope's, as the journal tags its lines" "INVOCATION_ID=$id" "$env"
check "stop" isolatectl stop lf20
svc lf21 "RuntimeDirectory=lf21" "ExecStart=/bin/sh -c 'env > /run/lf21/env; exec sleep 1000'"
check "a root service without User= starts" isolatectl start lf21 "$work/lf21.service"
init=$(prop lf21 InitPID)
check "it wrote its environment" wait_for 5 nsenter -t "$init" -m test -s /run/lf21/env
check "no USER= or HOME= without User=, as in systemd" sh -c "! nsenter -t $init -m grep -Eq '^(USER|HOME|LOGNAME|SHELL)=' /run/lf21/env"
check "stop" isolatectl stop lf21
}

# 15. The init sends EXITED and exits at once: the daemon must read the message before it takes
# the init's end (128+15) for the main process's. With the daemon stopped (SIGSTOP) while the
# init ends, both are pending in the same turn of its loop; five rounds, each must read EXITED.
testcase_exited_race() {
svc lf22 "ExecStart=/bin/sleep 1000"
daemon=$(systemctl show isolated.service -p MainPID --value)
zombie() { [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
results=""
for i in 1 2 3 4 5; do
        isolatectl start lf22 "$work/lf22.service" >/dev/null 2>&1 || { results="$results start-failed"; continue; }
        init=$(prop lf22 InitPID); main=$(prop lf22 MainPID)
        kill -STOP "$daemon"
        kill -TERM "$main"
        wait_for 10 zombie "$init" || results="$results $i:init-did-not-end"
        kill -CONT "$daemon"
        wait_prop lf22 State exited 10 >/dev/null || results="$results $i:not-exited"
        r=$(prop lf22 Result)
        [ "$r" = success ] || results="$results $i:$r/$(prop lf22 ExitCode)-$(prop lf22 ExitStatus)"
        isolatectl reset-failed lf22 >/dev/null 2>&1
done
check_eq "main killed by SIGTERM while the daemon was stopped: Result=success, 5 of 5" "" "$results"
}

# 16. What the last command wrote just before the init exited keeps the service's unit in the
# journal: journald stopped across the stop reads the line only once the init is gone (on cgroup
# v1 a zombie sits in the root cgroup), and must take the unit from the stream's header.
testcase_last_words() {
svc lf23 "ExecStart=/bin/sleep 1000" "ExecStop=/bin/sh -c 'echo last-words-of-lf23'"
check "start lf23" isolatectl start lf23 "$work/lf23.service"
journald_pid=$(systemctl show -p MainPID --value systemd-journald.service)
kill -STOP "$journald_pid"
isolatectl stop lf23 >/dev/null 2>&1
kill -CONT "$journald_pid"
journald_pid=
check "ExecStop='s words, read after the init was gone, are under isolated-lf23.scope" \
        wait_for 10 sh -c "journalctl -u isolated-lf23.scope -o cat | grep -qx last-words-of-lf23"
}
# 17. A name is started again the moment its previous run ended: systemd may not have collected
# the old scope yet ("already loaded"), and the start waits for it. REUSE_N=500 by hand.
# (lf24 and lf25 are run by the cases after this one too.)
svc lf24 "ExecStart=/bin/true"
svc lf25 "ExecStart=/bin/sleep 1000"
testcase_reuse() {
fails=0; first=
for i in $(seq 1 "${REUSE_N:-100}"); do
        if ! out=$(isolatectl start --wait lf24 "$work/lf24.service" 2>&1); then
                fails=$((fails + 1)); [ -n "$first" ] || first=$out
        fi
done
check_eq "${REUSE_N:-100} back-to-back 'start --wait' of one name: 0 failures" 0 "$fails"
[ -z "$first" ] || echo "    first failure: $first"
# ... and start, stop, start, restart, stop of one name, back to back. REUSE_CYCLES=200 by hand.
fails=0; first=
for i in $(seq 1 "${REUSE_CYCLES:-50}"); do
        for verb in start stop start restart stop; do
                if [ "$verb" = start ]; then out=$(isolatectl start lf25 "$work/lf25.service" 2>&1)
                else out=$(isolatectl "$verb" lf25 2>&1); fi || {
                        fails=$((fails + 1)); [ -n "$first" ] || first="$verb: $out"
                }
        done
done
check_eq "${REUSE_CYCLES:-50} start/stop/start/restart/stop cycles of one name: 0 failures" 0 "$fails"
[ -z "$first" ] || echo "    first failure: $first"
check_eq "lf25 ended by its stop" exited "$(prop lf25 State)"
}

# 18. An ended service holds nothing: ten services that ran /bin/true leave the daemon with the fds
# it had (one run first: the seccomp filter the daemon builds once stays cached); the record stays.
testcase_ended_holds_nothing() {
daemon=$(systemctl show isolated.service -p MainPID --value)
isolatectl start --wait lf26 "$work/lf24.service" >/dev/null 2>&1
fds_before=$(ls "/proc/$daemon/fd" | wc -l)
for i in 0 1 2 3 4 5 6 7 8 9; do
        isolatectl start --wait "lf26-$i" "$work/lf24.service" >/dev/null 2>&1
done
fds_after=$(ls "/proc/$daemon/fd" | wc -l)
check_eq "10 ended services: the daemon's fds are back to $fds_before" "$fds_before" "$fds_after"
# ... and one with a published port and a socket of its own, which the daemon holds while it runs.
port=$(free_port)
svc lf29 "ExecStart=/bin/true" "[Isolate]" "Port=127.0.0.1:$port:80" "ListenStream=$work/lf29.sock"
check "a service with Port=127.0.0.1:$port:80 and ListenStream= runs and ends" isolatectl start --wait lf29 "$work/lf29.service"
check_eq "its end leaves the daemon's fds at $fds_before" "$fds_before" "$(ls "/proc/$daemon/fd" | wc -l)"
check "nothing listens on $port" test -z "$(ss -Htln "( sport = :$port )")"
check "its socket file is gone" test ! -e "$work/lf29.sock"
check_eq "no pidfd is left in the daemon" 0 "$(ls -l "/proc/$daemon/fd" | grep -c pidfd)"
check_eq "the record stays: State" exited "$(prop lf26-9 State)"
check_eq "Result" success "$(prop lf26-9 Result)"
check_eq "ExitCode" exited "$(prop lf26-9 ExitCode)"
check "ExitTimestamp set, not before StartTimestamp" test "$(prop lf26-9 ExitTimestamp)" -ge "$(prop lf26-9 StartTimestamp)" -a "$(prop lf26-9 StartTimestamp)" -gt 0
check "no file of it in /run/isolated/state" sh -c '! ls /run/isolated/state 2>/dev/null | grep -q "^lf26"'
for i in 0 1 2 3 4 5 6 7 8 9; do isolatectl reset-failed "lf26-$i" >/dev/null 2>&1; done
}

# 19. At most 256 ended records are kept (MANAGER_ENDED_MAX): the oldest successful ones go first.
testcase_ended_cap() {
for n in $names; do isolatectl reset-failed "$n" >/dev/null 2>&1; done
n_ended() { busctl --json=short call org.isolated1 /org/isolated1 org.isolated1.Manager ListServices |
        grep -o '"exited"\|"failed"' | wc -l; }
ended0=$(n_ended)
svc lfcapf "ExecStart=/bin/false"
isolatectl start --wait lfcapf1 "$work/lfcapf.service" >/dev/null 2>&1
isolatectl start --wait lfcapf2 "$work/lfcapf.service" >/dev/null 2>&1
for i in $(seq 1 260); do isolatectl start --wait "lfcap$i" "$work/lf24.service" >/dev/null 2>&1; done
ended_is() { [ "$(n_ended)" = "$1" ]; }
wait_for 5 ended_is 256 # the trim runs right after an end
check_eq "262 ended (and $ended0 before): 256 kept" 256 "$(n_ended)"
check_eq "the failed ones, older, are kept" "failed failed" "$(prop lfcapf1 State) $(prop lfcapf2 State)"
check "the oldest successful one went" sh -c "! busctl call org.isolated1 /org/isolated1 org.isolated1.Manager GetService s lfcap1"
check "and the sixth oldest" sh -c "! busctl call org.isolated1 /org/isolated1 org.isolated1.Manager GetService s lfcap6"
check_eq "the newest is kept" exited "$(prop lfcap260 State)"
check_eq "so is the 254th newest" exited "$(prop lfcap7 State)"
for i in $(seq 1 260); do isolatectl reset-failed "lfcap$i" >/dev/null 2>&1; done
isolatectl reset-failed lfcapf1 >/dev/null 2>&1; isolatectl reset-failed lfcapf2 >/dev/null 2>&1
}
# 20. A scope of the name that does not go by itself (here one of systemd-run's, holding a process)
# is stopped after 2 s, and the start goes on; a stop during that wait leaves nothing.
testcase_foreign_scope() {
systemd-run --scope --unit=isolated-lf27.scope sleep 1000 >/dev/null 2>&1 &
check "a foreign isolated-lf27.scope runs" wait_for 5 systemctl is-active -q isolated-lf27.scope
t=$(date +%s%N)
check "start --wait lf27 succeeds" isolatectl start --wait lf27 "$work/lf24.service"
ms=$(ms_since "$t")
check "after the 2 s the start waits for it ($ms ms)" test "$ms" -ge 1900 -a "$ms" -lt 10000
check_match "the journal says so" "isolated-lf27.scope: the previous scope of the name is still there" \
        "$(journalctl -u isolated.service -o cat | tail -20)"
# Its process ignores SIGTERM: on a slow machine (the qemu guest) the daemon's 2 s may pass before
# the stop below arrives, and the daemon's stop of the old scope then does not end the wait.
systemd-run --scope --unit=isolated-lf28.scope sh -c 'trap "" TERM; exec sleep 1000' >/dev/null 2>&1 &
check "a foreign isolated-lf28.scope runs" wait_for 5 systemctl is-active -q isolated-lf28.scope
isolatectl start lf28 "$work/lf25.service" > "$work/lf28.out" 2>&1 &
starter=$!
# The stop must come within the 2 s the start waits before it stops the old scope itself, also
# in a slow guest: no look more than needed between the init's start and the stop.
wait_prop lf28 InitPID '!0' 5 > "$work/lf28.wait"; rc=$?
init=$wait_prop_value
check "lf28 is starting" test "$rc" = 0
check "stop lf28 while it waits for the old scope" isolatectl stop lf28
wait "$starter"; rc=$?
check "its start failed" test "$rc" != 0
check_match "stopped while starting" "stopped while starting" "$(cat "$work/lf28.out")"
check_match "no scope of lf28's: isolated-lf28.scope is still systemd-run's, untouched" "sleep 1000" \
        "$(systemctl show -p Description --value isolated-lf28.scope)"
check "and lf28's init ($init) is gone" test -n "$init" -a "$init" != 0 -a ! -d "/proc/$init"
systemctl kill -s KILL isolated-lf28.scope
systemctl stop isolated-lf28.scope
check_eq "a stop during the start is no failure" success "$(prop lf28 Result)"
}

run_testcases
