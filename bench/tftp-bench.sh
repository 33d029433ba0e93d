#!/bin/sh
# TFTP throughput: bootferry against tftp-hpa's in.tftpd on loopback, serving the same 32 MiB file.
#   bench/tftp-bench.sh            (as root: installs curl, atftp, tftpd-hpa and gcc if missing)
# Prints MB/s per scenario and bootferry/tftp-hpa ratios, and the CPU time each server and the client
# spent per transfer (a cpuacct cgroup each: in.tftpd's forked children included, nothing added to
# their paths), which load from elsewhere on the machine moves far less than MB/s. A third server,
# bench/tftpmin.c (one transfer at a time, the least work per window), shows how fast each client
# lets any server go. Each scenario runs under three CPU placements (PLACEMENTS, default
# "free same split"): free = wherever the scheduler puts them; same = servers and client on cpu 0,
# so a round trip costs CPU and no wake-up of another CPU; split = servers on cpu 0, client on cpu 1,
# so every packet wakes the other CPU, as a packet from a NIC would. Not a test: figures go to
# docs/benchmarks.md.
set -eu

cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/bft-bench.XXXXXX)
ROOT=$WORK/root
HPA_PORT=${HPA_PORT:-16969}
BF_PORT=${BF_PORT:-16970}
MIN_PORT=${MIN_PORT:-16971}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-200}
PLACEMENTS=${PLACEMENTS:-free same split}
CLIENT_CPUS=0-$(($(nproc) - 1))
SIZE_MIB=32
PIDS=""
CGROUPS=/sys/fs/cgroup/cpuacct

cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for g in hpa bf client; do rmdir "$CGROUPS/bft-$g" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
need curl curl
need atftp atftp
# tftpd-hpa's postinst does not start the service in containers with policy-rc.d; we start in.tftpd by hand.
need in.tftpd tftpd-hpa
need gcc gcc
[ -f "$CGROUPS/cpuacct.usage" ] || { echo "needs the cgroup v1 cpuacct controller at $CGROUPS for CPU accounting" >&2; exit 1; }
for g in hpa bf client; do mkdir -p "$CGROUPS/bft-$g"; done
# CPU milliseconds used so far by a group's processes, their children included.
cpu_ms() { echo $(( $(cat "$CGROUPS/bft-$1/cpuacct.usage") / 1000000 )); }

mkdir -p "$ROOT"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$ROOT/bench.bin"
chmod 755 "$WORK" "$ROOT"; chmod 644 "$ROOT/bench.bin"
SHA=$(sha256sum < "$ROOT/bench.bin" | cut -d' ' -f1)

# tftp-hpa, standalone (-L) in the foreground on a high port, chrooted to the root (-s).
/usr/sbin/in.tftpd -L -s -u tftp -a "127.0.0.1:$HPA_PORT" "$ROOT" &
HPA_PID=$!
PIDS="$PIDS $HPA_PID"
echo "$HPA_PID" > "$CGROUPS/bft-hpa/cgroup.procs"
sleep 0.5
kill -0 "$HPA_PID" 2>/dev/null || { echo "in.tftpd did not start (is port $HPA_PORT free?)" >&2; exit 1; }

mkdir -p target
gcc -O2 -Wall -o target/tftpmin bench/tftpmin.c
target/tftpmin "$ROOT" 127.0.0.1 "$MIN_PORT" > "$WORK/tftpmin.log" &
MIN_PID=$!
PIDS="$PIDS $MIN_PID"

mvn -q -B test-compile >/dev/null
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
java -Xms512m -Xmx512m -cp "target/classes:target/test-classes:$(cat "$WORK/cp.txt")" \
    org.bootferry.tftp.TftpBenchServer "$ROOT" 127.0.0.1 "$BF_PORT" > "$WORK/bootferry.log" 2>&1 &
BF_PID=$!
PIDS="$PIDS $BF_PID"
echo "$BF_PID" > "$CGROUPS/bft-bf/cgroup.procs"
for _ in $(seq 100); do grep -q listening "$WORK/bootferry.log" && break; sleep 0.2; done
grep listening "$WORK/bootferry.log"

now() { date +%s.%N; }

in_group() { # group command...
    group=$1; shift
    sh -c 'echo $$ > "$0"; exec "$@"' "$CGROUPS/bft-$group/cgroup.procs" "$@"
}

# One transfer: prints seconds, or fails when the content is wrong.
fetch() { # port client...
    port=$1; shift
    out=$WORK/out.$$
    rm -f "$out"
    start=$(now)
    # The client runs in its own group: its CPU per transfer tells which side is the bottleneck.
    case $1 in
        curl) in_group client taskset -c "$CLIENT_CPUS" curl -sS --tftp-blksize 1468 -o "$out" "tftp://127.0.0.1:$port/bench.bin" ;;
        atftp) in_group client taskset -c "$CLIENT_CPUS" atftp --option "blksize 1468" --option "windowsize $2" -g -r bench.bin -l "$out" 127.0.0.1 "$port" >/dev/null 2>&1 ;;
    esac
    end=$(now)
    [ "$(sha256sum < "$out" | cut -d' ' -f1)" = "$SHA" ] || { echo "corrupt transfer from port $port" >&2; exit 1; }
    echo "$end - $start" | bc -l
}

# MB/s (MiB/s) of the best of $RUNS runs for each server, runs alternating between the servers so
# that load from elsewhere on the machine hits them alike; then the mean CPU ms per transfer of each
# server and of the client against each. Prints "MB/s-hpa MB/s-bf MB/s-min cpu-hpa cpu-bf client-hpa client-bf".
best() { echo "if ($1 < $2) $1 else $2" | bc -l; }
pair() { # client...
    best_hpa=999999; best_bf=999999; best_min=999999; cpu_hpa=0; cpu_bf=0; client_hpa=0; client_bf=0
    for _ in $(seq "$RUNS"); do
        a=$(cpu_ms hpa); c=$(cpu_ms client)
        best_hpa=$(best "$(fetch "$HPA_PORT" "$@")" "$best_hpa")
        cpu_hpa=$((cpu_hpa + $(cpu_ms hpa) - a)); client_hpa=$((client_hpa + $(cpu_ms client) - c))
        a=$(cpu_ms bf); c=$(cpu_ms client)
        best_bf=$(best "$(fetch "$BF_PORT" "$@")" "$best_bf")
        cpu_bf=$((cpu_bf + $(cpu_ms bf) - a)); client_bf=$((client_bf + $(cpu_ms client) - c))
        best_min=$(best "$(fetch "$MIN_PORT" "$@")" "$best_min")
    done
    echo "$(mbs "$best_hpa") $(mbs "$best_bf") $(mbs "$best_min")" \
        $((cpu_hpa / RUNS)) $((cpu_bf / RUNS)) $((client_hpa / RUNS)) $((client_bf / RUNS))
}
mbs() { echo "scale=1; $SIZE_MIB / $1" | bc -l; }

# Pins the servers and says where the client runs (see the top of this file).
place() { # free|same|split
    all=0-$(($(nproc) - 1))
    case $1 in
        free) servers=$all; CLIENT_CPUS=$all ;;
        same) servers=0; CLIENT_CPUS=0 ;;
        split) servers=0; CLIENT_CPUS=1 ;;
        *) echo "unknown placement '$1' (free, same, split)" >&2; exit 2 ;;
    esac
    # in.tftpd forks a process per transfer, which inherits the listener's CPUs.
    for pid in $HPA_PID $BF_PID $MIN_PID; do taskset -a -p -c "$servers" "$pid" >/dev/null; done
}

# $CLIENTS curl clients at once; prints total MB/s and the number of failed or corrupt transfers.
storm() { # port
    port=$1
    rm -rf "$WORK/storm"; mkdir -p "$WORK/storm"
    pids=""
    start=$(now)
    i=0
    while [ $i -lt "$CLIENTS" ]; do
        curl -sS --tftp-blksize 1468 --max-time 600 -o "$WORK/storm/$i" "tftp://127.0.0.1:$port/bench.bin" 2>/dev/null &
        pids="$pids $!"
        i=$((i + 1))
    done
    for pid in $pids; do wait "$pid" || true; done
    end=$(now)
    ok=$(sha256sum "$WORK"/storm/* 2>/dev/null | grep -c "^$SHA" || true)
    rm -rf "$WORK/storm"
    echo "$(echo "scale=1; $ok * $SIZE_MIB / ($end - $start)" | bc -l) $((CLIENTS - ok))"
}

ratio() { echo "scale=2; $1 / $2" | bc -l; }

echo "file: $SIZE_MIB MiB, best of $RUNS alternating runs, loopback, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
FORMAT='%-36s %9s %9s %6s %9s %9s %9s %11s %11s\n'
row() { # scenario MB/s-hpa MB/s-bf MB/s-min cpu-hpa cpu-bf client-hpa client-bf
    printf "$FORMAT" "$1" "$2" "$3" "$(ratio "$3" "$2")" "$4" "$5" "$6" "$7" "$8"
}
# The JIT compiles bootferry's lock-step and windowed paths during these; they count in no figure.
for _ in 1 2 3 4 5; do fetch "$BF_PORT" curl >/dev/null; done
for _ in $(seq 20); do fetch "$BF_PORT" atftp 64 >/dev/null; done
for placement in $PLACEMENTS; do
    place "$placement"
    echo
    echo "placement $placement: servers on cpu $servers, client on cpu $CLIENT_CPUS"
    printf "$FORMAT" "scenario (MB/s; CPU ms per transfer)" "tftp-hpa" "bootferry" "ratio" "tftpmin" "cpu hpa" "cpu bf" "client(hpa)" "client(bf)"
    set -- $(pair curl); hpa_curl=$1; row "curl lock-step, blksize 1468" "$@"
    set -- $(pair atftp 16); bf_w16=$2; min_w16=$3; row "atftp windowsize 16, blksize 1468" "$@"
    set -- $(pair atftp 64); bf_w64=$2; min_w64=$3; row "atftp windowsize 64, blksize 1468" "$@"
    echo "windowed vs tftp-hpa lock-step (curl): bootferry windowsize 16 $(ratio "$bf_w16" "$hpa_curl"), windowsize 64 $(ratio "$bf_w64" "$hpa_curl");" \
        "tftpmin $(ratio "$min_w16" "$hpa_curl"), $(ratio "$min_w64" "$hpa_curl")"
done
echo "(tftp-hpa 5.2 has no windowsize, RFC 7440: atftp's windowed requests run lock-step there)"
place free
echo
set -- $(storm "$HPA_PORT"); hpa_storm=$1; hpa_fail=$2
set -- $(storm "$BF_PORT"); bf_storm=$1; bf_fail=$2
printf "$FORMAT" "$CLIENTS concurrent curl, total (free)" "$hpa_storm" "$bf_storm" "$(ratio "$bf_storm" "$hpa_storm")"
printf "$FORMAT" "$CLIENTS concurrent curl, failed" "$hpa_fail" "$bf_fail"
