#!/bin/bash
# Boot storm: N simulated UEFI PXE machines boot at once (ProxyDHCP 67 + 4011, the loader over TFTP,
# iPXE script, kernel, initrd, kickstart, POST /done), from bootferry and then from dnsmasq + nginx
# on the same files, in the same run (org.bootferry.storm.BootStorm). Needs root: everything runs in
# network namespaces of its own, since ProxyDHCP answers go to port 68 and TFTP listens on 69.
#
# usage: bench/boot-storm.sh [-n CLIENTS] [--ramp-seconds S] [--loss PCT | --routed] [--image] [--reload-storm]
#                            [--targets bootferry,baseline] [--kernel-mib M] [--initrd-mib M] [--deadline-seconds S]
#                            [--warmup M]
#   -n 1000 (default)        number of machines, each its own MAC and machine file
#   --ramp-seconds 10        machines power on evenly spread over this time (0: all in the same millisecond)
#   --routed                 servers and machines in two namespaces joined by a router namespace (veth, MTU
#                            1500); DISCOVERs reach the server as a relay agent forwards them (giaddr)
#   --loss 5                 --routed, and the router drops PCT % of the UDP datagrams (DHCP, TFTP) it
#                            forwards, both ways (iptables statistic: this kernel has no sch_netem); TCP untouched
#   --image                  every machine file names one OCI image (kernel + initrd of the sizes asked for),
#                            in a registry beside the server and not in bootferry's cache at the start;
#                            prints the registry's manifest and blob GETs. bootferry only (the baseline has no images)
#   --reload-storm           rewrite a machine file every 20 ms while bootferry serves the storm
#   --kernel-mib 10 --initrd-mib 50   sizes of the random kernel and initrd
#   --deadline-seconds 300   machines still booting then count as failed at their current stage
#   --warmup 0               first M other machines boot from each server, unmeasured: a server that has run a
#                            while (JIT compiled), not one started for the storm
# JSON goes to target/storm/storm-N[-variant].json, the servers' logs beside it. BOOTFERRY_JAVA_OPTS adds JVM
# options to bootferry. STORM_PREFIX (default bfs) names the namespaces (PREFIX-storm, -storm-srv, -storm-rt),
# their links and the work directory /tmp/PREFIX-storm.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/registry.sh
CLIENTS=1000
LOSS=
ROUTED=
IMAGE=
KERNEL_MIB=10
INITRD_MIB=50
ARGS=()
VARIANT=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) CLIENTS=$2; shift 2 ;;
    --loss) LOSS=$2; ROUTED=1; shift 2 ;;
    --routed) ROUTED=1; shift ;;
    --image) IMAGE=1; shift ;;
    --reload-storm) ARGS+=(--reload-storm); VARIANT+=-reload; shift ;;
    --kernel-mib) KERNEL_MIB=$2; shift 2 ;;
    --initrd-mib) INITRD_MIB=$2; shift 2 ;;
    --targets|--deadline-seconds|--ramp-seconds|--warmup) ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (--help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
for tool in dnsmasq:dnsmasq-base nginx:nginx-light iptables:iptables nstat:iproute2; do
  command -v "${tool%%:*}" >/dev/null || apt-get install -y -q "${tool#*:}" >/dev/null
done
[ -n "$IMAGE" ] && registry_tools
mvn -q -B package -DskipTests
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/storm.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/storm.classpath)"

P=${STORM_PREFIX:-bfs}
NS=$P-storm          # the machines (BootStorm); without --routed also the servers
SRV=$NS              # the servers (and the registry)
RT=$P-storm-rt
WORK=/tmp/$P-storm
if [ -n "$ROUTED" ]; then
  SRV=$P-storm-srv
  # server 10.77.0.1/30 -- 10.77.0.2 router 10.77.1.1/24 -- 10.77.1.2 machines (the relay agent's address)
  SERVER=10.77.0.1
  RELAY=10.77.1.2
  ARGS+=(--server "$SERVER" --relay "$RELAY" --server-netns "$SRV")
  VARIANT+=${LOSS:+-loss$LOSS}
  [ -z "$LOSS" ] && VARIANT+=-routed
fi
[ -n "$IMAGE" ] && VARIANT+=-image
mkdir -p target/storm
cleanup() {
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
  [ -d "$WORK" ] && cp "$WORK"/*.log "$WORK"/baseline/*.log target/storm/ 2>/dev/null || true
  for ns in "$NS" "$SRV" "$RT"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  sleep 0.2
  for ns in "$NS" "$SRV" "$RT"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
cleanup
trap cleanup EXIT
for ns in "$NS" "$SRV"; do
  ip netns list | grep -qx "$ns" || { ip netns add "$ns"; ip -n "$ns" link set lo up; }
done
if [ -n "$ROUTED" ]; then
  ip netns add "$RT"
  ip -n "$RT" link set lo up
  # Both ends created in their namespaces at once: no name ever appears in the host's namespace.
  ip link add "$P-srv" netns "$SRV" type veth peer name "$P-rt-s" netns "$RT"
  ip link add "$P-cl" netns "$NS" type veth peer name "$P-rt-c" netns "$RT"
  ip -n "$SRV" addr add "$SERVER/30" dev "$P-srv"
  ip -n "$RT" addr add 10.77.0.2/30 dev "$P-rt-s"
  ip -n "$RT" addr add 10.77.1.1/24 dev "$P-rt-c"
  ip -n "$NS" addr add "$RELAY/24" dev "$P-cl"
  for l in "$SRV:$P-srv" "$RT:$P-rt-s" "$RT:$P-rt-c" "$NS:$P-cl"; do ip -n "${l%%:*}" link set "${l#*:}" up; done
  ip -n "$SRV" route add 10.77.1.0/24 via 10.77.0.2
  ip -n "$NS" route add default via 10.77.1.1
  ip netns exec "$RT" sysctl -qw net.ipv4.ip_forward=1
  # The first rule only counts the UDP the router forwards; the second drops PCT % of it.
  ip netns exec "$RT" iptables -A FORWARD -p udp
  if [ -n "$LOSS" ]; then
    ip netns exec "$RT" iptables -A FORWARD -p udp -m statistic --mode random \
      --probability "$(awk -v p="$LOSS" 'BEGIN {printf "%.4f", p / 100}')" -j DROP
  fi
fi
mkdir -p "$WORK"
if [ -n "$IMAGE" ]; then
  REPO=storm/os
  REF=127.0.0.1:5000/$REPO:1
  ARGS+=(--image "$REF" --kernel "$WORK/image/boot/vmlinuz" --initrd "$WORK/image/boot/initrd.img" --targets bootferry)
  registry_start "$WORK/registry" 127.0.0.1:5000 ip netns exec "$SRV"
  mkdir -p "$WORK/image/boot"
  head -c "$((KERNEL_MIB * 1048576))" /dev/urandom >"$WORK/image/boot/vmlinuz"
  head -c "$((INITRD_MIB * 1048576))" /dev/urandom >"$WORK/image/boot/initrd.img"
  boot_files() { cp -r "$WORK/image/boot" "$1/"; }  # BootStorm's --image paths: /boot/vmlinuz, /boot/initrd.img
  oci_new "$WORK/layout" >/dev/null
  oci_layer "$WORK/layout" boot_files
  oci_push "$WORK/layout" "$REF" ip netns exec "$SRV"
  echo "image $REF pushed to the registry in namespace $SRV (kernel $KERNEL_MIB MiB, initrd $INITRD_MIB MiB, one layer)"
else
  ARGS+=(--kernel-mib "$KERNEL_MIB" --initrd-mib "$INITRD_MIB")
fi
echo "host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(dnsmasq --version | head -1), $(nginx -v 2>&1)"
echo "load average at the start: $(cat /proc/loadavg)"
# Datagrams each UDP socket dropped at a full receive buffer (the last column of /proc/net/udp*), sampled
# every 2 s while the storm runs (a transfer's socket lives seconds): "process port drops" per socket, so
# that drops by the generator and by the servers tell apart.
udp_drops() { # NAMESPACE...
  set +e +o pipefail  # a sampler, in a subshell of its own: a socket gone mid-read is no error
  local ns pid dropping name
  while :; do
    for ns in "$@"; do
      dropping=$(ip netns exec "$ns" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
        awk 'function hex(h,  i, n) {for (i = 1; i <= length(h); i++) n = n * 16 + index("0123456789ABCDEF", substr(h, i, 1)) - 1; return n}
          $NF ~ /^[0-9]+$/ && $NF > 0 {n = split($2, a, ":"); print $10, hex(a[n]), $NF}')
      [ -n "$dropping" ] || continue
      for pid in $(ip netns pids "$ns"); do
        name=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -o 'BootStorm\|bootferry.jar\|dnsmasq\|nginx' | head -1)
        find "/proc/$pid/fd" -lname 'socket:*' -printf "%l ${name:-pid$pid}\n" 2>/dev/null
      done | sed 's/^socket:\[\([0-9]*\)\]/\1/' | awk -v d="$dropping" 'BEGIN {n = split(d, l, "\n"); for (i = 1; i <= n; i++) {split(l[i], f, " "); port[f[1]] = f[2]; drops[f[1]] = f[3]}}
        $1 in drops {print $2, port[$1], drops[$1], $1}'
    done
    sleep 2
  done
}
# The generator holds a socket per TFTP transfer and per HTTP request of every machine at once.
ulimit -n "$(ulimit -Hn)"
udp_drops $(printf '%s\n' "$NS" "$SRV" | sort -u) >"$WORK/udp-drops" &
SAMPLER=$!
set +e
ip netns exec "$NS" java -Xss256k -cp "$CP" org.bootferry.storm.BootStorm --clients "$CLIENTS" --dir "$WORK" \
  --jar target/bootferry.jar --json "target/storm/storm-$CLIENTS$VARIANT.json" "${ARGS[@]}"
rc=$?
kill "$SAMPLER"
SAMPLER=
echo "UDP sockets that dropped datagrams at a full receive buffer (process, local port: most drops seen; both runs):"
sort -k4,4 -k3,3nr "$WORK/udp-drops" | awk '!seen[$4]++' | sort -k3,3nr |
  awk '{n[$1 " :" $2] += $3; s[$1 " :" $2]++} END {for (k in n) print "  " k ": " n[k] " dropped (" s[k] " socket(s))"}' | sort -t: -k3,3nr | head -12
echo "load average at the end: $(cat /proc/loadavg)"
echo "kernel counters (UdpRcvbufErrors: datagrams dropped at full receive buffers; ListenOverflows: connections dropped at a full accept queue):"
for ns in $(printf '%s\n' "$NS" "$SRV" | sort -u); do
  echo "  namespace $ns:"
  ip netns exec "$ns" nstat -az 2>/dev/null | grep -E 'Udp(InDatagrams|RcvbufErrors|InErrors|SndbufErrors)|TcpExtListen(Overflows|Drops)|TcpExtTCPTimeouts|TcpRetransSegs' | sed 's/^/    /'
done
if [ -n "$ROUTED" ]; then
  echo "router $RT, FORWARD chain (packets bytes; first rule: all UDP forwarded, second: UDP dropped):"
  ip netns exec "$RT" iptables -L FORWARD -v -x -n | sed 's/^/    /'
fi
if [ -n "$IMAGE" ]; then
  read -r manifests blobs < <(registry_pulls "$WORK/registry" "$REPO")
  echo "registry access log for $REPO: $manifests manifest GET(s), $blobs blob GET(s) (config + 1 layer = 2 blobs is one pull)"
  grep -c . "$WORK/registry/access.log" | sed 's/^/  requests in the access log: /'
fi
exit $rc
