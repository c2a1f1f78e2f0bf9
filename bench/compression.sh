#!/usr/bin/env bash
# Chunk compression (issue 12), measured in one run: the same corpus of real files uploaded with the
# AWS CLI to two Cairn servers on the embedded default (SQLite + local disk), one with
# Engine:Compression=None and one with the default (zstd, level 1):
#   - bytes the chunks hold and bytes stored for them (the engine's counters, by codec), and the
#     chunk store's size on disk (du of blobs/), so the saving is stated in bytes and as a ratio;
#   - upload and download time of the corpus with each (the CLI's own cost is in both);
#   - every file downloaded again and compared byte for byte.
# Corpus: the .NET SDK's reference packs (/usr/share/dotnet/packs: reference assemblies and their
# XML documentation, about 100 MB in 800 files), or a directory given with --corpus.
#   bench/compression.sh [--corpus DIR] [--level N] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

corpus=/usr/share/dotnet/packs level=1 keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --corpus) corpus=$2; shift ;;
        --level) level=$2; shift ;;
        --keep) keep=$2; shift ;;
        *) echo "usage: bench/compression.sh [--corpus DIR] [--level N] [--keep DIR]" >&2; exit 2 ;;
    esac
    shift
done
[ -d "$corpus" ] || { echo "no corpus directory $corpus" >&2; exit 1; }

work=$(mktemp -d /tmp/cairn-compression.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
source bench/lib.sh

log "building (Release)"
dotnet build src/Cairn.Server -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
server_dll="$root/src/Cairn.Server/bin/Release/net10.0/cairn.dll"
export AWS_ACCESS_KEY_ID=AKIDCAIRNBENCH AWS_SECRET_ACCESS_KEY=cairn-bench-secret-key-0123456789 AWS_DEFAULT_REGION=us-east-1
unset AWS_CA_BUNDLE

declare -A port_of
start_node() { # NAME [server args...]
    local name=$1 port
    shift
    port=$(free_port)
    env CAIRN_ROOT_ACCESS_KEY=$AWS_ACCESS_KEY_ID CAIRN_ROOT_SECRET_KEY=$AWS_SECRET_ACCESS_KEY CAIRN_REGION=us-east-1 \
        CAIRN_DATA_DIR="$work/data-$name" dotnet "$server_dll" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning "$@" \
        >"$work/server-$name.log" 2>&1 &
    pids+=($!)
    port_of[$name]=$port
    wait_http "http://127.0.0.1:$port/_cairn/health" || { tail -n 20 "$work/server-$name.log" >&2; exit 1; }
}
counter() { # NAME METRIC CODEC: the counter's value on that node (0 when absent)
    curl -s "http://127.0.0.1:${port_of[$1]}/_cairn/metrics" |
        awk -v metric="$2" -v codec="codec=\"$3\"" 'index($0, metric "{") == 1 && index($0, codec) { sum += $NF } END { printf "%d\n", sum }'
}
seconds() { python3 -c 'import time; print(time.monotonic())'; }

log "corpus: $corpus"
files=$(find "$corpus" -type f | wc -l)
corpus_bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
inline_bytes=$(find "$corpus" -type f -size -4097c -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
start_node plain --Engine:Compression=None
start_node zstd --Engine:Compression=Zstd --Engine:CompressionLevel="$level"

declare -A put_s get_s disk
for name in plain zstd; do
    endpoint="http://127.0.0.1:${port_of[$name]}"
    aws --endpoint-url "$endpoint" s3 mb s3://corpus >/dev/null
    log "$name: upload"
    t0=$(seconds)
    aws --endpoint-url "$endpoint" s3 cp --recursive --quiet "$corpus" s3://corpus/
    t1=$(seconds)
    log "$name: download and compare"
    aws --endpoint-url "$endpoint" s3 cp --recursive --quiet s3://corpus/ "$work/back-$name"
    t2=$(seconds)
    diff -r "$corpus" "$work/back-$name" >/dev/null || { echo "$name: the files downloaded differ from the corpus" >&2; exit 1; }
    rm -rf "$work/back-$name"
    put_s[$name]=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
    get_s[$name]=$(python3 -c "print(f'{$t2 - $t1:.1f}')")
    disk[$name]=$(du -sb "$work/data-$name/blobs" | cut -f1)
done

chunk_bytes=$(( $(counter zstd cairn_chunks_written_bytes_total none) + $(counter zstd cairn_chunks_written_bytes_total zstd) ))
zstd_in=$(counter zstd cairn_chunks_written_bytes_total zstd)
zstd_out=$(counter zstd cairn_chunks_written_stored_bytes_total zstd)
none_in=$(counter zstd cairn_chunks_written_bytes_total none)
stored=$(( zstd_out + none_in ))
plain_stored=$(( $(counter plain cairn_chunks_written_stored_bytes_total none) ))

python3 - "$corpus" "$files" "$corpus_bytes" "$inline_bytes" "$level" "$chunk_bytes" "$zstd_in" "$zstd_out" "$none_in" "$stored" "$plain_stored" \
    "${disk[plain]}" "${disk[zstd]}" "${put_s[plain]}" "${put_s[zstd]}" "${get_s[plain]}" "${get_s[zstd]}" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
import sys
(corpus, files, corpus_bytes, inline_bytes, level, chunk_bytes, zstd_in, zstd_out, none_in, stored, plain_stored,
 disk_plain, disk_zstd, put_plain, put_zstd, get_plain, get_zstd, load) = sys.argv[1:]
n = lambda v: f"{int(v):,}"
mb = lambda v: f"{int(v) / 1e6:,.1f} MB"
print(f"`bench/compression.sh` (corpus {corpus}: {n(files)} files, {mb(corpus_bytes)}; zstd level {level}; load {load})")
print()
print("| | Compression=None | Compression=Zstd | zstd / none |")
print("|---|---|---|---|")
print(f"| chunk bytes stored (engine counters) | {mb(plain_stored)} | {mb(stored)} | {int(stored) / int(plain_stored):.2f}x |")
print(f"| chunk store on disk (du -sb blobs/) | {mb(disk_plain)} | {mb(disk_zstd)} | {int(disk_zstd) / int(disk_plain):.2f}x |")
print(f"| upload of the corpus (aws s3 cp --recursive) | {put_plain} s | {put_zstd} s | {float(put_zstd) / float(put_plain):.2f}x |")
print(f"| download of the corpus | {get_plain} s | {get_zstd} s | {float(get_zstd) / float(get_plain):.2f}x |")
print()
print(f"With zstd: {mb(zstd_in)} of the {mb(chunk_bytes)} in chunks compressed to {mb(zstd_out)} "
      f"({int(zstd_out) / max(1, int(zstd_in)):.1%}); {mb(none_in)} did not compress by 1/8 and were stored as is. "
      f"Files of 4 KiB or less stay inline in the catalog, uncompressed ({mb(inline_bytes)}); "
      f"the other {mb(int(corpus_bytes) - int(inline_bytes) - int(chunk_bytes))} were chunks already stored (dedup). "
      "Every file downloaded back equal to its original.")
EOF
