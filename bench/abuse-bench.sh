#!/bin/bash
# Threads, fds and RSS of bootferry under 2,000 requests waiting for an image pull, trickling HTTP
# connections and silent TFTP sessions (issue 18): bench/abuse-bench.sh [CLASSES_DIR] [TRICKLE_N]
# CLASSES_DIR: the build to measure (default target/classes; give another checkout's to compare).
# Needs root for TFTP on a port of its own? No: every port here is unprivileged.
set -euo pipefail
cd "$(dirname "$0")/.."
CLASSES=${1:-target/classes}
TRICKLE=${2:-19000}
WORK=$(mktemp -d /tmp/abuse-bench.XXXXXX)
HTTP=18780; TFTP=18769; REGISTRY=18790
mvn -o -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp" >/dev/null
mkdir -p "$WORK/config/machines" "$WORK/tftproot"
head -c 65536 /dev/urandom > "$WORK/tftproot/vmlinuz"
cat > "$WORK/config/server.yaml" <<EOF
bind: 127.0.0.1
advertise: 127.0.0.1
httpPort: $HTTP
tftpPort: $TFTP
dhcp: false
tftpRoot: $WORK/tftproot
cache: $WORK/cache
state: $WORK/state
images:
  insecureRegistries: [127.0.0.1:$REGISTRY]
  pullTimeout: 600
EOF
cat > "$WORK/config/machines/52-54-00-ab-00-01.yaml" <<EOF
kernelBoot:
  container:
    image: 127.0.0.1:$REGISTRY/slow/kernel:1
    kernelPath: /boot/vmlinuz
EOF
# A registry far away: it takes the connection and never answers, so the one pull never ends.
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $REGISTRY)); s.listen(64); time.sleep(100000)" &
REG_PID=$!
trap 'kill $REG_PID $SERVER_PID 2>/dev/null || true' EXIT
for mode in ${MODES:-waiting trickle tftp}; do
  case $mode in waiting) n=2000 ;; trickle) n=$TRICKLE ;; tftp) n=3000 ;; esac
  java -Xss256k -cp "$CLASSES:$(cat "$WORK/cp")" org.bootferry.cli.Main serve --config "$WORK/config" \
    > "$WORK/server-$mode.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q "listening tftp" "$WORK/server-$mode.log" && break; sleep 0.2; done
  echo "== $mode, N = $n, $CLASSES"
  python3 bench/abuse-bench.py "$SERVER_PID" "$HTTP" "$TFTP" "$mode" "$n"
  echo "server log lines: $(wc -l < "$WORK/server-$mode.log")"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
done
echo "work: $WORK (logs kept)"
