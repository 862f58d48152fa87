#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/scale.sh [N] [run.sh options]: the scale rows alone (bench/run.sh --scale-only): N services
# (default 1000) at once through the bus, list, status, memory, stop, what is left, and N concurrent
# systemd-run --scope beside it.
N=1000
case ${1:-} in [0-9]*) N=$1; shift ;; esac
exec "$(dirname "$0")/run.sh" --scale-only --scale "$N" "$@"
