#!/bin/bash
# Boot-time isolation the systemd way: the isolated@.service template started
# and stopped by systemctl, and a drop-in that replaces a legacy unit's
# ExecStart= by "isolatectl start --wait". /etc here is the host's: only our
# own files are created there, and removed.
. "$TESTS/lib.sh"

etc_desc=/etc/isolated/legacyd.service
made_etc_dir=""
legacy=/run/systemd/system/legacy-web.service
cleanup() {
        systemctl stop isolated@legacyd.service legacy-web.service >/dev/null 2>&1
        systemctl disable --runtime isolated@legacyd.service >/dev/null 2>&1
        systemctl reset-failed isolated@legacyd.service legacy-web.service >/dev/null 2>&1
        isolatectl stop legacyd legacy-web >/dev/null 2>&1
        isolatectl reset-failed legacyd legacy-web >/dev/null 2>&1
        [ -n "$made_desc" ] && rm -f "$etc_desc"
        [ -n "$made_etc_dir" ] && rmdir /etc/isolated 2>/dev/null
        rm -rf "$legacy" "$legacy.d" /run/isolated/legacy-web.service
        rmdir /run/isolated 2>/dev/null
        systemctl daemon-reload
}
made_desc=""
trap cleanup EXIT

if [ -e "$etc_desc" ]; then
        not_ok "$etc_desc exists already (not ours): not touching it"
        finish
        exit
fi
if [ ! -d /etc/isolated ]; then
        mkdir /etc/isolated && made_etc_dir=1
fi
made_desc=1
cat > "$etc_desc" <<'UNIT'
[Unit]
Description=a legacy daemon, isolated at boot

[Service]
ExecStart=/bin/sh -c 'echo legacyd-up; exec sleep 1000'
TasksMax=10
UNIT

ctl=$(command -v isolatectl)
# need_started: isolated@legacyd runs (started by an earlier case, or now: CASE= runs one).
need_started() {
        systemctl is-active -q isolated@legacyd.service || systemctl start isolated@legacyd.service
        svcmain=$(prop legacyd MainPID)
}

# The template is installed as the unit files say.
testcase_template() {
        check "the template is installed" systemctl cat isolated@.service
        check_match "its ExecStart= is isolatectl start --wait" "ExecStart=$ctl .*start --wait %i" "$(systemctl cat isolated@.service)"
}

# enable --runtime: the [Install] section works, and the host's /etc is untouched.
testcase_enable() {
        check "systemctl enable --runtime isolated@legacyd" systemctl enable --runtime isolated@legacyd.service
        check_eq "is-enabled" enabled-runtime "$(systemctl is-enabled isolated@legacyd.service)"
        check "wanted by multi-user.target" test -L /run/systemd/system/multi-user.target.wants/isolated@legacyd.service
}

# Started by systemctl: the unit waits in isolatectl start --wait, the service runs in its scope.
testcase_start() {
        check "systemctl start isolated@legacyd" systemctl start isolated@legacyd.service
        check_eq "systemctl is-active isolated@legacyd" active "$(systemctl is-active isolated@legacyd)"
        check_eq "isolatectl is-active legacyd" active "$(isolatectl is-active legacyd)"
        check "isolated-legacyd.scope exists" scope_exists isolated-legacyd.scope
        check_eq "the scope is active" active "$(scope_prop isolated-legacyd.scope ActiveState)"
        mainpid=$(systemctl show -p MainPID --value isolated@legacyd)
        check_match "the unit's main process is isolatectl start --wait" "isolatectl.*start.*--wait.*legacyd" "$(tr '\0' ' ' < /proc/$mainpid/cmdline)"
        status=$(systemctl status --no-pager isolated@legacyd 2>&1)
        check_match "systemctl status: running" "Active: active \(running\)" "$status"
        check_match "systemctl status: isolatectl's status text" "Status: \"Waiting for legacyd" "$status"
        svcmain=$(prop legacyd MainPID)
        check "the service's process is in the scope, not in the unit" \
                sh -c "grep -q isolated-legacyd.scope /proc/$svcmain/cgroup && ! grep -q 'isolated@legacyd' /proc/$svcmain/cgroup"
}

# Stopped at shutdown as any service: systemd's default dependencies.
testcase_stop() {
        need_started
        check_match "conflicts with shutdown.target" "shutdown.target" "$(systemctl show -p Conflicts --value isolated@legacyd)"
        check_match "ordered after isolated.service (so stopped before it)" "isolated.service" "$(systemctl show -p After --value isolated@legacyd)"
        check "systemctl stop isolated@legacyd" systemctl stop isolated@legacyd.service
        check_eq "the unit is inactive, not failed" inactive "$(systemctl is-active isolated@legacyd)"
        check "the scope is gone" sh -c '! systemctl is-active -q isolated-legacyd.scope'
        check "no process of it is left" test ! -d "/proc/$svcmain"
        check_eq "isolated: exited" exited "$(isolatectl is-active legacyd)"
}

# A service that dies makes the unit fail, with the status.
testcase_dies() {
        check "start again" systemctl start isolated@legacyd.service
        check "kill -9 the service" isolatectl kill --signal=SIGKILL legacyd
        wait_for 10 sh -c '[ "$(systemctl is-active isolated@legacyd)" = failed ]'
        check_eq "the unit failed" failed "$(systemctl is-active isolated@legacyd)"
        check_eq "with 128+9" 137 "$(systemctl show -p ExecMainStatus --value isolated@legacyd)"
        systemctl reset-failed isolated@legacyd.service
        isolatectl reset-failed legacyd >/dev/null 2>&1

        check "systemctl disable --runtime" systemctl disable --runtime isolated@legacyd.service
}

# The drop-in pattern on an existing unit.
testcase_dropin() {
        mkdir -p /run/isolated "$legacy.d"
        printf '[Service]\nExecStart=/bin/sh -c "echo legacy-web-up; exec sleep 1000"\n' > /run/isolated/legacy-web.service
        cat > "$legacy" <<'UNIT'
[Unit]
Description=a legacy web server

[Service]
Type=simple
ExecStart=/bin/sleep 1000

[Install]
WantedBy=multi-user.target
UNIT
        cat > "$legacy.d/isolated.conf" <<UNIT
[Service]
Type=notify
NotifyAccess=main
ExecStart=
ExecStart=$ctl --quiet start --wait legacy-web
ExecStop=$ctl stop legacy-web
UNIT
        check "daemon-reload" systemctl daemon-reload
        check "systemctl start legacy-web" systemctl start legacy-web.service
        check_eq "legacy-web is active" active "$(systemctl is-active legacy-web)"
        check_eq "and isolated" active "$(isolatectl is-active legacy-web)"
        check "isolated-legacy-web.scope exists" scope_exists isolated-legacy-web.scope
        webmain=$(prop legacy-web MainPID)
        check "its process runs in the scope" grep -q isolated-legacy-web.scope "/proc/$webmain/cgroup"
        check "in its own PID namespace" test "$(readlink /proc/$webmain/ns/pid)" != "$(readlink /proc/self/ns/pid)"
        check "systemctl stop legacy-web" systemctl stop legacy-web.service
        check_eq "legacy-web inactive" inactive "$(systemctl is-active legacy-web)"
        check "its scope is gone" sh -c '! systemctl is-active -q isolated-legacy-web.scope'
}

run_testcases
