#!/bin/bash
# Real legacy daemons from Debian's packages: nginx from its own unchanged
# /lib/systemd/system/nginx.service (Type=forking, PIDFile=, an ExecStartPre=
# config test, ExecStop= with start-stop-daemon, KillMode=mixed), and
# memcached daemonizing itself with -d -P.
. "$TESTS/lib.sh"

# The names are this run's own: /etc is the host's, shared with whatever else runs there (another
# harness running this file too). Digits only: a check's text stays the same but for numbers.
id=$(( RANDOM * 32768 + RANDOM ))
n_nginx=ldnginx$id n_mc=ldmc$id
made_etc_dir=
[ -d /etc/isolated ] || made_etc_dir=1   # /etc is the host's: leave it as found
cleanup() {
        for n in $n_nginx $n_mc; do isolatectl stop "$n" >/dev/null 2>&1; isolatectl reset-failed "$n" >/dev/null 2>&1; done
        rm -f /etc/isolated/$n_nginx.service /etc/isolated/$n_mc.service
        rm -rf /etc/isolated/$n_nginx.service.d
        [ -z "$made_etc_dir" ] || rmdir /etc/isolated 2>/dev/null
}
trap cleanup EXIT
nspid_of() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status"; }

# Debian's nginx.service, unchanged.
testcase_nginx() {
        if [ -r /lib/systemd/system/nginx.service ] && [ -x /usr/sbin/nginx ]; then
                mkdir -p /etc/isolated
                cp /lib/systemd/system/nginx.service /etc/isolated/$n_nginx.service
                # The host's tree is read-only by default: the administrator's drop-in names what nginx
                # writes outside /run and /tmp (what `isolatectl learn` prints for it).
                mkdir -p /etc/isolated/$n_nginx.service.d
                printf '[Service]\nReadWritePaths=/var/log/nginx /var/lib/nginx\n' > /etc/isolated/$n_nginx.service.d/50-writable.conf
                check "Debian's nginx.service, unchanged, starts" isolatectl start $n_nginx
                init=$(prop $n_nginx InitPID); main=$(prop $n_nginx MainPID)
                check_eq "State running" running "$(prop $n_nginx State)"
                check_eq "MainPID is the master named in /run/nginx.pid" "$(nsenter -t "$init" -m cat /run/nginx.pid)" "$(nspid_of "$main")"
                check_match "which is nginx's master process" "nginx: master process" "$(tr '\0' ' ' < /proc/$main/cmdline)"
                check "workers run" test "$(pgrep -c -P "$main")" -ge 1
                # By its Server: header: the page is the host's /var/www/html, whichever package
                # wrote it last (apache2's, when the corpus test installed it).
                check_match "nginx answers on 127.0.0.1:80 inside the namespace" "Server: nginx" \
                        "$(nsenter -t "$init" -n curl -s -i --max-time 5 http://127.0.0.1:80/)"
                check "but not on the host's 127.0.0.1:80" sh -c '! curl -s --max-time 2 http://127.0.0.1:80/ >/dev/null'
                check "reload (ExecReload= nginx -s reload)" isolatectl reload $n_nginx
                check_eq "the same master after the reload" "$main" "$(prop $n_nginx MainPID)"
                check_match "still answering" "Server: nginx" "$(nsenter -t "$init" -n curl -s -i --max-time 5 http://127.0.0.1:80/)"
                t=$(date +%s%N)
                check "stop (ExecStop= start-stop-daemon --retry QUIT/5)" isolatectl stop $n_nginx
                ms=$(( ($(date +%s%N) - t) / 1000000 ))
                check "a graceful stop, well before TimeoutStopSec=5 ($ms ms)" test "$ms" -lt 4500
                check "nothing of nginx left" sh -c "! systemctl is-active -q isolated-$n_nginx.scope && [ ! -d /proc/$init ]"
                check_eq "Result success" success "$(prop $n_nginx Result)"
        else
                not_ok "nginx is not installed (tools/install-deps.sh installs it)"
        fi
}

# memcached daemonizes itself and writes its PID file, as Debian runs it: as
# memcache, in a RuntimeDirectory= of the service's own /run.
testcase_memcached() {
        mkdir -p /etc/isolated
        cat > /etc/isolated/$n_mc.service <<X
[Service]
Type=forking
User=memcache
RuntimeDirectory=memcached
PIDFile=/run/memcached/memcached.pid
ExecStart=/usr/bin/memcached -d -P /run/memcached/memcached.pid -l 127.0.0.1 -p 11211
TimeoutStartSec=20
X
        check "memcached -d -P starts" isolatectl start $n_mc
        init=$(prop $n_mc InitPID); main=$(prop $n_mc MainPID)
        check_eq "MainPID is the PID memcached wrote" "$(nsenter -t "$init" -m cat /run/memcached/memcached.pid)" "$(nspid_of "$main")"
        check_match "the daemon is memcached" "memcached" "$(tr '\0' ' ' < /proc/$main/cmdline)"
        wait_listen "$init" 11211 10 # (its PID file may come before its listener)
        check_match "it answers inside the namespace" "STAT pid $(nspid_of "$main")" \
                "$(nsenter -t "$init" -n bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211; printf "stats\r\nquit\r\n" >&3; timeout 2 cat <&3')"
        check "stop" isolatectl stop $n_mc
        check "nothing of memcached left" sh -c "! systemctl is-active -q isolated-$n_mc.scope && [ ! -d /proc/$init ]"
}

run_testcases
