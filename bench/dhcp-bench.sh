#!/bin/bash
# ProxyDHCP benchmark: DISCOVER -> OFFER answers/s and p50/p99 latency on loopback, bootferry vs
# dnsmasq (dhcp-range=...,proxy), one generator, one run. Needs root (a network namespace of its own,
# so ports 67/68 are free) and dnsmasq (Debian package dnsmasq-base).
# usage: bench/dhcp-bench.sh [SECONDS] [WINDOW]     (defaults: 10 s, 32 DISCOVERs in flight)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-10}
WINDOW=${2:-32}
NS=bfd-bench
command -v dnsmasq >/dev/null || { echo "dnsmasq missing: apt-get install dnsmasq-base" >&2; exit 2; }
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
trap 'ip netns del "$NS"' EXIT
ip -n "$NS" link set lo up
echo "host: $(nproc) cores, $(java -version 2>&1 | head -1), dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}')"
# bootferry logs as in production (src/main/resources/logback.xml, not the tests' logback-test.xml);
# its log goes to a file here.
ip netns exec "$NS" env BOOTFERRY_LOG_LEVEL=${BOOTFERRY_LOG_LEVEL:-INFO} java \
  -Dlogback.configurationFile=src/main/resources/logback.xml ${JAVA_OPTS:-} -cp "$CP" org.bootferry.dhcp.DhcpBench "$SECONDS_" "$WINDOW" 2> target/dhcp-bench.log
