#!/usr/bin/env bash
# Catalog providers and nodes, measured in one run with cairn-bench: 4 KiB PUT at c64, 4 KiB GET at
# c64 (1,000 keys) and full ListObjectsV2 passes over 20,000 keys, on
#   sqlite  one node, the embedded SQLite catalog, chunk files on local disk (the default)
#   pg      one node, a PostgreSQL catalog, chunk files on local disk
#   pg2     two nodes on one PostgreSQL catalog, chunk bodies in one moto_server bucket (gateway
#           mode); cairn-bench sends its requests round robin to both nodes
#   pg1     node 1 of pg2 driven alone: the same processes and topology, so pg2 / pg1 is what the
#           second node adds
# The configurations run in rounds (each scenario on every configuration in turn, the order rotated
# each round), so the machine's noise falls on all alike; the table gives medians, and each ratio is
# the median of the ratios measured within one round. Server CPU (Cairn processes, and the
# PostgreSQL cluster with its backends) is read from /proc around every run.
#
#   bench/metadata.sh --quick     3 rounds of 4 s measurements (about 6 minutes)
#   bench/metadata.sh             3 rounds of 10 s measurements (about 12 minutes)
# Options: --rounds N, --keep DIR (keep the raw JSON lines and logs), --no-build, --configs LIST
# (measure only these configurations, comma-separated, e.g. sqlite,pg while working on one provider).
# All servers listen on 127.0.0.1; every one started here is stopped by its PID on exit, the
# PostgreSQL cluster by e2e/postgres.sh stop. Needs moto_server and PostgreSQL (postgres.sh installs
# Debian's package when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=full rounds=3 keep="" build=1 only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) mode=quick ;;
        --rounds) rounds=$2; shift ;;
        --keep) keep=$2; shift ;;
        --no-build) build=0 ;;
        --configs) only=$2; shift ;;
        *) echo "usage: bench/metadata.sh [--quick] [--rounds N] [--keep DIR] [--no-build] [--configs sqlite,pg,pg2,pg1]" >&2; exit 2 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then duration=4 warmup=2; else duration=10 warmup=3; fi
list_keys=20000

work=$(mktemp -d /tmp/cairn-metadata.XXXXXX)
# The cluster's owner (postgres) must be able to enter its directory: its own, under /tmp.
pg_dir="/tmp/cairn-metadata-pg-$$-$RANDOM"
pg_started=0
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ $pg_started = 1 ]; then bash e2e/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || echo "postgres.sh stop $pg_dir failed" >&2; fi
    if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# log, free_port, wait_http
source bench/lib.sh
command -v moto_server >/dev/null || { echo "moto_server not found (e2e/install-deps.sh installs it)" >&2; exit 1; }

if [ $build = 1 ]; then
    log "building (Release)"
    dotnet build Cairn.slnx -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
fi
bench_dll="$root/bench/Cairn.Bench.Load/bin/Release/net10.0/cairn-bench.dll"
cairn_dll="$root/src/Cairn.Server/bin/Release/net10.0/cairn.dll"
access_key=AKIDCAIRNBENCH
secret_key=cairn-bench-secret-key-0123456789

# ---------------------------------------------------------------- PostgreSQL and moto_server
log "PostgreSQL cluster in $pg_dir"
pg_started=1
pg_connection=$(bash e2e/postgres.sh start "$pg_dir") || { pg_started=0; exit 1; }
pg_port=$(sed 's/.*Port=\([0-9]*\).*/\1/' <<<"$pg_connection")
pg_password=$(sed 's/.*Password=\([^;]*\).*/\1/' <<<"$pg_connection")
# A database per topology, so the one-node and the two-node runs do not share tables.
for db in cairn_pg cairn_cluster; do
    PGPASSWORD=$pg_password psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
done
postmaster_pid=$(head -n 1 "$pg_dir/data/postmaster.pid")
pg_version=$(PGPASSWORD=$pg_password psql -qtA -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "SHOW server_version")

moto_port=$(free_port)
log "moto_server on $moto_port (the chunk bucket of the two-node topology)"
moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$moto_port/"
curl -sf -X PUT "http://127.0.0.1:$moto_port/cairn-upstream" >/dev/null

# ---------------------------------------------------------------- Cairn nodes
# start_node NAME [VAR=VALUE...]: a Cairn process with its own data directory; sets node_port.
declare -A node_pid node_port_of
start_node() {
    local name=$1 port
    shift
    port=$(free_port)
    env CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_REGION=us-east-1 \
        CAIRN_DATA_DIR="$work/data-$name" CAIRN_NODE_ID="$name" "$@" \
        dotnet "$cairn_dll" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning >"$work/server-$name.log" 2>&1 &
    pids+=($!)
    node_pid[$name]=$!
    node_port_of[$name]=$port
    wait_http "http://127.0.0.1:$port/_cairn/health" || { tail -n 20 "$work/server-$name.log" >&2; exit 1; }
}
gateway=(CAIRN_STORAGE=s3 CAIRN_S3_ENDPOINT="http://127.0.0.1:$moto_port" CAIRN_S3_BUCKET=cairn-upstream CAIRN_S3_PREFIX=bench/
    CAIRN_S3_PATH_STYLE=true CAIRN_S3_ACCESS_KEY=moto CAIRN_S3_SECRET_KEY=moto CAIRN_S3_REGION=us-east-1)
log "Cairn: one node on SQLite, one on PostgreSQL, two on PostgreSQL in gateway mode"
start_node sqlite
start_node pg CAIRN_METADATA=postgres CAIRN_POSTGRES="$pg_connection;Database=cairn_pg"
start_node node1 CAIRN_METADATA=postgres CAIRN_POSTGRES="$pg_connection;Database=cairn_cluster" "${gateway[@]}"
start_node node2 CAIRN_METADATA=postgres CAIRN_POSTGRES="$pg_connection;Database=cairn_cluster" "${gateway[@]}"

url() { echo "http://127.0.0.1:${node_port_of[$1]}"; }
declare -A endpoints=(
    [sqlite]=$(url sqlite)
    [pg]=$(url pg)
    [pg2]="$(url node1),$(url node2)"
    [pg1]=$(url node1)
)
# The Cairn processes a configuration's load lands on (pg2's idle-node CPU would be noise otherwise).
declare -A cairn_pids=(
    [sqlite]=${node_pid[sqlite]}
    [pg]=${node_pid[pg]}
    [pg2]="${node_pid[node1]} ${node_pid[node2]}"
    [pg1]=${node_pid[node1]}
)

# cpu_seconds PID...: user + system CPU of the processes; with --tree, of a process, its live
# children and its children that exited (the postmaster and its backends).
cpu_seconds() {
    python3 - "$@" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields  # fields[0] is state; utime = [11], stime = [12], cutime = [13], cstime = [14], ppid = [1]
args = sys.argv[1:]
total = 0
if args and args[0] == "--tree":
    parent = args[1]
    f = stat(parent)
    total += sum(int(x) for x in f[11:15])
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                s = stat(pid)
            except OSError:
                continue
            if s[1] == parent:
                total += int(s[11]) + int(s[12])
else:
    for pid in args:
        f = stat(pid)
        total += int(f[11]) + int(f[12])
print(total / tick)
PY
}

# retries ENDPOINTS: catalog writes run again after a conflict so far, summed over the nodes (metrics).
retries() {
    local total=0 url n
    for url in ${1//,/ }; do
        n=$(curl -s "$url/_cairn/metrics" | awk '/^cairn_metadata_write_retries_total/ {print $2}')
        total=$((total + ${n:-0}))
    done
    echo "$total"
}

results="$work/results.jsonl"
cpu="$work/cpu.jsonl"
: >"$results"
: >"$cpu"
# measure CONFIG SCENARIO ROUND [cairn-bench args...]
measure() {
    local config=$1 scenario=$2 round=$3 label
    shift 3
    label="$config:$scenario:$round"
    log "round $round: $config $scenario"
    local cairn_before pg_before cairn_after pg_after start end retries_before retries_after
    # shellcheck disable=SC2086 # pid lists are split on purpose
    cairn_before=$(cpu_seconds ${cairn_pids[$config]})
    pg_before=$(cpu_seconds --tree "$postmaster_pid")
    retries_before=$(retries "${endpoints[$config]}")
    start=$(date +%s.%N)
    if ! timeout -k 10 300 dotnet "$bench_dll" --endpoint "${endpoints[$config]}" --label "$label" \
        --access-key "$access_key" --secret-key "$secret_key" --warmup "$warmup" --json "$results" "$@" \
        >>"$work/generator.log" 2>&1; then
        echo "cairn-bench $label reported errors:" >&2
        tail -n 5 "$work/generator.log" >&2
    fi
    end=$(date +%s.%N)
    # shellcheck disable=SC2086
    cairn_after=$(cpu_seconds ${cairn_pids[$config]})
    pg_after=$(cpu_seconds --tree "$postmaster_pid")
    retries_after=$(retries "${endpoints[$config]}")
    echo "{\"label\": \"$label\", \"retries\": $((retries_after - retries_before)), \"cairnCpu\": $(python3 -c "print($cairn_after - $cairn_before)"), \"pgCpu\": $(python3 -c "print($pg_after - $pg_before)"), \"wall\": $(python3 -c "print($end - $start)")}" >>"$cpu"
}

configs=(sqlite pg pg2 pg1)
if [ -n "$only" ]; then IFS=, read -r -a configs <<<"$only"; fi
for round in $(seq 1 "$rounds"); do
    # Rotate the order each round so no configuration always runs first (or right after another).
    order=()
    for i in "${!configs[@]}"; do order+=("${configs[$(((i + round - 1) % ${#configs[@]}))]}"); done
    for config in "${order[@]}"; do
        measure "$config" put-4k-c64 "$round" --scenario put --size 4KiB --concurrency 64 --duration "$duration" --requests 2000000 --bucket put-c64
    done
    for config in "${order[@]}"; do
        measure "$config" get-4k-c64 "$round" --scenario get --size 4KiB --keys 1000 --concurrency 64 --duration "$duration" --requests 2000000 --bucket small
    done
    for config in "${order[@]}"; do
        measure "$config" "list-$list_keys" "$round" --scenario list --keys "$list_keys" --concurrency 1 --duration "$duration" --requests 1000
    done
done

# ---------------------------------------------------------------- report
{
    echo "date=$(date -u +%Y-%m-%d)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "cores=$(nproc)"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "dotnet=$(dotnet --version)"
    echo "postgres=$pg_version"
    echo "mode=$mode"
    echo "rounds=$rounds"
    echo "duration=$duration"
    echo "warmup=$warmup"
} >"$work/machine.env"
python3 - "$results" "$cpu" "$work/machine.env" "bench/metadata.sh$([ "$mode" = quick ] && echo " --quick")" <<'PY'
import json, statistics, sys
results_path, cpu_path, machine_path, command = sys.argv[1:5]
runs = {}
for line in open(results_path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
cpu = {}
for line in open(cpu_path):
    if line.strip():
        c = json.loads(line)
        cpu[c["label"]] = c
machine = dict(line.rstrip("\n").split("=", 1) for line in open(machine_path))
rounds = int(machine["rounds"])
warmup = float(machine["warmup"])
scenarios = ["put-4k-c64", "get-4k-c64", "list-20000"]
configs = ["sqlite", "pg", "pg1", "pg2"]

def rate(config, scenario, rnd):
    r = runs.get(f"{config}:{scenario}:{rnd}")
    if r is None or r.get("errors"):
        return None
    return r["keysPerSec"] if scenario.startswith("list") else r["opsPerSec"]

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def fmt(v):
    return "–" if v is None else f"{v:,.0f}"

def fmt_ratio(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m = statistics.median(values)
    return f"**{m:.2f}×** ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else f"**{m:.2f}×**"

def per_round_ratio(a, b, scenario):
    out = []
    for rnd in range(1, rounds + 1):
        x, y = rate(a, scenario, rnd), rate(b, scenario, rnd)
        out.append(x / y if x is not None and y else None)
    return out

names = {"put-4k-c64": "PUT 4 KiB, c64 (ops/s)", "get-4k-c64": "GET 4 KiB, c64 (ops/s)", "list-20000": "LIST 20,000 keys, c1 (keys/s)"}
print(f"- Command: `{command}` (from the repository root; it builds Release first)")
print(f"- Date: {machine['date']}; {machine['cpu']}, {machine['cores']} cores shared with other builds and tests "
      f"(load average at the end {machine['load']}); .NET SDK {machine['dotnet']}, PostgreSQL {machine['postgres']} "
      f"(postgres.sh defaults: fsync on, synchronous_commit on); {rounds} rounds of {machine['duration']} s per measurement")
print()
print("| scenario | SQLite, 1 node | PostgreSQL, 1 node | **PG / SQLite** | PG gateway, 1 node | PG gateway, 2 nodes | **2 nodes / 1** |")
print("|---|---|---|---|---|---|---|")
verdicts = []
for s in scenarios:
    m = {c: med([rate(c, s, r) for r in range(1, rounds + 1)]) for c in configs}
    pg_sqlite = per_round_ratio("pg", "sqlite", s)
    two_one = per_round_ratio("pg2", "pg1", s)
    print(f"| {names[s]} | {fmt(m['sqlite'])} | {fmt(m['pg'])} | {fmt_ratio(pg_sqlite)} | {fmt(m['pg1'])} | {fmt(m['pg2'])} | {fmt_ratio(two_one)} |")
    if not s.startswith("list"):
        verdicts.append((s, med(pg_sqlite)))
print()
print("Medians over the rounds; a ratio is the median of the per-round ratios (range in brackets).")
print()
print("Per request, medians over the rounds. CPU is read around each cairn-bench process, so it covers the")
print("warm-up too: it is divided by the timed requests plus the warm-up's, counted at the timed rate (an")
print("estimate, good for comparing the configurations and Cairn's share with PostgreSQL's).")
print()
print("| per 4 KiB request | SQLite, 1 node | PostgreSQL, 1 node | PG gateway, 1 node | PG gateway, 2 nodes |")
print("|---|---|---|---|---|")
def per_request(config, scenario, field, scale):
    values = []
    for rnd in range(1, rounds + 1):
        r, u = runs.get(f"{config}:{scenario}:{rnd}"), cpu.get(f"{config}:{scenario}:{rnd}")
        if r is None or u is None or not r["requests"] or r.get("errors"):
            continue
        n = r["requests"] + r["opsPerSec"] * warmup
        values.append(u[field] / n * scale)
    return med(values)
for s, what in (("put-4k-c64", "PUT"), ("get-4k-c64", "GET")):
    for field, name, scale, digits in (("cairnCpu", "Cairn CPU, µs", 1e6, 0), ("pgCpu", "PostgreSQL CPU, µs", 1e6, 0),
                                       ("retries", "catalog writes run again after a conflict", 1, 2)):
        if field == "retries" and what == "GET":
            continue
        cells = [per_request(c, s, field, scale) for c in configs]
        print(f"| {what}: {name} | " + " | ".join("–" if v is None else f"{v:,.{digits}f}" for v in cells) + " |")
print()
for s, v in verdicts:
    verdict = "not measured" if v is None else ("met" if v >= 0.5 else "**missed**")
    print(f"- Target: PostgreSQL ≥ 0.50× SQLite for {s}: {('–' if v is None else f'{v:.2f}×')}, {verdict}")
errors = [(label, r["errors"]) for label, r in runs.items() if r.get("errors")]
if errors:
    print("- Runs with errors (left out): " + ", ".join(f"{l} ({n})" for l, n in errors))
PY
