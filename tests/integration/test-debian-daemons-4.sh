#!/bin/bash
# The corpus, run stage (templates): Debian 12's daemons that Debian ships as a template unit
# only, installed from Debian's packages (tools/install-deps.sh, with a policy-rc.d that keeps dpkg
# from starting them), the STOCK template copied unchanged into /etc/isolated and started as the
# instance an administrator starts (isolatectl start postgresql@15-main), asked a real client
# request from inside its network namespace, and stopped cleanly (Result=success). Where the
# strict default needs more (the host's tree is read-only: postgres writes
# /var/lib/postgresql/15/main), `isolatectl learn NAME --apply` writes the drop-in first, as an
# administrator would run it; it lands in the instance's own NAME@INSTANCE.service.d.
#
# Same shape as test-debian-daemons-3.sh (clients/corpus.sh): every daemon is a case
# (ONLY=debian-daemons-4:postgresql), REPORT=1 prints one survey line per daemon.
. "$TESTS/lib.sh"
. "$TESTS/clients/corpus.sh"

# PostgreSQL: postgresql@.service runs `pg_ctlcluster %i start` for the cluster %I (15/main) that
# postgresql-15's package made on install (pg_createcluster; a machine without one makes it
# first, and drops it again). The request is psql's SELECT 1 as the user postgres on the unix
# socket of its private /run/postgresql (peer authentication, as Debian configures it): in its
# user namespace too, where the daemon's postgres is the host's.
probe_postgresql() {
        answer_userns "$1" '^1$' psql -X -h /run/postgresql -U postgres -d postgres -Atc 'SELECT 1'
}
# answer_userns PID REGEX COMMAND...: as answer_mnt, as the user postgres of its user namespace.
answer_userns() {
        local pid=$1 re=$2 out uid gid; shift 2
        uid=$(id -u postgres) gid=$(id -g postgres)
        out=$(cd / && timeout 15 nsenter -t "$pid" -U -m -n -S "$uid" -G "$gid" -- env HOME=/tmp "$@" 2>&1)
        grep -E -i -m1 -- "$re" <<< "$out" || { printf '%s\n' "$out" | head -3; return 1; }
}
testcase_postgresql() {
        local made=
        if [ -x /usr/bin/pg_createcluster ] && [ ! -e /etc/postgresql/15/main/postgresql.conf ]; then
                pg_createcluster 15 main >/dev/null 2>&1 && made=1 corpus_cleanup='pg_dropcluster 15 main'
        fi
        local since; since=$(date +%s)
        daemon postgresql postgresql@.service /usr/lib/postgresql/15/bin/postgres 5432 probe_postgresql 15-main
        # OOMScoreAdjust=-900 would need the host's CAP_SYS_RESOURCE: kept at the sandbox's own, said.
        check_match "postgresql: OOMScoreAdjust=-900 is kept at the sandbox's own, with a notice" \
                "OOMScoreAdjust=-900: below the sandbox's own" \
                "$(journalctl --since "@$since" --no-pager -q -o cat -u "isolated-corpus$id-postgresql\\x4015-main.scope" | grep -F OOMScoreAdjust=)"
        [ -z "$made" ] || { pg_dropcluster 15 main >/dev/null 2>&1; corpus_cleanup=; }
}

run_testcases
