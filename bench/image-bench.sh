#!/usr/bin/env bash
# Image benchmark (not a test): kernel+initrd out of a 5-layer ~500 MB image in a local registry.
#   bench/image-bench.sh            run everything, print figures (append them to docs/benchmarks.md by hand)
# Needs root for apt-get of: docker-registry skopeo umoci (Debian packages). Everything binds 127.0.0.1:17050
# and lives under $B; only processes started here are stopped (by PID).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-/tmp/bfi-image-bench}
PORT=17050
REG=127.0.0.1:$PORT
RUNS=${RUNS:-3}

. bench/registry.sh
registry_tools

rm -rf "$B" && mkdir -p "$B"
trap 'registry_stop "$B"' EXIT
registry_start "$B" "$REG"

echo "== building a 5-layer image (~500 MB, boot files in the top layer) with umoci"
t0=$(ms)
L=$B/layout
oci_new "$L"
filler_layer() { # ROOTFS: five 23 MiB files of random bytes in /usr/lib/layer$i
  mkdir -p "$1/usr/lib/layer$i"
  for f in 1 2 3 4 5; do head -c 23M /dev/urandom >"$1/usr/lib/layer$i/blob$f"; done
}
boot_layer() { # ROOTFS: kernel, initrd and docs on top
  mkdir -p "$1/boot" "$1/usr/share/doc/bench"
  head -c 10M /dev/urandom >"$1/boot/vmlinuz-6.1.0"
  head -c 30M /dev/urandom >"$1/boot/initramfs-6.1.0.img"
  ln -s vmlinuz-6.1.0 "$1/boot/vmlinuz"
  for f in 1 2 3 4; do head -c 1M /dev/urandom >"$1/usr/share/doc/bench/doc$f"; done
}
for i in 1 2 3 4; do oci_layer "$L" filler_layer; done
oci_layer "$L" boot_layer
echo "built in $(( $(ms) - t0 )) ms; layers:"
du -sh "$L/blobs/sha256"
oci_push "$L" "$REG/bench/os:latest"
oci_push "$L" "$REG/bench/flight:latest"

echo "== build bootferry test classes"
image_bench_classpath "$B"
echo "== incumbent: skopeo copy to an OCI layout + tar extraction of every layer (runs: $RUNS)"
incumbent_runs "$B" "$REG/bench/os:latest" "$RUNS"

echo "== bootferry cold: resolve kernel+initrd into an empty cache (runs: $RUNS; JVM start included in wall)"
: >"$B/cold.txt"; : >"$B/coldwall.txt"
for r in $(seq 1 "$RUNS"); do
  rm -rf "$B/cache"
  t0=$(ms)
  out=$(bench cold "$REG/bench/os:latest" "$B/cache" /boot/vmlinuz /boot/initramfs-6.1.0.img)
  t1=$(ms)
  inproc=$(grep -o 'cold_ms=[0-9.]*' <<<"$out" | cut -d= -f2)
  echo "$inproc" >>"$B/cold.txt"; echo $(( t1 - t0 )) >>"$B/coldwall.txt"
  echo "run $r: in-process ${inproc} ms, wall $(( t1 - t0 )) ms"
  [[ $r == 1 ]] && grep '^#' <<<"$out"
done
COLD=$(median <"$B/cold.txt"); COLDW=$(median <"$B/coldwall.txt")

echo "== bootferry served cold: a freshly started server (bootferry.jar), its first boot of the uncached image (runs: $RUNS)"
# As a user meets it: the server starts with a machine file naming the image, and the machine asks for
# its kernel and initrd the moment the listeners are up (the time counted); the prefetch the machine
# file starts at start is part of what is measured. Also printed: from the JVM's start. Each run starts
# the server twice, without and with the class-data sharing archive scripts/cds-archive.sh writes.
[[ -f target/bootferry.jar ]] || mvn -q -B -o -DskipTests package >/dev/null
bash scripts/cds-archive.sh target/bootferry.jar "$B/bootferry.jsa"
MAC=52-54-00-be-0c-01
served() { # NAME JAVA_OPTION...: one fresh server, one first boot; appends to $B/served-NAME*.txt
  local name=$1 S=$B/served t0 t1 t2 pid; shift
  rm -rf "$S" && mkdir -p "$S/config/machines" "$S/tftproot"
  printf 'access: open\nkernelBoot:\n  container: {image: %s, kernelPath: /boot/vmlinuz, initrdPath: /boot/initramfs-6.1.0.img}\n' \
    "$REG/bench/os:latest" >"$S/config/machines/$MAC.yaml"
  printf 'state: %s\ndhcp: false\n' "$S/state" >"$S/config/server.yaml"
  t0=$(ms)
  java "$@" -jar target/bootferry.jar serve --config "$S/config" --tftp-root "$S/tftproot" --cache "$S/cache" \
    --bind 127.0.0.1 --advertise 127.0.0.1 --http-port 17051 --tftp-port 0 >"$S/bootferry.log" 2>&1 &
  pid=$!
  until grep -q '^advertising' "$S/bootferry.log"; do kill -0 $pid || { cat "$S/bootferry.log"; exit 1; }; sleep 0.01; done
  t1=$(ms)
  curl -fsS -o "$S/kernel" "http://127.0.0.1:17051/boot/$MAC/kernel"
  curl -fsS -o "$S/initrd" "http://127.0.0.1:17051/boot/$MAC/initrd"
  t2=$(ms)
  kill $pid; wait $pid || true
  [[ $(stat -c %s "$S/initrd") == $((30 << 20)) ]] || { echo "initrd has the wrong size" >&2; exit 1; }
  echo $(( t2 - t1 )) >>"$B/served-$name.txt"; echo $(( t2 - t0 )) >>"$B/served-${name}wall.txt"
  echo "run $r, $name: listeners up after $(( t1 - t0 )) ms; kernel + initrd $(( t2 - t1 )) ms after that"
}
rm -f "$B"/served-*.txt
for r in $(seq 1 "$RUNS"); do
  served plain -XX:+ExitOnOutOfMemoryError
  served cds -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile="$B/bootferry.jsa"
done
SERVED=$(median <"$B/served-plain.txt"); SERVEDW=$(median <"$B/served-plainwall.txt")
SERVEDC=$(median <"$B/served-cds.txt"); SERVEDCW=$(median <"$B/served-cdswall.txt")

echo "== bootferry warm: new process on the filled cache, then 10000 more resolves in that process"
bench warm "$REG/bench/os:latest" "$B/cache" /boot/vmlinuz /boot/initramfs-6.1.0.img 10000 | tee "$B/warm.txt"

echo "== 1000 concurrent requests for one uncached image"
rm -rf "$B/cache2"
bench flight "$REG/bench/flight:latest" "$B/cache2" /boot/vmlinuz /boot/initramfs-6.1.0.img 1000 | tee "$B/flight.txt"
read -r MANIFEST_GETS BLOB_GETS < <(registry_pulls "$B" bench/flight)
echo "registry access log for bench/flight: $MANIFEST_GETS manifest GET(s), $BLOB_GETS blob GET(s) (config + top layer)"

echo
echo "== summary"
printf 'incumbent (skopeo copy + tar -x) median: %s ms\n' "$INC"
printf 'bootferry cold median: %s ms in-process, %s ms wall incl. JVM start\n' "$COLD" "$COLDW"
printf 'bootferry served cold median: %s ms from listeners up, %s ms from the JVM start; with the CDS archive %s / %s ms\n' \
  "$SERVED" "$SERVEDW" "$SERVEDC" "$SERVEDCW"
awk -v c="$COLD" -v w="$COLDW" -v i="$INC" -v s="$SERVED" -v sw="$SERVEDW" -v sc="$SERVEDC" -v scw="$SERVEDCW" 'BEGIN {
  printf "ratio: %.3fx in-process, %.3fx wall (goal <= 0.3x)\n", c/i, w/i
  printf "served cold: %.3fx from listeners up, %.3fx from JVM start; with CDS %.3fx / %.3fx\n", s/i, sw/i, sc/i, scw/i }'
