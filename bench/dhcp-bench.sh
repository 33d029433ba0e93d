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
# The servers alternate within each run so that load from elsewhere hits both alike
# (bench/versus-dnsmasq.sh, shared with dhcp6-bench.sh).
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
GENERATOR=dhcpgen
. bench/versus-dnsmasq.sh
TEMPLATE=src/test/resources/captures/dhcp/edk2-x64-discover.bin

# The bench measures the responder flat out: lift its bound on answers to all clients (default 5000/s).
printf 'state: %s\nproxyDhcp: {maxAnswersPerSecond: 1000000}\n' "$WORK/state" > "$WORK/config/server.yaml"

start_bootferry() {
    start_bootferry_until '^advertising'
}

start_dnsmasq() {
    ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=lo \
        --bind-interfaces --user=root --log-facility="$WORK/dnsmasq.log" --pid-file="$WORK/dnsmasq.pid" \
        --dhcp-range=127.0.0.0,proxy,255.0.0.0 --pxe-service=X86-64_EFI,"iPXE",ipxe.efi,127.0.0.1 \
        > "$WORK/dnsmasq.out" 2>&1 &
    dnsmasq_listening 67
}

measure() { # bootferry|dnsmasq
    "start_$1"
    ip netns exec "$NS" target/dhcpgen "$TEMPLATE" "$WARMUP" "$SECONDS_" "$WINDOW" "$SERVER" "$TO" > "$WORK/$1.result"
    stop_server
}

compare_runs "$TO DISCOVERs"
