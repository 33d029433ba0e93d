#!/bin/sh
# TFTP throughput: bootferry against tftp-hpa's in.tftpd on loopback, serving the same 32 MiB file.
#   bench/tftp-bench.sh            (as root: installs curl, atftp, tftpd-hpa if missing)
# Prints MB/s per scenario and bootferry/tftp-hpa ratios. Not a test: figures go to docs/benchmarks.md.
set -eu

cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/bft-bench.XXXXXX)
ROOT=$WORK/root
HPA_PORT=${HPA_PORT:-16969}
BF_PORT=${BF_PORT:-16970}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-200}
SIZE_MIB=32
PIDS=""

cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
need curl curl
need atftp atftp
# tftpd-hpa's postinst does not start the service in containers with policy-rc.d; we start in.tftpd by hand.
need in.tftpd tftpd-hpa

mkdir -p "$ROOT"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$ROOT/bench.bin"
chmod 755 "$WORK" "$ROOT"; chmod 644 "$ROOT/bench.bin"
SHA=$(sha256sum < "$ROOT/bench.bin" | cut -d' ' -f1)

# tftp-hpa, standalone (-L) in the foreground on a high port, chrooted to the root (-s).
/usr/sbin/in.tftpd -L -s -u tftp -a "127.0.0.1:$HPA_PORT" "$ROOT" &
HPA_PID=$!
PIDS="$PIDS $HPA_PID"
sleep 0.5
kill -0 "$HPA_PID" 2>/dev/null || { echo "in.tftpd did not start (is port $HPA_PORT free?)" >&2; exit 1; }

mvn -q -B test-compile >/dev/null
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
java -Xms512m -Xmx512m -cp "target/classes:target/test-classes:$(cat "$WORK/cp.txt")" \
    org.bootferry.tftp.TftpBenchServer "$ROOT" 127.0.0.1 "$BF_PORT" > "$WORK/bootferry.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 100); do grep -q listening "$WORK/bootferry.log" && break; sleep 0.2; done
grep listening "$WORK/bootferry.log"

now() { date +%s.%N; }

# One transfer: prints seconds, or fails when the content is wrong.
fetch() { # port client...
    port=$1; shift
    out=$WORK/out.$$
    rm -f "$out"
    start=$(now)
    case $1 in
        curl) curl -sS --tftp-blksize 1468 -o "$out" "tftp://127.0.0.1:$port/bench.bin" ;;
        atftp) atftp --option "blksize 1468" --option "windowsize $2" -g -r bench.bin -l "$out" 127.0.0.1 "$port" >/dev/null 2>&1 ;;
    esac
    end=$(now)
    [ "$(sha256sum < "$out" | cut -d' ' -f1)" = "$SHA" ] || { echo "corrupt transfer from port $port" >&2; exit 1; }
    echo "$end - $start" | bc -l
}

# Best of $RUNS, in MB/s (MiB/s: 2^20 bytes).
best() { # port client...
    bestsec=999999
    for _ in $(seq "$RUNS"); do
        s=$(fetch "$@")
        bestsec=$(echo "if ($s < $bestsec) $s else $bestsec" | bc -l)
    done
    echo "scale=1; $SIZE_MIB / $bestsec" | bc -l
}

# $CLIENTS curl clients at once; prints total MB/s and the number of failed or corrupt transfers.
storm() { # port
    port=$1
    mkdir -p "$WORK/storm"; rm -f "$WORK/storm/"*
    start=$(now)
    i=0
    while [ $i -lt "$CLIENTS" ]; do
        curl -sS --tftp-blksize 1468 --max-time 300 -o "$WORK/storm/$i" "tftp://127.0.0.1:$port/bench.bin" 2>/dev/null &
        i=$((i + 1))
    done
    wait_clients
    end=$(now)
    ok=$(sha256sum "$WORK"/storm/* 2>/dev/null | grep -c "^$SHA" || true)
    echo "$(echo "scale=1; $ok * $SIZE_MIB / ($end - $start)" | bc -l) $((CLIENTS - ok))"
}

# wait for the curl children only (the servers are children too)
wait_clients() {
    while pgrep -P $$ -x curl >/dev/null; do sleep 0.2; done
}

ratio() { echo "scale=2; $1 / $2" | bc -l; }

echo "file: $SIZE_MIB MiB, best of $RUNS runs, loopback, $(nproc) cores"
hpa_curl=$(best "$HPA_PORT" curl)
bf_curl=$(best "$BF_PORT" curl)
hpa_w16=$(best "$HPA_PORT" atftp 16)
bf_w16=$(best "$BF_PORT" atftp 16)
bf_w64=$(best "$BF_PORT" atftp 64)
set -- $(storm "$HPA_PORT"); hpa_storm=$1; hpa_fail=$2
set -- $(storm "$BF_PORT"); bf_storm=$1; bf_fail=$2

printf '%-40s %12s %12s %8s\n' "scenario (MB/s)" "tftp-hpa" "bootferry" "ratio"
printf '%-40s %12s %12s %8s\n' "curl lock-step, blksize 1468" "$hpa_curl" "$bf_curl" "$(ratio "$bf_curl" "$hpa_curl")"
printf '%-40s %12s %12s %8s\n' "atftp windowsize 16, blksize 1468" "$hpa_w16" "$bf_w16" "$(ratio "$bf_w16" "$hpa_w16")"
printf '%-40s %12s %12s %8s\n' "atftp windowsize 64, blksize 1468" "-" "$bf_w64" "$(ratio "$bf_w64" "$hpa_curl")"
printf '%-40s %12s %12s %8s\n' "$CLIENTS concurrent curl, total" "$hpa_storm" "$bf_storm" "$(ratio "$bf_storm" "$hpa_storm")"
printf '%-40s %12s %12s\n' "$CLIENTS concurrent curl, failed" "$hpa_fail" "$bf_fail"
echo "tftp-hpa 5.2 has no windowsize (RFC 7440): atftp's windowed requests run lock-step there;"
echo "the windowsize 64 ratio is against tftp-hpa's lock-step curl figure."
