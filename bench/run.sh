#!/usr/bin/env bash
# The whole benchmark suite in one command: Cairn and its references (bare Kestrel, nginx, dd,
# moto_server) measured side by side in one run, plus peak memory and the micro-benchmarks. Writes
# the results into docs/benchmarks.md between the "bench:begin" / "bench:end" markers.
#
#   bench/run.sh --quick    a few minutes: shorter timed phases, smaller moto_server populations
#   bench/run.sh            the full run
#
# Options: --no-micro (skip BenchmarkDotNet), --no-docs (print, do not edit docs/benchmarks.md),
#          --keep DIR (keep raw results in DIR).
# Loopback only. Every server this script starts is stopped by its PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=full micro=1 docs=1 keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) mode=quick ;;
        --full) mode=full ;;
        --no-micro) micro=0 ;;
        --no-docs) docs=0 ;;
        --keep) keep=$2; shift ;;
        *) echo "usage: bench/run.sh [--quick|--full] [--no-micro] [--no-docs] [--keep DIR]" >&2; exit 2 ;;
    esac
    shift
done

work=$(mktemp -d /tmp/cairn-bench.XXXXXX)
chmod 755 "$work" # nginx's workers run as another user and must reach the files it serves
results="$work/results.jsonl"
: >"$results"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/; fi
    rm -rf "$work"
}
trap cleanup EXIT

# log, free_port, wait_http
source bench/lib.sh

if [ "$mode" = quick ]; then
    # Three seconds of warm-up: on two shared cores a fresh server (Cairn or a reference) is still
    # moving hot methods to optimized code a second into its first run of a kind.
    duration=5 warmup=3 large_requests=2 multipart_requests=1 list_keys=100000 list_passes=3
    moto_list_keys=5000 moto_duration=4 memory_gib=5
else
    duration=10 warmup=2 large_requests=3 multipart_requests=2 list_keys=100000 list_passes=5
    moto_list_keys=20000 moto_duration=8 memory_gib=5
fi
small_requests=2000000

# ---------------------------------------------------------------- prerequisites
if ! command -v nginx >/dev/null; then
    log "installing nginx"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) >/dev/null 2>&1 \
        || { echo "nginx is missing and could not be installed" >&2; exit 1; }
fi
have_moto=1
command -v moto_server >/dev/null || { have_moto=0; log "moto_server not found: its column stays empty"; }

log "building (Release)"
dotnet build Cairn.slnx -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
bench_dll="$root/bench/Cairn.Bench.Load/bin/Release/net10.0/cairn-bench.dll"
reference_dll="$root/bench/Cairn.Bench.Reference/bin/Release/net10.0/cairn-bench-reference.dll"
micro_dll="$root/bench/Cairn.Bench.Micro/bin/Release/net10.0/cairn-bench-micro.dll"
cairn_dll="$root/src/Cairn.Server/bin/Release/net10.0/cairn.dll"

access_key=AKIDCAIRNBENCH
secret_key=cairn-bench-secret-key-0123456789
export AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key

# gen TARGET LABEL SCENARIO [generator args...]: one generator run, appended to results.jsonl.
gen() {
    local target=$1 label=$2 scenario=$3
    shift 3
    log "$target: $label"
    if ! dotnet "$bench_dll" --endpoint "$endpoint" --scenario "$scenario" --label "$target:$label" \
        --access-key "$access_key" --secret-key "$secret_key" --warmup "$warmup" --json "$results" "$@" \
        >>"$work/generator.log" 2>&1; then
        echo "generator run $target:$label reported errors (see below)" >&2
        tail -n 5 "$work/generator.log" >&2
    fi
}

# The S3 scenarios, run the same way against Cairn and moto_server.
s3_scenarios() { # target duration list-keys large-requests
    local target=$1 d=$2 keys=$3 large=$4
    for c in 16 64; do
        gen "$target" "put-4k-c$c" put --size 4KiB --concurrency "$c" --duration "$d" --requests $small_requests --bucket "put-c$c"
        gen "$target" "get-4k-c$c" get --size 4KiB --keys 1000 --concurrency "$c" --duration "$d" --requests $small_requests --bucket small
        gen "$target" "mix-4k-c$c" mix --size 4KiB --keys 1000 --concurrency "$c" --duration "$d" --requests $small_requests --bucket small
    done
    gen "$target" head-c16 head --size 4KiB --keys 1000 --concurrency 16 --duration "$d" --requests $small_requests --bucket small
    gen "$target" put-256m put-large --size 256MiB --requests "$large" --duration 120 --bucket large
    gen "$target" get-256m get-large --size 256MiB --requests "$large" --duration 120 --bucket large
    gen "$target" multipart-1g multipart --size 1GiB --part-size 8MiB --concurrency 8 --requests "$multipart_requests" --duration 300 --bucket multipart
    gen "$target" "list-$keys" list --keys "$keys" --requests "$list_passes" --duration 60 --bucket "list-$keys"
    gen "$target" "delimiter-1000" list-delimiter --keys 1000 --prefixes 100 --concurrency 16 --duration "$d" --requests $small_requests --bucket delim-1000
    gen "$target" "delimiter-$keys" list-delimiter --keys "$keys" --prefixes 100 --concurrency 16 --duration "$d" --requests $small_requests --bucket "delim-$keys"
}

# ---------------------------------------------------------------- machine
{
    echo "date=$(date -u +%Y-%m-%d)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "cores=$(nproc)"
    echo "memory=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "dotnet=$(dotnet --version)"
    echo "nginx=$(nginx -v 2>&1 | sed 's/.*nginx\///')"
    echo "moto=$( [ $have_moto = 1 ] && python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo none)"
    echo "mode=$mode"
} >"$work/machine.env"

# ---------------------------------------------------------------- dd
log "dd: disk write and read with fdatasync"
dd_size_mib=$([ "$mode" = quick ] && echo 512 || echo 2048)
dd if=/dev/urandom of="$work/dd.src" bs=1M count=64 status=none
python3 - "$work" "$dd_size_mib" "$results" <<'PY'
import json, os, re, subprocess, sys
work, mib, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def rate(args):
    out = subprocess.run(["dd", *args], capture_output=True, text=True).stderr
    m = re.search(r"([0-9.]+) s, ", out)
    return mib * 1048576 / float(m.group(1))
target = os.path.join(work, "dd.out")
write = rate(["if=/dev/zero", f"of={target}", "bs=4M", f"count={mib // 4}", "conv=fdatasync", "status=progress"])
read = rate([f"if={target}", "of=/dev/null", "bs=4M", "iflag=direct", "status=progress"])
os.remove(target)
with open(results, "a") as f:
    for label, bps in (("dd:write", write), ("dd:read", read)):
        f.write(json.dumps({"label": label, "scenario": label, "bytesPerSec": bps}) + "\n")
PY

# ---------------------------------------------------------------- bare Kestrel
port=$(free_port)
log "bare Kestrel reference on $port"
dotnet "$reference_dll" --urls "http://127.0.0.1:$port" >"$work/reference.log" 2>&1 &
pids+=($!)
endpoint="http://127.0.0.1:$port"
wait_http "$endpoint/health"
for c in 16 64; do
    gen kestrel "get-4k-c$c" get --mode raw --path /4k --size 4KiB --concurrency "$c" --duration "$duration" --requests $small_requests
    gen kestrel "put-4k-c$c" put --mode raw --path /discard --size 4KiB --concurrency "$c" --duration "$duration" --requests $small_requests
done
gen kestrel get-256m get-large --mode raw --path /bytes/268435456 --size 256MiB --requests "$large_requests" --duration 120
gen kestrel put-256m put-large --mode raw --path /discard --size 256MiB --requests "$large_requests" --duration 120
gen kestrel put-256m-hashed put-large --mode raw --path '/discard?hash=1' --size 256MiB --requests "$large_requests" --duration 120
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

# ---------------------------------------------------------------- nginx
port=$(free_port)
log "nginx on $port"
mkdir -p "$work/nginx/www" "$work/nginx/tmp"
head -c 4096 "$work/dd.src" >"$work/nginx/www/4k"
for _ in 1 2 3 4; do cat "$work/dd.src"; done >"$work/nginx/www/256m"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx/tmp;
    proxy_temp_path $work/nginx/tmp;
    fastcgi_temp_path $work/nginx/tmp;
    uwsgi_temp_path $work/nginx/tmp;
    scgi_temp_path $work/nginx/tmp;
    server {
        listen 127.0.0.1:$port;
        root $work/nginx/www;
    }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
endpoint="http://127.0.0.1:$port"
wait_http "$endpoint/4k"
for c in 16 64; do
    gen nginx "get-4k-c$c" get --mode raw --path /4k --size 4KiB --concurrency "$c" --duration "$duration" --requests $small_requests
done
gen nginx get-256m get-large --mode raw --path /256m --size 256MiB --requests "$large_requests" --duration 120
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

# ---------------------------------------------------------------- moto_server
if [ $have_moto = 1 ]; then
    port=$(free_port)
    log "moto_server on $port"
    moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
    pids+=($!)
    endpoint="http://127.0.0.1:$port"
    wait_http "$endpoint/"
    s3_scenarios moto "$moto_duration" "$moto_list_keys" 1
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
fi

# ---------------------------------------------------------------- Cairn
start_cairn() { # data-dir
    port=$(free_port)
    CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_DATA_DIR="$1" \
        dotnet "$cairn_dll" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning >>"$work/cairn.log" 2>&1 &
    pids+=($!)
    cairn_pid=$!
    endpoint="http://127.0.0.1:$port"
    wait_http "$endpoint/_cairn/health"
}
log "Cairn"
start_cairn "$work/cairn-data"
s3_scenarios cairn "$duration" "$list_keys" "$large_requests"
kill "$cairn_pid"; wait "$cairn_pid" 2>/dev/null || true; unset 'pids[-1]'

# Peak memory: a fresh process, one streamed single PUT of memory_gib GiB, then a download of the
# same size (the get scenario uploads its object first, untimed; VmHWM covers all of it).
log "Cairn: peak memory during a ${memory_gib} GiB upload and download"
rm -rf "$work/cairn-data"
start_cairn "$work/cairn-memory"
idle_kib=$(awk '/VmRSS/ {print $2}' "/proc/$cairn_pid/status")
gen cairn "memory-put-${memory_gib}g" put-large --size "${memory_gib}GiB" --requests 1 --duration 600 --bucket memory
gen cairn "memory-get-${memory_gib}g" get-large --size "${memory_gib}GiB" --requests 1 --duration 600 --bucket memory-get
peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$cairn_pid/status")
echo "{\"label\": \"cairn:memory\", \"scenario\": \"memory\", \"idleKiB\": $idle_kib, \"peakKiB\": $peak_kib, \"gib\": $memory_gib}" >>"$results"
kill "$cairn_pid"; wait "$cairn_pid" 2>/dev/null || true; unset 'pids[-1]'
rm -rf "$work/cairn-memory"

# ---------------------------------------------------------------- micro-benchmarks
if [ $micro = 1 ]; then
    log "micro-benchmarks (BenchmarkDotNet$([ "$mode" = quick ] && echo ", quick job"))"
    (cd "$work" && dotnet "$micro_dll" $([ "$mode" = quick ] && echo --quick) --filter '*' --artifacts "$work/micro" >"$work/micro.log" 2>&1) \
        || { echo "micro-benchmarks failed" >&2; tail -n 20 "$work/micro.log" >&2; }
fi

# ---------------------------------------------------------------- report
command_line="bench/run.sh$([ "$mode" = quick ] && echo " --quick")"
python3 bench/report.py --results "$results" --machine "$work/machine.env" --micro "$work/micro/results" \
    --command "$command_line" >"$work/report.md"
if [ $docs = 1 ]; then
    python3 bench/report.py --splice docs/benchmarks.md --section "$work/report.md"
    log "docs/benchmarks.md updated"
fi
cat "$work/report.md"
