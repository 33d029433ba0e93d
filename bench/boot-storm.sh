#!/bin/bash
# Boot storm: N simulated UEFI PXE machines boot at once (ProxyDHCP 67 + 4011, the loader over TFTP,
# iPXE script, kernel, initrd, kickstart, POST /done), from bootferry and then from dnsmasq + nginx
# on the same files, in the same run (org.bootferry.storm.BootStorm). Needs root: everything runs in
# a network namespace of its own (bfs-storm, loopback only), since ProxyDHCP answers go to port 68.
#
# usage: bench/boot-storm.sh [-n CLIENTS] [--loss PCT] [--reload-storm] [--targets bootferry,baseline]
#                            [--kernel-mib M] [--initrd-mib M] [--deadline-seconds S] [--ramp-seconds S]
#   -n 1000 (default)        number of machines, each its own MAC and machine file
#   --ramp-seconds 10        machines power on evenly spread over this time (0: all in the same millisecond)
#   --loss 5                 tc netem: drop PCT % of UDP (DHCP, TFTP) on the namespace's loopback
#   --reload-storm           rewrite a machine file every 20 ms while bootferry serves the storm
# JSON goes to target/storm/storm-N[-variant].json. BOOTFERRY_JAVA_OPTS adds JVM options to bootferry.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=1000
LOSS=
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) CLIENTS=$2; shift 2 ;;
    --loss) LOSS=$2; shift 2 ;;
    --reload-storm) ARGS+=(--reload-storm); shift ;;
    --targets|--kernel-mib|--initrd-mib|--deadline-seconds|--ramp-seconds) ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "needs root (a network namespace)" >&2; exit 2; }
for tool in dnsmasq:dnsmasq-base nginx:nginx-light tc:iproute2; do
  command -v "${tool%%:*}" >/dev/null || apt-get install -y -q "${tool#*:}" >/dev/null
done
mvn -q -B package -DskipTests
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/storm.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/storm.classpath)"

NS=bfs-storm
WORK=/tmp/bfs-storm
VARIANT=${LOSS:+-loss$LOSS}
for a in "${ARGS[@]}"; do [ "$a" = --reload-storm ] && VARIANT+=-reload; done
mkdir -p target/storm
cleanup() { cp "$WORK"/*.log "$WORK"/baseline/*.log target/storm/ 2>/dev/null || true; ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"; }
cleanup
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
if [ -n "$LOSS" ]; then
  # UDP only (DHCP, TFTP): a fourth band nothing maps to by default, netem on it, a filter for protocol 17.
  ip netns exec "$NS" tc qdisc add dev lo root handle 1: prio bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1
  ip netns exec "$NS" tc qdisc add dev lo parent 1:4 handle 40: netem loss "$LOSS"%
  ip netns exec "$NS" tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff flowid 1:4
fi
echo "host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(dnsmasq --version | head -1), $(nginx -v 2>&1)"
ulimit -n "$(ulimit -Hn)"
set +e
ip netns exec "$NS" java -Xss256k -cp "$CP" org.bootferry.storm.BootStorm --clients "$CLIENTS" --dir "$WORK" \
  --jar target/bootferry.jar --json "target/storm/storm-$CLIENTS$VARIANT.json" "${ARGS[@]}"
rc=$?
echo "kernel counters in the namespace (UdpRcvbufErrors: datagrams dropped at full receive buffers; ListenOverflows: connections dropped at a full accept queue):"
ip netns exec "$NS" nstat -az 2>/dev/null | grep -E 'Udp(InDatagrams|RcvbufErrors|InErrors|SndbufErrors)|TcpExtListen(Overflows|Drops)|TcpExtTCPTimeouts|TcpRetransSegs' || true
[ -n "$LOSS" ] && ip netns exec "$NS" tc -s qdisc show dev lo | grep -A2 netem
exit $rc
