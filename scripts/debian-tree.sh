#!/bin/sh
# Builds, once per machine, a minimal Debian bookworm tree (debootstrap's minbase) with the packages
# named, for tests that need a Debian system of their own: SystemdUnitIT boots one
# (scripts/systemd-tree.sh), ContainerIT imports one as the container build's base image. Needs root,
# debootstrap and Debian's mirror; the tree is reused while DIR/.complete exists (delete DIR to
# rebuild it). With DEBIAN_ARCH naming another architecture than this host's (arm64), the packages
# are only unpacked, not configured (that would need the other CPU emulated): enough for
# NativeLibrariesIT to run that architecture's JRE under qemu-user.
# Usage: [DEBIAN_ARCH=ARCH] scripts/debian-tree.sh DIR [PACKAGE,...]
set -eu
dir=$1
include=${2:+--include=$2}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
host=$(dpkg --print-architecture)
arch=${DEBIAN_ARCH:-$host}
[ -e "$dir/.complete" ] && exit 0
rm -rf "$dir.partial"
# shellcheck disable=SC2086 # $include is one word or none
if [ "$arch" = "$host" ]; then
    debootstrap --variant=minbase $include bookworm "$dir.partial" "$mirror"
else
    # The first stage unpacks the base system and only downloads the rest.
    debootstrap --foreign --arch="$arch" --variant=minbase $include bookworm "$dir.partial" "$mirror"
    for deb in "$dir.partial"/var/cache/apt/archives/*.deb; do
        dpkg-deb -x "$deb" "$dir.partial"
    done
fi
touch "$dir.partial/.complete"
rm -rf "$dir"
mv "$dir.partial" "$dir"
