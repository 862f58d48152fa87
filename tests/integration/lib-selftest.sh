#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh's dispatcher, without a harness: run_testcases runs a file's testcase_ functions in the
# file's order, CASE= one or several (A+B, A,B), fails on a CASE that names no case, and ends
# with finish (the file's status). Run by meson (suite unit).
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/test-demo.sh" <<X
. "$LIB"
testcase_b() { ok "b ran"; }
testcase_a() { ok "a ran"; }
function testcase_c { ok "c ran"; }
testcase_fails() {
        check "a check that fails" false
}
run_testcases
X
failed=0
expect() { # WHAT CASE RC OUTPUT-LINES: the cases' lines (# case, ok, not ok) in order, then the rc
        local what=$1 case_=$2 want_rc=$3 want=$4 out rc
        out=$(CASE=$case_ bash "$T/test-demo.sh" 2>&1); rc=$?
        out=$(grep -E '^(# case|ok -|not ok -)' <<< "$out" | tr '\n' '|')
        if [ "$rc" = "$want_rc" ] && [ "$out" = "$want" ]; then
                echo "ok - $what"
        else
                echo "not ok - $what: rc $rc (not $want_rc), '$out' (not '$want')"
                failed=1
        fi
}
expect "every case in the file's order, the file fails with its failing case" "" 1 \
        "# case b|ok - b ran|# case a|ok - a ran|# case c|ok - c ran|# case fails|not ok - a check that fails|"
expect "CASE=a runs a only" a 0 "# case a|ok - a ran|"
expect "CASE=c+b runs both, in the file's order" c+b 0 "# case b|ok - b ran|# case c|ok - c ran|"
expect "CASE=a,c too" a,c 0 "# case a|ok - a ran|# case c|ok - c ran|"
expect "a CASE that names no case fails" nosuch 1 "not ok - test-demo has a case nosuch|"
exit $failed
