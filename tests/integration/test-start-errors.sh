#!/bin/bash
# Start errors: each a clear error, the daemon still up, nothing left behind.
. "$TESTS/lib.sh"

work=$(mktemp -d)
cleanup() {
        isolatectl stop twice noexec >/dev/null 2>&1
        isolatectl reset-failed twice noexec >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

no_scope() { ! systemctl is-active -q "isolated-$1.scope" && [ -z "$(systemctl list-units --all --plain --no-legend "isolated-$1.scope")" ]; }
daemon_up() { busctl call org.isolated1 /org/isolated1 org.isolated1.Manager ListServices >/dev/null; }

# A second start of a running name.
testcase_twice() {
        printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/twice.service"
        check "first start of twice" isolatectl start twice "$work/twice.service"
        init=$(prop twice InitPID)
        out=$(isolatectl start twice "$work/twice.service" 2>&1); rc=$?
        check_eq "second start fails with exit 1" 1 "$rc"
        check_match "and says it is already running" "Failed to start twice: Service twice is already running; stop it first\." "$out"
        check_eq "the first instance is untouched" "$init" "$(prop twice InitPID)"
        check_eq "one scope only" 1 "$(systemctl list-units --all --plain --no-legend 'isolated-twice*.scope' | wc -l)"
        check "daemon up" daemon_up
        check "stop twice" isolatectl stop twice
}

# A description without ExecStart=.
testcase_noexecstart() {
        printf '[Unit]\nDescription=no exec\n\n[Service]\nMemoryMax=10M\n' > "$work/noexecstart.service"
        out=$(isolatectl start noexecstart "$work/noexecstart.service" 2>&1); rc=$?
        check_eq "missing ExecStart= fails" 1 "$rc"
        check_match "and names the file and the key" "noexecstart\.service.*ExecStart=" "$out"
        out=$(busctl call org.isolated1 /org/isolated1 org.isolated1.Manager StartService ss noexecstart "$(cat "$work/noexecstart.service")" 2>&1)
        check_match "busctl gets BadDescription" "noexecstart\.service.*ExecStart=" "$out"
        check "no scope for it" no_scope noexecstart
        check "daemon up" daemon_up
        check "no service record for a refused description" sh -c "! isolatectl status noexecstart >/dev/null 2>&1"
}

# An ExecStart= that does not exist.
testcase_noexec() {
        printf '[Service]\nExecStart=/nonexistent/daemon --flag\n' > "$work/noexec.service"
        out=$(isolatectl start noexec "$work/noexec.service" 2>&1); rc=$?
        check_eq "nonexistent ExecStart= fails" 1 "$rc"
        check_match "and says what and why" "/nonexistent/daemon.*No such file or directory" "$out"
        check "with one prefix, not the daemon's and isolatectl's both ($out)" \
                sh -c '! printf "%s" "$1" | grep -q "Failed to start noexec: Failed to start noexec"' _ "$out"
        check "no scope left" no_scope noexec
        check_eq "the service shows failed" failed "$(prop noexec State)"
        check "no isolate-init left" sh -c "! pgrep -x isolate-init"
        check "daemon up" daemon_up
        check "reset-failed forgets it" isolatectl reset-failed noexec
        check "and it is gone" sh -c "! isolatectl status noexec >/dev/null 2>&1"
}

# A User= this host does not have (its package is not installed): verify passes the file and says
# so (systemd-analyze verify looks no user up), start refuses it naming the file, leaving nothing.
testcase_nouser() {
        printf '[Service]\nExecStart=/bin/true\nUser=se-no-such-user\n' > "$work/nouser.service"
        out=$(isolatectl verify "$work/nouser.service" 2>&1); rc=$?
        check_eq "verify passes a file whose User= is missing here" 0 "$rc"
        check_match "and says the user is missing" "nouser\.service: User=se-no-such-user does not exist on this host" "$out"
        out=$(isolatectl start nouser "$work/nouser.service" 2>&1); rc=$?
        check_eq "start refuses it" 1 "$rc"
        check_match "naming the file and the user" "nouser\.service: User=se-no-such-user does not exist" "$out"
        check "no scope for it" no_scope nouser
        check "no service record" sh -c "! isolatectl status nouser >/dev/null 2>&1"
        printf '[Service]\nExecStart=/bin/true\nGroup=se-no-such-group\n' > "$work/nogroup.service"
        check_match "Group= likewise" "Group=se-no-such-group does not exist on this host" \
                "$(isolatectl verify "$work/nogroup.service" 2>&1)"
}

# An invalid name.
testcase_badname() {
        out=$(isolatectl start 'bad/name' "$work/twice.service" 2>&1); rc=$?
        check_eq "an invalid name fails" 1 "$rc"
        check_match "and says why" "Invalid service name" "$out"
}

# An unknown service.
testcase_unknown() {
        out=$(isolatectl status nosuch 2>&1); rc=$?
        check_eq "status of an unknown service exits 4" 4 "$rc"
        check_match "and says so" "No service nosuch" "$out"
        check "daemon up at the end" daemon_up
}

run_testcases
