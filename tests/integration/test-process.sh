#!/bin/bash
# Process attributes, standard output and logging, limits and the locale (issue 15, item 2), each
# checked from inside the service: OOMScoreAdjust=, Nice=, CPU and IO scheduling, CPUAffinity=,
# TimerSlackNSec= on every command (ExecStartPre= too); what the sandbox may not set (a lower OOM
# score or nice level, realtime scheduling, a limit above the hard one) clamped with a notice, as
# systemd clamps; StandardOutput=/StandardError= file:, append:, truncate:, null; SyslogLevel=,
# SyslogFacility=, the level prefix, LogLevelMax=, LogExtraFields= in the journal; LANG from the
# host's locale file. CASE=NAME runs one case: ONLY=process:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-process.XXXXXX)
chmod 755 "$work"
names="procattr proclow procrt proclimit procfile procin procfail procnuma procnull proclog proclim proclang procsb procsbuser"
tag=procx$$
locale_target=
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        [ -n "$locale_target" ] && umount "$locale_target" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT

# unit NAME LINES...: $work/NAME.service with a [Service] of LINES, the work directory writable.
unit() {
        local n=$1; shift
        mkdir -p "$work/$n"
        { printf '[Service]\nReadWritePaths=%s\n' "$work/$n"; printf '%s\n' "$@"; } > "$work/$n.service"
}

# The shell of the main process writes what it sees of itself to $work/NAME/*, then waits.
probe='W=$(dirname $0); cat /proc/self/oom_score_adj > $W/oom; cut -d" " -f19 /proc/self/stat > $W/nice; chrt -p $$ > $W/chrt; ionice -p $$ > $W/ionice; taskset -p $$ > $W/taskset; cat /proc/self/timerslack_ns > $W/slack; grep "Max open files" /proc/self/limits > $W/nofile; env > $W/env; touch $W/done; exec sleep 1000'

# probe_unit NAME LINES...: a unit whose main process is the probe.
probe_unit() {
        local n=$1; shift
        unit "$n" "$@"
        printf '%s\n' "$probe" > "$work/$n/probe.sh"
        printf 'ExecStart=/bin/sh %s\n' "$work/$n/probe.sh" >> "$work/$n.service"
}

# probed NAME: starts it and waits for the probe's results.
probed() {
        check "start $1" isolatectl start "$1" "$work/$1.service"
        check "$1's probe ran" wait_for 10 test -e "$work/$1/done"
}

daemon_field() { cut -d' ' -f"$2" "/proc/$(daemon_pid)/stat"; }
daemon_journal() { journalctl -u isolated.service --no-pager -o cat 2>/dev/null; }

testcase_attributes() {
        probe_unit procattr \
                "ExecStartPre=/bin/sh -c 'cat /proc/self/oom_score_adj > $work/procattr/pre.oom; cut -d\" \" -f19 /proc/self/stat > $work/procattr/pre.nice'" \
                OOMScoreAdjust=500 Nice=7 CPUSchedulingPolicy=batch IOSchedulingClass=best-effort \
                IOSchedulingPriority=6 CPUAffinity=0 TimerSlackNSec=123us LimitNOFILE=1000:2000
        probed procattr
        check_eq "OOMScoreAdjust=500 inside" 500 "$(cat "$work/procattr/oom")"
        check_eq "and in ExecStartPre=" 500 "$(cat "$work/procattr/pre.oom" 2>&1)"
        check_eq "Nice=7 inside" 7 "$(cat "$work/procattr/nice")"
        check_eq "and in ExecStartPre=" 7 "$(cat "$work/procattr/pre.nice" 2>&1)"
        check_match "CPUSchedulingPolicy=batch" "SCHED_BATCH" "$(cat "$work/procattr/chrt")"
        check_match "IOSchedulingClass=best-effort, priority 6" "best-effort: prio 6" "$(cat "$work/procattr/ionice")"
        check_match "CPUAffinity=0" "affinity mask: 1$" "$(cat "$work/procattr/taskset")"
        check_eq "TimerSlackNSec=123us" 123000 "$(cat "$work/procattr/slack")"
        check_match "LimitNOFILE=1000:2000" "Max open files +1000 +2000 " "$(cat "$work/procattr/nofile")"
        check "JOURNAL_STREAM= with stdout on the journal" grep -q "^JOURNAL_STREAM=[0-9]*:[0-9]*$" "$work/procattr/env"
        check "stop procattr" isolatectl stop procattr
}

# What the sandbox may not set is clamped, as systemd clamps it, and the start goes on.
testcase_lower() {
        local oom nice
        oom=$(cat "/proc/$(daemon_pid)/oom_score_adj")
        nice=$(daemon_field x 19)
        probe_unit proclow OOMScoreAdjust=-900 Nice=-15 IOSchedulingClass=realtime
        probed proclow
        check_eq "OOMScoreAdjust=-900 kept at the daemon's $oom" "$oom" "$(cat "$work/proclow/oom")"
        check_eq "Nice=-15 kept at the closest allowed, the daemon's $nice" "$nice" "$(cat "$work/proclow/nice")"
        check_match "IOSchedulingClass=realtime runs best-effort" "best-effort" "$(cat "$work/proclow/ionice")"
        check_eq "proclow runs" running "$(prop proclow State)"
        check "the clamp is noticed in the service's journal" wait_for 10 sh -c 'journalctl -t proclow --no-pager -o cat | grep -q "OOMScoreAdjust=-900: below"'
        check "stop proclow" isolatectl stop proclow
}

testcase_realtime() {
        probe_unit procrt CPUSchedulingPolicy=fifo CPUSchedulingPriority=10
        probed procrt
        check_match "CPUSchedulingPolicy=fifo without CAP_SYS_NICE runs under other" "SCHED_OTHER" "$(cat "$work/procrt/chrt")"
        check "and says so" wait_for 10 sh -c 'journalctl -t procrt --no-pager -o cat | grep -q "CPUSchedulingPolicy=fifo: realtime"'
        check "stop procrt" isolatectl stop procrt
}

# A limit above the hard limit is lowered to it (knot's LimitNOFILE=1048576, varnish's
# LimitMEMLOCK=infinity), not a failed start.
testcase_limits() {
        local hard
        hard=$(awk '/Max open files/ {print $5}' "/proc/$(daemon_pid)/limits")
        probe_unit proclimit LimitNOFILE=infinity LimitMEMLOCK=infinity
        probed proclimit
        check_match "LimitNOFILE=infinity lowered to the hard limit $hard" "Max open files +$hard +$hard " \
                "$(cat "$work/proclimit/nofile")"
        check_eq "proclimit runs" running "$(prop proclimit State)"
        check "the clamp is noticed" wait_for 10 sh -c 'journalctl -t proclimit --no-pager -o cat | grep -q "LimitNOFILE=infinity:infinity: above the hard limit"'
        check "stop proclimit" isolatectl stop proclimit
}

testcase_files() {
        local d=$work/procfile
        unit procfile "StandardOutput=file:$d/out" "StandardError=append:$d/err" \
                "ExecStartPre=/bin/sh -c 'echo pre-out; echo pre-err >&2'" \
                "ExecStart=/bin/sh -c 'echo main-out; echo main-err >&2; touch $d/done; exec sleep 1000'"
        check "start procfile" isolatectl start procfile "$work/procfile.service"
        check "its main process ran" wait_for 10 test -e "$d/done"
        # As systemd: file: is opened for each command at its start, neither truncated nor appended to.
        check_eq "StandardOutput=file: is written from its start by each command" "main-out" "$(echo $(cat "$d/out"))"
        check_eq "StandardError=append: has their stderr" "pre-err main-err" "$(echo $(cat "$d/err"))"
        check "stop procfile" isolatectl stop procfile
        rm -f "$d/done"
        check "start procfile again" isolatectl start procfile "$work/procfile.service"
        check "its main process ran" wait_for 10 test -e "$d/done"
        check_eq "append: appends" "pre-err main-err pre-err main-err" "$(echo $(cat "$d/err"))"
        check "stop procfile" isolatectl stop procfile

        # truncate:, the same file for both: one file, written in order.
        printf 'old content that is longer than what follows\n' > "$d/tr"
        rm -f "$d/done"
        unit procfile "StandardOutput=truncate:$d/tr" "StandardError=truncate:$d/tr" \
                "ExecStart=/bin/sh -c 'echo one; echo two >&2; env > $d/env; touch $d/done; exec sleep 1000'"
        check "start procfile with truncate:" isolatectl start procfile "$work/procfile.service"
        check "its main process ran" wait_for 10 test -e "$d/done"
        check_eq "truncate: truncates, stdout and stderr share it" "one two" "$(echo $(cat "$d/tr"))"
        check "no JOURNAL_STREAM= when neither is the journal" sh -c "! grep -q JOURNAL_STREAM $d/env"
        check "stop procfile" isolatectl stop procfile
}

# StandardInput=file:, and kmsg, which a sandbox has not: the journal, with a notice.
testcase_input_kmsg() {
        local d=$work/procin out
        unit procin "StandardInput=file:$d/in" StandardOutput=kmsg SyslogIdentifier=$tag-in \
                "ExecStart=/bin/sh -c 'read line; echo \"read \$line\"; exec sleep 1000'"
        echo "$tag-input" > "$d/in"
        out=$(isolatectl start procin "$work/procin.service" 2>&1)
        check_eq "start procin" running "$(prop procin State)"
        check_match "StandardOutput=kmsg gets a notice" "StandardOutput=kmsg: .*writing to the journal alone" \
                "$out $(journalctl -u isolated.service --no-pager -o cat | grep procin)"
        check "stdin is the file, stdout the journal" wait_for 10 sh -c "journalctl -t $tag-in --no-pager -o cat | grep -qx 'read $tag-input'"
        check "stop procin" isolatectl stop procin
}

# A file the sandbox cannot write: the start fails naming the key and why.
testcase_file_fails() {
        local out rc
        unit procfail "StandardOutput=file:/usr/$tag" "ExecStart=/bin/sleep 1000"
        out=$(isolatectl start procfail "$work/procfail.service" 2>&1); rc=$?
        check_eq "start with StandardOutput= on the read-only host fails" 1 "$rc"
        check_match "naming the key and the cause" "StandardOutput=file:/usr/$tag: Read-only file system" "$out"
        check "nothing written on the host" test ! -e "/usr/$tag"
        # As systemd's child ends: EXIT_STDOUT, not a kill by the init.
        out=$(isolatectl status procfail 2>&1)
        check_match "status: Result: exit-code" "State: failed \(Result: exit-code\)" "$out"
        check_match "status: exited with systemd's 209 (EXIT_STDOUT), not killed" "Exit: exited, status 209" "$out"
        isolatectl reset-failed procfail >/dev/null 2>&1
}

# A process attribute the kernel refuses fails the start, naming the key.
testcase_attribute_fails() {
        local out rc
        unit procnuma NUMAPolicy=bind NUMAMask=1000 "ExecStart=/bin/sleep 1000"
        out=$(isolatectl start procnuma "$work/procnuma.service" 2>&1); rc=$?
        check_eq "NUMAPolicy=bind to a node that does not exist fails" 1 "$rc"
        check_match "naming the key" "NUMAPolicy=: cannot be applied: Invalid argument" "$out"
        check_match "and ends as systemd's child would: 242 (NUMA)" "Exit: exited, status 242" "$(isolatectl status procnuma 2>&1)"
        isolatectl reset-failed procnuma >/dev/null 2>&1
}

testcase_null() {
        unit procnull StandardOutput=null StandardError=journal SyslogIdentifier=$tag-null \
                "ExecStart=/bin/sh -c 'echo $tag-hidden; echo $tag-shown >&2; exec sleep 1000'"
        check "start procnull" isolatectl start procnull "$work/procnull.service"
        check "stderr reaches the journal" wait_for 10 sh -c "journalctl -t $tag-null --no-pager -o cat | grep -q $tag-shown"
        check "the service's journal shows it too" wait_for 10 sh -c "isolatectl status procnull | grep -q $tag-shown"
        check "StandardOutput=null does not" sh -c "! journalctl -t $tag-null --no-pager -o cat | grep -q $tag-hidden"
        check "stop procnull" isolatectl stop procnull
}

# journal_field ID MATCH FIELD: FIELD of the entry of identifier ID whose message contains MATCH.
journal_field() {
        journalctl -t "$1" --no-pager -o export | awk -v m="$2" -v f="$3=" '
                /^$/ { if (hit) { print val; exit } hit = 0; val = "" }
                index($0, "MESSAGE=") == 1 && index($0, m) { hit = 1 }
                index($0, f) == 1 { val = substr($0, length(f) + 1) }'
}

testcase_logging() {
        local id=$tag-log
        unit proclog SyslogIdentifier=$id SyslogLevel=warning SyslogFacility=local3 LogLevelMax=notice \
                "LogExtraFields=PROCTEST=$tag" \
                "ExecStart=/bin/sh -c 'echo plain-$tag; echo \"<2>crit-$tag\"; echo \"<7>debug-$tag\"; echo \"<5>last-$tag\"; exec sleep 1000'"
        check "start proclog" isolatectl start proclog "$work/proclog.service"
        check "the last line arrives" wait_for 10 sh -c "journalctl -t $id --no-pager -o cat | grep -q last-$tag"
        check_eq "SyslogLevel=warning: PRIORITY=4" 4 "$(journal_field "$id" "plain-$tag" PRIORITY)"
        check_eq "SyslogFacility=local3: SYSLOG_FACILITY=19" 19 "$(journal_field "$id" "plain-$tag" SYSLOG_FACILITY)"
        check_eq "the level prefix: <2> is PRIORITY=2" 2 "$(journal_field "$id" "crit-$tag" PRIORITY)"
        check_eq "and not in the message" "crit-$tag" "$(journalctl -t "$id" --no-pager -o cat | grep "crit-$tag")"
        check "LogLevelMax=notice drops <7>" sh -c "! journalctl -t $id --no-pager -o cat | grep -q debug-$tag"
        check_eq "LogExtraFields= tags the lines" "last-$tag" "$(journalctl PROCTEST=$tag --no-pager -o cat | grep last-)"
        check "stop proclog" isolatectl stop proclog
        check_eq "nothing of them stays for journald once the scope is gone" "" \
                "$(ls /run/systemd/units 2>/dev/null | grep -E "^log-.*:isolated-proclog\.scope$")"
}

# LogRateLimitIntervalSec=, LogRateLimitBurst=: journald drops what the service logs past the
# burst within the interval (the burst scaled by the journal's free space, as journald does: a few
# times 10, far below 500), then says how many it suppressed once the next interval begins.
testcase_log_ratelimit() {
        local id=$tag-lim n
        unit proclim SyslogIdentifier=$id LogRateLimitIntervalSec=1s LogRateLimitBurst=10 \
                "ExecStart=/bin/sh -c 'i=0; while [ \$i -lt 500 ]; do echo burst-$tag-\$i; i=\$((i + 1)); done; sleep 2; echo after-$tag; exec sleep 1000'"
        check "start proclim" isolatectl start proclim "$work/proclim.service"
        check "the link journald reads has the interval" test "$(readlink /run/systemd/units/log-rate-limit-interval:isolated-proclim.scope)" = 1000000
        check "and the burst" test "$(readlink /run/systemd/units/log-rate-limit-burst:isolated-proclim.scope)" = 10
        check "the line of the next interval arrives" wait_for 15 sh -c "journalctl -t $id --no-pager -o cat | grep -q after-$tag"
        n=$(journalctl -t "$id" --no-pager -o cat | grep -c "burst-$tag-")
        check "journald dropped most of the burst ($n of 500 kept)" test "$n" -gt 0 -a "$n" -lt 500
        check "and said so" wait_for 10 sh -c "journalctl --no-pager -o cat | grep -q 'Suppressed [0-9]* messages from isolated-proclim.scope'"
        check "stop proclim" isolatectl stop proclim
        check_eq "the links are gone with the scope" "" "$(ls /run/systemd/units 2>/dev/null | grep -E "^log-.*:isolated-proclim\.scope$")"
}

# LANG and LC_* of the host's locale file reach the service, below Environment=.
testcase_locale() {
        locale_target=/etc/locale.conf
        [ -e "$locale_target" ] || locale_target=/etc/default/locale
        [ -e "$locale_target" ] || { touch /etc/default/locale; locale_target=/etc/default/locale; }
        printf 'LANG=de_DE.UTF-8\nLC_TIME=en_GB.UTF-8\nLC_PAPER=fr_FR.UTF-8\nNOT_LOCALE=x\n' > "$work/locale"
        check "bind the test's locale over $locale_target" mount --bind "$work/locale" "$locale_target"
        probe_unit proclang Environment=LC_PAPER=C
        probed proclang
        check "LANG= of the locale file" grep -qx LANG=de_DE.UTF-8 "$work/proclang/env"
        check "LC_TIME= of the locale file" grep -qx LC_TIME=en_GB.UTF-8 "$work/proclang/env"
        check "Environment= wins over it" grep -qx LC_PAPER=C "$work/proclang/env"
        check "not what is no locale variable" sh -c "! grep -q NOT_LOCALE $work/proclang/env"
        check "stop proclang" isolatectl stop proclang
        umount "$locale_target"
        locale_target=
}

# SecureBits= (haveged's noroot-locked): the bits on every command, as PR_GET_SECUREBITS reads them
# after exec (keep-caps is cleared by execve, its lock stays); noroot: root's exec gains no
# capability; with a user switch and AmbientCapabilities=, keep-caps-locked does not cost the
# ambient set; a word systemd does not know is an error, not ignored.
sb_probe='import ctypes
l = ctypes.CDLL(None)
print(l.prctl(27, 0, 0, 0, 0))
print(" ".join(x.split()[1] for x in open("/proc/self/status") if x.startswith(("CapEff", "CapAmb"))))'
# sb_unit NAME LINES...: a unit whose commands write the probe's lines to $work/NAME/main (and pre).
sb_unit() {
        local n=$1; shift
        unit "$n" "$@" "ExecStartPre=/bin/sh -c 'python3 $work/$n/sb.py > $work/$n/pre'" \
                "ExecStart=/bin/sh -c 'python3 $work/$n/sb.py > $work/$n/main; touch $work/$n/done; exec sleep 1000'"
        printf '%s\n' "$sb_probe" > "$work/$n/sb.py"
        chmod 777 "$work/$n" # written by User=nobody too
}
testcase_secure_bits() {
        local out rc
        sb_unit procsb "SecureBits=noroot" "SecureBits=noroot-locked keep-caps-locked"
        probed procsb
        # SECBIT_NOROOT 1, NOROOT_LOCKED 2, KEEP_CAPS_LOCKED 32.
        check_eq "SecureBits=noroot noroot-locked keep-caps-locked inside" 35 "$(head -1 "$work/procsb/main" 2>&1)"
        check_eq "and in ExecStartPre=" 35 "$(head -1 "$work/procsb/pre" 2>&1)"
        check_eq "noroot: root's exec gains no capability" "0000000000000000 0000000000000000" \
                "$(tail -1 "$work/procsb/main" 2>&1)"
        check "stop procsb" isolatectl stop procsb

        sb_unit procsbuser "User=nobody" "AmbientCapabilities=CAP_NET_BIND_SERVICE" "SecureBits=keep-caps-locked noroot"
        probed procsbuser
        check_eq "keep-caps-locked noroot for User=nobody" 33 "$(head -1 "$work/procsbuser/main" 2>&1)"
        check_eq "the ambient set survives the switch" "0000000000000400 0000000000000400" \
                "$(tail -1 "$work/procsbuser/main" 2>&1)"
        check "stop procsbuser" isolatectl stop procsbuser

        unit procsb "SecureBits=noroot no-such-bit" "ExecStart=/bin/sleep 1000"
        out=$(isolatectl verify "$work/procsb.service" 2>&1); rc=$?
        check_eq "an unknown secure bit fails verify" 1 "$rc"
        check_match "naming file:line and the word" "procsb.service:3: SecureBits=noroot no-such-bit: not a list of" "$out"
}

run_testcases
