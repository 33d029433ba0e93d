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
awk -v c="$COLD" -v w="$COLDW" -v i="$INC" 'BEGIN {printf "ratio: %.3fx in-process, %.3fx wall (goal <= 0.3x)\n", c/i, w/i}'
