#!/usr/bin/env bash
# Small objects in packs (issue 12), measured in one run on the embedded default (SQLite + local
# disk): two Cairn servers of the same build, one storing every chunk as a blob of its own
# (Engine:PackThreshold=0) and one packing chunks up to 64 KiB, with
#   - 16 KiB PUT at c64 of distinct bodies (above the 4 KiB inline threshold both servers are given,
#     below the default of 16 KiB: one new chunk each, a
#     blob or a pack record; the generator's --bodies distinct, so no PUT is a dedup hit),
#   - 16 KiB GET at c16 of a prepared key set,
#   - 4 KiB PUT at c64 on the first server (inline in the catalog, neither blob nor pack), as the
#     reference the inline threshold is weighed against,
# and, after the rounds, the files under each data directory (blobs, segments).
# Rounds rotate the order of the servers; the table gives medians and ratios.
#   bench/packs.sh [--quick] [--rounds N] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
parse_rounds_args bench/packs.sh 3 "$@"
if [ "$mode" = quick ]; then duration=4 warmup=2; else duration=10 warmup=3; fi

bench_setup cairn-packs

log "Cairn twice, each on its own SQLite catalog and disk: chunks as blobs, and chunks up to 64 KiB in packs"
start_node blobs --Engine:PackThreshold=0 --inline-threshold 4KiB
start_node packs --Engine:PackThreshold=64KiB --inline-threshold 4KiB

results="$work/results.jsonl"
: >"$results"
configs=(blobs packs)
for round in $(seq 1 "$rounds"); do
    order=()
    for i in "${!configs[@]}"; do order+=("${configs[$(((i + round - 1) % ${#configs[@]}))]}"); done
    for config in "${order[@]}"; do
        measure "put16:$config:$round" "$config" --scenario put --bodies distinct --size 16KiB --concurrency 64 --duration "$duration" --requests 2000000 --bucket "put-$round"
        measure "get16:$config:$round" "$config" --scenario get --size 16KiB --concurrency 16 --duration "$duration" --keys 2000 --bucket "get-$round"
    done
    measure "put4:blobs:$round" blobs --scenario put --bodies distinct --size 4KiB --concurrency 64 --duration "$duration" --requests 2000000 --bucket "inline-$round"
done
files() { find "$work/data-$1/$2" -type f 2>/dev/null | wc -l; }

python3 - "$results" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/packs.sh$([ "$mode" = quick ] && echo " --quick") --rounds $rounds" "$rounds" \
    "$(files blobs blobs)" "$(files packs blobs)" "$(files packs segments)" <<'PY'
import json, statistics, sys
path, load, command, rounds, blob_files, pack_blob_files, segment_files = sys.argv[1:8]
runs = {}
for line in open(path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
def med(prefix):
    v = [runs[k]["opsPerSec"] for k in runs if k.startswith(prefix) and not runs[k].get("errors")]
    return statistics.median(v) if v else float("nan")
put_b, put_p, get_b, get_p, put4 = med("put16:blobs:"), med("put16:packs:"), med("get16:blobs:"), med("get16:packs:"), med("put4:blobs:")
print(f"`{command}` (load {load}; {rounds} rounds, medians)\n")
print("| | chunks as blobs | chunks in packs | packs / blobs |")
print("|---|---|---|---|")
print(f"| 16 KiB PUT, c64 | {put_b:,.0f}/s | {put_p:,.0f}/s | {put_p / put_b:.2f}x |")
print(f"| 16 KiB GET, c16 | {get_b:,.0f}/s | {get_p:,.0f}/s | {get_p / get_b:.2f}x |")
print(f"\n4 KiB PUT at c64, inline in the catalog (same run, first server): {put4:,.0f}/s, "
      f"{put4 / put_b:.2f}x the 16 KiB PUT as a blob and {put4 / put_p:.2f}x as a pack record.")
print(f"Files when the rounds ended: {int(blob_files):,} under blobs/ with chunks as blobs; "
      f"{int(pack_blob_files):,} under blobs/ and {int(segment_files):,} segments with packs.")
PY
