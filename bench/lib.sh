# Shared helpers for the benchmark scripts (sourced, not run).

log() { echo "== $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url
    for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
    echo "timed out waiting for $1" >&2; return 1
}

# The command line of a script that writes N objects: --objects N (DEFAULT) and --keep DIR (copy the
# scratch directory there at exit); sets objects and keep. parse_objects_args SCRIPT DEFAULT "$@".
parse_objects_args() {
    local script=$1
    objects=$2 keep=""
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --objects) objects=$2; shift ;;
            --keep) keep=$2; shift ;;
            *) echo "usage: $script [--objects N] [--keep DIR]" >&2; exit 2 ;;
        esac
        shift
    done
}

# The command line of a script that measures in rounds: --quick (shorter phases), --rounds N (DEFAULT)
# and --keep DIR; sets mode (full or quick), rounds and keep. parse_rounds_args SCRIPT DEFAULT "$@".
parse_rounds_args() {
    local script=$1
    mode=full rounds=$2 keep=""
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --quick) mode=quick ;;
            --rounds) rounds=$2; shift ;;
            --keep) keep=$2; shift ;;
            *) echo "usage: $script [--quick] [--rounds N] [--keep DIR]" >&2; exit 2 ;;
        esac
        shift
    done
}

# The setup of a script that builds Cairn and starts its own servers (compaction.sh, inline.sh,
# packs.sh): a scratch directory $work named after PREFIX, removed on exit (copied to $keep first
# when the caller set keep); pids, whose servers are stopped on exit; a Release build; and
# bench_dll, server_dll, access_key and secret_key for the servers and cairn-bench. The caller sets
# root (the repository) first.
bench_setup() { # PREFIX
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    pids=()
    trap bench_cleanup EXIT
    log "building (Release)"
    dotnet build Cairn.slnx -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
    bench_dll="$root/bench/Cairn.Bench.Load/bin/Release/net10.0/cairn-bench.dll"
    server_dll="$root/src/Cairn.Server/bin/Release/net10.0/cairn.dll"
    access_key=AKIDCAIRNBENCH
    secret_key=cairn-bench-secret-key-0123456789
}
bench_cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "${keep:-}" ]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/ 2>/dev/null || true; fi
    rm -rf "$work"
}

# Cairn nodes of one build side by side (packs.sh, inline.sh). The caller sets work, server_dll,
# access_key, secret_key and pids (its exit trap stops every PID in it); start_node NAME starts one
# on a free loopback port with its own data directory $work/data-NAME and records the port.
declare -A port_of pid_of
start_node() { # NAME [server args...]
    local name=$1 port
    shift
    port=$(free_port)
    env CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_REGION=us-east-1 \
        CAIRN_DATA_DIR="$work/data-$name" dotnet "$server_dll" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning "$@" \
        >"$work/server-$name.log" 2>&1 &
    pids+=($!)
    pid_of[$name]=$!
    port_of[$name]=$port
    wait_http "http://127.0.0.1:$port/_cairn/health" || { tail -n 20 "$work/server-$name.log" >&2; exit 1; }
}

# One cairn-bench run against node NODE, its JSON line appended to $results (the caller sets
# bench_dll, results and warmup); a run that reports errors is logged, not fatal.
measure() { # LABEL NODE [cairn-bench args...]
    local label=$1 node=$2
    shift 2
    log "$label"
    timeout -k 10 300 dotnet "$bench_dll" --endpoint "http://127.0.0.1:${port_of[$node]}" --label "$label" \
        --access-key "$access_key" --secret-key "$secret_key" --warmup "$warmup" --json "$results" "$@" \
        >>"$work/generator.log" 2>&1 || { echo "cairn-bench $label reported errors:" >&2; tail -n 5 "$work/generator.log" >&2; }
}

# One server and a bucket of small objects (lifecycle.sh, inventory.sh). start_bench_server ENV... -- ARGS...:
# one Cairn on a free loopback port with data in $work/data, environment assignments before '--'
# and server options after; sets endpoint. write_objects N SIZE BUCKET: N fresh objects of SIZE
# bytes (distinct bodies) at c64 with cairn-bench, its JSON line in $work/put.jsonl.
start_bench_server() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    endpoint="http://127.0.0.1:$(free_port)"
    env CAIRN_ROOT_ACCESS_KEY=$access_key CAIRN_ROOT_SECRET_KEY=$secret_key CAIRN_REGION=us-east-1 CAIRN_DATA_DIR="$work/data" "${envs[@]}" \
        dotnet "$server_dll" --urls "$endpoint" --Logging:LogLevel:Default=Warning "$@" >>"$work/server.log" 2>&1 &
    pids+=($!)
    wait_http "$endpoint/_cairn/health" || { tail -n 20 "$work/server.log" >&2; exit 1; }
}
write_objects() { # N SIZE BUCKET
    log "writing $1 objects of $2 bytes (c64)"
    timeout -k 10 1800 dotnet "$bench_dll" --endpoint "$endpoint" --access-key "$access_key" --secret-key "$secret_key" --scenario put \
        --bodies distinct --size "$2" --concurrency 64 --warmup 0 --requests "$1" --duration 1800 --bucket "$3" \
        --json "$work/put.jsonl" >"$work/generator.log" 2>&1 || { tail -n 5 "$work/generator.log" >&2; exit 1; }
}
