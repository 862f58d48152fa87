#!/bin/bash
# Access control with real peers: anyone may read; changes need root, or
# polkit's org.isolated1.manage (asked asynchronously); without polkit,
# non-root is refused with AccessDenied and a clear message.
. "$TESTS/lib.sh"

user=isolatedtest
rules=/etc/polkit-1/rules.d/49-isolated-test.rules
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
        isolatectl stop acc granted >/dev/null 2>&1
        isolatectl reset-failed acc granted >/dev/null 2>&1
        systemctl unmask --runtime polkit.service >/dev/null 2>&1
        revoke_manage "$user" "$rules"
        rm -rf "$work"
}
trap cleanup EXIT

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_user() { as "$user" "$@"; }
call() { busctl call org.isolated1 /org/isolated1 org.isolated1.Manager "$@"; }

printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/acc.service"
chmod 644 "$work/acc.service"
# What the cases share, made by the first case that needs it (CASE= runs one).
need_acc() { isolatectl is-active -q acc || check "root starts acc" isolatectl start acc "$work/acc.service"; }
need_grant() {
        id "$user" >/dev/null 2>&1 ||
                check "a user granted org.isolated1.manage by a polkit rule" grant_manage "$user" "$rules"
}

# Reads are for everyone.
testcase_reads() {
        need_acc
        check "nobody may ListServices" as_nobody busctl call org.isolated1 /org/isolated1 org.isolated1.Manager ListServices
        check_match "nobody may read State" '"running"' "$(as_nobody busctl get-property org.isolated1 /org/isolated1/service/acc org.isolated1.Service State)"
        check "nobody may isolatectl status" as_nobody isolatectl status acc
        check "nobody may isolatectl list" as_nobody isolatectl list
}

# Changes are not, with polkit running and no rule granting them.
testcase_refused() {
        need_acc
        out=$(as_nobody busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StopService s acc 2>&1); rc=$?
        check "nobody's StopService fails" test $rc != 0
        check_match "with AccessDenied" "Access denied" "$out"
        out=$(as_nobody isolatectl stop acc 2>&1)
        check_match "isolatectl says polkit did not authorize it" "Failed to stop acc: Access denied: polkit did not authorize org.isolated1.manage" "$out"
        out=$(as_nobody isolatectl start x "$work/acc.service" 2>&1)
        check_match "nobody's start is refused too" "Access denied" "$out"
        out=$(as_nobody busctl call org.isolated1 /org/isolated1/service/acc org.isolated1.Service Kill si all 9 2>&1)
        check_match "nobody's Kill on the object is refused" "Access denied" "$out"
        check_eq "acc still running" running "$(prop acc State)"
}

# A polkit rule granting one group: its members may.
testcase_granted() {
        need_acc
        need_grant
        check "a granted user starts a service" as_user isolatectl start granted "$work/acc.service"
        check_eq "it runs" running "$(prop granted State)"
        check "and stops it" as_user isolatectl stop granted
        check_eq "stopped" exited "$(prop granted State)"
        out=$(as_nobody isolatectl stop acc 2>&1)
        check_match "nobody is still refused" "Access denied" "$out"
}

# Without polkit, non-root is refused with a clear message; root is not affected.
testcase_nopolkit() {
        need_acc
        need_grant
        systemctl stop polkit.service
        systemctl mask --runtime polkit.service >/dev/null 2>&1
        out=$(as_user isolatectl stop acc 2>&1); rc=$?
        check "without polkit, the granted user is refused" test $rc != 0
        check_match "with a message that says why" "Access denied: polkit could not be asked" "$out"
        check "root still may" isolatectl stop acc
        check "daemon up" call ListServices
}

run_testcases
