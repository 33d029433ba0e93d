#!/bin/sh
# Builds, once per machine, a minimal Debian bookworm tree (debootstrap's minbase) with the packages
# named, for tests that need a Debian system of their own: SystemdUnitIT boots one
# (scripts/systemd-tree.sh), ContainerIT imports one as the container build's base image. Needs root,
# debootstrap and Debian's mirror; the tree is reused while DIR/.complete exists (delete DIR to
# rebuild it).
# Usage: scripts/debian-tree.sh DIR [PACKAGE,...]
set -eu
dir=$1
include=${2:+--include=$2}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -e "$dir/.complete" ] && exit 0
rm -rf "$dir.partial"
# shellcheck disable=SC2086 # $include is one word or none
debootstrap --variant=minbase $include bookworm "$dir.partial" "$mirror"
touch "$dir.partial/.complete"
rm -rf "$dir"
mv "$dir.partial" "$dir"
