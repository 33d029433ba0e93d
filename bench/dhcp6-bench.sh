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
# bf6-bench), JAR=path runs that build of bootferry instead of building target/bootferry.jar; what
# it shares with dhcp-bench.sh is bench/versus-dnsmasq.sh.
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
GENERATOR=dhcp6gen
. bench/versus-dnsmasq.sh
TEMPLATE=src/test/resources/captures/dhcp6/edk2-pxe-solicit.bin
CLIENT=fe80::b:0:0:1  # link-local, not EUI-64: the MAC is the DUID-LL's (dhcp6gen.c says why)

ip -n "$NS" link add bf6b-s type veth peer bf6b-c
ip -n "$NS" addr add fd42::1/64 dev bf6b-s nodad
ip -n "$NS" addr add "$CLIENT"/64 dev bf6b-c nodad
ip -n "$NS" link set bf6b-s up
ip -n "$NS" link set bf6b-c up
for _ in $(seq 50); do ip -n "$NS" -6 addr show tentative | grep -q inet6 || break; sleep 0.1; done

printf 'state: %s\ndhcp: false\ndhcp6: %s\n' "$WORK/state" "$DHCP6" > "$WORK/config/server.yaml"

start_bootferry() {
    start_bootferry_until 'listening dhcp6'
}

start_dnsmasq() {
    ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=bf6b-s \
        --bind-interfaces --user=root --log-facility="$WORK/dnsmasq.log" --pid-file="$WORK/dnsmasq.pid" \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --dhcp-range=fd42::1000,fd42::ffff,64,1h \
        --dhcp-option=option6:bootfile-url,'tftp://[fd42::1]/ipxe.efi' > "$WORK/dnsmasq.out" 2>&1 &
    dnsmasq_listening 547
}

measure() { # bootferry|dnsmasq
    "start_$1"
    ip netns exec "$NS" target/dhcp6gen "$TEMPLATE" bf6b-c "$CLIENT" "$WARMUP" "$SECONDS_" "$WINDOW" "$SERVER" \
        > "$WORK/$1.result" 2> "$WORK/$1.gen"
    stop_server
}

compare_runs "dhcp6 $MODE, EDK2 PXE SOLICITs over a veth"
