#!/usr/bin/env bash
# Versioning and the change journal, measured in one run on the embedded SQLite catalog:
#   - 4 KiB PUT at c64 on an unversioned bucket, with this build and with a baseline build from
#     before the change journal (what the journal costs: the issue allows 10 %);
#   - 4 KiB PUT and GET at c64 on a versioned bucket next to an unversioned one;
#   - ListObjectVersions keys/s over the versioned bucket the PUT rounds filled.
# Rounds rotate the order of the configurations; the table gives medians and ratios.
#   bench/versioning.sh [--quick] [--rounds N] [--baseline REV] [--keep DIR]
# REV defaults to the parent of the commit that added the journal (SqlMetadataStore.Journal.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=full rounds=3 keep="" baseline=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) mode=quick ;;
        --rounds) rounds=$2; shift ;;
        --baseline) baseline=$2; shift ;;
        --keep) keep=$2; shift ;;
        *) echo "usage: bench/versioning.sh [--quick] [--rounds N] [--baseline REV] [--keep DIR]" >&2; exit 2 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then duration=4 warmup=2; else duration=10 warmup=3; fi
if [ -z "$baseline" ]; then
    journal_commit=$(git log --format=%H --diff-filter=A -n 1 -- src/Cairn.Metadata/SqlMetadataStore.Journal.cs)
    baseline="$journal_commit^"
fi
baseline_rev=$(git rev-parse --short "$baseline")

work=$(mktemp -d /tmp/cairn-versioning.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
source bench/lib.sh

log "building this tree and the baseline $baseline_rev (Release)"
dotnet build Cairn.slnx -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
mkdir -p "$work/baseline"
git archive "$baseline" | tar -x -C "$work/baseline"
dotnet build "$work/baseline/src/Cairn.Server" -c Release -nologo -v quiet >"$work/build-baseline.log" 2>&1 \
    || { tail -n 30 "$work/build-baseline.log"; exit 1; }
bench_dll="$root/bench/Cairn.Bench.Load/bin/Release/net10.0/cairn-bench.dll"
access_key=AKIDCAIRNBENCH
secret_key=cairn-bench-secret-key-0123456789

declare -A port_of pid_of
start_node() { # NAME DLL
    local port
    port=$(free_port)
    env CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_REGION=us-east-1 \
        CAIRN_DATA_DIR="$work/data-$1" dotnet "$2" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning \
        >"$work/server-$1.log" 2>&1 &
    pids+=($!)
    pid_of[$1]=$!
    port_of[$1]=$port
    wait_http "http://127.0.0.1:$port/_cairn/health" || { tail -n 20 "$work/server-$1.log" >&2; exit 1; }
}
log "Cairn: this build and the baseline, each on its own SQLite catalog and disk"
start_node current "$root/src/Cairn.Server/bin/Release/net10.0/cairn.dll"
start_node baseline "$work/baseline/src/Cairn.Server/bin/Release/net10.0/cairn.dll"
current="http://127.0.0.1:${port_of[current]}"

# The versioned buckets exist, with versioning enabled, before cairn-bench fills them.
python3 - "$current" "$access_key" "$secret_key" <<'PY'
import sys, boto3
endpoint, key, secret = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
for bucket in ("put-versioned", "get-versioned"):
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
PY

results="$work/results.jsonl"
: >"$results"
measure() { # LABEL NODE [cairn-bench args...]
    local label=$1 node=$2
    shift 2
    log "$label"
    timeout -k 10 300 dotnet "$bench_dll" --endpoint "http://127.0.0.1:${port_of[$node]}" --label "$label" \
        --access-key "$access_key" --secret-key "$secret_key" --warmup "$warmup" --json "$results" "$@" \
        >>"$work/generator.log" 2>&1 || { echo "cairn-bench $label reported errors:" >&2; tail -n 5 "$work/generator.log" >&2; }
}
put=(--scenario put --size 4KiB --concurrency 64 --duration "$duration" --requests 2000000)
get=(--scenario get --size 4KiB --keys 1000 --concurrency 64 --duration "$duration" --requests 2000000)
list_versions() { # ROUND: ListObjectVersions pages of 1,000 over put-versioned (at most 100 pages)
    python3 - "$current" "$access_key" "$secret_key" "$1" >>"$results" <<'PY'
import json, sys, time, boto3
endpoint, key, secret, rnd = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
listed, pages, start = 0, 0, time.perf_counter()
kwargs = {"Bucket": "put-versioned", "MaxKeys": 1000}
while pages < 100:
    page = s3.list_object_versions(**kwargs)
    listed += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    pages += 1
    if not page.get("IsTruncated"):
        break
    kwargs.update(KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
seconds = time.perf_counter() - start
print(json.dumps({"label": f"list-versions:{rnd}", "errors": 0, "keysPerSec": listed / seconds, "keys": listed}))
PY
}

configs=(baseline current versioned)
for round in $(seq 1 "$rounds"); do
    order=()
    for i in "${!configs[@]}"; do order+=("${configs[$(((i + round - 1) % ${#configs[@]}))]}"); done
    for config in "${order[@]}"; do
        case $config in
            baseline) measure "put:baseline:$round" baseline "${put[@]}" --bucket put-c64 ;;
            current) measure "put:current:$round" current "${put[@]}" --bucket put-c64 ;;
            versioned) measure "put:versioned:$round" current "${put[@]}" --bucket put-versioned ;;
        esac
    done
    for config in "${order[@]}"; do
        case $config in
            baseline) measure "get:baseline:$round" baseline "${get[@]}" --bucket small ;;
            current) measure "get:current:$round" current "${get[@]}" --bucket small ;;
            versioned) measure "get:versioned:$round" current "${get[@]}" --bucket get-versioned ;;
        esac
    done
    list_versions "$round"
done

python3 - "$results" "$baseline_rev" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/versioning.sh$([ "$mode" = quick ] && echo " --quick")" "$rounds" <<'PY'
import json, statistics, sys
path, baseline, load, command, rounds = sys.argv[1:6]
runs = {}
for line in open(path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
def rates(scenario, config):
    out = []
    for rnd in range(1, int(rounds) + 1):
        r = runs.get(f"{scenario}:{config}:{rnd}")
        if r and not r.get("errors"):
            out.append(r["opsPerSec"])
    return out
def med(v):
    return statistics.median(v) if v else None
def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "–"
print(f"`{command}` (baseline {baseline}; load {load}; {rounds} rounds, medians)\n")
print("| 4 KiB, c64 | baseline (no journal) | this build, unversioned | this build, versioned | unversioned / baseline | versioned / unversioned |")
print("|---|---|---|---|---|---|")
for scenario in ("put", "get"):
    b, c, v = (med(rates(scenario, x)) for x in ("baseline", "current", "versioned"))
    fmt = lambda x: "–" if x is None else f"{x:,.0f}/s"
    print(f"| {scenario.upper()} | {fmt(b)} | {fmt(c)} | {fmt(v)} | {ratio(c, b)} | {ratio(v, c)} |")
lists = [runs[k]["keysPerSec"] for k in runs if k.startswith("list-versions:")]
keys = max((runs[k]["keys"] for k in runs if k.startswith("list-versions:")), default=0)
if lists:
    print(f"\nListObjectVersions (boto3, pages of 1,000, up to {keys:,} versions): {statistics.median(lists):,.0f} versions/s")
PY
