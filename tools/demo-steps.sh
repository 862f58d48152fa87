#!/bin/bash
# The demo itself, run where isolated.service is up (the host, or the
# throwaway systemd of tools/demo.sh).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
set -x
isolatectl start demo "$SRC/examples/demo.service"
isolatectl status demo --no-pager
isolatectl list
isolatectl stop demo
isolatectl list --all
isolatectl reset-failed demo
