#!/bin/sh
# Installs what isolated needs to build, test and run its demo on Debian 12.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
        gcc libc6-dev meson ninja-build pkg-config \
        libsystemd-dev libcap-dev libseccomp-dev libdbus-1-dev check clang libclang-rt-14-dev \
        systemd dbus polkitd python3 util-linux iproute2 procps psmisc memcached \
        >/dev/null

# The network tests isolate Debian's nginx and reach it with curl. dpkg must
# not start nginx on the host: a policy-rc.d that refuses every start.
if ! [ -x /usr/sbin/nginx ] || ! command -v curl >/dev/null; then
        if ! [ -e /usr/sbin/policy-rc.d ]; then
                printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
                chmod 755 /usr/sbin/policy-rc.d
        fi
        apt-get install -y -qq --no-install-recommends nginx curl >/dev/null
fi
