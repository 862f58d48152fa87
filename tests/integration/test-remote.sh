#!/bin/bash
# isolatectl -H: the bus of a host reached over ssh (sshd on 127.0.0.1 here,
# with keys made for the test), as systemctl -H does; verbs that need local
# access say so.
. "$TESTS/lib.sh"

work=$(mktemp -d)
sshd_pid=
cleanup() {
        [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
        isolatectl stop rem >/dev/null 2>&1; isolatectl reset-failed rem >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
if [ ! -x /usr/sbin/sshd ]; then
        not_ok "sshd is installed (openssh-server)"
        finish
        exit
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/id"
cp "$work/id.pub" "$work/authorized_keys"
cat > "$work/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
UsePAM no
PidFile $work/sshd.pid
CFG
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2> "$work/sshd.log" &
sshd_pid=$!
# ssh takes its options from /etc/ssh/ssh_config (not $HOME): give it ours in a
# mount namespace of the test's own, so the host's file is never touched.
cat > "$work/ssh_config" <<CFG
Host 127.0.0.1
        Port $port
        IdentityFile $work/id
        StrictHostKeyChecking no
        UserKnownHostsFile /dev/null
        LogLevel ERROR
        BatchMode yes
CFG
ctl_remote() {
        unshare -m sh -c 'mount --bind "$0" /etc/ssh/ssh_config && exec isolatectl -H root@127.0.0.1 "$@"' \
                "$work/ssh_config" "$@"
}
check "sshd answers" wait_for 10 unshare -m sh -c "mount --bind $work/ssh_config /etc/ssh/ssh_config && ssh root@127.0.0.1 true"

# The verbs over ssh.
testcase_over_ssh() {
        printf '[Service]\nExecStart=/bin/sleep 1000\n' > "$work/rem.service"
        check "start rem locally" isolatectl start rem "$work/rem.service"
        out=$(ctl_remote list 2>&1)
        check_match "list over ssh shows it" "^rem +running +isolated-rem.scope" "$out"
        out=$(ctl_remote status rem 2>&1)
        check_match "status over ssh" "State: running" "$out"
        check "stop over ssh" ctl_remote stop rem
        check_eq "stopped" exited "$(prop rem State)"
        out=$(ctl_remote start rem "$work/rem.service" 2>&1)
        check "start over ssh, with the file read here and sent as text" test "$(prop rem State)" = running
        out=$(ctl_remote shell rem true 2>&1); rc=$?
        check "shell over ssh is refused" test $rc != 0
        check_match "saying it needs local access" "local" "$out"
}

# A host that cannot be reached.
testcase_unreachable() {
        out=$(isolatectl -H root@nonexistent.invalid list 2>&1); rc=$?
        check "an unreachable host fails" test $rc != 0
        check_match "and isolatectl says what it could not do" "^Failed to" "$(printf '%s\n' "$out" | tail -1)"
}

run_testcases
