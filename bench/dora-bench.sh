#!/bin/bash
# DHCP server benchmark: full DORA exchanges (DISCOVER, OFFER, REQUEST, ACK) per second and p50/p99
# latency of the whole exchange, bootferry's server mode vs dnsmasq (full DHCP, lease file) vs ISC Kea
# (kea-dhcp4, memfile leases with persist: true), one generator, one run. Needs root (two network
# namespaces joined by a veth pair, made here and removed at exit), gcc, dnsmasq-base and
# kea-dhcp4-server (installed with apt-get if missing).
# usage: bench/dora-bench.sh [SECONDS] [WINDOW] [RUNS]   (defaults: 10 s, 32 clients in the middle of an exchange, 3 runs)
#
# Each server runs as its own process, the way it runs in production, in namespace $NS-s on
# 192.168.77.1; the generator, bench/doragen.c, runs in $NS-c on 192.168.77.2 and plays a DHCP relay
# agent (giaddr 10.96.0.1) for a stream of new clients, each a MAC never seen before: so every exchange
# allocates, and the servers write, a new lease. The servers alternate within each run so that load
# from elsewhere hits them alike, and each starts with an empty lease file of its own on disk.
#
# Same settings for all three: one pool of 10.96.0.0/12 (range 10.96.1.0-10.111.255.254, 1,048,318
# addresses: more than a run hands out), lease time 1 h, router 10.96.0.1, any MAC served, every lease
# written to a file before its ACK. No address is checked for use before it is offered: the clients are
# behind a relay, where bootferry does not probe (README "DHCP server mode"), dnsmasq is run with
# --no-ping (by default it pings a new address first, even behind a relay) and Kea 2.2 has no such
# check. Logging is each one's default level, to a file.
# WARMUP=s (default 10: a fresh JVM compiles its hot path in that time) is the unmeasured lead-in for
# every server. NS=prefix names the namespaces (default bfd-dora); JAR=path runs that build of
# bootferry instead of building target/bootferry.jar; ONLY="bootferry" (any of the three names) runs
# only those.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-10}
WINDOW=${2:-32}
RUNS=${3:-3}
NS=${NS:-bfd-dora}
WARMUP=${WARMUP:-10}
JAR=${JAR:-}
ONLY=${ONLY:-bootferry dnsmasq kea}
SERVER_NS=$NS-s
CLIENT_NS=$NS-c
SERVER_ADDRESS=192.168.77.1
RELAY_ADDRESS=192.168.77.2
GIADDR=10.96.0.1
SUBNET=10.96.0.0/12
FIRST=10.96.1.0
LAST=10.111.255.254
need() { # command debian-package
    command -v "$1" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
}
need dnsmasq dnsmasq-base
need kea-dhcp4 kea-dhcp4-server
need gcc gcc
[ -n "$JAR" ] || { mvn -q -B -DskipTests package >/dev/null; JAR=target/bootferry.jar; }
gcc -O2 -Wall -o target/doragen bench/doragen.c

WORK=$(mktemp -d /var/tmp/bfd-dora.XXXXXX)  # on disk, not tmpfs: the lease files' syncs cost what they cost
SERVER=""  # the server's pid: the one process in the namespace (`ip netns exec` may fork)
cleanup() {
    [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
    for pid in $(ip netns pids "$SERVER_NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$SERVER_NS" 2>/dev/null || true
    ip netns del "$CLIENT_NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
for ns in "$SERVER_NS" "$CLIENT_NS"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done
ip -n "$SERVER_NS" link add dora-s type veth peer name dora-c netns "$CLIENT_NS"
ip -n "$SERVER_NS" addr add "$SERVER_ADDRESS/24" dev dora-s
ip -n "$CLIENT_NS" addr add "$RELAY_ADDRESS/24" dev dora-c
ip -n "$CLIENT_NS" addr add "$GIADDR/12" dev dora-c
ip -n "$SERVER_NS" link set dora-s up
ip -n "$CLIENT_NS" link set dora-c up
ip -n "$SERVER_NS" route add "$SUBNET" via "$RELAY_ADDRESS"

listening_on_67() {
    local sockets
    sockets=$(ip netns exec "$SERVER_NS" ss -uln)
    grep -q ":67 " <<< "$sockets"  # nothing else runs in the namespace
}

wait_for_port_67() { # log-to-show-on-failure
    for _ in $(seq 100); do listening_on_67 && break; sleep 0.2; done
    listening_on_67 || { cat "$1" >&2; exit 1; }
    SERVER=$(ip netns pids "$SERVER_NS")
}

# bootferry: no machine files, a pool that serves unknown MACs; leases in state/dhcp/leases.journal.
start_bootferry() {
    rm -rf "$WORK/bootferry"
    mkdir -p "$WORK/bootferry/config/machines" "$WORK/bootferry/tftproot"
    cat > "$WORK/bootferry/config/server.yaml" <<EOF
state: $WORK/bootferry/state
dhcp:
  mode: server
  pools:
    - subnet: $SUBNET
      range: $FIRST-$LAST
      router: $GIADDR
      leaseTime: 1h
      unknownMachines: true
EOF
    ip netns exec "$SERVER_NS" java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$JAR" serve \
        --config "$WORK/bootferry/config" --tftp-root "$WORK/bootferry/tftproot" --cache "$WORK/bootferry/cache" \
        --bind "$SERVER_ADDRESS" --http-port 18080 --tftp-port 18069 > "$WORK/bootferry.log" 2>&1 &
    wait_for_port_67 "$WORK/bootferry.log"
}

start_dnsmasq() {
    rm -f "$WORK/dnsmasq.leases"
    ip netns exec "$SERVER_NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=dora-s \
        --bind-interfaces --user=root --log-facility="$WORK/dnsmasq.log" --pid-file="$WORK/dnsmasq.pid" \
        --dhcp-range="$FIRST,$LAST,255.240.0.0,1h" --dhcp-option=option:router,"$GIADDR" \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --dhcp-lease-max=2000000 --no-ping \
        > "$WORK/dnsmasq.out" 2>&1 &
    wait_for_port_67 "$WORK/dnsmasq.out"
}

start_kea() {
    rm -rf "$WORK/kea"
    mkdir -p "$WORK/kea"
    cat > "$WORK/kea/kea-dhcp4.conf" <<EOF
{"Dhcp4": {
  "interfaces-config": {"interfaces": ["dora-s"], "dhcp-socket-type": "udp"},
  "lease-database": {"type": "memfile", "persist": true, "name": "$WORK/kea/leases4.csv", "lfc-interval": 0},
  "valid-lifetime": 3600,
  "subnet4": [{"subnet": "$SUBNET", "pools": [{"pool": "$FIRST - $LAST"}],
               "option-data": [{"name": "routers", "data": "$GIADDR"}]}],
  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "$WORK/kea/kea.log"}], "severity": "INFO"}]
}}
EOF
    KEA_PIDFILE_DIR="$WORK/kea" KEA_LOCKFILE_DIR="$WORK/kea" \
        ip netns exec "$SERVER_NS" kea-dhcp4 -c "$WORK/kea/kea-dhcp4.conf" > "$WORK/kea.out" 2>&1 &
    wait_for_port_67 "$WORK/kea.out"
}

stop_server() {
    kill "$SERVER"; wait 2>/dev/null || true; SERVER=""
}

# One measurement; $WORK/$1.result: doragen's line (see bench/doragen.c).
measure() { # bootferry|dnsmasq|kea
    "start_$1"
    ip netns exec "$CLIENT_NS" target/doragen "$WARMUP" "$SECONDS_" "$WINDOW" "$SERVER" \
        "$SERVER_ADDRESS" "$GIADDR" "$FIRST" "$LAST" > "$WORK/$1.result"
    stop_server
}

echo "host: $(nproc) cores, $(java -version 2>&1 | head -1), dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}'), kea $(kea-dhcp4 -v), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$JAR; window $WINDOW; $SECONDS_ s measured after $WARMUP s warm-up; CPU: µs of CPU time per exchange (user+sys, all threads)"
printf '%-4s %-10s %10s %8s %8s %5s %5s %8s %6s %6s %10s %10s %6s\n' run server DORA/s "p50 ms" "p99 ms" lost NAKs \
    "ACKs" wrong twice "gen µs" "srv µs" idle%
for run in $(seq "$RUNS"); do
    for server in $ONLY; do
        measure "$server"
        printf '%-4s %-10s %10s %8s %8s %5s %5s %8s %6s %6s %10s %10s %6s\n' "$run" "$server" $(cat "$WORK/$server.result")
    done
    bf=$(awk '{print $1}' "$WORK/bootferry.result" 2>/dev/null || true)
    for other in dnsmasq kea; do
        [ -n "$bf" ] && [ -s "$WORK/$other.result" ] || continue
        echo "     ratio bootferry/$other: $(echo "scale=2; $bf / $(awk '{print $1}' "$WORK/$other.result")" | bc -l)x"
    done
    rm -f "$WORK"/*.result
    echo "     load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
