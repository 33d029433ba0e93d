#!/bin/sh
# Runs bootferry on the embedded default (config/, tftproot/) on a fresh machine: installs what the
# server needs when missing (as root: apt-get), builds the jar, and serves. Extra arguments go to
# `bootferry serve`, e.g. scripts/run.sh --advertise 192.0.2.10 --http-port 8081
# The shipped config answers no unknown machine; serve prints "status page: http://…/" once it listens,
# and that page lists every machine that network-boots without a machine file, with how to adopt it.
set -eu
cd "$(dirname "$0")/.."
missing=''
for pkg in openjdk-17-jdk-headless maven ipxe; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $pkg"
done
# A JDK and Maven that came some other way are fine too.
if [ -n "$missing" ] && command -v java >/dev/null && command -v mvn >/dev/null; then
    missing=$(echo "$missing" | sed 's/openjdk-17-jdk-headless//; s/maven//')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "run: missing:$missing -- run as root, or install them" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The jar is rebuilt when a source is newer; the class-data sharing archive (about half the start
# time) when the JVM can't use it for this jar and JRE (scripts/cds-archive.sh says why).
if [ ! -f target/bootferry.jar ] || [ -n "$(find pom.xml src -newer target/bootferry.jar -print -quit)" ]; then
    mvn -B -q package -DskipTests
fi
java -Xshare:on -XX:SharedArchiveFile=target/bootferry.jsa -cp target/bootferry.jar -version >/dev/null 2>&1 \
    || bash scripts/cds-archive.sh target/bootferry.jar target/bootferry.jsa
exec java -Xmx384m -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=target/bootferry.jsa -jar target/bootferry.jar serve "$@"
