#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Renders each man page given as an argument with man-db's man(1) and fails
# if groff or man print any warning.
set -u

if ! command -v man >/dev/null 2>&1; then
        echo "check-man.sh: man (man-db) is not installed" >&2
        exit 77
fi
if [ $# -eq 0 ]; then
        echo "usage: check-man.sh PAGE..." >&2
        exit 2
fi

ret=0
for page in "$@"; do
        if [ ! -r "$page" ]; then
                echo "FAIL $page: cannot read" >&2
                ret=1
                continue
        fi
        warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
                   man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
        if [ -n "$warnings" ]; then
                echo "FAIL $page:" >&2
                printf '%s\n' "$warnings" >&2
                ret=1
        else
                echo "ok   $page"
        fi
done
exit $ret
