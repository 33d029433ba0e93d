#!/bin/sh
# Builds, once per machine, the Debian tree SystemdUnitIT boots with systemd-nspawn: systemd as PID 1,
# a JRE for the jar, and the clients the test asks with (curl, tftp-hpa). See scripts/debian-tree.sh.
# Usage: scripts/systemd-tree.sh [DIR]   (default /var/tmp/bootferry-systemd-tree)
set -eu
dir=${1:-/var/tmp/bootferry-systemd-tree}
"$(dirname "$0")/debian-tree.sh" "$dir" \
    systemd,systemd-sysv,dbus,openjdk-17-jre-headless,curl,tftp-hpa,iproute2
# A container has no console login to wait for; an empty machine-id is filled in at each boot.
: > "$dir/etc/machine-id"
