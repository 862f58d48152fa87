# Sourced by every integration test. They run inside the harness's systemd,
# as root, with isolatectl, busctl and systemctl of the installed build.
set -uo pipefail
n_ok=0
n_fail=0

ok() { n_ok=$((n_ok + 1)); echo "ok - $*"; }
not_ok() { n_fail=$((n_fail + 1)); echo "not ok - $*"; }

# check "what" command...: passes if the command succeeds.
check() {
        local what=$1; shift
        local out
        if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what"; printf '    %s\n' "$out" | head -20; fi
}

# check_eq "what" expected actual
# (A failure's details go on the lines after "not ok - what", so that the line names the check
# the same way in every run: tests/run.sh --repeat compares runs by it.)
check_eq() {
        if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "    expected '$2', got '$3'"; fi
}

# check_match "what" regex text
# (Not printf | grep -q: under pipefail, grep leaving at an early match makes printf's later
# writes fail with EPIPE, and a text longer than a pipe write would fail the check at random.)
check_match() {
        if grep -Eq -- "$2" <<< "$3"; then ok "$1"; else not_ok "$1"; echo "    '$2' not in:"; printf '%s\n' "$3" | sed 's/^/    /' | head -20; fi
}

# wait_for SECONDS command...: polls until the command succeeds.
wait_for() {
        local limit=$1; shift
        local i
        for i in $(seq 1 $((limit * 10))); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}

service_path() {
        busctl call org.isolated1 /org/isolated1 org.isolated1.Manager GetService s "$1" | awk '{print $2}' | tr -d '"'
}

prop() { # service property
        busctl get-property org.isolated1 "$(service_path "$1")" org.isolated1.Service "$2" | cut -d' ' -f2- | tr -d '"'
}

# wait_prop NAME PROPERTY VALUE [SECONDS]: polls the property (as prop prints it) until it is
# VALUE, or, with VALUE written !X, until it is anything but X (and readable); 10 s unless told.
# The service may not exist yet. The one wait for a property: no hand-quoted busctl loops in the
# test files. Leaves the value it saw last in wait_prop_value (when not run in a subshell, as
# check runs it); on a timeout it says what the value was. One bus call a look once the service
# is known, ten looks a second.
wait_prop_value=
wait_prop() {
        local name=$1 property=$2 want=$3 limit=${4:-10} v= path= i
        for i in $(seq 1 $((limit * 10))); do
                [ -n "$path" ] || path=$(service_path "$name" 2>/dev/null)
                if [ -n "$path" ]; then
                        v=$(busctl get-property org.isolated1 "$path" org.isolated1.Service "$property" 2>/dev/null |
                                cut -d' ' -f2- | tr -d '"')
                        wait_prop_value=$v
                        if [ "${want#!}" != "$want" ]; then
                                [ -n "$v" ] && [ "$v" != "${want#!}" ] && return 0
                        else
                                [ "$v" = "$want" ] && return 0
                        fi
                fi
                sleep 0.1
        done
        echo "$name's $property is '$v' after ${limit} s, not '$want'"
        return 1
}

# free_port: a TCP and UDP port nothing uses on the host now, picked at random (the harness shares
# the host's network namespace with whatever else runs there: a fixed port may be taken).
free_port() {
        local p i
        for i in $(seq 1 100); do
                p=$((20000 + RANDOM % 40000))
                [ -z "$(ss -Htuan "( sport = :$p )" 2>/dev/null)" ] && { echo "$p"; return 0; }
        done
        return 1
}

# free_ports N: N different ports free_port picks, on one line.
free_ports() {
        local ports=" " p i
        for i in $(seq 1 "$1"); do
                for _ in $(seq 1 20); do
                        p=$(free_port) || return 1
                        [[ "$ports" != *" $p "* ]] && break
                done
                ports="$ports$p "
        done
        echo $ports
}

# wait_listen NETNS-PID PORT [SECONDS]: waits until something listens on TCP PORT in the network
# namespace of the process (a daemon that returns from start may still be setting up its socket).
wait_listen() {
        local pid=$1 port=$2 limit=${3:-10}
        wait_for "$limit" nsenter -t "$pid" -n sh -c "ss -Htln 'sport = :$port' | grep -q ."
}

# A cached figure (usage) settles after a read or two: poll it.
prop_settles_ge() { # service property minimum
        local i v
        for i in $(seq 1 50); do
                v=$(prop "$1" "$2")
                [ -n "$v" ] && [ "$v" -ge "$3" ] 2>/dev/null && [ "$v" != 18446744073709551615 ] && return 0
                sleep 0.1
        done
        return 1
}

scope_prop() { # unit property
        systemctl show "$1" -p "$2" --value
}

scope_exists() {
        [ "$(systemctl show "$1" -p LoadState --value)" = loaded ] &&
                [ "$(systemctl show "$1" -p ActiveState --value)" != inactive ]
}

# Every PID (as this namespace sees it) whose PID namespace is that of PID $1.
pids_in_pidns_of() {
        local ns p
        ns=$(readlink "/proc/$1/ns/pid") || return 1
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"
        done
}

finish() {
        echo "# $n_ok passed, $n_fail failed"
        [ "$n_fail" = 0 ]
}

# run_testcases [NAME...]: the one dispatcher of the test files, called as a file's last line.
# Runs every testcase_NAME function of the calling file in the order the file defines them (or
# the NAMEs given, in that order), or with CASE=NAME (ONLY=FILE:NAME tests/run.sh) that case
# only; CASE=A+B (or A,B) runs several. A CASE that names no case of the file fails, naming the cases.
# Each case must be able to run alone: whatever it needs from an earlier case, it makes itself
# (a fixture function each case calls), or the file's setup above the cases makes it. Ends with
# finish, whose status is the file's.
run_testcases() {
        local _rt_all _rt_c _rt_want _rt_cases # (names no case uses: a case sees them)
        if [ $# -gt 0 ]; then
                _rt_all="$*"
        else
                _rt_all=$(sed -nE 's/^(function +testcase_([A-Za-z0-9_]+)|testcase_([A-Za-z0-9_]+) *\(\)).*/\2\3/p' "$0")
        fi
        local _rt_cases=${CASE:-}
        _rt_cases=${_rt_cases//+/,}
        for _rt_want in ${_rt_cases//,/ }; do
                if ! grep -qxF -- "$_rt_want" <<< "${_rt_all// /$'\n'}"; then
                        not_ok "$(basename "$0" .sh) has a case $_rt_want"
                        echo "    its cases:" $_rt_all
                fi
        done
        for _rt_c in $_rt_all; do
                [ -n "$_rt_cases" ] && [[ ",$_rt_cases," != *",$_rt_c,"* ]] && continue
                echo "# case $_rt_c"
                if declare -F "testcase_$_rt_c" >/dev/null; then
                        "testcase_$_rt_c"
                else
                        not_ok "$(basename "$0" .sh): testcase_$_rt_c is defined"
                fi
        done
        finish
}

# helper NAME DIR: copies the helper program NAME that meson built ($BUILD/tests/fixtures or
# $BUILD/tests/integration) into DIR, where a service (or another user) may run it. Fails,
# saying so, when it is not built: the scripts never compile anything themselves.
helper() {
        local f
        for f in "${BUILD:-}/tests/fixtures/$1" "${BUILD:-}/tests/integration/$1"; do
                [ -x "$f" ] && { cp "$f" "$2/" && chmod 755 "$2/$1"; return; }
        done
        echo "# $1 is not in \$BUILD/tests (BUILD='${BUILD:-}'): meson compile -C \$BUILD"
        return 1
}

# daemon_pid: isolated.service's main PID (0 when it does not run).
daemon_pid() { systemctl show isolated.service -p MainPID --value; }

# daemon_restarted OLD-PID: isolated.service runs again, with another PID than OLD-PID, and is on
# the bus. (Polled: wait_for 10 daemon_restarted "$old".)
daemon_restarted() {
        local p
        p=$(daemon_pid)
        [ "$p" != 0 ] && [ "$p" != "$1" ] && busctl status org.isolated1 >/dev/null 2>&1
}

# grant_manage USER RULES: creates USER (and its group) and a polkit rule file
# RULES that grants that group org.isolated1.manage, effective at once. The
# caller removes both (revoke_manage) in its cleanup.
grant_manage() {
        groupadd "$1" && useradd -M -g "$1" -s /bin/sh "$1" || return 1
        mkdir -p "$(dirname "$2")"
        cat > "$2" <<JS
polkit.addRule(function(action, subject) {
        if (action.id == "org.isolated1.manage" && subject.isInGroup("$1"))
                return polkit.Result.YES;
});
JS
        systemctl restart polkit.service # pick the rule up now rather than on its inotify
}

# revoke_manage USER RULES: undoes grant_manage, whatever of it was done.
revoke_manage() {
        if [ -e "$2" ]; then
                rm -f "$2"
                systemctl restart polkit.service
        fi
        userdel "$1" >/dev/null 2>&1
        groupdel "$1" >/dev/null 2>&1
}

# as USER command...: runs it as USER, with USER's groups.
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
