#!/usr/bin/env bash
# Space reclaimed by compaction (issue 12), on the embedded default (SQLite + local disk): one Cairn
# server packing chunks up to 64 KiB (inline threshold 4 KiB) writes N objects of 6 KiB (distinct,
# incompressible bodies; each one pack record), a random half is deleted
# (DeleteObjects, 1,000 keys a request) with the compactor idle, and then, from a restart with a
# one-second compaction interval, the compactor and the sweeper run until nothing is left to do. Reports the bytes on disk under blobs/ before and after against the live bytes, and
# the compaction's throughput (bytes rewritten over the time the rewritten-bytes counter grew).
#   bench/compaction.sh [--objects N] [--keep DIR]      (default 200,000 objects)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
parse_objects_args bench/compaction.sh 200000 "$@"
size=6144
bench_setup cairn-compaction
port=$(free_port)
endpoint="http://127.0.0.1:$port"
start_server() { # COMPACTION_INTERVAL: the same data directory each time
    env CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_REGION=us-east-1 CAIRN_DATA_DIR="$work/data" \
        dotnet "$server_dll" --urls "$endpoint" --Logging:LogLevel:Default=Warning --Engine:PackThreshold=64KiB --inline-threshold 4KiB \
        --Engine:PackMaxAge=00:00:02 --Engine:CompactionInterval="$1" --Engine:GracePeriod=00:00:02 --Engine:SweepInterval=00:00:01 \
        >>"$work/server.log" 2>&1 &
    server_pid=$!
    pids+=($server_pid)
    wait_http "$endpoint/_cairn/health" || { tail -n 20 "$work/server.log" >&2; exit 1; }
}
# Writes and deletes first with the compactor idle (its first step, at start, finds nothing dead),
# so that compaction is then measured on its own, from a restart with a one-second interval.
start_server 01:00:00

log "writing $objects objects of $size bytes (c64)"
timeout -k 10 1800 dotnet "$bench_dll" --endpoint "$endpoint" --access-key "$access_key" --secret-key "$secret_key" --scenario put \
    --bodies distinct --size "$size" --concurrency 64 --warmup 0 --requests "$objects" --duration 1800 --bucket space \
    --json "$work/put.jsonl" >"$work/generator.log" 2>&1 || { tail -n 5 "$work/generator.log" >&2; exit 1; }
sleep 4 # the last pack ships after PackMaxAge

log "deleting a random half (the compactor idle)"
AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key python3 - "$endpoint" "$work" <<'PY'
import json, os, random, sys, time
import boto3
from botocore.config import Config
endpoint, work = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="space", PaginationConfig={"PageSize": 1000}):
    keys.extend(o["Key"] for o in page.get("Contents", []))
random.seed(12)
doomed = random.sample(keys, len(keys) // 2)
t0 = time.time()
for i in range(0, len(doomed), 1000):
    response = s3.delete_objects(Bucket="space", Delete={"Objects": [{"Key": k} for k in doomed[i:i + 1000]], "Quiet": True})
    assert not response.get("Errors"), response.get("Errors")[:3]
json.dump({"written": len(keys), "deleted": len(doomed), "seconds": time.time() - t0}, open(os.path.join(work, "deletes.json"), "w"))
PY
before=$(du -sb --apparent-size "$work/data/blobs" | cut -f1)
log "restarting with the compactor every second"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
restarted=$(date +%s.%N)
start_server 00:00:01

python3 - "$endpoint" "$work" "$size" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/compaction.sh --objects $objects" "$work/put.jsonl" \
    "$before" "$restarted" <<'PY'
import json, os, sys, time, urllib.request
endpoint, work, size, load, command, put_json = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
before, restarted = int(sys.argv[7]), float(sys.argv[8])

def disk(path):
    total = 0
    for base, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(base, name))
            except FileNotFoundError:
                pass
    return total

def metrics():
    text = urllib.request.urlopen(endpoint + "/_cairn/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)[0], line.rsplit(" ", 1)[1]
        values[name] = float(value)
    return values

def metric(values, prefix, label=""):
    return sum(v for k, v in values.items() if (k == prefix or k.startswith(prefix + "{")) and label in k)

deletes = json.load(open(os.path.join(work, "deletes.json")))
written, deleted, delete_seconds = deletes["written"], deletes["deleted"], deletes["seconds"]
live_objects = written - deleted
live = live_objects * size

# Until the compactor and the sweeper are done: nothing rewritten for 10 s and an empty delete queue.
samples = [(restarted, 0.0)]
deadline = time.time() + 900
last_change = time.time()
last_rewritten = -1
while time.time() < deadline:
    m = metrics()
    rewritten = metric(m, "cairn_compaction_rewritten_bytes_total")
    samples.append((time.time(), rewritten))
    if rewritten != last_rewritten:
        last_rewritten, last_change = rewritten, time.time()
    if rewritten > 0 and time.time() - last_change > 10 and metric(m, "cairn_delete_queue_depth") == 0:
        break
    time.sleep(0.5)
after = disk(os.path.join(work, "data", "blobs"))
# From the restart (the compactor's first step runs at start) to the first sample that saw the
# rewritten-bytes counter at its final value.
span = min(t for (t, r) in samples if r == samples[-1][1]) - restarted
m = metrics()
total = metric(m, "cairn_compaction_rewritten_bytes_total")
put = json.loads(open(put_json).readline())
print(f"`{command}` (load {load})\n")
print(f"- {written:,} objects of {size:,} bytes written at c64 in {put['seconds']:.1f} s "
      f"({put['opsPerSec']:,.0f} PUT/s); {deleted:,} deleted at random in {delete_seconds:.1f} s (DeleteObjects), the compactor idle.")
print(f"- Live bytes after the deletes: {live:,} ({live_objects:,} objects).")
print(f"- On disk under blobs/: {before:,} after the deletes ({before / (written * size):.3f}x the bytes written), "
      f"{after:,} once compacted and swept: **{after / live:.3f}x the live bytes**.")
runs = metric(m, "cairn_compaction_runs_total")
swapped = metric(m, "cairn_compaction_runs_total", 'outcome="swapped"')
print(f"- Compaction (from a restart with a 1 s interval): {total:,.0f} bytes rewritten in {swapped:,.0f} swaps "
      f"({runs - swapped:,.0f} runs refused), {metric(m, 'cairn_compaction_packs_retired_total'):,.0f} packs retired; "
      f"{span:.1f} s from the restart (start-up included) to the last rewrite: about {total / span / 1e6:,.0f} MB/s.")
PY
