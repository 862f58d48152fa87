#!/bin/bash
# Debian's own unit files for real daemons verify cleanly when dropped into
# /etc/isolated: the files come from the packages themselves (apt-get
# download; nothing is installed), so the test follows Debian's versions.
. "$TESTS/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
if ! apt-get download -qq cron lighttpd openssh-server nginx-common memcached >/dev/null 2>&1; then
        echo "# apt-get download failed: no package lists? (apt-get update)"
        not_ok "download Debian's packages"
        finish
        exit
fi
for deb in *.deb; do dpkg-deb -x "$deb" x; done

# Debian's units of cron, lighttpd, ssh and nginx verify.
testcase_verify() {
for unit in cron lighttpd ssh nginx; do
        f=x/lib/systemd/system/$unit.service
        if [ ! -e "$f" ]; then
                not_ok "$unit.service is in its package"
                continue
        fi
        out=$(isolatectl verify "$f" 2>&1); rc=$?
        check_eq "Debian's $unit.service verifies (exit 0)" 0 "$rc"
        [ $rc = 0 ] || printf '    %s\n' "$out" | grep -v Ignoring | head -5
        check "and every notice names file:line" sh -c "printf '%s\n' \"\$1\" | grep -v '^$' | grep -qv '^$f:[0-9]*: ' && exit 1 || exit 0" _ "$out"
done
}

# memcached's unit asks for hardening (MemoryDenyWriteExecute=, RestrictRealtime=,
# RestrictNamespaces=) that isolated implements with systemd's meaning: it verifies
# (test-hardening runs it).
testcase_memcached() {
out=$(isolatectl verify x/lib/systemd/system/memcached.service 2>&1); rc=$?
check_eq "memcached.service verifies, its hardening keys and all" 0 "$rc"
[ $rc = 0 ] || printf '    %s\n' "$out" | grep -v Ignoring | head -5
}

run_testcases
