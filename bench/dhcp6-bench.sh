#!/bin/bash
# DHCPv6 benchmark: SOLICIT -> ADVERTISE answers/s, p50/p99 latency and CPU per answer, bootferry's
# boot-only DHCPv6 vs dnsmasq's stateful DHCPv6 (dhcp-range + option6:bootfile-url), one generator,
# the servers alternating within each run. Needs root (a network namespace of its own), gcc and
# dnsmasq (Debian packages gcc, dnsmasq-base).
# usage: bench/dhcp6-bench.sh [SECONDS] [WINDOW] [RUNS]   (defaults: 10 s, 32 SOLICITs in flight, 3 runs)
# MODE=boot-only (default) or MODE=server: bootferry as the network's DHCPv6 server, leasing from a
# pool of fd42::1000-fd42::ffff like dnsmasq's range, its ADVERTISE carrying IA_NA and option 59 too.
#
# The link: a veth pair inside the namespace, bf6b-s (fd42::1/64, where each server listens) and
# bf6b-c (the clients). bench/dhcp6gen.c sends the captured EDK2 PXE SOLICIT
# (src/test/resources/captures/dhcp6/edk2-pxe-solicit.bin) from [fe80::b:0:0:1%bf6b-c]:546 to
# [ff02::1:2%bf6b-c]:547, each with a fresh transaction-id and a DUID-LL of a MAC of its own; the
# answers come back over the veth by unicast, as on a real link (Neighbor Discovery included).
# Each server runs as in production: bootferry is `java -jar target/bootferry.jar serve` with
# dhcp6: {mode: MODE, interfaces: [bf6b-s]} and a default machine file (every MAC boots), dnsmasq
# is dnsmasq. WARMUP=s (default 10) is the unmeasured lead-in, NS=name the namespace (default
# bf6-bench), JAR=path runs that build of bootferry instead of building target/bootferry.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-10}
WINDOW=${2:-32}
RUNS=${3:-3}
NS=${NS:-bf6-bench}
WARMUP=${WARMUP:-10}
JAR=${JAR:-}
MODE=${MODE:-boot-only}
case "$MODE" in
    boot-only) DHCP6="{mode: boot-only, interfaces: [bf6b-s]}" ;;
    server) DHCP6="{mode: server, interfaces: [bf6b-s], pools: [{interface: bf6b-s, prefix: 'fd42::/64', range: 'fd42::1000-fd42::ffff', unknownMachines: true}]}" ;;
    *) echo "MODE=$MODE: write boot-only or server" >&2; exit 2 ;;
esac
command -v dnsmasq >/dev/null || { echo "dnsmasq missing: apt-get install dnsmasq-base" >&2; exit 2; }
command -v gcc >/dev/null || { echo "gcc missing: apt-get install gcc" >&2; exit 2; }
[ -n "$JAR" ] || { mvn -q -B -DskipTests package >/dev/null; JAR=target/bootferry.jar; }
mkdir -p target
gcc -O2 -Wall -o target/dhcp6gen bench/dhcp6gen.c
TEMPLATE=src/test/resources/captures/dhcp6/edk2-pxe-solicit.bin
CLIENT=fe80::b:0:0:1  # link-local, not EUI-64: the MAC is the DUID-LL's (dhcp6gen.c says why)

WORK=$(mktemp -d /tmp/bf6-bench.XXXXXX)
SERVER=""  # the server's pid: the one process in the namespace
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
ip -n "$NS" link add bf6b-s type veth peer bf6b-c
ip -n "$NS" addr add fd42::1/64 dev bf6b-s nodad
ip -n "$NS" addr add "$CLIENT"/64 dev bf6b-c nodad
ip -n "$NS" link set bf6b-s up
ip -n "$NS" link set bf6b-c up
for _ in $(seq 50); do ip -n "$NS" -6 addr show tentative | grep -q inet6 || break; sleep 0.1; done

mkdir -p "$WORK/config/machines" "$WORK/tftproot"
echo kernel > "$WORK/config/vmlinuz"
printf 'kernelBoot:\n  files: {kernel: vmlinuz}\n' > "$WORK/config/machines/default.yaml"
printf 'state: %s\ndhcp: false\ndhcp6: %s\n' "$WORK/state" "$DHCP6" > "$WORK/config/server.yaml"

start_bootferry() {
    : > "$WORK/bootferry.log"
    ip netns exec "$NS" java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$JAR" serve \
        --config "$WORK/config" --tftp-root "$WORK/tftproot" --cache "$WORK/cache" \
        --bind 127.0.0.1 --http-port 18080 --tftp-port 18069 > "$WORK/bootferry.log" 2>&1 &
    for _ in $(seq 150); do grep -q 'listening dhcp6' "$WORK/bootferry.log" && break; sleep 0.2; done
    grep -q 'listening dhcp6' "$WORK/bootferry.log" || { cat "$WORK/bootferry.log" >&2; exit 1; }
    SERVER=$(ip netns pids "$NS")
}

start_dnsmasq() {
    ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=bf6b-s \
        --bind-interfaces --user=root --log-facility="$WORK/dnsmasq.log" --pid-file="$WORK/dnsmasq.pid" \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --dhcp-range=fd42::1000,fd42::ffff,64,1h \
        --dhcp-option=option6:bootfile-url,'tftp://[fd42::1]/ipxe.efi' > "$WORK/dnsmasq.out" 2>&1 &
    for _ in $(seq 50); do ip netns exec "$NS" ss -uln | grep -q ':547 ' && break; sleep 0.1; done
    ip netns exec "$NS" ss -uln | grep -q ':547 ' || { cat "$WORK/dnsmasq.out" >&2; exit 1; }
    SERVER=$(ip netns pids "$NS")
}

stop_server() {
    kill "$SERVER"; wait 2>/dev/null || true; SERVER=""
}

# One measurement; $WORK/$1.result: "answers/s p50 p99 lost gen-µs server-µs idle%".
measure() { # bootferry|dnsmasq
    "start_$1"
    ip netns exec "$NS" target/dhcp6gen "$TEMPLATE" bf6b-c "$CLIENT" "$WARMUP" "$SECONDS_" "$WINDOW" "$SERVER" \
        > "$WORK/$1.result" 2> "$WORK/$1.gen"
    stop_server
}

echo "host: $(nproc) cores, $(java -version 2>&1 | head -1), dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$JAR (dhcp6 $MODE), EDK2 PXE SOLICITs over a veth, window $WINDOW, $SECONDS_ s measured after $WARMUP s warm-up; CPU: µs of CPU time per answer (user+sys, all threads)"
printf '%-4s %-10s %10s %8s %8s %6s %12s %12s %6s\n' run server answers/s "p50 ms" "p99 ms" lost "gen µs/ans" "srv µs/ans" idle%
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
