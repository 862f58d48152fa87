#!/bin/bash
# Resources are handed to the scope (issue 16, item 3; DESIGN.md): every resource-control key
# reaches isolated-NAME.scope as the systemd property of the same name, a key this host's
# cgroups cannot enforce (a v2-only key on cgroup v1) is refused naming the key, a bad value is
# an error naming file:line, and an OOM kill is reported as systemd reports it (Result=oom-kill,
# OOMPolicy=, Restart=). Branches on `stat -fc %T /sys/fs/cgroup`: cgroup2fs (the Debian 12
# guest: tests/guest/run-suite.sh with ONLY=resources) or v1 (the harness).
# CASE=NAME runs one case (testcase_NAME): ONLY=resources:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-resources.XXXXXX)
chmod 755 "$work"
names="rskeys rsv2 rsrefuse rsipdeny rsipallow rsdev rsoom rsoomlate rsoomre rsoomcont rsoomstop rsoomkill"
cleanup() {
        # The oom case stops the daemon for a while (rsoomlate): never leave it stopped.
        kill -CONT "$(daemon_pid)" 2>/dev/null
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -rf "$work" /var/lib/rsipdeny /var/lib/rsipallow /var/lib/rsdev
}
trap cleanup EXIT

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then v2=1; else v2=; fi
echo "# /sys/fs/cgroup: $(stat -fc %T /sys/fs/cgroup)${v2:+ (unified)}"

# unit NAME "[Service] LINES": writes $work/NAME.service.
unit() { printf '[Service]\n%b\n' "$2" > "$work/$1.service"; }
start() { isolatectl start "$1" "$work/$1.service"; }
# The file of the scope's cgroup: on v1 in the controller's hierarchy, on v2 in the one tree.
cgfile() { # UNIT CONTROLLER FILE
        local cg
        cg=$(systemctl show -P ControlGroup "$1")
        if [ -n "$v2" ]; then cat "/sys/fs/cgroup$cg/$3"; else cat "/sys/fs/cgroup/$2$cg/$3"; fi
}
inside() { local n=$1; shift; nsenter -t "$(prop "$n" InitPID)" -m "$@"; }
stopped() { # NAME
        check "$1: stop" isolatectl stop "$1"
        check "$1: its scope is gone" wait_for 10 sh -c "! systemctl is-active -q isolated-$1.scope"
        isolatectl reset-failed "$1" >/dev/null 2>&1
}

# --- keys every host enforces -------------------------------------------------------------------
testcase_keys() {
        local s=isolated-rskeys.scope
        unit rskeys "ExecStart=/bin/sleep infinity
CPUWeight=50
StartupCPUWeight=60
CPUQuotaPeriodSec=50ms
CPUQuota=20%
IOWeight=70
StartupIOWeight=80
IODeviceWeight=/var/lib 200
IOReadBandwidthMax=/var/lib 5M
IOWriteBandwidthMax=/var/lib 1G
DevicePolicy=closed
DeviceAllow=/dev/null rw
DeviceAllow=char-pts rw
ManagedOOMPreference=avoid
ManagedOOMMemoryPressureLimit=40%
OOMPolicy=continue
TasksMax=77
MemoryMax=300M
IPAddressDeny=any
IPAddressAllow=localhost 10.1.2.0/24"
        if ! check "rskeys: verify accepts the keys" isolatectl verify "$work/rskeys.service"; then return; fi
        if ! check "rskeys: start" start rskeys; then return; fi
        check_eq "rskeys: CPUWeight" 50 "$(scope_prop $s CPUWeight)"
        check_eq "rskeys: StartupCPUWeight" 60 "$(scope_prop $s StartupCPUWeight)"
        check_eq "rskeys: CPUQuotaPeriodUSec" 50ms "$(scope_prop $s CPUQuotaPeriodUSec)"
        check_eq "rskeys: IOWeight" 70 "$(scope_prop $s IOWeight)"
        check_eq "rskeys: StartupIOWeight" 80 "$(scope_prop $s StartupIOWeight)"
        check_eq "rskeys: IODeviceWeight" "/var/lib 200" "$(scope_prop $s IODeviceWeight)"
        check_eq "rskeys: IOReadBandwidthMax" "/var/lib 5000000" "$(scope_prop $s IOReadBandwidthMax)"
        check_eq "rskeys: IOWriteBandwidthMax" "/var/lib 1000000000" "$(scope_prop $s IOWriteBandwidthMax)"
        check_eq "rskeys: DevicePolicy" closed "$(scope_prop $s DevicePolicy)"
        check_eq "rskeys: DeviceAllow" "/dev/null rw|char-pts rw" "$(scope_prop $s DeviceAllow | LC_ALL=C sort | paste -sd'|')"
        check_eq "rskeys: ManagedOOMPreference" avoid "$(scope_prop $s ManagedOOMPreference)"
        # 40% of UINT32_MAX, as the bus carries it
        check_eq "rskeys: ManagedOOMMemoryPressureLimit" 1717986918 "$(scope_prop $s ManagedOOMMemoryPressureLimit)"
        check_eq "rskeys: OOMPolicy" continue "$(scope_prop $s OOMPolicy)"
        check_eq "rskeys: TasksMax" 77 "$(scope_prop $s TasksMax)"
        check_eq "rskeys: MemoryMax" 314572800 "$(scope_prop $s MemoryMax)"
        check_eq "rskeys: IPAddressDeny" "0.0.0.0/0 ::/0" "$(scope_prop $s IPAddressDeny | tr ' ' '\n' | LC_ALL=C sort | paste -sd' ')"
        check_eq "rskeys: IPAddressAllow" "10.1.2.0/24 127.0.0.0/8 ::1/128" "$(scope_prop $s IPAddressAllow | tr ' ' '\n' | LC_ALL=C sort | paste -sd' ')"
        # (systemd keeps the addresses in a hash set: in no particular order.)
        # What the kernel was told: systemd 252 maps CPUWeight= to cpu.shares and IOWeight= to
        # blkio.weight on v1.
        if [ -n "$v2" ]; then
                check_eq "rskeys: cpu.weight" 50 "$(cgfile $s cpu cpu.weight)"
                check_eq "rskeys: cpu.max (20% of a 50ms period)" "10000 50000" "$(cgfile $s cpu cpu.max)"
                check_match "rskeys: io.weight" "^default 70$" "$(cgfile $s io io.weight)"
                check_eq "rskeys: memory.max" 314572800 "$(cgfile $s memory memory.max)"
                check_eq "rskeys: the service's own cpu.weight" 50 "$(inside rskeys cat /sys/fs/cgroup/cpu.weight)"
                check_match "rskeys: the service's own io.weight" "^default 70$" "$(inside rskeys cat /sys/fs/cgroup/io.weight)"
        else
                check_eq "rskeys: cpu.shares (CPUWeight=50 as systemd maps it)" 512 "$(cgfile $s cpu cpu.shares)"
                check_eq "rskeys: cpu.cfs_period_us" 50000 "$(cgfile $s cpu cpu.cfs_period_us)"
                check_eq "rskeys: cpu.cfs_quota_us (20%)" 10000 "$(cgfile $s cpu cpu.cfs_quota_us)"
                check_eq "rskeys: memory.limit_in_bytes" 314572800 "$(cgfile $s memory memory.limit_in_bytes)"
                if [ -e "/sys/fs/cgroup/blkio$(systemctl show -P ControlGroup $s)/blkio.weight" ]; then
                        check_eq "rskeys: blkio.weight (IOWeight=70 as systemd maps it)" 350 "$(cgfile $s blkio blkio.weight)"
                else
                        echo "# no blkio.weight on this host (no CFQ/BFQ): not checked"
                fi
        fi
        stopped rskeys
}

# --- keys only cgroup v2 enforces ---------------------------------------------------------------
v2_keys="MemoryHigh=100M
MemoryLow=10M
MemoryMin=5M
MemorySwapMax=0
AllowedCPUs=0
AllowedMemoryNodes=0
IOReadIOPSMax=/var/lib 1000
IOWriteIOPSMax=/var/lib 2K"
testcase_v2keys() {
        local s=isolated-rsv2.scope key line n out
        if [ -z "$v2" ]; then
                # Each refused on its own, naming the file, the line and the key, by verify and start.
                n=0
                while IFS= read -r line; do
                        key=${line%%=*}
                        n=$((n + 1))
                        unit rsrefuse "ExecStart=/bin/sleep infinity\n$line"
                        out=$(isolatectl verify "$work/rsrefuse.service" 2>&1)
                        check_match "v1: verify refuses $key= naming file:line and why" \
                                "rsrefuse.service:3: $key= needs the unified cgroup hierarchy \(cgroup v2: .*\), and this host runs cgroup v1" "$out"
                        out=$(start rsrefuse 2>&1)
                        check_match "v1: start refuses $key=" "rsrefuse.service:3: $key= needs the unified cgroup hierarchy" "$out"
                        check "v1: no scope for the refused $key=" sh -c '! systemctl is-active -q isolated-rsrefuse.scope'
                        isolatectl reset-failed rsrefuse >/dev/null 2>&1
                done <<< "$v2_keys
CPUWeight=idle
ManagedOOMSwap=kill"
                return
        fi
        unit rsv2 "$v2_keys\nCPUWeight=idle\nExecStart=/bin/sh -c 'sleep infinity'"
        if ! check "rsv2: start" start rsv2; then return; fi
        check_eq "rsv2: MemoryHigh" 104857600 "$(scope_prop $s MemoryHigh)"
        check_eq "rsv2: MemoryLow" 10485760 "$(scope_prop $s MemoryLow)"
        check_eq "rsv2: MemoryMin" 5242880 "$(scope_prop $s MemoryMin)"
        check_eq "rsv2: MemorySwapMax" 0 "$(scope_prop $s MemorySwapMax)"
        check_eq "rsv2: AllowedCPUs" 0 "$(scope_prop $s AllowedCPUs)"
        check_eq "rsv2: AllowedMemoryNodes" 0 "$(scope_prop $s AllowedMemoryNodes)"
        check_eq "rsv2: IOReadIOPSMax" "/var/lib 1000" "$(scope_prop $s IOReadIOPSMax)"
        check_eq "rsv2: IOWriteIOPSMax" "/var/lib 2000" "$(scope_prop $s IOWriteIOPSMax)"
        check_eq "rsv2: memory.high" 104857600 "$(cgfile $s memory memory.high)"
        check_eq "rsv2: memory.low" 10485760 "$(cgfile $s memory memory.low)"
        check_eq "rsv2: memory.swap.max" 0 "$(cgfile $s memory memory.swap.max)"
        check_eq "rsv2: cpuset.cpus" 0 "$(cgfile $s cpuset cpuset.cpus)"
        check_eq "rsv2: cpu.idle (CPUWeight=idle)" 1 "$(cgfile $s cpu cpu.idle)"
        check_eq "rsv2: the service's own memory.high" 104857600 "$(inside rsv2 cat /sys/fs/cgroup/memory.high)"
        check_eq "rsv2: the service's own cpuset.cpus" 0 "$(inside rsv2 cat /sys/fs/cgroup/cpuset.cpus)"
        stopped rsv2
}

# --- bad values: file:line, whatever the host -----------------------------------------------------
testcase_badvalues() {
        local line key out
        while IFS= read -r line; do
                key=${line%%=*}
                unit rsrefuse "ExecStart=/bin/true\n$line"
                out=$(isolatectl verify "$work/rsrefuse.service" 2>&1)
                check_match "bad value: $line is refused naming file:line" "rsrefuse.service:3: Invalid $key= value" "$out"
        done <<'EOF'
MemoryHigh=lots
MemorySwapMax=-1
CPUWeight=0
CPUWeight=10001
IOWeight=many
IOReadBandwidthMax=/var/lib
IOReadBandwidthMax=relative 5M
IODeviceWeight=/var/lib 0
AllowedCPUs=3-1
DevicePolicy=open
DeviceAllow=/dev/null rwx
IPAddressAllow=300.1.1.1
IPAddressDeny=10.0.0.0/33
OOMPolicy=maybe
ManagedOOMMemoryPressureLimit=120%
EOF
}

# --- IPAddressDeny=/Allow=: systemd's BPF filter on the cgroup applies in the service's netns ----------
# The probe connects to a listener of its own on its own loopback and writes what happened.
cat > "$work/ipprobe.py" <<'PY'
import errno, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
c = socket.socket()
c.settimeout(3)
try:
    c.connect(s.getsockname())
    r = "connected"
except OSError as e:
    r = "refused " + (errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout")
with open(sys.argv[1], "w") as f:
    f.write(r + "\n")
PY
chmod 644 "$work/ipprobe.py"
testcase_ipfilter() {
        local n want
        for n in rsipdeny rsipallow; do
                rm -rf "/var/lib/$n"
                if [ $n = rsipdeny ]; then
                        unit $n "ExecStart=/bin/sh -c '/usr/bin/python3 $work/ipprobe.py /var/lib/$n/result; exec sleep infinity'\nStateDirectory=$n\nIPAddressDeny=any"
                        want="^refused "
                else
                        unit $n "ExecStart=/bin/sh -c '/usr/bin/python3 $work/ipprobe.py /var/lib/$n/result; exec sleep infinity'\nStateDirectory=$n\nIPAddressDeny=any\nIPAddressAllow=localhost"
                        want="^connected$"
                fi
                if check "$n: start" start $n; then
                        check "$n: the probe ran" wait_for 20 test -s "/var/lib/$n/result"
                        check_match "$n: loopback connect inside ($want)" "$want" "$(cat "/var/lib/$n/result" 2>/dev/null)"
                        stopped $n
                fi
                rm -rf "/var/lib/$n"
        done
}

# --- DevicePolicy=/DeviceAllow=: the device cgroup holds inside, as systemd means it ---------------
testcase_devices() {
        local n=rsdev
        rm -rf "/var/lib/$n"
        unit $n "ExecStart=/bin/sh -c 'for d in null zero; do if head -c1 /dev/\$d >/dev/null 2>&1; then echo \$d readable; else echo \$d denied; fi; done > /var/lib/$n/result; exec sleep infinity'\nStateDirectory=$n\nDevicePolicy=strict\nDeviceAllow=/dev/null rw"
        if check "$n: start" start $n; then
                check "$n: the probe ran" wait_for 20 test -s "/var/lib/$n/result"
                check_eq "$n: /dev/null allowed, /dev/zero denied" "null readable|zero denied" \
                        "$(paste -sd'|' "/var/lib/$n/result" 2>/dev/null)"
                stopped $n
        fi
        rm -rf "/var/lib/$n"
}

# --- OOM as systemd reports it --------------------------------------------------------------------
# tail of /dev/zero keeps one ever longer line: it grows until the limit.
oom_lines="MemoryMax=50M${v2:+\nMemorySwapMax=0}"
oom_kills() { cgfile "isolated-$1.scope" memory "$([ -n "$v2" ] && echo memory.events || echo memory.oom_control)" | awk '$1 == "oom_kill" { print $2 }'; }
testcase_oom() {
        if [ -z "$v2" ] && ! cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null | grep -q '^oom_kill '; then
                echo "# memory.oom_control has no oom_kill here: the OOM cases are not run"
                return
        fi
        # The main process killed: Result=oom-kill (OOMPolicy=stop, the default).
        unit rsoom "ExecStart=/usr/bin/tail /dev/zero\n$oom_lines"
        if check "rsoom: start" start rsoom; then
                check "rsoom: fails" wait_prop rsoom State failed 60
                check_eq "rsoom: Result" oom-kill "$(prop rsoom Result)"
                isolatectl reset-failed rsoom >/dev/null 2>&1
        fi

        # A kill before the daemon read the init's MAIN is still this start's (it is counted from
        # GO on): the daemon stopped (SIGSTOP) from GO (its ExecStartPre= waits for the test)
        # until the main process's tail was killed. OOMPolicy=continue keeps the init and the
        # cgroup, so the daemon reads the count at the stop: the kill's line in its journal.
        local gate=$work/rsoomlate.d daemon since
        mkdir -p "$gate"
        since=$(date '+%Y-%m-%d %H:%M:%S')
        unit rsoomlate "ReadWritePaths=$gate\nExecStartPre=/bin/sh -c 'touch $gate/pre; while [ ! -e $gate/go ]; do sleep 0.05; done'\nExecStart=/bin/sh -c '/usr/bin/tail /dev/zero; touch $gate/after; exec /bin/sleep infinity'\nOOMPolicy=continue\n$oom_lines"
        isolatectl start rsoomlate "$work/rsoomlate.service" >/dev/null 2>&1 &
        local starter=$!
        if check "rsoomlate: its ExecStartPre= runs (GO was sent)" wait_for 30 test -e "$gate/pre"; then
                daemon=$(daemon_pid)
                kill -STOP "$daemon"
                touch "$gate/go"
                check "rsoomlate: its tail was OOM-killed while the daemon was stopped" wait_for 60 test -e "$gate/after"
                kill -CONT "$daemon"
                check "rsoomlate: running" wait_prop rsoomlate State running 30
                stopped rsoomlate
                check "rsoomlate: the daemon counted the kill" wait_for 10 bash -c \
                        "journalctl --sync; journalctl -u isolated.service --since '$since' -o cat | grep -q '^rsoomlate: the kernel.s OOM killer killed a process'"
        fi
        kill -CONT "$(daemon_pid)" 2>/dev/null
        wait "$starter" 2>/dev/null
        isolatectl reset-failed rsoomlate >/dev/null 2>&1

        # Restart=on-failure applies after an OOM kill: NRestarts goes up, it runs again.
        unit rsoomre "ExecStart=/usr/bin/tail /dev/zero\nRestart=on-failure\nRestartSec=500ms\nStartLimitBurst=100\n$oom_lines"
        if check "rsoomre: start" start rsoomre; then
                check "rsoomre: restarted after the OOM kill (NRestarts > 0)" wait_prop rsoomre NRestarts '!0' 60
                # It ran again: killed again, it is restarted again. (Not its State at some moment:
                # the new tail fills its 50M within milliseconds, and on cgroup v2, where the kill
                # takes the init too and the daemon starts the service anew, it is failed for the
                # RestartSec= after each kill; on v1 the init restarts it in place.)
                check "rsoomre: it ran again, and after the next OOM kill is restarted again (NRestarts 2)" \
                        wait_for 60 bash -c '[ "$(prop rsoomre NRestarts)" -ge 2 ]'
                check_match "rsoomre: not given up: active, or failed until RestartSec= is over" \
                        "^(starting|running|stopping|failed)$" "$(prop rsoomre State)"

                stopped rsoomre
        fi

        # OOMPolicy=continue: a child's OOM kill leaves the service running.
        unit rsoomcont "ExecStart=/bin/sh -c '/usr/bin/tail /dev/zero & exec /bin/sleep infinity'\nOOMPolicy=continue\n$oom_lines"
        if check "rsoomcont: start" start rsoomcont; then
                check "rsoomcont: the child was OOM-killed" wait_for 60 bash -c "[ \"\$(oom_kills rsoomcont)\" -gt 0 ]"
                check_eq "rsoomcont: OOMPolicy on the scope" continue "$(scope_prop isolated-rsoomcont.scope OOMPolicy)"
                check_eq "rsoomcont: still running" running "$(prop rsoomcont State)"
                check "rsoomcont: the scope is active" systemctl is-active -q isolated-rsoomcont.scope
                stopped rsoomcont
        fi

        # OOMPolicy=stop (v2: systemd notices a child's kill and stops the scope; v1 has no such
        # notice, for systemd's services neither).
        if [ -n "$v2" ]; then
                unit rsoomstop "ExecStart=/bin/sh -c '/usr/bin/tail /dev/zero & exec /bin/sleep infinity'\nOOMPolicy=stop\n$oom_lines"
                if check "rsoomstop: start" start rsoomstop; then
                        check "rsoomstop: a child's OOM kill stops the service" wait_prop rsoomstop State failed 60
                        check_eq "rsoomstop: Result" oom-kill "$(prop rsoomstop Result)"
                        isolatectl reset-failed rsoomstop >/dev/null 2>&1
                fi
                # OOMPolicy=kill: the kernel kills the whole cgroup (memory.oom.group), the init too.
                unit rsoomkill "ExecStart=/bin/sh -c '/usr/bin/tail /dev/zero & exec /bin/sleep infinity'\nOOMPolicy=kill\n$oom_lines"
                if check "rsoomkill: start" start rsoomkill; then
                        check_eq "rsoomkill: memory.oom.group" 1 "$(cgfile isolated-rsoomkill.scope memory memory.oom.group)"
                        check "rsoomkill: the OOM kill ends the service" wait_prop rsoomkill State failed 60
                        check_eq "rsoomkill: Result" oom-kill "$(prop rsoomkill Result)"
                        isolatectl reset-failed rsoomkill >/dev/null 2>&1
                fi
        fi
}
export -f oom_kills cgfile prop service_path
export v2

run_testcases
