#!/bin/bash
# Boot-time isolation the systemd way: the isolated@.service template started
# and stopped by systemctl, and a drop-in that replaces a legacy unit's
# ExecStart= by "isolatectl start --wait". /etc here is the host's: only our
# own files are created there, and removed.
. "$TESTS/lib.sh"

# The name is this run's own: /etc is the host's, shared with whatever else runs there (another
# harness running this file too). Digits only: a check's text stays the same but for numbers.
n_ld=legacyd$(( RANDOM * 32768 + RANDOM ))
etc_desc=/etc/isolated/${n_ld}.service
made_etc_dir=""
legacy=/run/systemd/system/legacy-web.service
cleanup() {
        systemctl stop isolated@${n_ld}.service legacy-web.service >/dev/null 2>&1
        systemctl disable --runtime isolated@${n_ld}.service >/dev/null 2>&1
        systemctl reset-failed isolated@${n_ld}.service legacy-web.service >/dev/null 2>&1
        isolatectl stop ${n_ld} legacy-web >/dev/null 2>&1
        isolatectl reset-failed ${n_ld} legacy-web >/dev/null 2>&1
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
        systemctl is-active -q isolated@${n_ld}.service || systemctl start isolated@${n_ld}.service
        svcmain=$(prop ${n_ld} MainPID)
}

# The template is installed as the unit files say.
testcase_template() {
        check "the template is installed" systemctl cat isolated@.service
        check_match "its ExecStart= is isolatectl start --wait" "ExecStart=$ctl .*start --wait %i" "$(systemctl cat isolated@.service)"
}

# enable --runtime: the [Install] section works, and the host's /etc is untouched.
testcase_enable() {
        check "systemctl enable --runtime isolated@${n_ld}" systemctl enable --runtime isolated@${n_ld}.service
        check_eq "is-enabled" enabled-runtime "$(systemctl is-enabled isolated@${n_ld}.service)"
        check "wanted by multi-user.target" test -L /run/systemd/system/multi-user.target.wants/isolated@${n_ld}.service
}

# Started by systemctl: the unit waits in isolatectl start --wait, the service runs in its scope.
testcase_start() {
        check "systemctl start isolated@${n_ld}" systemctl start isolated@${n_ld}.service
        check_eq "systemctl is-active isolated@${n_ld}" active "$(systemctl is-active isolated@${n_ld})"
        check_eq "isolatectl is-active ${n_ld}" active "$(isolatectl is-active ${n_ld})"
        check "isolated-${n_ld}.scope exists" scope_exists isolated-${n_ld}.scope
        check_eq "the scope is active" active "$(scope_prop isolated-${n_ld}.scope ActiveState)"
        mainpid=$(systemctl show -p MainPID --value isolated@${n_ld})
        check_match "the unit's main process is isolatectl start --wait" "isolatectl.*start.*--wait.*${n_ld}" "$(tr '\0' ' ' < /proc/$mainpid/cmdline)"
        status=$(systemctl status --no-pager isolated@${n_ld} 2>&1)
        check_match "systemctl status: running" "Active: active \(running\)" "$status"
        check_match "systemctl status: isolatectl's status text" "Status: \"Waiting for ${n_ld}" "$status"
        svcmain=$(prop ${n_ld} MainPID)
        check "the service's process is in the scope, not in the unit" \
                sh -c "grep -q isolated-${n_ld}.scope /proc/$svcmain/cgroup && ! grep -q 'isolated@${n_ld}' /proc/$svcmain/cgroup"
}

# Stopped at shutdown as any service: systemd's default dependencies.
testcase_stop() {
        need_started
        check_match "conflicts with shutdown.target" "shutdown.target" "$(systemctl show -p Conflicts --value isolated@${n_ld})"
        check_match "ordered after isolated.service (so stopped before it)" "isolated.service" "$(systemctl show -p After --value isolated@${n_ld})"
        check "systemctl stop isolated@${n_ld}" systemctl stop isolated@${n_ld}.service
        check_eq "the unit is inactive, not failed" inactive "$(systemctl is-active isolated@${n_ld})"
        check "the scope is gone" sh -c '! systemctl is-active -q isolated-'"${n_ld}"'.scope'
        check "no process of it is left" test ! -d "/proc/$svcmain"
        check_eq "isolated: exited" exited "$(isolatectl is-active ${n_ld})"
}

# A service that dies makes the unit fail, with the status.
testcase_dies() {
        check "start again" systemctl start isolated@${n_ld}.service
        check "kill -9 the service" isolatectl kill --signal=SIGKILL ${n_ld}
        wait_for 10 sh -c '[ "$(systemctl is-active isolated@'"${n_ld}"')" = failed ]'
        check_eq "the unit failed" failed "$(systemctl is-active isolated@${n_ld})"
        check_eq "with 128+9" 137 "$(systemctl show -p ExecMainStatus --value isolated@${n_ld})"
        systemctl reset-failed isolated@${n_ld}.service
        isolatectl reset-failed ${n_ld} >/dev/null 2>&1

        check "systemctl disable --runtime" systemctl disable --runtime isolated@${n_ld}.service
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
