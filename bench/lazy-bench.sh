#!/usr/bin/env bash
# Lazy-pull benchmark (not a test): kernel + initrd at the end of one 1 GiB zstd:chunked layer.
#   bench/lazy-bench.sh             run everything, print figures (append them to docs/benchmarks.md by hand)
# Needs root for apt-get of: docker-registry skopeo umoci jq zstd (Debian packages). Binds only
# 127.0.0.1:17060 and lives under $B; only processes started here are stopped (by PID).
# FILLER_MIB (default 1024) sizes the incompressible filler written before the boot files.
# BEFORE=REV also builds that revision (git archive into $B/before) and runs its cold pull in the same
# runs, alternating with this tree's: before/after figures from one run. BENCH_DEPS: see registry.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-/tmp/bfi-lazy-bench}
PORT=17060
REG=127.0.0.1:$PORT
RUNS=${RUNS:-3}
FILLER_MIB=${FILLER_MIB:-1024}
# bytes_sent: the body bytes the registry logged for bootferry's requests (User-Agent bootferry).
bytes_sent() { sleep 0.5; awk '/"bootferry"$/ {split($0, a, "HTTP/1.1\" "); split(a[2], f, " "); s += f[2]} END {print s + 0}' "$B/access.log"; }

. bench/registry.sh
registry_tools

rm -rf "$B" && mkdir -p "$B"
trap 'registry_stop "$B"' EXIT
registry_start "$B" "$REG"

echo "== building a one-layer image: ${FILLER_MIB} MiB of random bytes, then kernel (10 MiB) and initrd (40 MiB)"
t0=$(ms)
L=$B/layout
oci_new "$L"
big_layer() { # ROOTFS: /a/filler sorts before /boot, so umoci's tar has the boot files at its end
  mkdir -p "$1/a" "$1/boot"
  head -c "${FILLER_MIB}M" /dev/urandom >"$1/a/filler"
  head -c 10M /dev/urandom >"$1/boot/vmlinuz-6.1.0"
  head -c 40M /dev/urandom >"$1/boot/initramfs-6.1.0.img"
  ln -s vmlinuz-6.1.0 "$1/boot/vmlinuz"
}
oci_layer "$L" big_layer
skopeo copy -q --dest-tls-verify=false --dest-compress-format zstd:chunked "oci:$L:latest" "docker://$REG/bench/lazy:latest"
BOOT=$(( 50 * 1024 * 1024 ))
LAYER=$(skopeo inspect --raw --tls-verify=false "docker://$REG/bench/lazy:latest" | jq '.layers[0].size')
echo "built and pushed in $(( $(ms) - t0 )) ms; zstd:chunked layer: $LAYER bytes"

echo "== build bootferry test classes"
image_bench_classpath "$B"
echo "== incumbent: skopeo copy to an OCI layout + tar extraction of the layer (runs: $RUNS)"
incumbent_runs "$B" "$REG/bench/lazy:latest" "$RUNS"

if [[ -n ${BEFORE:-} ]]; then
  echo "== build $BEFORE (before)"
  mkdir -p "$B/before" && git archive "$BEFORE" | tar -x -C "$B/before"
  (cd "$B/before" && mvn -q -B -o test-compile >/dev/null)
  BEFORE_CP="$B/before/target/classes:$B/before/target/test-classes:$(cat "$B/cp.txt")"
fi

# cold NAME CLASSPATH RUN: one cold pull into an empty cache; appends to $B/NAME-*.txt
cold() {
  local name=$1 cp=$2 r=$3 before t0 t1 out fetched inproc cpu
  rm -rf "$B/cache"
  before=$(bytes_sent)
  t0=$(ms)
  out=$(java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn org.bootferry.image.ImageBench cold \
    "$REG/bench/lazy:latest" "$B/cache" /boot/vmlinuz /boot/initramfs-6.1.0.img)
  t1=$(ms)
  fetched=$(( $(bytes_sent) - before ))
  inproc=$(grep -o 'cold_ms=[0-9.]*' <<<"$out" | cut -d= -f2)
  cpu=$(grep -o 'cold_cpu_ms=[0-9.]*' <<<"$out" | cut -d= -f2 || true) # absent before 2026-12-04
  echo "$inproc" >>"$B/$name-cold.txt"; echo $(( t1 - t0 )) >>"$B/$name-wall.txt"; echo "$fetched" >>"$B/$name-bytes.txt"
  echo "${cpu:-0}" >>"$B/$name-cpu.txt"
  echo "run $r $name: in-process ${inproc} ms (CPU ${cpu:-?} ms), wall $(( t1 - t0 )) ms, registry sent $fetched bytes" \
    "(load $(cut -d' ' -f1 /proc/loadavg))"
}

echo "== bootferry cold: kernel + initrd into an empty cache (runs: $RUNS; JVM start included in wall)"
rm -f "$B"/{after,before}-*.txt
for r in $(seq 1 "$RUNS"); do
  [[ -n ${BEFORE:-} ]] && cold before "$BEFORE_CP" "$r"
  cold after "$IMAGE_BENCH_CP" "$r"
done
COLD=$(median <"$B/after-cold.txt"); COLDW=$(median <"$B/after-wall.txt"); FETCHED=$(median <"$B/after-bytes.txt")
CPU=$(median <"$B/after-cpu.txt")

echo
echo "== summary (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf 'layer %s bytes; boot files %s bytes; bootferry fetched %s bytes (manifest, config, TOC, chunks)\n' \
  "$LAYER" "$BOOT" "$FETCHED"
printf 'incumbent (skopeo copy + tar -x) median: %s ms\n' "$INC"
printf 'bootferry cold median: %s ms in-process (CPU %s ms, all threads), %s ms wall incl. JVM start\n' \
  "$COLD" "$CPU" "$COLDW"
if [[ -n ${BEFORE:-} ]]; then
  BCOLD=$(median <"$B/before-cold.txt"); BCOLDW=$(median <"$B/before-wall.txt")
  printf 'before (%s) cold median: %s ms in-process, %s ms wall; bytes %s\n' "$BEFORE" "$BCOLD" "$BCOLDW" \
    "$(median <"$B/before-bytes.txt")"
  awk -v c="$BCOLD" -v w="$BCOLDW" -v i="$INC" 'BEGIN {
    printf "before / incumbent: %.3fx in-process, %.3fx wall\n", c / i, w / i }'
fi
awk -v f="$FETCHED" -v b="$BOOT" -v c="$COLD" -v w="$COLDW" -v i="$INC" 'BEGIN {
  printf "bytes fetched / boot files: %.3fx (goal <= 1.2x)\n", f / b
  printf "cold / incumbent: %.3fx in-process, %.3fx wall (goal <= 0.1x)\n", c / i, w / i }'
