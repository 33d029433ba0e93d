#!/bin/bash
# ProxyDHCP benchmark: DISCOVER -> OFFER answers/s and p50/p99 latency on loopback, bootferry vs
# dnsmasq (dhcp-range=...,proxy), one generator, one run. Needs root (a network namespace of its own,
# so ports 67/68 are free), gcc and dnsmasq (Debian packages gcc, dnsmasq-base).
# usage: bench/dhcp-bench.sh [SECONDS] [WINDOW] [RUNS]   (defaults: 10 s, 32 DISCOVERs in flight, 3 runs)
#
# Each server runs as its own process, the way it runs in production: bootferry is `java -jar
# target/bootferry.jar serve` (JVM flags of systemd/bootferry.service, production logging to a file),
# dnsmasq is dnsmasq. Both are driven by bench/dhcpgen.c (batched sendmmsg/recvmmsg, per-request
# latency from kernel receive timestamps), which also reports the CPU each party spent per answer.
# The servers alternate within each run so that load from elsewhere hits both alike.
# TO=broadcast (default: DISCOVERs to 255.255.255.255, as PXE clients send them) or TO=unicast (to
# 127.0.0.1, as a relay agent sends). WARMUP=s (default 10: a fresh JVM compiles its hot path in the first ~10 s under this load) is
# the unmeasured lead-in for both servers. NS=name picks the namespace (default bfd-bench);
# JAR=path runs that build of bootferry instead of building target/bootferry.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-10}
WINDOW=${2:-32}
RUNS=${3:-3}
NS=${NS:-bfd-bench}
WARMUP=${WARMUP:-10}
TO=${TO:-broadcast}
JAR=${JAR:-}
command -v dnsmasq >/dev/null || { echo "dnsmasq missing: apt-get install dnsmasq-base" >&2; exit 2; }
command -v gcc >/dev/null || { echo "gcc missing: apt-get install gcc" >&2; exit 2; }
[ -n "$JAR" ] || { mvn -q -B -DskipTests package >/dev/null; JAR=target/bootferry.jar; }
gcc -O2 -Wall -o target/dhcpgen bench/dhcpgen.c
TEMPLATE=src/test/resources/captures/dhcp/edk2-x64-discover.bin

WORK=$(mktemp -d /tmp/bfd-bench.XXXXXX)
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

# bootferry: every MAC gets the default plan (kernelBoot), HTTP and TFTP on ports nobody else uses.
mkdir -p "$WORK/config/machines" "$WORK/tftproot"
echo kernel > "$WORK/config/vmlinuz"
printf 'kernelBoot:\n  files: {kernel: vmlinuz}\n' > "$WORK/config/machines/default.yaml"
# The bench measures the responder flat out: lift its bound on answers to all clients (default 5000/s).
printf 'state: %s\nproxyDhcp: {maxAnswersPerSecond: 1000000}\n' "$WORK/state" > "$WORK/config/server.yaml"

start_bootferry() {
    : > "$WORK/bootferry.log"
    ip netns exec "$NS" java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$JAR" serve \
        --config "$WORK/config" --tftp-root "$WORK/tftproot" --cache "$WORK/cache" \
        --bind 127.0.0.1 --http-port 18080 --tftp-port 18069 > "$WORK/bootferry.log" 2>&1 &
    for _ in $(seq 150); do grep -q '^advertising' "$WORK/bootferry.log" && break; sleep 0.2; done
    grep -q '^advertising' "$WORK/bootferry.log" || { cat "$WORK/bootferry.log" >&2; exit 1; }
    SERVER=$(ip netns pids "$NS")
}

start_dnsmasq() {
    ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=lo \
        --bind-interfaces --user=root --log-facility="$WORK/dnsmasq.log" --pid-file="$WORK/dnsmasq.pid" \
        --dhcp-range=127.0.0.0,proxy,255.0.0.0 --pxe-service=X86-64_EFI,"iPXE",ipxe.efi,127.0.0.1 \
        > "$WORK/dnsmasq.out" 2>&1 &
    for _ in $(seq 50); do ip netns exec "$NS" ss -uln | grep -q ':67 ' && break; sleep 0.1; done
    ip netns exec "$NS" ss -uln | grep -q ':67 ' || { cat "$WORK/dnsmasq.out" >&2; exit 1; }
    SERVER=$(ip netns pids "$NS")
}

stop_server() {
    kill "$SERVER"; wait 2>/dev/null || true; SERVER=""
}

# One measurement; $WORK/$1.result: "answers/s p50 p99 lost gen-µs server-µs idle%".
measure() { # bootferry|dnsmasq
    "start_$1"
    ip netns exec "$NS" target/dhcpgen "$TEMPLATE" "$WARMUP" "$SECONDS_" "$WINDOW" "$SERVER" "$TO" > "$WORK/$1.result"
    stop_server
}

echo "host: $(nproc) cores, $(java -version 2>&1 | head -1), dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$JAR, $TO DISCOVERs, window $WINDOW, $SECONDS_ s measured after $WARMUP s warm-up; CPU: µs of CPU time per answer (user+sys, all threads)"
printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' run server answers/s "p50 ms" "p99 ms" lost "gen µs/ans" "srv µs/ans" idle%
for run in $(seq "$RUNS"); do
    measure bootferry
    measure dnsmasq
    read -r bf_rate bf < "$WORK/bootferry.result"
    read -r dm_rate dm < "$WORK/dnsmasq.result"
    printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' "$run" bootferry "$bf_rate" $bf
    printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' "$run" dnsmasq "$dm_rate" $dm
    echo "     ratio bootferry/dnsmasq: $(echo "scale=2; $bf_rate / $dm_rate" | bc -l)x"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
