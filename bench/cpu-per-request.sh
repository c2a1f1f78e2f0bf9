#!/usr/bin/env bash
# Server CPU per request, Cairn next to the bare Kestrel reference, for 4 KiB GET and PUT.
# On a shared, noisy machine the CPU a server spends per request moves far less from run to run
# than its request rate, so this is the figure to compare before and after a hot-path change.
#
#   bench/cpu-per-request.sh [REQUESTS] [CONCURRENCY] [ROUNDS]     defaults: 40000 16 2
#
# Builds Release, starts a fresh Cairn (SQLite + local disk in a temporary directory) and the
# reference on loopback ports, then per round runs get and put with a fixed request count and
# reads each server's user + system CPU from /proc/<pid>/stat around the run (no generator warm-up:
# an unreported round comes first). For Cairn's get the CPU also covers the setup that writes its
# 1,000 keys, which is not in the request count: that figure is slightly high, never flattered.
# Every process it starts is stopped by its PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
requests=${1:-40000} concurrency=${2:-16} rounds=${3:-2}

work=$(mktemp -d /tmp/cairn-cpu.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url
    for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
    echo "timed out waiting for $1" >&2; return 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

dotnet build Cairn.slnx -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
bench_dll="$root/bench/Cairn.Bench.Load/bin/Release/net10.0/cairn-bench.dll"
access_key=AKIDCAIRNBENCH
secret_key=cairn-bench-secret-key-0123456789

cairn_port=$(free_port)
CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_DATA_DIR="$work/data" \
    dotnet "$root/src/Cairn.Server/bin/Release/net10.0/cairn.dll" --urls "http://127.0.0.1:$cairn_port" \
    --Logging:LogLevel:Default=Warning >"$work/cairn.log" 2>&1 &
cairn_pid=$!
pids+=("$cairn_pid")
reference_port=$(free_port)
dotnet "$root/bench/Cairn.Bench.Reference/bin/Release/net10.0/cairn-bench-reference.dll" \
    --urls "http://127.0.0.1:$reference_port" >"$work/reference.log" 2>&1 &
reference_pid=$!
pids+=("$reference_pid")
wait_http "http://127.0.0.1:$cairn_port/_cairn/health"
wait_http "http://127.0.0.1:$reference_port/health"

measure() { # label pid generator-args...
    local label=$1 pid=$2
    shift 2
    local before after out count
    before=$(ticks "$pid")
    out=$(dotnet "$bench_dll" --access-key "$access_key" --secret-key "$secret_key" --concurrency "$concurrency" \
        --requests "$requests" --duration 60 --warmup 0 "$@" 2>&1 | tail -n 1)
    after=$(ticks "$pid")
    count=$(sed -E 's/.*: ([0-9]+) requests.*/\1/' <<<"$out")
    # Clock ticks are 1/100 s: µs per request = ticks * 10,000 / requests.
    printf '%-22s %6d µs/request  (%s)\n' "$label" $(( (after - before) * 10000 / count )) "$(grep -oE '[0-9.]+ ops/s' <<<"$out")"
}

# A round of a quarter the size first, not reported: fresh processes are still compiling their hot
# paths to optimized code.
full_requests=$requests
requests=$(( full_requests / 4 ))
measure "warm-up" "$cairn_pid" --endpoint "http://127.0.0.1:$cairn_port" --scenario get --size 4KiB --keys 1000 --bucket small >/dev/null
measure "warm-up" "$reference_pid" --endpoint "http://127.0.0.1:$reference_port" --scenario get --mode raw --path /4k --size 4096 >/dev/null
measure "warm-up" "$cairn_pid" --endpoint "http://127.0.0.1:$cairn_port" --scenario put --size 4KiB --bucket put-0 >/dev/null
measure "warm-up" "$reference_pid" --endpoint "http://127.0.0.1:$reference_port" --scenario put --mode raw --path /upload --size 4096 >/dev/null
requests=$full_requests

echo "server CPU per request, concurrency $concurrency, $requests requests per run"
for round in $(seq 1 "$rounds"); do
    echo "-- round $round"
    measure "cairn get 4KiB" "$cairn_pid" --endpoint "http://127.0.0.1:$cairn_port" --scenario get --size 4KiB --keys 1000 --bucket small
    measure "kestrel get 4KiB" "$reference_pid" --endpoint "http://127.0.0.1:$reference_port" --scenario get --mode raw --path /4k --size 4096
    measure "cairn put 4KiB" "$cairn_pid" --endpoint "http://127.0.0.1:$cairn_port" --scenario put --size 4KiB --bucket "put-$round"
    measure "kestrel put 4KiB" "$reference_pid" --endpoint "http://127.0.0.1:$reference_port" --scenario put --mode raw --path /upload --size 4096
done
