#!/bin/bash
# Service types and command prefixes with systemd 252's meaning (issue 15, item 2):
# Type=oneshot (several ExecStart=, RemainAfterExit=, a failure, TimeoutStartSec=), Type=dbus
# (BusName= on the host's system bus), the "!" prefix (only the User= switch skipped: the
# namespaces, capabilities and seccomp are the service's) and "+" (on the host, as root, in the
# scope, $MAINPID as the host sees it, nothing of the service's reaching it; also in ExecCondition=
# and ExecStopPost=).
# CASE=NAME runs one case (testcase_NAME): ONLY=exec-types:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-xt.XXXXXX)
chmod 755 "$work"
names="xtone xtrem xtfail xttime xtbang xtplain xtplus xtpluse xtplusc xtdbus xtdbusn xtunset"
cleanup() {
        for n in $names; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -rf "$work" /etc/dbus-1/system.d/isolated-xt-test.conf
        [ -e /run/dbus/system_bus_socket ] && busctl call org.freedesktop.DBus / org.freedesktop.DBus ReloadConfig >/dev/null 2>&1
}
trap cleanup EXIT

# svc NAME LINES...: writes $work/NAME.service with [Service] and the lines.
svc() {
        local n=$1; shift
        { echo "[Service]"; printf '%s\n' "$@"; } > "$work/$n.service"
}
gone() { ! scope_exists "isolated-$1.scope"; }
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"; }

# Type=oneshot, RemainAfterExit=yes: start returns once every ExecStart= and ExecStartPost= ran,
# in order; the service stays active (exited) without a process; stop runs ExecStop= and ends it.
testcase_oneshot_remain() {
        local out="$work/rem"
        mkdir -p "$out"
        svc xtrem "Type=oneshot" "RemainAfterExit=yes" "ReadWritePaths=$out" \
                "ExecStart=/bin/sh -c 'sleep 0.5; echo one >> $out/log'" \
                "ExecStart=-/bin/sh -c 'echo two >> $out/log; exit 7'" \
                "ExecStart=/bin/sh -c 'echo three >> $out/log'" \
                "ExecStartPost=/bin/sh -c 'echo post >> $out/log'" \
                "ExecStop=/bin/sh -c 'echo stop >> $out/log'"
        check "oneshot with RemainAfterExit= starts" isolatectl start xtrem "$work/xtrem.service"
        check_eq "start returned after every command, in order" "one two three post" "$(echo $(cat "$out/log"))"
        check_eq "State active-exited" active-exited "$(prop xtrem State)"
        check_eq "is-active says active" active "$(isolatectl is-active xtrem)"
        check_eq "no main process" 0 "$(prop xtrem MainPID)"
        check "the scope stays" scope_exists isolated-xtrem.scope
        check "stop" isolatectl stop xtrem
        check_eq "stop ran ExecStop=" "one two three post stop" "$(echo $(cat "$out/log"))"
        check_eq "then State exited" exited "$(prop xtrem State)"
        check_eq "Result success" success "$(prop xtrem Result)"
        check "the scope is gone" wait_for 10 gone xtrem
        # RemainAfterExit= with Type=simple too, as systemd: a clean end keeps it active.
        svc xtrem "RemainAfterExit=yes" "ExecStart=/bin/true"
        check "a simple service with RemainAfterExit=yes starts" isolatectl start xtrem "$work/xtrem.service"
        check "it stays active once its main process ended: State active-exited" wait_prop xtrem State active-exited
        check "stop" isolatectl stop xtrem
        check_eq "then exited, success" "exited success" "$(prop xtrem State) $(prop xtrem Result)"
}

# Without RemainAfterExit=: the service ends once its commands did, with success, nothing left.
testcase_oneshot_plain() {
        svc xtone "Type=oneshot" "ExecStart=/bin/true" "ExecStart=/bin/sh -c 'exit 0'"
        check "oneshot starts" isolatectl start xtone "$work/xtone.service"
        check "it ends by itself: State exited" wait_prop xtone State exited
        check_eq "Result success" success "$(prop xtone Result)"
        check_eq "ExitStatus 0" 0 "$(prop xtone ExitStatus)"
        check "the scope is gone" wait_for 10 gone xtone
        # Several ExecStart= only for oneshot, as systemd.
        svc xtone "ExecStart=/bin/true" "ExecStart=/bin/true"
        check_match "several ExecStart= without Type=oneshot are refused" "only Type=oneshot allows several" \
                "$(isolatectl verify "$work/xtone.service" 2>&1)"
}

# A failing command fails the start: exit-code and its status; the next command never runs.
testcase_oneshot_failure() {
        local out="$work/fail"
        mkdir -p "$out"
        svc xtfail "Type=oneshot" "ReadWritePaths=$out" "ExecStart=/bin/sh -c 'exit 3'" "ExecStart=/bin/touch $out/second"
        if isolatectl start xtfail "$work/xtfail.service" >/dev/null 2>&1; then not_ok "a failing oneshot fails its start"
        else ok "a failing oneshot fails its start"; fi
        check "State failed" wait_prop xtfail State failed
        check_eq "Result exit-code" exit-code "$(prop xtfail Result)"
        check_eq "ExitStatus 3" 3 "$(prop xtfail ExitStatus)"
        check "the later command never ran" test ! -e "$out/second"
        check "the scope is gone" wait_for 10 gone xtfail
}

# TimeoutStartSec= given: a oneshot that runs longer fails with Result timeout, killed.
testcase_oneshot_timeout() {
        local t0 ms
        svc xttime "Type=oneshot" "TimeoutStartSec=2" "ExecStart=/bin/sleep 1000"
        t0=$(date +%s%N)
        if isolatectl start xttime "$work/xttime.service" >/dev/null 2>&1; then not_ok "the start times out"
        else ok "the start times out"; fi
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        check "after TimeoutStartSec= (2 s), not before: $ms ms" test "$ms" -ge 1900
        check "State failed" wait_prop xttime State failed
        check_eq "Result timeout" timeout "$(prop xttime Result)"
        check "nothing is left" wait_for 10 gone xttime
}

# "!" skips the User= switch only: the main process is root of the service's own user namespace
# (the init's uid on the host), with the service's capability bounding set, no_new_privs and
# seccomp filter, in its namespaces; without "!" the same file runs as nobody.
testcase_bang() {
        local init main plain_main ns
        svc xtbang "User=nobody" "ExecStart=!/bin/sleep 1000"
        svc xtplain "User=nobody" "ExecStart=/bin/sleep 1000"
        check "a '!' service starts" isolatectl start xtbang "$work/xtbang.service"
        check "the same without '!' starts" isolatectl start xtplain "$work/xtplain.service"
        init=$(prop xtbang InitPID); main=$(prop xtbang MainPID); plain_main=$(prop xtplain MainPID)
        check_eq "'!': uid 0 inside (the init's uid on the host)" "$(status_of "$init" Uid)" "$(status_of "$main" Uid)"
        check "without '!': not that uid" test "$(status_of "$plain_main" Uid)" != "$(status_of "$init" Uid)"
        check_eq "'!': the capability bounding set of the service" "$(status_of "$plain_main" CapBnd)" "$(status_of "$main" CapBnd)"
        check "'!': no CAP_SYS_ADMIN in it" test $(( 0x$(status_of "$main" CapBnd) >> 21 & 1 )) = 0
        check_eq "'!': seccomp filter on" 2 "$(status_of "$main" Seccomp)"
        check_eq "'!': no_new_privs" 1 "$(status_of "$main" NoNewPrivs)"
        for ns in user pid mnt net; do
                check_eq "'!': the service's $ns namespace" "$(readlink /proc/$init/ns/$ns)" "$(readlink /proc/$main/ns/$ns)"
        done
        check "'!': not the host's user namespace" test "$(readlink /proc/$main/ns/user)" != "$(readlink /proc/self/ns/user)"
        check "stop" isolatectl stop xtbang
        check "stop the other" isolatectl stop xtplain
}

# "+": ExecReload=+/bin/kill -HUP $MAINPID as unbound and nsd have it. The command runs on the host
# as root, in the service's scope, with $MAINPID the main process's host PID; the signal reaches it.
testcase_plus() {
        local out="$work/plus" main init
        mkdir -p "$out"
        svc xtplus "ReadWritePaths=$out" \
                "ExecStart=/bin/sh -c 'trap \"echo hup >> $out/hups\" HUP; while :; do sleep 0.1; done'" \
                "ExecStartPost=+/bin/sh -c 'echo \$MAINPID > $out/post-mainpid'" \
                "ExecReload=+/bin/sh -c 'id -u > $out/uid; readlink /proc/self/ns/user > $out/userns; readlink /proc/self/ns/pid > $out/pidns; cat /proc/self/cgroup > $out/cgroup; echo \$MAINPID > $out/mainpid'" \
                "ExecReload=+/bin/kill -HUP \$MAINPID"
        check "a service with '+' commands starts" isolatectl start xtplus "$work/xtplus.service"
        main=$(prop xtplus MainPID); init=$(prop xtplus InitPID)
        check_eq "ExecStartPost=+ saw \$MAINPID as the host sees it" "$main" "$(cat "$out/post-mainpid" 2>/dev/null)"
        check "reload runs ExecReload=+" isolatectl reload xtplus
        check_eq "'+' runs as the host's root" 0 "$(cat "$out/uid" 2>/dev/null)"
        check_eq "'+' in the host's user namespace" "$(readlink /proc/self/ns/user)" "$(cat "$out/userns" 2>/dev/null)"
        check_eq "'+' in the host's PID namespace" "$(readlink /proc/self/ns/pid)" "$(cat "$out/pidns" 2>/dev/null)"
        check_match "'+' in the service's scope" "/isolated-xtplus\.scope(/|$)" "$(cat "$out/cgroup" 2>/dev/null)"
        check_eq "\$MAINPID is the host's PID of the main process" "$main" "$(cat "$out/mainpid" 2>/dev/null)"
        check "kill -HUP \$MAINPID reached the main process" wait_for 10 test -s "$out/hups"
        check_eq "the main process lives on" running "$(prop xtplus State)"
        check_eq "same main process" "$main" "$(prop xtplus MainPID)"
        check "stop" isolatectl stop xtplus
        check_eq "Result success" success "$(prop xtplus Result)"
        # As systemd: not for the main process itself.
        svc xtplus "ExecStart=+/bin/true"
        check_match "ExecStart=+ is refused" "main process runs inside the sandbox" "$(isolatectl verify "$work/xtplus.service" 2>&1)"
}

# UnsetEnvironment=, systemd's last step of the environment: a name removes whatever set it
# (Environment=, EnvironmentFile=, what the init sets itself), NAME=VALUE only that assignment;
# the same for a "+" command on the host.
testcase_unset_environment() {
        local out="$work/unset"
        mkdir -p "$out"
        printf 'FROMFILE=1\nKEEPFILE=2\n' > "$work/unset.env"
        svc xtunset "Type=oneshot" "ReadWritePaths=$out" "EnvironmentFile=$work/unset.env" \
                "Environment=KEEP=1 DROP=1 EXACT=a NOTEXACT=b DROPPED=x DROPPEDX=y" \
                "UnsetEnvironment=DROP EXACT=a NOTEXACT=zzz FROMFILE JOURNAL_STREAM HOME" \
                "UnsetEnvironment=DROPPED" \
                "ExecStart=/bin/sh -c 'env > $out/env'" \
                "ExecStartPost=+/bin/sh -c 'env > $out/env-plus'"
        check "verify has no word against it" test -z "$(isolatectl verify "$work/xtunset.service" 2>&1 | grep -i unsetenvironment)"
        check "starts" isolatectl start xtunset "$work/xtunset.service"
        local env
        env=$(grep -E '^(KEEP|DROP|EXACT|NOTEXACT|DROPPED|DROPPEDX|FROMFILE|KEEPFILE|JOURNAL_STREAM|HOME|PATH)=' "$out/env" 2>/dev/null | sed 's/=.*//' | sort | tr '\n' ' ')
        check_eq "the service has what was not unset, from every source" "DROPPEDX KEEP KEEPFILE NOTEXACT PATH " "$env"
        env=$(grep -E '^(KEEP|DROP|EXACT|NOTEXACT|DROPPED|DROPPEDX)=' "$out/env-plus" 2>/dev/null | sed 's/=.*//' | sort | tr '\n' ' ')
        check_eq "and so has its '+' command" "DROPPEDX KEEP NOTEXACT " "$env"
        check "it ended" wait_for 10 gone xtunset
}

# A "+" command cannot be influenced by the service: an EnvironmentFile= the service writes, its
# working directory, its fds and its environment never reach it; a failing one fails the start.
testcase_plus_not_influenced() {
        local out="$work/pluse"
        mkdir -p "$out"
        svc xtpluse "ReadWritePaths=$out" "Environment=GIVEN=admin" "EnvironmentFile=-/run/xt-evil.env" \
                "WorkingDirectory=/tmp" \
                "ExecStartPre=/bin/sh -c 'echo EVIL=service > /run/xt-evil.env; echo LD_PRELOAD=/tmp/evil.so >> /run/xt-evil.env'" \
                "ExecStart=/bin/sh -c 'exec 7>/tmp/leak; exec sleep 1000'" \
                "ExecStartPost=+/bin/sh -c 'env > $out/env; pwd > $out/pwd; ls /proc/self/fd > $out/fds'"
        check "starts" isolatectl start xtpluse "$work/xtpluse.service"
        check_match "the administrator's Environment= reaches '+'" "^GIVEN=admin$" "$(cat "$out/env" 2>/dev/null)"
        check "an EnvironmentFile= the service wrote does not" test -z "$(grep -E '^(EVIL|LD_PRELOAD)=' "$out/env")"
        check "the service did write it, in its own /run" \
                test -n "$(nsenter -t "$(prop xtpluse InitPID)" -m cat /run/xt-evil.env 2>/dev/null)"
        check_eq "'+' runs in /, not the service's WorkingDirectory=" / "$(cat "$out/pwd" 2>/dev/null)"
        check_eq "'+' has stdio and nothing else (ls' own fd aside)" "0 1 2 3" "$(echo $(cat "$out/fds" 2>/dev/null))"
        check "stop" isolatectl stop xtpluse
        svc xtpluse "ExecStart=/bin/sleep 1000" "ExecStartPre=+/bin/sh -c 'exit 4'"
        if isolatectl start xtpluse "$work/xtpluse.service" >/dev/null 2>&1; then not_ok "a failing ExecStartPre=+ fails the start"
        else ok "a failing ExecStartPre=+ fails the start"; fi
        check "State failed" wait_prop xtpluse State failed
        check "nothing is left" wait_for 10 gone xtpluse
}

# "+" in execstatus' keys: ExecCondition=+ and ExecStopPost=+ run on the host as root, in the scope;
# ExecCondition=+ exit 1 skips the start as without "+".
testcase_plus_condition_stop_post() {
        local out="$work/plusc" probe
        mkdir -p "$out"
        probe="id -u; readlink /proc/self/ns/user; grep -q /isolated-xtplusc.scope /proc/self/cgroup && echo scope"
        svc xtplusc "ReadWritePaths=$out" \
                "ExecCondition=+/bin/sh -c '($probe) > $out/condition'" \
                "ExecStart=/bin/sleep 1000" \
                "ExecStopPost=+/bin/sh -c '($probe) > $out/stop-post'"
        check "a service with ExecCondition=+ and ExecStopPost=+ starts" isolatectl start xtplusc "$work/xtplusc.service"
        check_eq "ExecCondition=+ ran on the host as root, in the scope" \
                "0 $(readlink /proc/self/ns/user) scope" "$(echo $(cat "$out/condition" 2>/dev/null))"
        check_eq "running" running "$(prop xtplusc State)"
        check "stop" isolatectl stop xtplusc
        check_eq "ExecStopPost=+ ran on the host as root, in the scope" \
                "0 $(readlink /proc/self/ns/user) scope" "$(echo $(cat "$out/stop-post" 2>/dev/null))"
        check "nothing is left" wait_for 10 gone xtplusc
        rm -f "$out/stop-post"
        svc xtplusc "ExecCondition=+/bin/sh -c 'exit 1'" "ExecStart=/bin/sleep 1000" \
                "ExecStopPost=+/bin/sh -c 'id -u > $out/stop-post'"
        check "a false ExecCondition=+ skips the start" isolatectl start xtplusc "$work/xtplusc.service"
        check "the service is exited" wait_prop xtplusc State exited 10
        check_eq "Result=exec-condition" exec-condition "$(prop xtplusc Result)"
        check_eq "ExecStopPost=+ ran after the skip" 0 "$(cat "$out/stop-post" 2>/dev/null)"
        check "nothing is left" wait_for 10 gone xtplusc
}

# Type=dbus: the host's system bus socket is given (nothing else of /run/dbus), and start returns
# only once BusName= has an owner, a process of the service; the name's loss stops the service;
# a name never taken times the start out. The bus policy still applies: a policy file lets the
# test's name be owned.
bus_policy() {
        cat > /etc/dbus-1/system.d/isolated-xt-test.conf <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy context="default">
    <allow own="org.isolated.XtTest1"/>
    <allow send_destination="org.isolated.XtTest1"/>
  </policy>
</busconfig>
XML
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null
}
name_owner_pid() {
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixProcessID s \
                org.isolated.XtTest1 2>/dev/null | awk '{print $2}'
}
testcase_dbus() {
        local init main
        # dbus-daemon refuses a connection whose uid has no passwd entry (it looks up the user's
        # groups), and the host uid of a service's own user namespace has none: these services are
        # host root (isolated.service(5), Type=dbus).
        local hostroot="[Isolate] HostRoot=yes" # two lines of the file (split on purpose)
        helper bus-name-owner "$work" || { not_ok "build bus-name-owner"; return; }
        bus_policy
        svc xtdbus "Type=dbus" "BusName=org.isolated.XtTest1" "ExecStart=$work/bus-name-owner org.isolated.XtTest1 1.5" $hostroot
        if isolatectl start xtdbus "$work/xtdbus.service"; then ok "a Type=dbus service starts"
        else not_ok "a Type=dbus service starts"; journalctl -t xtdbus --no-pager -n 20 | sed 's/^/    /'; fi
        main=$(prop xtdbus MainPID); init=$(prop xtdbus InitPID)
        check_eq "start returned once the name was owned, by the main process" "$main" "$(name_owner_pid)"
        check_eq "State running" running "$(prop xtdbus State)"
        # systemd-tmpfiles inside may make the host's tmpfiles.d directories (/run/dbus/containers,
        # empty, the service's own): what comes from the host is the socket's mount alone.
        check "the bus socket is there" nsenter -t "$init" -m test -S /run/dbus/system_bus_socket
        check_eq "it, and nothing else of /run/dbus, is the host's" /run/dbus/system_bus_socket \
                "$(awk '$5 ~ "^/run/dbus(/|$)" { print $5 }' "/proc/$init/mountinfo")"
        check "stop" isolatectl stop xtdbus
        check_eq "Result success" success "$(prop xtdbus Result)"
        check "the name is gone with it" wait_for 10 test -z "$(name_owner_pid)"

        svc xtdbusn "ExecStart=/bin/sleep 1000"
        check "a simple service starts" isolatectl start xtdbusn "$work/xtdbusn.service"
        check "it has no bus socket" test ! -e "/proc/$(prop xtdbusn InitPID)/root/run/dbus/system_bus_socket"
        check "stop it" isolatectl stop xtdbusn

        # The name given up: the service is stopped, as systemd does.
        svc xtdbus "Type=dbus" "BusName=org.isolated.XtTest1" "ExecStart=$work/bus-name-owner org.isolated.XtTest1 0 release 1" $hostroot
        check "a Type=dbus service that gives its name up starts" isolatectl start xtdbus "$work/xtdbus.service"
        check "losing the name stops it" wait_prop xtdbus State exited 20
        check "nothing is left" wait_for 10 gone xtdbus

        # Also once a restarted daemon took the service over.
        svc xtdbus "Type=dbus" "BusName=org.isolated.XtTest1" "ExecStart=$work/bus-name-owner org.isolated.XtTest1 0 release 6" $hostroot
        check "a Type=dbus service starts again" isolatectl start xtdbus "$work/xtdbus.service"
        local old
        old=$(daemon_pid)
        check "the daemon restarts" systemctl restart isolated.service
        check "and is back" wait_for 20 daemon_restarted "$old"
        check_eq "it took the service over" running "$(prop xtdbus State)"
        check "the name's loss stops it then too" wait_prop xtdbus State exited 20

        # Never taken: TimeoutStartSec=.
        svc xtdbus "Type=dbus" "BusName=org.isolated.XtTest1" "TimeoutStartSec=2" "ExecStart=$work/bus-name-owner org.isolated.XtTest1 1000" $hostroot
        if isolatectl start xtdbus "$work/xtdbus.service" >/dev/null 2>&1; then not_ok "a name never taken times the start out"
        else ok "a name never taken times the start out"; fi
        check "State failed" wait_prop xtdbus State failed
        check_eq "Result timeout" timeout "$(prop xtdbus Result)"

        # The main process ends before it took the name (avahi-daemon when the bus refuses it:
        # status 255): the start fails with the main's end, Result=exit-code, as systemd 252's
        # (not protocol: the init did name its main process).
        svc xtdbus "Type=dbus" "BusName=org.isolated.XtTest1" "ExecStart=/bin/sh -c 'exit 3'"
        local out
        isolatectl reset-failed xtdbus >/dev/null 2>&1
        if out=$(isolatectl start xtdbus "$work/xtdbus.service" 2>&1); then
                not_ok "a main that ends before the name fails the start"
        else
                check_match "a main that ends before the name fails the start, saying so" \
                        "Main process ended \(exited, status 3\) before the service started" "$out"
        fi
        check "State failed" wait_prop xtdbus State failed
        check_eq "Result exit-code, status 3" "exit-code 3" "$(prop xtdbus Result) $(prop xtdbus ExitStatus)"
        isolatectl reset-failed xtdbus >/dev/null 2>&1

        svc xtdbus "Type=dbus" "ExecStart=/bin/true"
        check_match "Type=dbus without BusName= is refused" "Type=dbus needs BusName=" "$(isolatectl verify "$work/xtdbus.service" 2>&1)"
}

run_testcases
