#!/bin/bash
# Writes a class-data sharing archive (AppCDS, JDK 17's dynamic archive: JEP 350) for a bootferry jar,
# so that the server starts about twice as fast: the ~5,400 classes a start loads are mapped from
# the archive instead of being read, verified and parsed one by one.
#   scripts/cds-archive.sh JAR ARCHIVE
# Run it again after the jar or the JRE changes: the JVM checks the jar's size and time and its own
# build against the archive, and ignores (silently: it only costs the speed) one that doesn't match.
# The server must then be started with the same jar path: java -XX:SharedArchiveFile=ARCHIVE -jar JAR.
#
# The archive holds the classes one training run loaded: bootferry serve on loopback with ports of
# its own choosing and a config of its own (a machine with local files, one whose image is in a
# registry that refuses, so the pull path's classes load too), which answers a status page, an iPXE
# script and a kernel, and is then stopped with SIGTERM, when the JVM writes the archive. Nothing
# leaves loopback. Uses bash's /dev/tcp, so it runs where the container image has no curl.
set -euo pipefail
JAR=$(readlink -f "${1:?usage: cds-archive.sh JAR ARCHIVE}")
ARCHIVE=${2:?usage: cds-archive.sh JAR ARCHIVE}
WORK=$(mktemp -d /tmp/bootferry-cds.XXXXXX)
PID=
cleanup() {
    [ -z "$PID" ] || kill -9 "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
MAC=52-54-00-cd-50-01
mkdir -p "$WORK/config/machines" "$WORK/tftproot"
head -c 1048576 /dev/zero > "$WORK/config/vmlinuz"
printf 'access: open\nkernelBoot:\n  files: {kernel: vmlinuz, initrd: vmlinuz}\n  kernelArgs: console=ttyS0\n' \
    > "$WORK/config/machines/$MAC.yaml"
# Port 9 (discard) on loopback refuses: the prefetch fails at once, having loaded the registry client.
printf 'kernelBoot:\n  container: {image: "127.0.0.1:9/training/boot:latest"}\n' \
    > "$WORK/config/machines/52-54-00-cd-50-02.yaml"
printf 'state: %s\ndhcp: false\n' "$WORK/state" > "$WORK/config/server.yaml"
rm -f "$ARCHIVE"
java -XX:ArchiveClassesAtExit="$ARCHIVE" -XX:+ExitOnOutOfMemoryError -jar "$JAR" serve --config "$WORK/config" \
    --tftp-root "$WORK/tftproot" --cache "$WORK/cache" --bind 127.0.0.1 --advertise 127.0.0.1 \
    --http-port 0 --tftp-port 0 > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 600); do
    grep -q '^advertising' "$WORK/serve.log" && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
grep -q '^advertising' "$WORK/serve.log" || { echo "cds-archive: the training server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
PORT=$(sed -n 's/^listening http tcp 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/serve.log")
get() {
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    head -1 <&3 | grep -q ' 200 ' || { echo "cds-archive: GET $1 was not answered 200" >&2; exit 1; }
    cat <&3 > /dev/null
    exec 3<&-
}
get /
get "/boot.ipxe?mac=$MAC"
get "/boot/$MAC/kernel"
get /metrics
kill -TERM "$PID"
wait "$PID" || true
PID=
[ -s "$ARCHIVE" ] || { echo "cds-archive: the JVM wrote no archive at $ARCHIVE:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
echo "cds-archive: $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1)) for $JAR"
