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
