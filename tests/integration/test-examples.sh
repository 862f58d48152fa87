#!/bin/bash
# The three ready descriptions in examples/ start as documented.
. "$TESTS/lib.sh"

cleanup() {
        for n in demo forking-legacy notify; do
                isolatectl stop $n >/dev/null 2>&1; isolatectl reset-failed $n >/dev/null 2>&1
        done
}
trap cleanup EXIT
memcached_answers() { # init-pid
        nsenter -t "$1" -n bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211; printf "stats\r\nquit\r\n" >&3; cat <&3' |
                grep -q '^STAT pid'
}

# A simple service.
testcase_demo() {
        check "start examples/demo.service" isolatectl start demo "$SRC/examples/demo.service"
        check_eq "demo runs" running "$(prop demo State)"
        init=$(prop demo InitPID)
        # Type=simple: start returns once memcached is exec'd, before it listens.
        check "memcached listens inside its namespace" wait_listen "$init" 11211 10
        check "memcached answers inside its namespace" memcached_answers "$init"
        check "stop demo" isolatectl stop demo
}

# A forking legacy daemon with PIDFile=.
testcase_forking() {
        check "start examples/forking-legacy.service" isolatectl start forking-legacy "$SRC/examples/forking-legacy.service"
        check_eq "it runs" running "$(prop forking-legacy State)"
        main=$(prop forking-legacy MainPID)
        init=$(prop forking-legacy InitPID)
        check_eq "its main PID is the daemon's (from the PID file)" memcached "$(cat /proc/$main/comm 2>/dev/null)"
        check_eq "the daemon was re-parented to the init" "$init" "$(awk '/^PPid:/ {print $2}' /proc/$main/status)"
        inner=$(awk '/^NSpid:/ {print $NF}' /proc/$main/status)
        check_eq "the PID file holds its PID as seen inside" "$inner" "$(nsenter -t "$init" -m cat /run/memcached/memcached.pid | tr -d '[:space:]')"
        check "memcached listens" wait_listen "$init" 11211 10
        check "memcached answers" memcached_answers "$init"
        check "stop forking-legacy" isolatectl stop forking-legacy
}

# A Type=notify service: start returns after READY=1, STATUS= shows.
testcase_notify() {
        t0=$(date +%s%N)
        check "start examples/notify.service" isolatectl start notify "$SRC/examples/notify.service"
        t1=$(date +%s%N)
        check "start returned only after READY=1 (the service waits 1 s first)" test $(( (t1 - t0) / 1000000 )) -ge 1000
        check_eq "it runs" running "$(prop notify State)"
        check_eq "STATUS= is the StatusText" serving "$(prop notify StatusText)"
        check_match "status shows it" 'Status: "serving"' "$(isolatectl status notify)"
        check "stop notify" isolatectl stop notify
}

run_testcases
