#!/bin/sh
# Makes the base image ContainerIT builds the Dockerfile on where no registry is reachable: a Debian
# bookworm tree made as Docker Hub's debian:bookworm-slim is (debootstrap's minbase; then dpkg is
# told to leave out documentation, man pages and translations, and those already there go, as
# debuerreotype's "slimify" does), imported into podman as IMAGE. The tree is made once per machine
# (scripts/debian-tree.sh); the import runs each time, into whichever store podman is set up to use.
# Usage: scripts/container-base.sh IMAGE [DIR]   (default /var/tmp/bootferry-debian-slim)
set -eu
image=$1
dir=${2:-/var/tmp/bootferry-debian-slim}
"$(dirname "$0")/debian-tree.sh" "$dir"
cat > "$dir/etc/dpkg/dpkg.cfg.d/slim" <<'END'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
END
rm -rf "$dir"/usr/share/info/* "$dir"/usr/share/locale/* "$dir"/usr/share/man/*
find "$dir/usr/share/doc" ! -type d ! -name copyright -delete
tar -C "$dir" --exclude=./.complete -c . | podman import - "$image"
