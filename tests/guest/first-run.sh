#!/bin/bash
# Runs inside the guest (tools/guest/run.sh), as root, with the source tree shared at
# its host path and BUILD's staged install in BUILD/stage-guest (tests/guest/run-first.sh
# makes it). Checks the guest is the configuration administrators run (systemd as PID 1,
# cgroup v2, Debian's 6.1), installs isolated, starts isolated.service, runs a trivial
# service with "isolatectl start --wait" and the default-sandbox probe, and prints TAP-like
# lines ("ok - ..." / "not ok - ..."). Exit: 0 if every check passed, else 1.
SRC=${SRC:-$GUEST_SHARE}
BUILD=${BUILD:-$SRC/build}
TESTS=$SRC/tests/integration
. "$TESTS/lib.sh"

work=$(mktemp -d)
data=/var/lib/isolated-guest-probe.$$
cleanup() {
        isolatectl stop guestprobe guesthello > /dev/null 2>&1
        rm -rf "$work" "$data"
}
trap cleanup EXIT

# --- the guest itself ---
check_eq "PID 1 is systemd" systemd "$(cat /proc/1/comm)"
check_eq "/sys/fs/cgroup is cgroup v2 alone" cgroup2fs "$(stat -fc %T /sys/fs/cgroup)"
check_match "the kernel is Debian's 6.1" '^6\.1\.[0-9]+-[0-9]+-amd64$' "$(uname -r)"
echo "# systemd $(systemctl --version | head -1 | cut -d' ' -f2-), kernel $(uname -r)"
echo "# controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"

# --- the install: the staged tree, as meson install puts it ---
stage=$BUILD/stage-guest
if [ ! -x "$stage/usr/bin/isolatectl" ]; then
        not_ok "a staged install in $stage"
        finish
        exit 1
fi
cp -a "$stage/." /
systemctl daemon-reload
systemctl reload dbus.service
systemd-tmpfiles --create > /dev/null 2>&1
check "isolated.service starts" systemctl start isolated.service
check_eq "isolated.service is active" active "$(systemctl is-active isolated.service)"
if ! busctl status org.isolated1 > /dev/null 2>&1; then
        not_ok "org.isolated1 on the system bus"
        journalctl -u isolated.service --no-pager | tail -20 | sed 's/^/    /'
fi

# --- a trivial service, waited for: its status is isolatectl's ---
printf '[Service]\nExecStart=/bin/sh -c "echo hello from $(cat /proc/1/comm); exit 7"\n' > "$work/guesthello.service"
isolatectl start --wait guesthello "$work/guesthello.service" > "$work/hello.out" 2>&1
rc=$?
check_eq "start --wait of a trivial service exits with its status" 7 "$rc"
isolatectl reset-failed guesthello > /dev/null 2>&1
printf '[Service]\nExecStart=/bin/sh -c "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"\nMemoryMax=64M\nTasksMax=50\n' \
        > "$work/guestlim.service"
out=$(isolatectl start --wait guestlim "$work/guestlim.service" 2>&1)
check_eq "start --wait of a service with limits succeeds" 0 "$?"
check_match "its memory.max at /sys/fs/cgroup is MemoryMax= (journal)" '^67108864$' \
        "$(journalctl -u isolated-guestlim.scope -o cat --no-pager 2>/dev/null)"
check_match "its pids.max at /sys/fs/cgroup is TasksMax= (journal)" '^50$' \
        "$(journalctl -u isolated-guestlim.scope -o cat --no-pager 2>/dev/null)"
isolatectl reset-failed guestlim > /dev/null 2>&1
[ -n "$out" ] && printf '    %s\n' "$out" | head -5

# --- the default-sandbox probe ---
probe=$BUILD/tests/integration/sandbox-probe
mkdir -p "$data/probe"
cp "$probe" "$data/probe/" && chmod 755 "$data" "$data/probe" "$data/probe/sandbox-probe"
printf '[Service]\nExecStart=%s/probe/sandbox-probe\n' "$data" > "$work/guestprobe.service"
if out=$(isolatectl start guestprobe "$work/guestprobe.service" 2>&1); then
        ok "the probe starts under the defaults"
        wait_for 60 sh -c "journalctl -u isolated-guestprobe.scope -o cat | grep -q '^PROBE-END'" ||
                not_ok "the probe's PROBE-END in the journal"
        log=$(journalctl -u isolated-guestprobe.scope -o cat | grep -E '^(PASS|FAIL) ')
        while IFS= read -r line; do
                [ -n "$line" ] || continue
                case "$line" in
                PASS*) ok "probe: ${line#PASS }" ;;
                *) not_ok "probe: ${line#FAIL }" ;;
                esac
        done <<< "$log"
        echo "# probe: $(grep -c '^PASS' <<< "$log") PASS, $(grep -c '^FAIL' <<< "$log") FAIL"
        main=$(prop guestprobe MainPID)
        echo "# the probe's uid_map: $(cat "/proc/$main/uid_map" 2>/dev/null)"
        echo "# its mounts (fstype, idmapped):"
        grep -E ' - (cgroup2|tmpfs|ext4|9p) ' "/proc/$main/mountinfo" | awk '{
                for (i = 1; i <= NF; i++) if ($i == "-") break
                printf "#   %s %s %s\n", $5, $(i + 1), ($6 ~ /idmapped/ ? "idmapped" : "") }' | head -30
        isolatectl stop guestprobe > /dev/null 2>&1
        isolatectl reset-failed guestprobe > /dev/null 2>&1
else
        not_ok "the probe starts under the defaults: $out"
fi
echo "# isolated's journal, the notices:"
journalctl -u isolated.service -o cat --no-pager -p notice | tail -20 | sed 's/^/#   /'
finish
