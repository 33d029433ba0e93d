#!/bin/bash
# HTTP throughput: bootferry against nginx (Debian's, sendfile and tcp_nopush on as Debian ships them)
# on loopback, the same files, one load generator (wrk), in the same run.
#   bench/http-bench.sh [SECONDS] [RUNS]        (defaults 30 s, 3 runs; as root it installs wrk and
#                                                nginx-light if missing)
# 30 s, so that each of 1,000 connections receives a whole initrd in a round (64 MiB at the ~2 GiB/s
# both servers reach here takes each ~30 s): a 10 s round ended before any had its first.
# Scenarios, each as `wrk -t2 -cC -dS`: the 64 MiB initrd with 64 connections, the ~300-byte iPXE
# script with 64 connections, and both again with 1,000 connections. nginx serves a static copy of the
# script bootferry renders for the machine (bootferry renders it per request, as it does for machines).
# Prints requests/s and MiB/s for each server, bootferry/nginx ratios (the initrd's by MiB/s), and the
# CPU each server spent per GiB served (also split into user and system time) and per 1,000 requests (a
# cpuacct cgroup each, nginx's workers included), which load from elsewhere on the machine moves far less
# than throughput, and the share of bootferry's that its JIT compiler threads took. Beside them, the CPU
# the load generator spent for the same work (its own cgroup) and the server's share of all the CPU the
# machine was busy with in the round (/proc/stat): with both cores busy, throughput is the cores'
# time over the machine's CPU per GiB, so a server can gain on another at most its own share of that.
# The servers alternate within each run.
# bootferry runs with the systemd unit's heap bound (-Xmx384m); JAVA_OPTS adds options.
# JAR=path runs that build of bootferry instead of building target/bootferry.jar. WARMUP=S (default 0)
# first runs each scenario's load against each server for S seconds, unmeasured: a JVM compiles its hot
# paths in the first seconds, slower on a loaded machine. CONTROL=1 puts a second nginx, configured as
# the first, in bootferry's place (same port, URLs and cgroup): an A/A run, whose ratios show how far
# two identical servers land apart on this machine. Not a test: figures go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-30}
RUNS=${2:-3}
JAR=${JAR:-}
WARMUP=${WARMUP:-0}
CONTROL=${CONTROL:-0}
BF_PORT=${BF_PORT:-17180}
NGINX_PORT=${NGINX_PORT:-17181}
MAC=52-54-00-be-00-01
CGROUPS=/sys/fs/cgroup/cpuacct
need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
need wrk wrk
need nginx nginx-light
[ -f "$CGROUPS/cpuacct.usage" ] || { echo "needs the cgroup v1 cpuacct controller at $CGROUPS for CPU accounting" >&2; exit 1; }
[ -n "$JAR" ] || { mvn -q -B -DskipTests package >/dev/null; JAR=target/bootferry.jar; }

WORK=$(mktemp -d /tmp/bfh-bench.XXXXXX)
PIDS=""
# One pair of groups per run (its PID in the names): two runs at once count only their own servers.
GROUP=bfh-$$
cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    # A group can be removed once its last process has exited: the JVM takes a while to stop.
    for g in bf nginx wrk; do
        for _ in $(seq 100); do [ -n "$(cat "$CGROUPS/$GROUP-$g/cgroup.procs" 2>/dev/null)" ] || break; sleep 0.1; done
        rmdir "$CGROUPS/$GROUP-$g" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
for g in bf nginx wrk; do mkdir -p "$CGROUPS/$GROUP-$g"; done
cpu_ms() { echo $(( $(cat "$CGROUPS/$GROUP-$1/cpuacct.usage") / 1000000 )); }
# Clock ticks in user and in system mode, "USER SYSTEM": the system part is the kernel's work for the
# bytes (sendfile, TCP, loopback), the same for any server sending them; what a server can save is its
# user time. (cpuacct.usage_sys is tick-based and can exceed the exact cpuacct.usage: split by ticks.)
ticks() { awk '{printf "%s ", $2}' "$CGROUPS/$GROUP-$1/cpuacct.stat"; }
# Ms the whole machine was busy (proc(5): every column of the cpu line but idle and iowait), all cores.
busy_ms() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {print int(($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz)}' /proc/stat; }
# CPU ms of bootferry's JIT compiler threads (C1 and C2): the part of its CPU that compiles code, not runs it.
jit_ms() {
    local ticks=0 task
    for task in /proc/"$BF_PID"/task/*; do
        case "$(cat "$task/comm" 2>/dev/null)" in
            # utime and stime (proc(5): fields 14 and 15) counted after the command name's ')', for
            # the name ("C2 CompilerThre") holds a space and shifts awk's fields by one.
            C1\ Compiler*|C2\ Compiler*) ticks=$(( ticks + $(sed 's/.*) //' "$task/stat" 2>/dev/null \
                | awk '{print $12 + $13}' || echo 0) )) ;;
        esac
    done
    echo $(( ticks * 1000 / $(getconf CLK_TCK) ))
}
ulimit -n "$(ulimit -Hn)"

# bootferry: one machine whose kernel and initrd are local files, static URLs (access: open).
mkdir -p "$WORK/config/machines" "$WORK/tftproot" "$WORK/www/boot/$MAC"
head -c 10M /dev/urandom > "$WORK/config/vmlinuz"
# One file, one inode, for both servers: the same page cache. Copies written differently are not the
# same to sendfile: a file written in small writes (head's) is cached in 4 KiB pages, one written in
# large writes (cp's) in large folios, and each page costs sendfile a page-cache lookup. With
# bootferry's initrd from head and nginx's a cp of it, bootferry's loops spent 28 % of their samples
# in filemap_get_read_batch and nginx's workers 8 %, 25-35 % more system time per GiB (docs/benchmarks.md).
head -c 64M /dev/urandom > "$WORK/initrd.written"
cp "$WORK/initrd.written" "$WORK/config/initrd.img"
rm "$WORK/initrd.written"
printf 'access: open\nkernelBoot:\n  files: {kernel: vmlinuz, initrd: initrd.img}\n  kernelArgs: console=ttyS0\n' \
    > "$WORK/config/machines/$MAC.yaml"
printf 'state: %s\ndhcp: false\nhttp: {maxConnections: 100000, maxConnectionsPerClient: 100000}\n' "$WORK/state" \
    > "$WORK/config/server.yaml"
# Each server joins its group before it starts: what it forks (nginx's workers) is counted too.
in_group() { local g=$1; shift; echo "$BASHPID" > "$CGROUPS/$GROUP-$g/cgroup.procs"; exec "$@"; }
in_group bf java -Xmx384m -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$JAR" serve --config "$WORK/config" \
    --tftp-root "$WORK/tftproot" --cache "$WORK/cache" --bind 127.0.0.1 --advertise 127.0.0.1 \
    --http-port "$BF_PORT" --tftp-port 0 > "$WORK/bootferry.log" 2>&1 &
BF_PID=$!
PIDS="$PIDS $BF_PID"
for _ in $(seq 150); do grep -q '^advertising' "$WORK/bootferry.log" && break; sleep 0.2; done
grep -q '^advertising' "$WORK/bootferry.log" || { cat "$WORK/bootferry.log" >&2; exit 1; }
BF=http://127.0.0.1:$BF_PORT
curl -fsS "$BF/boot.ipxe?mac=$MAC" > "$WORK/www/boot.ipxe"
ln "$WORK/config/initrd.img" "$WORK/www/boot/$MAC/initrd"
cmp -s <(curl -fsS "$BF/boot/$MAC/initrd") "$WORK/www/boot/$MAC/initrd" || { echo "bootferry's initrd differs" >&2; exit 1; }

# nginx: Debian's defaults that matter for file serving, on the same loopback address.
nginx_conf() { # PORT NAME: a configuration listening on PORT, its pid and error log named NAME
    cat <<CONF
worker_processes auto;
pid $WORK/$2.pid;
error_log $WORK/$2-error.log;
events { worker_connections 4096; }
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$1;
        root $WORK/www;
    }
}
CONF
}
chmod -R a+rX "$WORK"
nginx_conf "$NGINX_PORT" nginx > "$WORK/nginx.conf"
in_group nginx nginx -c "$WORK/nginx.conf" -g 'daemon off; worker_rlimit_nofile 65536;' &
NGINX_PID=$!
PIDS="$PIDS $NGINX_PID"
sleep 0.5
NG=http://127.0.0.1:$NGINX_PORT
cmp -s <(curl -fsS "$NG/boot/$MAC/initrd") "$WORK/www/boot/$MAC/initrd" || { echo "nginx does not serve the initrd" >&2; exit 1; }
CANDIDATE=bootferry
if [ "$CONTROL" = 1 ]; then
    # The A/A run: bootferry has rendered the script nginx serves; a second nginx takes its port and group.
    kill "$BF_PID"
    while kill -0 "$BF_PID" 2>/dev/null; do sleep 0.1; done
    nginx_conf "$BF_PORT" nginx2 > "$WORK/nginx2.conf"
    in_group bf nginx -c "$WORK/nginx2.conf" -g 'daemon off; worker_rlimit_nofile 65536;' &
    BF_PID=$!
    PIDS="$PIDS $BF_PID"
    sleep 0.5
    cmp -s <(curl -fsS "$BF/boot/$MAC/initrd") "$WORK/www/boot/$MAC/initrd" || { echo "nginx2 does not serve the initrd" >&2; exit 1; }
    CANDIDATE=nginx2
fi
echo "script: $(wc -c < "$WORK/www/boot.ipxe") bytes; bootferry $(java -version 2>&1 | head -1); $(nginx -v 2>&1)"

# One wrk run: "requests/s MiB/s cpu-ms sys-ms jit-ms wrk-ms busy-ms" for server $1 at URL $2 with $3
# connections (sys-ms the part of cpu-ms in system mode, jit-ms bootferry's compiler threads, 0 for
# nginx, wrk-ms the load generator's CPU, busy-ms the whole machine's).
measure() {
    local before after ticks_before ticks_after jit_before=0 jit_after=0 out rps bytes errs sys wrk_before busy_before
    [ "$1" = bf ] && jit_before=$(jit_ms)
    before=$(cpu_ms "$1")
    ticks_before=$(ticks "$1")
    wrk_before=$(cpu_ms wrk)
    busy_before=$(busy_ms)
    out=$(in_group wrk wrk -t2 -c"$3" -d"${SECONDS_}s" --timeout 60s "$2")
    after=$(cpu_ms "$1")
    ticks_after=$(ticks "$1")
    sys=$(awk -v b="$ticks_before" -v a="$ticks_after" -v c=$(( after - before )) 'BEGIN {split(b, x); split(a, y);
        u = y[1] - x[1]; s = y[2] - x[2]; printf "%.0f", (u + s > 0 ? c * s / (u + s) : 0)}')
    [ "$1" = bf ] && jit_after=$(jit_ms)
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    bytes=$(awk '/^Transfer\/sec:/ {v=$2; u=substr(v, length(v)-1); n=v+0;
        if (u=="GB") n*=1024; else if (u=="KB") n/=1024; else if (u!="MB") n/=1048576; print n}' <<<"$out")
    errs=$(grep -o 'Non-2xx or 3xx responses: [0-9]*\|Socket errors:.*' <<<"$out" | tr '\n' ' ' || true)
    echo "$rps $bytes $(( after - before )) $sys $(( jit_after - jit_before )) $(( $(cpu_ms wrk) - wrk_before )) \
        $(( $(busy_ms) - busy_before )) ${errs:-}"
}

if [ "$WARMUP" -gt 0 ]; then
    # Every scenario's own load: 1,000 connections opened, served and reset at once take paths (and a
    # JIT's compilations) that 64 never reach.
    for conns in 64 1000; do
        for url in "$BF/boot/$MAC/initrd" "$BF/boot.ipxe?mac=$MAC" "$NG/boot/$MAC/initrd" "$NG/boot.ipxe"; do
            wrk -t2 -c"$conns" -d"${WARMUP}s" --timeout 60s "$url" >/dev/null
        done
    done
fi
# user+sys: the initrd's CPU per GiB, the script's per 1,000 requests, in user and in system mode; wrk:
# the load generator's in the same unit; share: the server's part of the machine's busy CPU
printf '%-26s %-9s %12s %10s %12s %12s %12s %8s %7s %6s  %s\n' scenario server 'requests/s' 'MiB/s' 'CPU ms/GiB' \
    'CPU ms/1k req' 'user+sys' 'JIT CPU' wrk share errors
for run in $(seq "$RUNS"); do
    for scenario in "initrd 64" "script 64" "initrd 1000" "script 1000"; do
        set -- $scenario
        path=/boot/$MAC/initrd
        [ "$1" = script ] && path="/boot.ipxe?mac=$MAC"
        nginx_path=$path
        [ "$1" = script ] && nginx_path=/boot.ipxe
        declare -A rate
        for server in "$CANDIDATE" nginx; do
            if [ "$server" = "$CANDIDATE" ]; then url=$BF$path; group=bf; else url=$NG$nginx_path; group=nginx; fi
            read -r rps mib cpu sys jit gen busy errs < <(measure "$group" "$url" "$2")
            # The initrd's ratio is by bytes: with 1,000 connections a round completes only a few dozen.
            rate[$server]=$rps
            [ "$1" = initrd ] && rate[$server]=$mib
            # JIT CPU: the share of bootferry's CPU its compiler threads took (nginx compiles nothing).
            awk -v s="run $run $1 -c$2" -v n="$server" -v r="$rps" -v m="$mib" -v c="$cpu" -v y="$sys" -v j="$jit" \
                -v g="$gen" -v b="$busy" -v t="$SECONDS_" -v e="$errs" \
                -v per="$([ "$1" = initrd ] && echo GiB || echo req)" 'BEGIN {
                 gib = m * t / 1024; k = r * t / 1000; d = (per == "GiB" ? gib : k)
                 printf "%-26s %-9s %12.0f %10.1f %12.0f %12.2f %12s %8s %7s %6s  %s\n", s, n, r, m, (gib > 0 ? c / gib : 0),
                 (k > 0 ? c / k : 0), (d > 0 ? sprintf("%.1f+%.1f", (c - y) / d, y / d) : "-"),
                 (n != "bootferry" ? "-" : sprintf("%.1f %%", c > 0 ? 100 * j / c : 0)),
                 (d > 0 ? sprintf("%.0f", g / d) : "-"), (b > 0 ? sprintf("%.0f %%", 100 * c / b) : "-"), e}'
        done
        awk -v a="${rate[$CANDIDATE]}" -v b="${rate[nginx]}" -v s="run $run $1 -c$2" -v c="$CANDIDATE" \
            -v by="$([ "$1" = initrd ] && echo MiB/s || echo requests/s)" \
            'BEGIN {printf "%-26s ratio %s/nginx: %.2fx by %s\n", s, c, (b > 0 ? a / b : 0), by}'
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
