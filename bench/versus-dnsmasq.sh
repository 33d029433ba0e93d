# The part dhcp-bench.sh and dhcp6-bench.sh share, sourced by them: bootferry and dnsmasq, each as
# its own process in the namespace $NS, driven in turn by one generator (bench/$GENERATOR.c) that
# prints "answers/s p50 p99 lost gen-µs server-µs idle%". The script sets NS, JAR, GENERATOR,
# SECONDS_, WINDOW, RUNS and WARMUP first; afterwards it defines start_bootferry, start_dnsmasq and
# measure (bootferry|dnsmasq: one run of the generator into $WORK/NAME.result), then calls
# compare_runs.
command -v dnsmasq >/dev/null || { echo "dnsmasq missing: apt-get install dnsmasq-base" >&2; exit 2; }
command -v gcc >/dev/null || { echo "gcc missing: apt-get install gcc" >&2; exit 2; }
[ -n "$JAR" ] || { mvn -q -B -DskipTests package >/dev/null; JAR=target/bootferry.jar; }
mkdir -p target
gcc -O2 -Wall -o "target/$GENERATOR" "bench/$GENERATOR.c"

WORK=$(mktemp -d "/tmp/$NS.XXXXXX")
SERVER=""  # the server's pid: the one process in the namespace (`ip netns exec` may fork)
cleanup() {
    [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
    wait 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip -n "$NS" link set lo up

# bootferry: every MAC gets the default plan (kernelBoot); the script writes server.yaml.
mkdir -p "$WORK/config/machines" "$WORK/tftproot"
echo kernel > "$WORK/config/vmlinuz"
printf 'kernelBoot:\n  files: {kernel: vmlinuz}\n' > "$WORK/config/machines/default.yaml"

# Starts bootferry (HTTP and TFTP on ports nobody else uses) and waits for the line of its log that
# matches $1.
start_bootferry_until() {
    : > "$WORK/bootferry.log"
    ip netns exec "$NS" java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$JAR" serve \
        --config "$WORK/config" --tftp-root "$WORK/tftproot" --cache "$WORK/cache" \
        --bind 127.0.0.1 --http-port 18080 --tftp-port 18069 > "$WORK/bootferry.log" 2>&1 &
    for _ in $(seq 150); do grep -q "$1" "$WORK/bootferry.log" && break; sleep 0.2; done
    grep -q "$1" "$WORK/bootferry.log" || { cat "$WORK/bootferry.log" >&2; exit 1; }
    SERVER=$(ip netns pids "$NS")
}

# Waits until dnsmasq, started with its output in $WORK/dnsmasq.out, listens on UDP port $1.
dnsmasq_listening() {
    for _ in $(seq 50); do ip netns exec "$NS" ss -uln | grep -q ":$1 " && break; sleep 0.1; done
    ip netns exec "$NS" ss -uln | grep -q ":$1 " || { cat "$WORK/dnsmasq.out" >&2; exit 1; }
    SERVER=$(ip netns pids "$NS")
}

stop_server() {
    kill "$SERVER"; wait 2>/dev/null || true; SERVER=""
}

# RUNS runs, the servers alternating within each so that load from elsewhere hits both alike, as a
# table; $1 says what the generator sends.
compare_runs() {
    echo "host: $(nproc) cores, $(java -version 2>&1 | head -1), dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$JAR, $1, window $WINDOW, $SECONDS_ s measured after $WARMUP s warm-up; CPU: µs of CPU time per answer (user+sys, all threads)"
    printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' run server answers/s "p50 ms" "p99 ms" lost "gen µs/ans" "srv µs/ans" idle%
    local run bf_rate bf dm_rate dm
    for run in $(seq "$RUNS"); do
        measure bootferry
        measure dnsmasq
        read -r bf_rate bf < "$WORK/bootferry.result"
        read -r dm_rate dm < "$WORK/dnsmasq.result"
        printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' "$run" bootferry "$bf_rate" $bf
        printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' "$run" dnsmasq "$dm_rate" $dm
        if [ "$dm_rate" -gt 0 ]; then
            echo "     ratio bootferry/dnsmasq: $(echo "scale=2; $bf_rate / $dm_rate" | bc -l)x answers/s," \
                "$(echo "scale=2; $(echo $bf | cut -d' ' -f5) / $(echo $dm | cut -d' ' -f5)" | bc -l)x server CPU per answer"
        fi
    done
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
