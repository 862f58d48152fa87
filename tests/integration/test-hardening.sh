#!/bin/bash
# The hardening keys with systemd 252's meaning, each checked from inside by
# tests/integration/sandbox-probe.c: every case runs the probe once with the key and once
# without it (or with the opt-out that makes the key matter), so that a key isolated ignored
# fails a check. CASE=NAME (ONLY=hardening:NAME tests/run.sh) runs one case.
. "$TESTS/lib.sh"

work=$(mktemp -d)
sid=$(( RANDOM * 32768 + RANDOM ))
data=/var/lib/isolated-hardening-test.$sid
statedir=isolated-hardening-test.$sid.state
names="hdmdwe hdmdweoff hdrt hdrtoff hdnsdef hdnsall hdnsnomnt hdnsyes hdnslist hdclock hdclockon hdclockdef
       hdproc hdprocoff hdsubset hdnoexec hdnoexecoff hdpers hdpersoff hdfilt hdfiltre hdfiltsub hdfiltmin
       hdfilterr hdfiltkill hddyn hddynnone hddynstatic hddynstate hdkey1 hdkey2 hdkeyinh1 hdkeyinh2 hdpriv hdaa hdredis hdmemc"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -rf "$work" "$data" "/var/lib/$statedir"
}
trap cleanup EXIT

helper sandbox-probe "$work" || { not_ok "build the probe"; finish; exit 1; }
mkdir -p "$data/probe"
cp "$work/sandbox-probe" "$data/probe/" && chmod 755 "$data" "$data/probe" "$data/probe/sandbox-probe"
EPERM=1 EACCES=13 EINVAL=22

# probe NAME "EXTRA KEYS" CHECK...: runs the probe with the extra lines (\n between them, [Isolate]
# ones after an [Isolate] line), records its PASS/FAIL lines (PROBE_LOG), stops it.
probe() {
        local name=$1 extra=$2 unit=isolated-$1.scope line out
        shift 2
        printf '[Service]\nExecStart=%s/probe/sandbox-probe %s\n%b\n' "$data" "$*" "$extra" > "$work/$name.service"
        if ! out=$(isolatectl start "$name" "$work/$name.service" 2>&1); then
                not_ok "$name: start: $out"
                return 1
        fi
        if ! wait_for 20 sh -c "journalctl -u $unit -o cat | grep -q '^PROBE-END'"; then
                not_ok "$name: no PROBE-END in the journal"
                journalctl -u "$unit" -o cat | tail -20 | sed 's/^/    /'
        fi
        PROBE_LOG=$(journalctl -u "$unit" -o cat | grep -E '^(PASS|FAIL) ')
        [ -n "$PROBE_LOG" ] || not_ok "$name: the probe printed no check"
        while IFS= read -r line; do
                [ -n "$line" ] || continue
                case "$line" in
                PASS*) ok "$name: ${line#PASS }" ;;
                *) not_ok "$name: ${line#FAIL }" ;;
                esac
        done <<< "$PROBE_LOG"
        isolatectl stop "$name" >/dev/null 2>&1
        isolatectl reset-failed "$name" >/dev/null 2>&1
}

# MemoryDenyWriteExecute=: W+X mappings, mprotect to executable and SHM_EXEC refused; W alone works.
testcase_mdwe() {
        probe hdmdwe 'MemoryDenyWriteExecute=yes' errno:mmap-wx:$EPERM errno:mprotect-x:$EPERM \
                errno:shmat-x:$EPERM errno:mmap-w:0
        probe hdmdweoff 'MemoryDenyWriteExecute=no' errno:mmap-wx:0 errno:mprotect-x:0 errno:shmat-x:0
}

# RestrictRealtime=: SCHED_FIFO refused by the filter (EPERM before the kernel checks the priority:
# without the key, priority 0 is the kernel's EINVAL); SCHED_OTHER stays.
testcase_realtime() {
        probe hdrt 'RestrictRealtime=yes' errno:sched-fifo0:$EPERM errno:sched-fifo:$EPERM errno:sched-other:0
        probe hdrtoff '' errno:sched-fifo0:$EINVAL errno:sched-other:0
}

# RestrictNamespaces=: by default no namespace at all (isolated's default); with [Isolate]
# Namespaces=yes what RestrictNamespaces= leaves. A user namespace with each: no capability needed.
testcase_namespaces() {
        probe hdnsdef '' errno:unshare-user:$EPERM errno:unshare-user-uts:$EPERM
        probe hdnsall '[Isolate]\nNamespaces=yes' errno:unshare-user:0 errno:unshare-user-mnt:0 errno:unshare-user-uts:0
        probe hdnsnomnt 'RestrictNamespaces=~mnt\n[Isolate]\nNamespaces=yes' errno:unshare-user-mnt:$EPERM \
                errno:unshare-user-uts:0 errno:unshare-user-net:0
        probe hdnsyes 'RestrictNamespaces=yes\n[Isolate]\nNamespaces=yes' errno:unshare-user:$EPERM
        # A list allows only those; a later one adds (systemd's merge).
        probe hdnslist 'RestrictNamespaces=user\nRestrictNamespaces=uts\n[Isolate]\nNamespaces=yes' \
                errno:unshare-user-uts:0 errno:unshare-user-mnt:$EPERM errno:unshare-user-net:$EPERM
}

# ProtectClock=: @clock denied even where [Isolate] AllowSystemCalls= takes it out of the defaults
# (adjtimex(2) reading is no privilege: the filter is what refuses it).
testcase_clock() {
        probe hdclockdef '' errno:adjtimex-read:$EPERM errno:clock-settime:$EPERM
        probe hdclock '[Isolate]\nAllowSystemCalls=@clock' errno:adjtimex-read:0
        probe hdclockon 'ProtectClock=yes\n[Isolate]\nAllowSystemCalls=@clock' errno:adjtimex-read:$EPERM \
                errno:clock-settime:$EPERM capbnd-lacks:25
}

# ProtectProc=invisible: other users' processes (the init, root) are not in /proc; ProcSubset=pid:
# no /proc/meminfo.
testcase_proc() {
        probe hdproc 'User=nobody\nProtectProc=invisible' absent:/proc/1 exists:/proc/self/status exists:/proc/meminfo
        probe hdprocoff 'User=nobody' exists:/proc/1
        probe hdsubset 'ProcSubset=pid' absent:/proc/meminfo exists:/proc/1 exists:/proc/self/status
}

# NoExecPaths=/ with ExecPaths= as redis-server.service has it: only those paths execute.
testcase_noexec() {
        probe hdnoexec "NoExecPaths=/\nExecPaths=$data/probe /usr/lib /lib /usr/lib64 /lib64 /usr/bin/true" \
                errno:exec=/usr/bin/true:0 errno:exec=/usr/bin/false:$EACCES errno:exec=/usr/bin/env:$EACCES
        probe hdnoexecoff '' errno:exec=/usr/bin/false:0
}

# LockPersonality=: PER_LINUX32 refused (the default); with the opt-out and LockPersonality=no allowed.
testcase_personality() {
        probe hdpers 'LockPersonality=yes\n[Isolate]\nPersonality=yes' errno:personality-linux32:$EPERM
        probe hdpersoff 'LockPersonality=no\n[Isolate]\nPersonality=yes' errno:personality-linux32:0
}

# SystemCallFilter= as systemd: a deny list re-allowed by a later plain list, an allow list minus a
# later ~ list, and an allow list of one call still starts (@default is added).
testcase_filter() {
        probe hdfilt 'SystemCallFilter=~@resources' errno:sched-other:$EPERM
        probe hdfiltre 'SystemCallFilter=~@resources\nSystemCallFilter=@resources' errno:sched-other:0
        probe hdfiltsub 'SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources' \
                errno:sched-other:$EPERM errno:mmap-w:0
        # A deny list's own errno per call, and :kill.
        probe hdfilterr 'SystemCallFilter=~uname:EACCES @resources' uname-errno:$EACCES errno:sched-other:$EPERM
        probe hdfiltkill 'SystemCallFilter=~uname:kill' uname-killed:
        # An allow list of a single call: @default keeps exec and the loader's mmap; the loader's
        # openat is not allowed, so the probe never runs, but it fails as a process that cannot
        # open its libraries, exit status 127, not of a signal (SIGSEGV without execve).
        printf '[Service]\nExecStart=%s/probe/sandbox-probe\nSystemCallFilter=chroot\n' "$data" > "$work/hdfiltmin.service"
        isolatectl start hdfiltmin "$work/hdfiltmin.service" >/dev/null 2>&1
        wait_for 20 sh -c "isolatectl status hdfiltmin 2>&1 | grep -Eq 'failed|inactive|exited'"
        check_match "hdfiltmin: SystemCallFilter=chroot fails with the loader's exit status, no signal" \
                "exited, status 127" "$(isolatectl status hdfiltmin 2>&1)"
        isolatectl stop hdfiltmin >/dev/null 2>&1; isolatectl reset-failed hdfiltmin >/dev/null 2>&1
}

# DynamicUser=: a User= no /etc/passwd inside has is a uid of 61184..65519; an existing user is used.
testcase_dynamicuser() {
        probe hddyn 'DynamicUser=yes\nUser=hd-no-such-user' uid-range:61184:65519
        probe hddynnone 'DynamicUser=yes' uid-range:61184:65519
        probe hddynstatic 'DynamicUser=yes\nUser=nobody' uid:65534
        # Its StateDirectory= is the transient uid's to write.
        probe hddynstate "DynamicUser=yes\nUser=hd-no-such-user\nStateDirectory=$statedir" \
                uid-range:61184:65519 "w:/var/lib/$statedir"
}

# KeyringMode=: private (the default) gives each service a session keyring of its own; inherit
# gives the daemon's to both.
keyring_of() { grep -o 'keyring [0-9-]*' <<< "$PROBE_LOG" | awk '{print $2}'; }
testcase_keyring() {
        local a b
        probe hdkey1 '[Isolate]\nAllowSystemCalls=@keyring' errno:keyring-id:0; a=$(keyring_of)
        probe hdkey2 '[Isolate]\nAllowSystemCalls=@keyring' errno:keyring-id:0; b=$(keyring_of)
        check "keyring: two private session keyrings differ ($a, $b)" test -n "$a" -a -n "$b" -a "$a" != "$b"
        probe hdkeyinh1 'KeyringMode=inherit\n[Isolate]\nAllowSystemCalls=@keyring' errno:keyring-id:0; a=$(keyring_of)
        probe hdkeyinh2 'KeyringMode=inherit\n[Isolate]\nAllowSystemCalls=@keyring' errno:keyring-id:0; b=$(keyring_of)
        check "keyring: inherit gives both the same ($a, $b)" test -n "$a" -a "$a" = "$b"
}

# PrivateUsers=yes runs (its own user namespace is every service's); AppArmorProfile= with '-' runs
# with a notice, without it is refused.
testcase_accepted() {
        probe hdpriv 'PrivateUsers=yes\nRemoveIPC=yes' uid:0
        printf '[Service]\nExecStart=/bin/true\nAppArmorProfile=-hd_profile\n' > "$work/hdaa.service"
        check_match "AppArmorProfile=-: a notice" "AppArmor" "$(isolatectl verify "$work/hdaa.service" 2>&1)"
        check "AppArmorProfile=-: verifies" isolatectl verify "$work/hdaa.service"
        printf '[Service]\nExecStart=/bin/true\nAppArmorProfile=hd_profile\n' > "$work/hdaa.service"
        check_match "AppArmorProfile= without '-': refused" "cannot apply AppArmor" \
                "$(isolatectl verify "$work/hdaa.service" 2>&1; echo "status $?")"
        check "AppArmorProfile= without '-': verify fails" sh -c "! isolatectl verify '$work/hdaa.service' >/dev/null 2>&1"
}

# ask NAME PORT REQUEST: the first line of the answer on 127.0.0.1:PORT in NAME's network namespace.
ask() {
        local pid
        pid=$(prop "$1" MainPID)
        [ -n "$pid" ] && [ "$pid" != 0 ] || return 1
        timeout 5 nsenter -t "$pid" -n bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "$2" >&3 && head -n 1 <&3' \
                ask "$2" "$3" 2>/dev/null
}
asks() { ask "$1" "$2" "$3" | grep -q "$4"; }

# Debian's stock redis-server.service and memcached.service, unchanged (tools/install-deps.sh
# installs both): they verify and answer.
testcase_debian() {
        local unit out units=/lib/systemd/system
        for unit in redis-server memcached; do
                if [ ! -f "$units/$unit.service" ]; then
                        not_ok "$unit.service is installed (tools/install-deps.sh installs it)"
                        continue
                fi
                out=$(isolatectl verify "$units/$unit.service" 2>&1)
                check "$unit.service verifies: $(tail -1 <<< "$out")" isolatectl verify "$units/$unit.service"
        done
        # Every installed unit that uses one of these keys: none of them is what verify refuses.
        # (test-debian-units verifies every unit of ~90 daemon packages.)
        local keys='(MemoryDenyWriteExecute|RestrictRealtime|RestrictNamespaces|ProtectClock|LockPersonality|RestrictSUIDSGID|ProtectKernelLogs|KeyringMode|PrivateUsers|ProtectProc|ProcSubset|NoExecPaths|ExecPaths|AppArmorProfile|DynamicUser|RemoveIPC|SystemCallFilter|SystemCallArchitectures|SystemCallErrorNumber)'
        local f copy n=0
        for f in $(grep -lE "^$keys=" "$units"/*.service 2>/dev/null); do
                copy="$work/hdv$n.service"; n=$((n + 1)) # a template's name is no service name
                cp "$f" "$copy"
                out=$(isolatectl verify "$copy" 2>&1)
                check_eq "$(basename "$f"): no hardening key refused" "" \
                        "$(grep -E "$keys=" <<< "$out" | grep -E 'not supported|refusing|Invalid|[Uu]nknown|cannot')"
        done
        # The stock units as they are, each asked from inside its own network namespace.
        if [ -x /usr/bin/redis-server ] && [ -r /etc/redis/redis.conf ]; then
                cp "$units/redis-server.service" "$work/hdredis.service"
                if out=$(isolatectl start hdredis "$work/hdredis.service" 2>&1); then
                        ok "redis-server: started from its stock unit"
                        wait_for 20 asks hdredis 6379 'PING\r\n' PONG
                        check_match "redis-server: PONG from inside its network namespace" PONG "$(ask hdredis 6379 'PING\r\n')"
                else
                        not_ok "redis-server: start: $out"
                fi
                isolatectl stop hdredis >/dev/null 2>&1; isolatectl reset-failed hdredis >/dev/null 2>&1
        else
                not_ok "redis-server is installed (tools/install-deps.sh installs it)"
        fi
        if [ -x /usr/bin/memcached ]; then
                cp "$units/memcached.service" "$work/hdmemc.service"
                if out=$(isolatectl start hdmemc "$work/hdmemc.service" 2>&1); then
                        ok "memcached: started from its stock unit"
                        wait_for 20 asks hdmemc 11211 'version\r\n' VERSION
                        check_match "memcached: VERSION from inside its network namespace" VERSION "$(ask hdmemc 11211 'version\r\n')"
                else
                        not_ok "memcached: start: $out"
                fi
                isolatectl stop hdmemc >/dev/null 2>&1; isolatectl reset-failed hdmemc >/dev/null 2>&1
        else
                not_ok "memcached is installed (tools/install-deps.sh installs it)"
        fi
}

run_testcases
