#!/usr/bin/env bash
# Journal archiving under the 4 KiB PUT load (issue 13): two Cairn servers of one build on the
# embedded default (SQLite + local disk), one archiving its journal to a moto_server bucket on
# loopback (Archive:*, every second) and one not, each taking 4 KiB PUTs (distinct bodies) at c64.
# While the archiving one runs, /_cairn/health/archive is sampled every 0.5 s: how many entries and
# seconds the archive is behind; after the load, how long it takes to catch up. Rounds rotate the
# order; the table gives each round and the medians, and the PUT rate with archiving as a ratio of
# the one without, measured in the same run. Then the archiving server stops, its catalog is moved
# away and `cairn restore` rebuilds it from the archive twice: as the archive is (bucket snapshots
# plus the segments after them), and with the snapshots deleted (every segment replayed from entry
# 1); the two times are compared as a ratio.
#   bench/archive.sh [--rounds N] [--duration S] [--snapshot-entries N] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

rounds=2 duration=20 keep="" snapshot_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift ;;
        --duration) duration=$2; shift ;;
        --keep) keep=$2; shift ;;
        --snapshot-entries) snapshot_args=(--Engine:ArchiveSnapshotEntries="$2"); shift ;;
        *) echo "usage: bench/archive.sh [--rounds N] [--duration S] [--snapshot-entries N] [--keep DIR]" >&2; exit 2 ;;
    esac
    shift
done
warmup=2

source bench/lib.sh
bench_setup cairn-archive

log "moto_server on loopback as the archive"
moto_port=$(free_port)
moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$moto_port/"
curl -sf -X PUT "http://127.0.0.1:$moto_port/cairn-archive" >/dev/null

log "Cairn twice: archiving its journal every second, and not"
start_node archived --Archive:Endpoint="http://127.0.0.1:$moto_port" --Archive:Bucket=cairn-archive --Archive:PathStyle=true \
    --Archive:AccessKey=moto --Archive:SecretKey=moto --Engine:ArchiveInterval=00:00:01 "${snapshot_args[@]}"
start_node plain

results="$work/results.jsonl"
lag="$work/lag.txt"
: >"$results"
: >"$lag"
sample_lag() { # ROUND: every 0.5 s while the load runs (bounded by its duration), then until caught up (at most 120 s)
    local round=$1 url="http://127.0.0.1:${port_of[archived]}/_cairn/health/archive" start now
    start=$(date +%s.%N)
    for _ in $(seq 1 $(((duration + warmup + 125) * 2))); do
        now=$(date +%s.%N)
        echo "$round $(echo "$now - $start" | bc) $(curl -s "$url")" >>"$lag"
        if [ -f "$work/load-done-$round" ] && grep -q "^$round .* archive ok: 0 entries" <(tail -n 1 "$lag"); then
            break
        fi
        sleep 0.5
    done
}
for round in $(seq 1 "$rounds"); do
    order=(archived plain)
    [ $((round % 2)) -eq 0 ] && order=(plain archived)
    for node in "${order[@]}"; do
        if [ "$node" = archived ]; then
            sample_lag "$round" &
            sampler=$!
        fi
        measure "put:$node:$round" "$node" --scenario put --bodies distinct --size 4KiB --concurrency 64 \
            --duration "$duration" --requests 5000000 --bucket "put-$round"
        if [ "$node" = archived ]; then
            touch "$work/load-done-$round"
            wait "$sampler"
        fi
    done
done

log "restore: the archiving server stopped, its catalog moved away, rebuilt from the archive"
kill "${pid_of[archived]}"
wait "${pid_of[archived]}" 2>/dev/null || true
data="$work/data-archived"
mkdir -p "$work/catalog-original"
mv "$data"/metadata.db* "$work/catalog-original/"
restores="$work/restores.txt"
: >"$restores"
restore_once() { # LABEL: one timed restore (at most 10 minutes), its output kept; the catalog it built removed
    local label=$1 start end
    start=$(date +%s.%N)
    timeout -k 10 600 dotnet "$server_dll" restore --data-dir "$data" --set Archive:Endpoint="http://127.0.0.1:$moto_port" \
        --set Archive:Bucket=cairn-archive --set Archive:PathStyle=true --set Archive:AccessKey=moto --set Archive:SecretKey=moto \
        >"$work/restore-$label.txt" 2>&1 || { echo "restore $label failed:" >&2; tail -n 5 "$work/restore-$label.txt" >&2; }
    end=$(date +%s.%N)
    echo "$label $(echo "$end - $start" | bc)" >>"$restores"
    rm -f "$data"/metadata.db*
}
log "restore from snapshots and the segments after them"
restore_once snapshots
log "restore with the snapshots deleted: every segment from entry 1"
python3 - "$moto_port" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", aws_access_key_id="moto", aws_secret_access_key="moto",
                  region_name="us-east-1")
names = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket="cairn-archive")
         for o in page.get("Contents", []) if "/snapshot/" in o["Key"]]
for name in names:
    s3.delete_object(Bucket="cairn-archive", Key=name)
print(f"deleted {len(names)} snapshots", file=sys.stderr)
PY
restore_once replay

python3 - "$results" "$lag" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/archive.sh --rounds $rounds --duration $duration ${snapshot_args[*]}" "$rounds" "$duration" \
    "$restores" "$work" <<'PY'
import json, re, statistics, sys
path, lag_path, load, command, rounds, duration, restores_path, work = sys.argv[1:9]
rounds, duration = int(rounds), float(duration)
runs = {}
for line in open(path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
samples = {}
for line in open(lag_path):
    m = re.match(r"(\d+) ([\d.]+) archive (?:ok|behind): (\d+) entries not archived, the oldest waiting ([\d.]+) s", line)
    if m:
        samples.setdefault(int(m.group(1)), []).append((float(m.group(2)), int(m.group(3)), float(m.group(4))))
print(f"load average before the report: {load}")
print(f"command: {command}")
print()
print("| round | PUT/s archiving | PUT/s not | ratio | lag during load: entries max | seconds median | seconds max | caught up after the load |")
print("|---|---|---|---|---|---|---|---|")
ratios, medians, maxima = [], [], []
for r in range(1, rounds + 1):
    a, p = runs.get(f"put:archived:{r}"), runs.get(f"put:plain:{r}")
    if not a or not p:
        continue
    ra, rp = a["opsPerSec"], p["opsPerSec"]
    during = [s for s in samples.get(r, []) if s[0] <= duration + 2]
    after = [s for s in samples.get(r, []) if s[0] > duration + 2]
    caught = next((s[0] - duration - 2 for s in after if s[1] == 0), None)
    ratios.append(ra / rp)
    if during:
        medians.append(statistics.median(s[2] for s in during))
        maxima.append(max(s[2] for s in during))
    print(f"| {r} | {ra:,.0f} | {rp:,.0f} | {ra / rp:.2f}x | {max((s[1] for s in during), default=0):,} | "
          f"{statistics.median(s[2] for s in during) if during else 0:.1f} | {max((s[2] for s in during), default=0):.1f} | "
          f"{'%.1f s' % caught if caught is not None else 'not within the sampling'} |")
if ratios:
    print(f"\nmedian ratio (archiving / not): {statistics.median(ratios):.2f}x; lag seconds during load, median of rounds' medians "
          f"{statistics.median(medians) if medians else 0:.1f}, worst {max(maxima) if maxima else 0:.1f}")
restores = dict(line.split() for line in open(restores_path) if line.strip())
if restores:
    print()
    print("| restore | seconds | buckets | keys | versions |")
    print("|---|---|---|---|---|")
    for label in ("snapshots", "replay"):
        if label not in restores:
            continue
        text = open(f"{work}/restore-{label}.txt").read()
        field = lambda name: (re.search(rf"^{name}: (\S+)", text, re.M) or [None, "?"])[1]
        buckets = (re.search(r"^buckets: (.+)$", text, re.M) or [None, "?"])[1]
        print(f"| {label} | {float(restores[label]):.1f} | {buckets} | {field('keys')} | {field('versions')} |")
    if "snapshots" in restores and "replay" in restores:
        print(f"\nrestore time from snapshots / from every segment: {float(restores['snapshots']) / float(restores['replay']):.2f}x")
PY
