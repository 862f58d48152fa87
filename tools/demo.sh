#!/bin/bash
# Installs what isolated needs, builds it, and shows it at work: memcached from
# examples/demo.service started isolated, its status, the list, then stopped.
# Where PID 1 is not systemd (a container, a CI machine), a throwaway systemd
# is booted in new namespaces for the demo, and removed afterwards.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/build

bash "$SRC/tools/install-deps.sh" --demo
[ -e "$BUILD/build.ninja" ] || meson setup "$BUILD" "$SRC" --prefix=/usr >/dev/null
meson compile -C "$BUILD" >/dev/null

if [ "$(cat /proc/1/comm)" = systemd ]; then
        meson install -C "$BUILD" --no-rebuild --quiet
        systemctl daemon-reload
        systemctl reload dbus
        systemctl start isolated.service
        exec "$SRC/tools/demo-steps.sh"
fi

echo "PID 1 here is $(cat /proc/1/comm), not systemd: booting a throwaway systemd in new namespaces for the demo."
state=$(mktemp -d /tmp/isolated-demo.XXXXXX)
trap '"$SRC/tests/harness/systemd-harness" shutdown "$state"; rm -rf "$state"; echo "The throwaway systemd is powered off and its cgroups removed."' EXIT
"$SRC/tests/harness/stage-install" "$BUILD" "$BUILD/stage"
HARNESS_KEEP="$SRC" "$SRC/tests/harness/systemd-harness" boot "$state" "$BUILD/stage"
"$SRC/tests/harness/systemd-harness" exec "$state" systemctl start isolated.service
"$SRC/tests/harness/systemd-harness" exec "$state" "$SRC/tools/demo-steps.sh"
