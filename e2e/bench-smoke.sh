#!/usr/bin/env bash
# cairn-bench (bench/Cairn.Bench.Load) against Cairn, so the benchmark tools do not rot: every
# scenario once with tiny bounds, each exiting 0 and appending one JSON line with its scenario name,
# no errors and opsPerSec > 0; then the bare-Kestrel reference server (bench/Cairn.Bench.Reference)
# on a free loopback port, raw put and get against it, stopped by its PID. Uses the Release build
# that ./test.sh makes (dotnet build Cairn.slnx -c Release).
# Expects CAIRN_ENDPOINT and AWS credentials in the environment; $1 is a scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$1
mkdir -p "$work"
source "$here/lib.sh"

bench_dll="$root/bench/Cairn.Bench.Load/bin/Release/net10.0/cairn-bench.dll"
reference_dll="$root/bench/Cairn.Bench.Reference/bin/Release/net10.0/cairn-bench-reference.dll"
[ -f "$bench_dll" ] || fail "$bench_dll is missing: build Cairn.slnx in Release first"
[ -f "$reference_dll" ] || fail "$reference_dll is missing: build Cairn.slnx in Release first"

reference_pid=""
stop_reference() {
    if [ -n "$reference_pid" ]; then kill "$reference_pid" 2>/dev/null || true; wait "$reference_pid" 2>/dev/null || true; fi
    reference_pid=""
}
trap stop_reference EXIT

json="$work/results.jsonl"
rm -f "$json"
bucket="bench-smoke-$(date +%s)-$RANDOM"
small=(--requests 50 --duration 3 --warmup 0.2)
large=(--requests 2 --duration 3 --warmup 0)

# bench ARGS...: one cairn-bench run that must exit 0.
bench() {
    local rc=0
    dotnet "$bench_dll" --json "$json" "$@" || rc=$?
    [ "$rc" -eq 0 ] || fail "cairn-bench $* exited with $rc"
}

# expect_results MODE SCENARIO...: the JSON lines, in order, name exactly these scenarios, in MODE,
# each with no errors and opsPerSec > 0.
expect_results() {
    python3 - "$json" "$@" <<'PY' || fail "unexpected JSON results (above)"
import json, sys
path, mode, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = [json.loads(line) for line in open(path)]
names = [r["scenario"] for r in runs]
if names != expected:
    sys.exit(f"scenarios {names}, expected {expected}")
for r in runs:
    if r["mode"] != mode or r["errors"] != 0 or not r["opsPerSec"] > 0 or not r["seconds"] > 0:
        sys.exit(f"bad run: {r}")
    print(f"   {r['scenario']:>14}: {r['opsPerSec']:.1f} ops/s, {r['requests']} requests")
PY
    rm -f "$json"
}

step "arguments: a non-loopback endpoint (alone or second), two endpoints in raw mode and an unknown scenario exit with 2, nothing sent"
for bad in "--endpoint http://192.0.2.1:9000 --scenario get --mode raw" "--endpoint $CAIRN_ENDPOINT,http://192.0.2.1:9000 --scenario get" \
    "--endpoint $CAIRN_ENDPOINT,$CAIRN_ENDPOINT --scenario get --mode raw" "--endpoint $CAIRN_ENDPOINT --scenario nope"; do
    rc=0
    # shellcheck disable=SC2086 # the arguments are split on purpose
    dotnet "$bench_dll" $bad 2>/dev/null || rc=$?
    [ "$rc" -eq 2 ] || fail "cairn-bench $bad exited with $rc, expected 2"
done

step "s3 mode: put, get, head, mix (200 keys), put-large and get-large (8 MiB), multipart (24 MiB in 8 MiB parts)"
s3=(--endpoint "$CAIRN_ENDPOINT" --bucket "$bucket")
bench "${s3[@]}" --scenario put "${small[@]}"
bench "${s3[@]}" --scenario get --keys 200 "${small[@]}"
bench "${s3[@]}" --scenario head --keys 200 "${small[@]}"
bench "${s3[@]}" --scenario mix --keys 200 "${small[@]}"
bench "${s3[@]}" --scenario put-large --size 8MiB "${large[@]}"
bench "${s3[@]}" --scenario get-large --size 8MiB "${large[@]}"
bench "${s3[@]}" --scenario multipart --size 24MiB --part-size 8MiB --concurrency 3 "${large[@]}"
step "s3 mode: list (500 keys, 2 passes), list-delimiter (500 keys under 10 prefixes)"
bench --endpoint "$CAIRN_ENDPOINT" --bucket "$bucket-list" --scenario list --keys 500 "${large[@]}"
bench --endpoint "$CAIRN_ENDPOINT" --bucket "$bucket-listd" --scenario list-delimiter --keys 500 --prefixes 10 "${small[@]}"
expect_results s3 put get head mix put-large get-large multipart list list-delimiter

step "s3 mode, two endpoints (the same server as 127.0.0.1 and as localhost): put, get and list round robin"
# Every request is signed for, and carries, the first endpoint's Host, so both names must answer.
second=${CAIRN_ENDPOINT/127.0.0.1/localhost}
[ "$second" != "$CAIRN_ENDPOINT" ] || fail "CAIRN_ENDPOINT $CAIRN_ENDPOINT does not name 127.0.0.1"
two=(--endpoint "$CAIRN_ENDPOINT,$second" --bucket "$bucket-two")
bench "${two[@]}" --scenario put "${small[@]}"
bench "${two[@]}" --scenario get --keys 50 "${small[@]}"
bench --endpoint "$CAIRN_ENDPOINT,$second" --bucket "$bucket-two-list" --scenario list --keys 1500 "${large[@]}"
python3 - "$json" "$CAIRN_ENDPOINT" "$second" <<'PY' || fail "the JSON lines do not name both endpoints"
import json, sys
path, first, second = sys.argv[1:4]
for line in open(path):
    run = json.loads(line)
    if run["endpoint"] != f"{first},{second}":
        sys.exit(f"endpoint {run['endpoint']!r}, expected both")
PY
expect_results s3 put get list

step "the reference server on a free loopback port: raw put and get"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
dotnet "$reference_dll" --urls "http://127.0.0.1:$port" >"$work/reference.log" 2>&1 &
reference_pid=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/reference.log"; fail "the reference server did not start"; }
raw=(--endpoint "http://127.0.0.1:$port" --mode raw)
bench "${raw[@]}" --scenario put --path /upload "${small[@]}"
bench "${raw[@]}" --scenario get --path /4k "${small[@]}"
expect_results raw put get
stop_reference

echo "bench-smoke: all steps passed"
