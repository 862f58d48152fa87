#!/bin/bash
# The first path, all real: a description started through isolatectl and
# through busctl; its scope, limits, namespaces, hostname, loopback, journal;
# stop leaves nothing.
. "$TESTS/lib.sh"

work=$(mktemp -d)
cleanup() {
        isolatectl stop fp bp >/dev/null 2>&1
        isolatectl reset-failed fp bp >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/fp.service" <<'UNIT'
[Unit]
Description=first path test

[Service]
# Written by the shell itself (a builtin loop, not cat): journald can attribute
# a line to a unit only while its writer lives, and the shell's PID lives on as sleep.
ExecStart=/bin/sh -c 'echo first-path-started; while read -r l; do echo "$$l"; done < /proc/self/cgroup; sleep 1000 & sleep 1000 & exec sleep 1000'
MemoryMax=48M
TasksMax=12
CPUQuota=30%

[Isolate]
Hostname=box1
UNIT
unit=isolated-fp.scope
cg=/sys/fs/cgroup

# need_fp: fp runs (started by an earlier case, or now: CASE= runs one); its PIDs and the
# cgroup.procs file of its scope (v1 controllers on this host kind, v2 elsewhere).
need_fp() {
        isolatectl is-active -q fp || check "isolatectl start fp" isolatectl start fp "$work/fp.service"
        init=$(prop fp InitPID)
        main=$(prop fp MainPID)
        if [ -e $cg/memory/isolated.slice/$unit/memory.limit_in_bytes ]; then
                procs_file=$cg/systemd/isolated.slice/$unit/cgroup.procs
        else
                procs_file=$cg/isolated.slice/$unit/cgroup.procs
        fi
}

testcase_scope() {
        need_fp
        check_eq "State after start" running "$(prop fp State)"

        check_eq "scope active" active "$(scope_prop $unit ActiveState)"
        check_eq "scope in isolated.slice" isolated.slice "$(scope_prop $unit Slice)"
        check_eq "MemoryMax as systemd reports it" 50331648 "$(scope_prop $unit MemoryMax)"
        check_eq "TasksMax as systemd reports it" 12 "$(scope_prop $unit TasksMax)"
        check_eq "CPUQuota as systemd reports it" 300ms "$(scope_prop $unit CPUQuotaPerSecUSec)"
        check_eq "CollectMode" inactive-or-failed "$(scope_prop $unit CollectMode)"
        check_eq "KillSignal" 15 "$(scope_prop $unit KillSignal)"
        # And as the kernel enforces it (v1 controllers on this host kind, v2 elsewhere).
        if [ -e $cg/memory/isolated.slice/$unit/memory.limit_in_bytes ]; then
                check_eq "memory.limit_in_bytes" 50331648 "$(cat $cg/memory/isolated.slice/$unit/memory.limit_in_bytes)"
                check_eq "pids.max" 12 "$(cat $cg/pids/isolated.slice/$unit/pids.max)"
                check_eq "cpu.cfs_quota_us" 30000 "$(cat $cg/cpu/isolated.slice/$unit/cpu.cfs_quota_us)"
        else
                check_eq "memory.max" 50331648 "$(cat $cg/isolated.slice/$unit/memory.max)"
                check_eq "pids.max" 12 "$(cat $cg/isolated.slice/$unit/pids.max)"
                check_eq "cpu.max" "30000 100000" "$(cat $cg/isolated.slice/$unit/cpu.max)"
                fi
}

testcase_namespaces() {
        need_fp
        check "InitPID is a live process" test -d "/proc/$init"
        check "MainPID is a live process" test -d "/proc/$main"
        for ns in pid mnt uts ipc net; do
                check "init's $ns namespace differs from ours" test "$(readlink /proc/$init/ns/$ns)" != "$(readlink /proc/self/ns/$ns)"
        done
        check_eq "the init is PID 1 inside (last NSpid)" 1 "$(awk '/^NSpid:/ {print $NF}' /proc/$init/status)"
        # Its first child: /run was prepared from the daemon's plan, without a process (test-host-env.sh).
        check_eq "the main process is the init's first child inside" 2 \
                "$(awk '/^NSpid:/ {print $NF}' /proc/$main/status)"
        check_eq "the main process's parent is the init" "$init" "$(awk '/^PPid:/ {print $2}' /proc/$main/status)"
}

# Every process of the service's PID namespace is in the scope.
testcase_pidns() {
        need_fp
        pids=$(pids_in_pidns_of "$init" | sort -n)
        check_eq "init + sleep x3 in the PID namespace" 4 "$(echo "$pids" | wc -l)"
        for p in $pids; do
                check "PID $p is in $unit" grep -qx "$p" "$procs_file"
        done
        # The init made its cgroup namespace at the scope: inside, the service sees its own cgroup as "/".
        wait_for 10 sh -c "journalctl -u $unit -o cat | grep -q ^0::"
        log=$(journalctl -u $unit -o cat)
        check_match "stdout reaches the journal under the scope" "first-path-started" "$log"
        check_match "the service is at the root of its cgroup namespace" "^1:name=systemd:/$|^0::/$" "$log"
        check_match "journalctl -t NAME finds it" "first-path-started" "$(journalctl -t fp -o cat)"
}

testcase_inside() {
        need_fp
        check_eq "hostname inside" box1 "$(nsenter -t "$init" -u hostname)"
        links=$(nsenter -t "$init" -n ip -o link show)
        check_eq "a single interface inside" 1 "$(echo "$links" | wc -l)"
        check_match "it is lo, and up" "^1: lo: <LOOPBACK,UP,LOWER_UP>" "$links"
}

testcase_status() {
        need_fp
        status=$(isolatectl status -n 20 fp)
        check_match "status shows the state" "State: running" "$status"
        check_match "status shows the init PID" "Init PID: $init\$" "$status"
        check_match "status shows the main PID" "Main PID: $main\$" "$status"
        check_match "status shows the scope and slice" "Unit: $unit \(in isolated.slice\)" "$status"
        check_match "status shows the memory limit" "\(max: 48.0M\)" "$status"
        check_match "status shows the tasks limit" "Tasks: 4 \(limit: 12\)" "$status"
        check_match "status shows the CPU quota" "quota: 30%" "$status"
        check_match "status shows the journal" "first-path-started" "$status"

        list=$(isolatectl list)
        check_match "list shows fp" "^fp +running +$unit +$init +$main" "$list"
}

# The same path through busctl, with the same text.
testcase_busctl() {
        need_fp
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss bp "$(cat "$work/fp.service")")
        check_eq "busctl StartService returns the object path" 'o "/org/isolated1/service/bp"' "$out"
        check_eq "busctl-started service runs" running "$(prop bp State)"
        check_eq "its scope is active" active "$(scope_prop isolated-bp.scope ActiveState)"
        json=$(isolatectl list --output=json)
        check_match "list --output=json has both" '"name":"bp".*|"name":"fp"' "$json"
        check "stop through busctl" busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StopService s bp
        check "bp's scope gone" sh -c "! systemctl is-active -q isolated-bp.scope"
}

# Stop: every process and the scope gone when it returns.
testcase_stop() {
        need_fp
        pids=$(pids_in_pidns_of "$init" | sort -n)
        check "isolatectl stop fp" isolatectl stop fp
        left=""
        for p in $pids; do [ -d /proc/$p ] && left="$left $p"; done
        check_eq "no process of fp left after stop" "" "$left"
        check "no scope left after stop" sh -c "! systemctl is-active -q $unit && [ ! -d $(dirname $procs_file) ]"
        check_eq "State after stop" exited "$(prop fp State)"
        check_eq "Result after stop" success "$(prop fp Result)"
        check "is-active says inactive" sh -c "! isolatectl is-active fp"
}

run_testcases
