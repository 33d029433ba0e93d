#!/bin/sh
# Builds, once per machine, the Debian tree SystemdUnitIT boots with systemd-nspawn: systemd as PID 1,
# a JRE for the jar, and the clients the test asks with (curl, tftp-hpa). Needs root, debootstrap and
# Debian's mirror; the tree is reused while DIR/.complete exists (delete DIR to rebuild it).
# Usage: scripts/systemd-tree.sh [DIR]   (default /var/tmp/bootferry-systemd-tree)
set -eu
dir=${1:-/var/tmp/bootferry-systemd-tree}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -e "$dir/.complete" ] && exit 0
rm -rf "$dir.partial"
debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,openjdk-17-jre-headless,curl,tftp-hpa,iproute2 \
    bookworm "$dir.partial" "$mirror"
# A container has no console login to wait for; an empty machine-id is filled in at each boot.
: > "$dir.partial/etc/machine-id"
touch "$dir.partial/.complete"
rm -rf "$dir"
mv "$dir.partial" "$dir"
