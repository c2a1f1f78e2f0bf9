#!/usr/bin/env bash
# The inline threshold (issue 12), chosen by measurement: small bodies stored inline in the catalog
# row against the same bodies as one chunk each in a pack, in one run on the embedded default
# (SQLite + local disk). Two Cairn servers of the same build, both packing chunks up to 64 KiB:
#   inline  --inline-threshold 16KiB (every body measured here is inline),
#   packed  --inline-threshold 0     (every body measured here is a pack record),
# with PUT (distinct bodies) and GET of 2, 4, 8 and 16 KiB at 16 and 64 connections.
# Rounds rotate the order of the servers; the table gives medians and ratios.
#   bench/inline.sh [--quick] [--rounds N] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
parse_rounds_args bench/inline.sh 2 "$@"
if [ "$mode" = quick ]; then duration=4 warmup=1; else duration=8 warmup=2; fi

bench_setup cairn-inline

log "Cairn twice, each on its own SQLite catalog and disk: small bodies inline, and small bodies in packs"
start_node inline --inline-threshold 16KiB --Engine:PackThreshold=64KiB
start_node packed --inline-threshold 0 --Engine:PackThreshold=64KiB

results="$work/results.jsonl"
: >"$results"
configs=(inline packed)
sizes=(2 4 8 16)
for round in $(seq 1 "$rounds"); do
    order=()
    for i in "${!configs[@]}"; do order+=("${configs[$(((i + round - 1) % ${#configs[@]}))]}"); done
    for config in "${order[@]}"; do
        for size in "${sizes[@]}"; do
            for c in 16 64; do
                measure "put:$size:$c:$config:$round" "$config" --scenario put --bodies distinct --size "${size}KiB" --concurrency "$c" \
                    --duration "$duration" --requests 2000000 --bucket "put-$size-$c-$round"
                measure "get:$size:$c:$config:$round" "$config" --scenario get --size "${size}KiB" --concurrency "$c" \
                    --duration "$duration" --keys 2000 --bucket "get-$size-$round"
            done
        done
    done
done

python3 - "$results" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/inline.sh$([ "$mode" = quick ] && echo " --quick") --rounds $rounds" "$rounds" <<'PY'
import json, statistics, sys
path, load, command, rounds = sys.argv[1:5]
runs = {}
for line in open(path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
def med(prefix):
    v = [runs[k]["opsPerSec"] for k in runs if k.startswith(prefix) and not runs[k].get("errors")]
    return statistics.median(v) if v else float("nan")
print(f"`{command}` (load {load}; {rounds} rounds, medians)\n")
print("| body | op | inline | pack record | pack / inline |")
print("|---|---|---|---|---|")
for size in (2, 4, 8, 16):
    for op in ("put", "get"):
        for c in (16, 64):
            i, p = med(f"{op}:{size}:{c}:inline:"), med(f"{op}:{size}:{c}:packed:")
            print(f"| {size} KiB | {op.upper()} c{c} | {i:,.0f}/s | {p:,.0f}/s | {p / i:.2f}x |")
PY
