#!/bin/bash
# The administrator's toolbox (issue 18): isolatectl edit (driven by a scripted $EDITOR), enable/
# disable/is-enabled through isolated@NAME.service (checked after a daemon-reload and a simulated
# boot), security (against descriptions whose exposure is known), and systemctl's conventions
# (--output=json, --no-legend, -q, --no-ask-password, polkit's interactive flag).
# /etc is the host's here: only files of our own names (tb*) are made there, and removed.
# CASE=NAME runs one case (testcase_NAME): ONLY=toolbox:NAME tests/run.sh.
. "$TESTS/lib.sh"

work=$(mktemp -d /var/lib/isolated-toolbox.XXXXXX)
chmod 755 "$work"
names="tbedit tbeditf tbsec tbsecd tbboot tbconv tbinst@ tbinst@a-b"
user=tbtoolbox
made_etc_dir=""
# The units simulated_boot masked for the while: a file, since it runs in check's subshell.
masked_list=$work/masked-units
cleanup() {
        for n in $names; do
                systemctl stop "isolated@$n.service" >/dev/null 2>&1
                systemctl disable "isolated@$n.service" >/dev/null 2>&1
                systemctl reset-failed "isolated@$n.service" >/dev/null 2>&1
                isolatectl stop "$n" >/dev/null 2>&1
                isolatectl reset-failed "$n" >/dev/null 2>&1
                rm -rf "/etc/isolated/$n.service" "/etc/isolated/$n.service.d" \
                        "/run/isolated/$n.service" "/run/isolated/$n.service.d"
        done
        [ -e "$masked_list" ] && while read -r u; do systemctl unmask --runtime "$u" >/dev/null 2>&1; done < "$masked_list"
        [ -n "$made_etc_dir" ] && rmdir /etc/isolated 2>/dev/null
        userdel "$user" >/dev/null 2>&1
        groupdel "$user" >/dev/null 2>&1
        systemctl daemon-reload
        rm -rf "$work"
}
trap cleanup EXIT

for n in $names; do
        if [ -e "/etc/isolated/$n.service" ] || [ -e "/etc/isolated/$n.service.d" ]; then
                not_ok "/etc/isolated/$n.service exists already (not ours): not touching it"
                names=""
                finish
                exit
        fi
done
if [ ! -d /etc/isolated ]; then
        mkdir /etc/isolated && made_etc_dir=1
fi
mkdir -p /run/isolated

# The scripted editor: records the file it was given (its path, mode and text), then puts the
# text of $TB_TEXT between systemctl's markers, as an administrator types it there; with
# TB_FULL=1 the text replaces the whole file.
cat > "$work/editor" <<'SH'
#!/bin/sh
f=$1
printf '%s\n' "$f" > "$TB_WORK/editor.path"
stat -c %a "$f" > "$TB_WORK/editor.mode"
cp "$f" "$TB_WORK/editor.seen"
if [ "${TB_FULL:-}" = 1 ]; then
        cat "$TB_TEXT" > "$f"
        exit 0
fi
awk -v t="$TB_TEXT" '{ print } /^### Anything between here/ { while ((getline l < t) > 0) print l }' "$f" > "$TB_WORK/editor.new" &&
        cat "$TB_WORK/editor.new" > "$f"
SH
chmod 755 "$work/editor"
export TB_WORK=$work TB_TEXT=$work/text

# edit NAME [OPTIONS]: isolatectl edit with the scripted editor and no terminal; sets $out, $rc.
edit() {
        rm -f "$work/editor.path" "$work/editor.mode" "$work/editor.seen"
        out=$(SYSTEMD_EDITOR="$work/editor" EDITOR=/bin/false isolatectl edit "$@" 2>&1 < /dev/null)
        rc=$?
}

no_temp_left() { [ -z "$(find "$1" -maxdepth 1 -name '.#*' 2>/dev/null)" ]; }

desc() { # NAME [DIR]: a plain description
        printf '[Unit]\nDescription=toolbox %s\n\n[Service]\nExecStart=/bin/sleep 1000\n' "$1" > "${2:-/etc/isolated}/$1.service"
}

testcase_edit_dropin() {
        local d=/etc/isolated/tbedit.service.d
        desc tbedit
        printf '[Unit]\nDescription=edited by the toolbox\n' > "$work/text"
        edit tbedit
        check_eq "edit saves a good drop-in (exit 0)" 0 "$rc"
        check_eq "as override.conf" "$(cat "$work/text")" "$(cat "$d/override.conf" 2>&1)"
        check_eq "the temporary copy is in the target directory" "$d" "$(dirname "$(cat "$work/editor.path")")"
        check_eq "the temporary copy has mode 0600" 600 "$(cat "$work/editor.mode")"
        check "and is gone" no_temp_left "$d"
        check_eq "the saved file has mode 0644" 644 "$(stat -c %a "$d/override.conf")"
        seen=$(cat "$work/editor.seen")
        check_match "the copy names what it edits" "^### Editing $d/override.conf$" "$seen"
        check_match "with systemctl's start marker" "^### Anything between here and the comment below will become the new contents of the file$" "$seen"
        check_match "and end marker" "^### Lines below this comment will be discarded$" "$seen"
        check_match "the effective file below, commented out" "^### /etc/isolated/tbedit.service$" "$seen"
        check_match "line by line" "^# ExecStart=/bin/sleep 1000$" "$seen"
        check_match "isolatectl cat shows the drop-in" "# $d/override.conf" "$(isolatectl cat tbedit)"
        check "the service starts with it" isolatectl start tbedit
        check_eq "and the drop-in applies" "edited by the toolbox" "$(prop tbedit Description)"
        isolatectl stop tbedit >/dev/null 2>&1

        # Edited again: the current drop-in is between the markers, the rest is kept.
        printf '[Service]\nEnvironment=TB=1\n' > "$work/text"
        edit tbedit
        check_eq "a second edit is saved" 0 "$rc"
        check_match "it started from the current drop-in" "^Description=edited by the toolbox$" "$(sed -n '2,/^### Lines below/p' "$work/editor.seen")"
        check_match "which is kept" "^Description=edited by the toolbox$" "$(cat "$d/override.conf")"
        check_match "and extended" "^Environment=TB=1$" "$(cat "$d/override.conf")"
        rm -rf /etc/isolated/tbedit.service "$d"
}

testcase_edit_refused() {
        local d=/etc/isolated/tbedit.service.d
        desc tbedit
        printf '[Service]\nNoSuchKey=1\n' > "$work/text"
        edit tbedit
        check_eq "a bad drop-in is refused (exit 1)" 1 "$rc"
        check_match "naming file:line" "$d/override.conf:2: " "$out"
        check "nothing is written" test ! -e "$d/override.conf"
        check "no directory is left" test ! -e "$d"

        mkdir -p "$d"
        printf '[Service]\nTasksMax=50\n' > "$d/override.conf"
        before=$(cat "$d/override.conf")
        printf '[Service]\nTasksMax=many\n' > "$work/text"
        edit tbedit
        check_eq "a bad value is refused" 1 "$rc"
        check_match "naming its line" "$d/override.conf:2: Invalid TasksMax= value 'many'" "$out"
        check_eq "the drop-in is left as it was" "$before" "$(cat "$d/override.conf")"
        check "no temporary copy is left" no_temp_left "$d"

        # An error of the whole: a drop-in that takes ExecStart= away.
        printf '[Service]\nExecStart=\n' > "$work/text"
        edit tbedit
        check_eq "a drop-in that breaks the description is refused" 1 "$rc"
        check_eq "and the drop-in is still as it was" "$before" "$(cat "$d/override.conf")"

        # On a terminal the editor opens again, on the text as it was left; fixed there, it is saved.
        cat > "$work/editor2" <<'SH'
#!/bin/sh
n=$(($(cat "$TB_WORK/editor2.count" 2>/dev/null || echo 0) + 1))
echo $n > "$TB_WORK/editor2.count"
if [ $n = 1 ]; then
        "$TB_WORK/editor" "$1"
else
        cp "$1" "$TB_WORK/editor2.seen"
        sed -i 's/^TasksMax=many$/TasksMax=60/' "$1"
fi
SH
        chmod 755 "$work/editor2"
        rm -f "$work/editor2.count"
        printf '[Service]\nTasksMax=many\n' > "$work/text"
        if command -v script >/dev/null; then
                out=$(printf '\n' | SYSTEMD_EDITOR="$work/editor2" timeout 60 script -qefc "isolatectl edit tbedit" /dev/null 2>&1); rc=$?
                check_eq "on a terminal, the editor opens again after an error" 2 "$(cat "$work/editor2.count" 2>&1)"
                check_match "the error was shown" "override.conf:2: Invalid TasksMax= value 'many'" "$out"
                check_match "on the text as it was left" "^TasksMax=many$" "$(cat "$work/editor2.seen" 2>&1)"
                check_eq "fixed, it is saved" 0 "$rc"
                check_match "with the fix" "^TasksMax=60$" "$(cat "$d/override.conf")"
                check "no temporary copy is left" no_temp_left "$d"
        fi

        out=$(isolatectl edit '../x' 2>&1 < /dev/null); rc=$?
        check_eq "an invalid name is refused" 1 "$rc"
        check_match "saying so" "Invalid service name" "$out"
        out=$(SYSTEMD_EDITOR="$work/editor" isolatectl edit tbnone 2>&1 < /dev/null); rc=$?
        check_eq "a name without a description is refused (exit 4)" 4 "$rc"
        check_match "saying how to make one" "edit --full tbnone" "$out"
        check "and no directory is made for it" test ! -e /etc/isolated/tbnone.service.d
        rm -rf /etc/isolated/tbedit.service "$d"
}

testcase_edit_empty() {
        local d=/etc/isolated/tbedit.service.d
        desc tbedit
        : > "$work/text"
        edit tbedit
        check_eq "an empty edit is no error" 0 "$rc"
        check_match "it is canceled" "Editing \"$d/override.conf\" canceled: temporary file is empty\." "$out"
        check "nothing is written" test ! -e "$d"
        rm -f /etc/isolated/tbedit.service
}

testcase_edit_full() {
        desc tbeditf /run/isolated
        printf '[Unit]\nDescription=replaced whole\n\n[Service]\nExecStart=/bin/sleep 999\n' > "$work/text"
        TB_FULL=1 edit --full tbeditf
        check_eq "edit --full saves (exit 0)" 0 "$rc"
        check_eq "it started from the current file" "$(cat /run/isolated/tbeditf.service)" "$(cat "$work/editor.seen")"
        check_eq "the whole file is saved in /etc/isolated" "$(cat "$work/text")" "$(cat /etc/isolated/tbeditf.service 2>&1)"
        check_eq "the temporary copy was in /etc/isolated" /etc/isolated "$(dirname "$(cat "$work/editor.path")")"
        check "no temporary copy is left" no_temp_left /etc/isolated

        printf '[Service]\nType=bogus\nExecStart=/bin/true\n' > "$work/text"
        TB_FULL=1 edit --full tbeditf
        check_eq "a bad whole file is refused" 1 "$rc"
        check_match "naming file:line" "/etc/isolated/tbeditf.service:2: " "$out"
        check_match "the file is left as it was" "replaced whole" "$(cat /etc/isolated/tbeditf.service)"
        rm -f /etc/isolated/tbeditf.service /run/isolated/tbeditf.service
}

testcase_edit_runtime() {
        desc tbedit
        printf '[Service]\nTasksMax=77\n' > "$work/text"
        edit --runtime tbedit
        check_eq "edit --runtime saves" 0 "$rc"
        check_eq "under /run/isolated" "$(cat "$work/text")" "$(cat /run/isolated/tbedit.service.d/override.conf 2>&1)"
        check "not under /etc/isolated" test ! -e /etc/isolated/tbedit.service.d
        check "the service starts with it" isolatectl start tbedit
        check_eq "and the runtime drop-in applies" 77 "$(scope_prop isolated-tbedit.scope TasksMax)"
        isolatectl stop tbedit >/dev/null 2>&1
        rm -rf /etc/isolated/tbedit.service /run/isolated/tbedit.service.d
}

# --- enable, disable, is-enabled --------------------------------------------------------------
link=/etc/systemd/system/multi-user.target.wants/isolated@tbboot.service

# A boot, as far as it can be had inside the harness: multi-user.target started, with the host's
# own services it wants (nginx, ssh, ...; /etc is the host's) masked for the while. isolated's
# own units are never masked: on a host where the package enabled isolated.service (the guest),
# a mask left behind kept the upgrade from restarting it and the demo from starting it.
simulated_boot() {
        local u
        for u in $(ls /etc/systemd/system/multi-user.target.wants/ 2>/dev/null); do
                case $u in isolated.service | isolated@*) continue ;; esac
                case $(systemctl is-enabled "$u" 2>/dev/null) in masked*) continue ;; esac
                systemctl mask --runtime "$u" >/dev/null 2>&1 && echo "$u" >> "$masked_list"
        done
        timeout 60 systemctl start multi-user.target
}

testcase_enable() {
        desc tbboot
        out=$(isolatectl enable tbboot 2>&1); rc=$?
        check_eq "enable (exit 0)" 0 "$rc"
        check_match "systemctl's words" "Created symlink $link" "$out"
        check "the symlink is where systemctl puts it" test -L "$link"
        check_match "to the template" "isolated@.service$" "$(readlink "$link")"
        check_eq "systemctl is-enabled agrees" enabled "$(systemctl is-enabled isolated@tbboot.service)"
        out=$(isolatectl is-enabled tbboot); rc=$?
        check_eq "isolatectl is-enabled says enabled" enabled "$out"
        check_eq "and exits 0" 0 "$rc"
        check_eq "is-enabled -q prints nothing" "" "$(isolatectl -q is-enabled tbboot)"
        check_eq "enable does not start it" inactive "$(systemctl is-active isolated@tbboot.service)"

        check "systemctl daemon-reload" systemctl daemon-reload
        check_match "multi-user.target wants it" "isolated@tbboot.service" "$(systemctl show -p Wants --value multi-user.target)"
        check "a simulated boot (systemctl start multi-user.target)" simulated_boot
        check "starts isolated@tbboot" wait_for 30 sh -c '[ "$(systemctl is-active isolated@tbboot.service)" = active ]'
        check_eq "and the service runs" active "$(isolatectl is-active tbboot)"
        check_match "its main process is the description's" "sleep 1000" "$(tr '\0' ' ' < "/proc/$(prop tbboot MainPID)/cmdline" 2>&1)"

        out=$(isolatectl disable tbboot 2>&1); rc=$?
        check_eq "disable (exit 0)" 0 "$rc"
        check_match "systemctl's words" "Removed \"?$link" "$out"
        check "the symlink is gone" test ! -e "$link"
        out=$(isolatectl is-enabled tbboot); rc=$?
        check_eq "is-enabled says disabled" disabled "$out"
        check_eq "and exits 1, as systemctl" 1 "$rc"
        check_eq "disable alone leaves it running" active "$(isolatectl is-active tbboot)"
        check "disable --now stops it" isolatectl disable --now tbboot
        # Until both are wholly down (not deactivating, not stopping): a start of the name while its
        # last run still stops is refused (a slow machine, the guest, showed it).
        check "isolated@tbboot stops" wait_for 30 sh -c 'systemctl is-active isolated@tbboot.service | grep -Eqx "inactive|failed"'
        check "and the service ends" wait_for 30 sh -c '! isolatectl is-active tbboot && [ "$(isolatectl show -p State --value tbboot 2>/dev/null)" != stopping ]'

        check "enable --now" isolatectl -q enable --now tbboot
        check "makes the symlink" test -L "$link"
        check "and starts it at once" wait_for 30 sh -c '[ "$(isolatectl is-active tbboot)" = active ]'
        check "disable --now" isolatectl -q disable --now tbboot
        check "removes it" test ! -e "$link"
        check "and stops it" wait_for 30 sh -c '! isolatectl is-active tbboot'

        out=$(isolatectl enable tbnone 2>&1); rc=$?
        check_eq "enable of a name without a description is refused (exit 4)" 4 "$rc"
        check_match "saying so" "No description tbnone.service" "$out"
        check "and makes no symlink" test ! -e /etc/systemd/system/multi-user.target.wants/isolated@tbnone.service
        out=$(isolatectl enable 'x/y' 2>&1); rc=$?
        check_eq "an invalid name is refused" 1 "$rc"
        check_match "saying so" "Invalid service name" "$out"
        out=$(isolatectl enable 'tbboot@' 2>&1); rc=$?
        check_eq "a template is refused" 1 "$rc"
        check_match "saying so" "tbboot@ is a template: enable an instance, tbboot@INSTANCE" "$out"
        rm -f /etc/isolated/tbboot.service
}

# An instance of a template (issue 15): edit writes the instance's own drop-in, as systemctl edit
# does; enable is systemd's isolated@PREFIX@INSTANCE.service, whose %i is the name as written.
testcase_instance() {
        printf '[Unit]\nDescription=toolbox template %%i\n\n[Service]\nExecStart=/bin/sleep 1000\nEnvironment=WHICH=%%I\n' \
                > /etc/isolated/tbinst@.service
        printf '[Service]\nTasksMax=66\n' > "$work/text"
        edit tbinst@a-b
        check_eq "edit of an instance saves (exit 0)" 0 "$rc"
        check_eq "the instance's own drop-in" "$(cat "$work/text")" \
                "$(cat /etc/isolated/tbinst@a-b.service.d/override.conf 2>&1)"
        check_match "shown with the template below it" "^### /etc/isolated/tbinst@.service\$" "$(cat "$work/editor.seen")"
        check "not the template's" test ! -e /etc/isolated/tbinst@.service.d
        printf '[Service]\nEnvironment=EVERY=instance\n' > "$work/text"
        edit tbinst@
        check_eq "edit of the template saves its own drop-in, as systemctl edit (exit 0)" 0 "$rc"
        check_eq "for every instance" "$(cat "$work/text")" "$(cat /etc/isolated/tbinst@.service.d/override.conf 2>&1)"
        printf '[Service]\nType=bogus\n' > "$work/text"
        edit tbinst@
        check_eq "a bad drop-in of the template is refused" 1 "$rc"
        check_match "naming file:line" "/etc/isolated/tbinst@.service.d/override.conf:2: " "$out"

        local ilink=/etc/systemd/system/multi-user.target.wants/isolated@tbinst@a-b.service
        check "enable --now of the instance" isolatectl -q enable --now tbinst@a-b
        check "makes systemd's instance symlink" test -L "$ilink"
        check_eq "systemctl is-enabled agrees" enabled "$(systemctl is-enabled isolated@tbinst@a-b.service)"
        check "and starts it" wait_for 30 sh -c '[ "$(isolatectl is-active tbinst@a-b)" = active ]'
        check_match "the instance's own name reached isolatectl (%i)" "isolatectl --quiet start --wait tbinst@a-b" \
                "$(systemctl show -p ExecStart --value isolated@tbinst@a-b.service)"
        check_match "%I expanded as unescaped" "^WHICH=a/b\$" \
                "$(tr '\0' '\n' < "/proc/$(prop tbinst@a-b MainPID)/environ" 2>&1)"
        # Both are override.conf: the instance's hides the template's, as in systemd (one file name,
        # the first directory wins, the instance's before its template's).
        check "the template's override.conf is hidden by the instance's" \
                sh -c "! tr '\\0' '\\n' < /proc/$(prop tbinst@a-b MainPID)/environ | grep -qx EVERY=instance"
        check_match "which applies to another instance" "^# /etc/isolated/tbinst@.service.d/override.conf\$" \
                "$(isolatectl cat tbinst@other)"
        check "and not to this one" sh -c "! isolatectl cat tbinst@a-b | grep -q '^# /etc/isolated/tbinst@.service.d/'"
        check_eq "the instance's drop-in applies" 66 "$(scope_prop 'isolated-tbinst\x40a-b.scope' TasksMax)"
        check "disable --now" isolatectl -q disable --now tbinst@a-b
        check "removes the symlink" test ! -e "$ilink"
        check "and stops it" wait_for 30 sh -c '! isolatectl is-active tbinst@a-b'
        rm -rf /etc/isolated/tbinst@.service /etc/isolated/tbinst@.service.d /etc/isolated/tbinst@a-b.service.d
}

# --- security ------------------------------------------------------------------------------
exposure() { sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) [A-Z]*$/\1/p' <<< "$1"; }
row() { awk -v r="$2" '$2 == r { print $1 }' <<< "$1"; } # output ROW: its mark

testcase_security() {
        desc tbsec
        out=$(isolatectl security tbsec 2>&1); rc=$?
        check_eq "security NAME (exit 0)" 0 "$rc"
        e=$(exposure "$out")
        check_match "the defaults score low (SAFE)" "^→ Overall exposure level for tbsec: 0\.[0-9] SAFE$" "$out"
        for r in UserNamespace ReadOnlyHost WritableHostPaths HideHome PrivateTmp PasswordHashes SystemCallFilter \
                 AddressFamilies HostDevices Network KernelTunables KernelLogs KernelModules ControlGroups \
                 NoNewPrivileges SUIDSGIDFiles Personality; do
                check_eq "default: $r is closed" "✓" "$(row "$out" $r)"
        done
        check_match "capabilities kept are those of its own user namespace" "Capabilities .*of its own user namespace" "$out"

        # A known exposure: host root, and most opt-outs.
        cat > "$work/tbwide.service" <<'UNIT'
[Service]
ExecStart=/bin/sleep 1000
ReadWritePaths=/srv
TasksMax=infinity
[Isolate]
HostRoot=yes
AllowCapabilities=CAP_SYS_ADMIN CAP_NET_ADMIN
AllowSystemCalls=@mount setns
ReadOnlyHost=no
HideHome=no
HostDevices=yes
NewPrivileges=yes
Network=veth
UNIT
        out=$(isolatectl security "$work/tbwide.service" 2>&1); rc=$?
        check_eq "security FILE (exit 0)" 0 "$rc"
        check_match "a wide-open file scores high" "^→ Overall exposure level for $work/tbwide.service: [5-9]\.[0-9] (MEDIUM|EXPOSED|UNSAFE)$" "$out"
        w=$(exposure "$out")
        check "higher than the defaults" awk -v a="$w" -v b="$e" 'BEGIN { exit !(a > b + 3) }'
        for r in UserNamespace ReadOnlyHost HideHome Capabilities SystemCallFilter HostDevices NoNewPrivileges Network; do
                check_eq "wide: $r is open" "✗" "$(row "$out" $r)"
        done
        check_match "the capabilities beyond the defaults are named" "Capabilities .*CAP_NET_ADMIN CAP_SYS_ADMIN" "$out"
        check_match "the system calls allowed again are named" "SystemCallFilter .*allowed again.*mount.*setns" "$out"
        check_match "the writable paths are named" "WritableHostPaths .*/srv" "$out"
        check_match "the tasks limit lifted shows" "ResourceLimits .*TasksMax=infinity" "$out"

        # Each opt-out alone, in a drop-in of the NAME: the drop-ins apply, and the figure rises.
        desc tbsecd
        mkdir -p /etc/isolated/tbsecd.service.d
        for o in "HostDevices=yes HostDevices" "KernelTunables=yes KernelTunables" "PasswordHashes=yes PasswordHashes" \
                 "HostTmp=yes PrivateTmp" "AllowAddressFamilies=AF_PACKET AddressFamilies"; do
                printf '[Isolate]\n%s\n' "${o% *}" > /etc/isolated/tbsecd.service.d/50-opt.conf
                out=$(isolatectl security tbsecd 2>&1)
                check_eq "drop-in ${o% *}: ${o#* } opens" "✗" "$(row "$out" "${o#* }")"
                check "drop-in ${o% *}: above the defaults" awk -v a="$(exposure "$out")" -v b="$e" 'BEGIN { exit !(a > b) }'
        done

        # A FILE is verified first.
        printf '[Service]\nExecStart=/bin/true\nProtectSystem=sideways\n' > "$work/tbbadsec.service"
        out=$(isolatectl security "$work/tbbadsec.service" 2>&1); rc=$?
        check_eq "a bad FILE is refused" 1 "$rc"
        check_match "naming file:line" "$work/tbbadsec.service:3: " "$out"
        out=$(isolatectl security tbnone 2>&1); rc=$?
        check_eq "no such NAME: exit 4" 4 "$rc"

        # A running service: the daemon's view is shown too.
        check "tbsec starts" isolatectl start tbsec
        out=$(isolatectl security tbsec 2>&1)
        check_match "a running service is said to be" "^tbsec is known to isolated: running" "$out"
        check_match "with its namespaces as isolated reports them" "Namespaces \(as isolated reports them\):.* pid:\[[0-9]+\]" "$out"
        check_match "its user namespace is its own" "User namespace: user:\[[0-9]+\] \(its own, not the host's\)" "$out"
        isolatectl stop tbsec >/dev/null 2>&1
        printf '[Isolate]\nHostRoot=yes\n' > /etc/isolated/tbsecd.service.d/50-opt.conf
        check "tbsecd starts with HostRoot=yes" isolatectl start tbsecd
        out=$(isolatectl security tbsecd 2>&1)
        check_match "its user namespace is the host's" "User namespace: user:\[[0-9]+\] \(the host's: HostRoot=yes\)" "$out"
        check_eq "and the row says so" "✗" "$(row "$out" UserNamespace)"
        isolatectl stop tbsecd >/dev/null 2>&1
        rm -rf /etc/isolated/tbsec.service /etc/isolated/tbsecd.service /etc/isolated/tbsecd.service.d
}

# --- conventions ---------------------------------------------------------------------------
json_get() { python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"; }

testcase_conventions() {
        desc tbconv
        check "tbconv starts" isolatectl start tbconv

        out=$(isolatectl list --no-legend 2>&1); rc=$?
        check_eq "list --no-legend (exit 0)" 0 "$rc"
        check_match "lists the service" "^tbconv +running" "$out"
        check "without the header" sh -c "! grep -q '^NAME ' <<'EOF'
$out
EOF"
        check "nor the footer" sh -c "! grep -q 'listed\.' <<'EOF'
$out
EOF"
        check_match "list still has them without it" "listed\." "$(isolatectl list)"

        out=$(isolatectl status --output=json tbconv); rc=$?
        check_eq "status --output=json (exit 0)" 0 "$rc"
        check_eq "is JSON with the name" tbconv "$(json_get 'd["name"]' <<< "$out")"
        check_eq "the state" running "$(json_get 'd["state"]' <<< "$out")"
        check_eq "the main PID" "$(prop tbconv MainPID)" "$(json_get 'd["main_pid"]' <<< "$out")"
        check_eq "the scope" isolated-tbconv.scope "$(json_get 'd["unit"]' <<< "$out")"
        check_eq "the tasks limit" 4096 "$(json_get 'd["tasks_max"]' <<< "$out")"
        check_eq "the namespaces" True "$(json_get '"mnt" in d["namespaces"] and "pid" in d["namespaces"]' <<< "$out")"

        out=$(isolatectl show -o json tbconv); rc=$?
        check_eq "show -o json (exit 0)" 0 "$rc"
        check_eq "is JSON with Name" tbconv "$(json_get 'd["Name"]' <<< "$out")"
        check_eq "numbers as numbers" True "$(json_get 'isinstance(d["MainPID"], int) and d["MainPID"] > 0' <<< "$out")"
        check_eq "Namespaces as an object" True "$(json_get 'isinstance(d["Namespaces"], dict)' <<< "$out")"
        out=$(isolatectl show -o json -p State -p MainPID tbconv)
        check_eq "-p picks properties in JSON too" "['MainPID', 'State']" "$(json_get 'sorted(d)' <<< "$out")"
        out=$(isolatectl show -o json tbconv tbconv)
        check_eq "one object a line per service" 2 "$(wc -l <<< "$out")"

        check_eq "is-active -q prints nothing" "" "$(isolatectl -q is-active tbconv)"
        check "and exits 0" isolatectl -q is-active tbconv
        for v in "list" "status tbconv" "show tbconv" "is-active tbconv" "is-failed tbconv" "cat tbconv" \
                 "verify /etc/isolated/tbconv.service" "security tbconv" "is-enabled tbconv" "logs -n 1 tbconv" \
                 "kill --signal=SIGCONT tbconv" "restart tbconv"; do
                out=$(isolatectl --no-ask-password --no-pager $v 2>&1 < /dev/null); rc=$?
                check "--no-ask-password --no-pager accepted by $v" sh -c "! grep -q 'unrecognized option' <<'EOF'
$out
EOF"
                case $v in is-failed*|is-enabled*) ;; *) check_eq "$v succeeds with them" 0 "$rc" ;; esac
        done
        check_eq "--no-legend is accepted by status" 0 "$(isolatectl --no-legend status -n 0 tbconv >/dev/null 2>&1; echo $?)"

        # polkit: a non-root caller without a terminal, under the shipped auth_admin policy and
        # no rule, is refused at once (no agent to wait for), with the interactive flag or without.
        if groupadd "$user" && useradd -M -g "$user" -s /bin/sh "$user"; then
                for flag in "" --no-ask-password; do
                        start=$(date +%s%N)
                        out=$(as "$user" isolatectl $flag stop tbconv 2>&1 < /dev/null); rc=$?
                        ms=$((($(date +%s%N) - start) / 1000000))
                        check_eq "non-root stop ${flag:-(interactive allowed)}: refused" 1 "$rc"
                        check_match "by polkit" "Access denied: polkit did not authorize org.isolated1.manage" "$out"
                        check "quickly (${ms} ms)" test "$ms" -lt 10000
                done
                check_eq "the service still runs" active "$(isolatectl is-active tbconv)"
        else
                not_ok "cannot create the user $user"
        fi
        isolatectl stop tbconv >/dev/null 2>&1
        rm -f /etc/isolated/tbconv.service
}

# On a terminal (script(1) gives one), a non-root caller gets pkttyagent, as systemctl's
# polkit_agent_open() spawns it: polkit logs its registration for isolatectl's process, and it is
# gone when isolatectl is. (The harness has no logind: polkit, as for systemctl here, finds no
# session to ask the agent for, so no password prompt can be checked; the refusal stays.)
polkit_cursor() { journalctl -u polkit.service -n 0 --show-cursor -q 2>/dev/null | sed -n 's/^-- cursor: //p'; }
polkit_since() { journalctl -u polkit.service -o cat -q --no-pager ${1:+--after-cursor="$1"}; }
testcase_polkit_tty() {
        desc tbconv
        check "tbconv starts" isolatectl start tbconv
        if ! command -v script >/dev/null || ! command -v pkttyagent >/dev/null; then
                ok "# SKIP no script(1) or pkttyagent"
                return
        fi
        if ! id "$user" >/dev/null 2>&1; then
                groupadd "$user" && useradd -M -g "$user" -s /bin/sh "$user"
        fi
        cur=$(polkit_cursor)
        out=$(as "$user" timeout 60 script -qefc "isolatectl stop tbconv" /dev/null 2>&1 < /dev/null); rc=$?
        check_eq "on a terminal: refused all the same (exit 1)" 1 "$rc"
        check_match "by polkit" "Access denied" "$out"
        check "pkttyagent registered with polkit" wait_for 10 sh -c "journalctl -u polkit.service -o cat -q --no-pager ${cur:+--after-cursor='$cur'} | grep -q 'Registered Authentication Agent .*pkttyagent --notify-fd [0-9]* --fallback'"
        check "and unregistered when isolatectl ended" wait_for 10 sh -c "journalctl -u polkit.service -o cat -q --no-pager ${cur:+--after-cursor='$cur'} | grep -q 'Unregistered Authentication Agent'"
        check "no agent is left" sh -c "! pgrep -u $user pkttyagent"
        check_eq "the service still runs" active "$(isolatectl is-active tbconv)"

        cur=$(polkit_cursor)
        out=$(as "$user" timeout 60 script -qefc "isolatectl --no-ask-password stop tbconv" /dev/null 2>&1 < /dev/null)
        check_match "--no-ask-password on a terminal: refused" "Access denied" "$out"
        # A marker through polkit's own log after the call: no agent registered before it.
        as "$user" timeout 60 script -qefc "isolatectl stop tbconv" /dev/null >/dev/null 2>&1 < /dev/null
        wait_for 10 sh -c "journalctl -u polkit.service -o cat -q --no-pager ${cur:+--after-cursor='$cur'} | grep -q 'Registered Authentication Agent'"
        check_eq "and no agent spawned for it" 1 "$(polkit_since "$cur" | grep -c 'Registered Authentication Agent')"
        script -qefc "isolatectl stop tbconv" /dev/null >/dev/null 2>&1 < /dev/null
        check "root stops it on a terminal" sh -c "! isolatectl is-active tbconv"
        check_eq "and gets no agent" 1 "$(polkit_since "$cur" | grep -c 'Registered Authentication Agent')"
        isolatectl stop tbconv >/dev/null 2>&1
        rm -f /etc/isolated/tbconv.service
}

run_testcases
