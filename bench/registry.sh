# OCI images for the benchmarks (sourced by bench/image-bench.sh, bench/lazy-bench.sh and bench/boot-storm.sh, not run):
# a local registry (Debian's docker-registry), images built with umoci and pushed with skopeo, and
# the registry's access log read back to count what a client pulled.
#
# Functions that start or talk to the registry take an optional command prefix as their last
# arguments (e.g. `ip netns exec NS`) to run it in another network namespace.

# Installs docker-registry, skopeo, umoci, jq and zstd (Debian packages) when missing.
registry_tools() {
  for t in docker-registry skopeo umoci jq zstd; do
    command -v $t >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $t >/dev/null
  done
}

# registry_start DIR ADDR:PORT [PREFIX...]: a registry storing under DIR/reg, its access log (one line
# per request, on its stdout) in DIR/access.log, its PID in DIR/registry.pid; returns once it answers.
registry_start() {
  local dir=$1 addr=$2; shift 2
  mkdir -p "$dir/reg"
  cat >"$dir/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/reg
http:
  addr: $addr
  secret: bench-not-a-secret
YML
  "$@" docker-registry serve "$dir/registry.yml" >"$dir/access.log" 2>"$dir/registry.log" </dev/null &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 250); do "$@" curl -sf -o /dev/null "http://$addr/v2/" && return 0; sleep 0.02; done
  echo "the registry did not start on $addr: $(cat "$dir/registry.log")" >&2
  return 1
}

# registry_stop DIR: stops the registry registry_start started there (by its PID).
registry_stop() {
  [[ -f $1/registry.pid ]] && kill "$(cat "$1/registry.pid")" 2>/dev/null || true
}

# oci_new LAYOUT: an OCI layout with an empty image tagged latest.
oci_new() {
  umoci init --layout "$1" && umoci new --image "$1:latest"
}

# oci_layer LAYOUT FUNCTION: adds a layer to LAYOUT:latest holding what FUNCTION ROOTFS writes into
# the unpacked root file system.
oci_layer() {
  local layout=$1 fill=$2 bundle
  bundle=$(mktemp -d "${TMPDIR:-/tmp}/oci-bundle.XXXXXX")
  rmdir "$bundle"
  umoci unpack --image "$layout:latest" "$bundle" >/dev/null
  "$fill" "$bundle/rootfs"
  umoci repack --image "$layout:latest" "$bundle" && rm -rf "$bundle"
}

# oci_push LAYOUT REGISTRY/REPO:TAG [PREFIX...]: pushes LAYOUT:latest over plain http.
oci_push() {
  local layout=$1 ref=$2; shift 2
  "$@" skopeo copy -q --dest-tls-verify=false "oci:$layout:latest" "docker://$ref"
}

# registry_pulls DIR REPO: "MANIFESTS BLOBS", the successful manifest (by tag or digest) and blob GETs
# bootferry (User-Agent: bootferry) made for REPO, from the access log. Waits a moment: the log is
# written after the response.
registry_pulls() {
  local log=$1/access.log repo=$2 manifests blobs
  sleep 0.5
  manifests=$(grep -c "\"GET /v2/$repo/manifests/[^ ]* HTTP/1.1\" 200 .*\"bootferry\"$" "$log" || true)
  blobs=$(grep -c "\"GET /v2/$repo/blobs/sha256:[0-9a-f]* HTTP/1.1\" 200 .*\"bootferry\"$" "$log" || true)
  echo "$manifests $blobs"
}

ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# image_bench_classpath DIR: builds the test classes and defines `bench ARGS...`, which runs
# org.bootferry.image.ImageBench (cold, warm, flight) on them. BENCH_DEPS (a classpath of the
# dependency jars) stands in for the dependency plugin where that can't run offline.
image_bench_classpath() {
  if [[ -n ${BENCH_DEPS:-} ]]; then
    mvn -q -B -o test-compile >/dev/null && echo "$BENCH_DEPS" >"$1/cp.txt"
  else
    mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$1/cp.txt" >/dev/null
  fi
  IMAGE_BENCH_CP="target/classes:target/test-classes:$(cat "$1/cp.txt")"
  bench() { java -cp "$IMAGE_BENCH_CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn org.bootferry.image.ImageBench "$@"; }
}

# incumbent_runs DIR IMAGE RUNS: `skopeo copy` to an OCI layout, then tar extraction of every layer
# (gzip or zstd, as tar detects it), RUNS times; prints each run and sets INC to the median ms.
incumbent_runs() {
  local dir=$1 image=$2 runs=$3 r t0 t1 man d
  : >"$dir/incumbent.txt"
  for r in $(seq 1 "$runs"); do
    rm -rf "$dir/oci" "$dir/rootfs" && mkdir -p "$dir/rootfs"
    t0=$(ms)
    skopeo copy -q --src-tls-verify=false "docker://$image" "oci:$dir/oci:latest"
    man=$(jq -r '.manifests[0].digest' "$dir/oci/index.json" | cut -d: -f2)
    for d in $(jq -r '.layers[].digest' "$dir/oci/blobs/sha256/$man" | cut -d: -f2); do
      tar -xf "$dir/oci/blobs/sha256/$d" -C "$dir/rootfs"
    done
    t1=$(ms)
    echo $(( t1 - t0 )) >>"$dir/incumbent.txt"
    echo "run $r: $(( t1 - t0 )) ms ($(cmp -s "$dir/rootfs/boot/vmlinuz-6.1.0" "$dir/rootfs/boot/vmlinuz" && echo kernel ok))"
  done
  rm -rf "$dir/oci" "$dir/rootfs"
  INC=$(median <"$dir/incumbent.txt")
}

