#!/usr/bin/env bash
# The verifiable bucket (issue 11), measured in one run on the embedded SQLite catalog:
#   - 4 KiB PUT at c64 with the tree committer running (Engine:TreeCommitter, folding every
#     --interval, default 5 s as the server's) next to the same build without it (the issue allows
#     the committer 10 % of that rate);
#   - how far the committer is behind when a PUT round ends (journal entries not yet folded), and
#     how long a flush then takes;
#   - committer throughput: journal entries folded per second by one flush of a bucket's whole backlog
#     (the node without the background committer);
#   - export MB/s of the PUT bucket and of a bucket of 4 MiB bodies (admin API, streamed to a file by the client);
#   - import MB/s of those two files into new buckets (admin API POST: spool, verify, store, one transaction).
#   - each server's CPU per PUT (cairn-bench --server-pid), the quieter measure of the committer's cost.
# Both servers are warmed up first, and that phase is reported apart: a server's first tens of
# seconds with the committer compile the fold's code (a method the fold runs once is called once a
# fold, and the tiered compiler optimizes a method only after some tens of calls), a cost paid once
# per process that the rounds after it do not pay again.
# Rounds rotate the order of the configurations; the table gives medians and ratios.
#   bench/trees.sh [--quick] [--rounds N] [--interval HH:MM:SS.fff] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=full rounds=3 keep="" interval=00:00:05
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) mode=quick ;;
        --rounds) rounds=$2; shift ;;
        --interval) interval=$2; shift ;;
        --keep) keep=$2; shift ;;
        *) echo "usage: bench/trees.sh [--quick] [--rounds N] [--interval HH:MM:SS.fff] [--keep DIR]" >&2; exit 2 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then duration=4 warmup=2 warm=5; else duration=10 warmup=3 warm=60; fi

source bench/lib.sh
bench_setup cairn-trees
log "Cairn twice, each on its own SQLite catalog and disk: with the tree committer and without"
start_node committer --Engine:TreeCommitter=true --Engine:TreeCommitInterval="$interval"
start_node plain

results="$work/results.jsonl"
export BENCH_WORK="$work"
: >"$results"
# Admin calls signed by botocore: tree (lag and flush), export and import, timed, as JSON lines.
admin() { # LABEL NODE BUCKET ACTION(fold|export|import|fill-big)
    python3 - "http://127.0.0.1:${port_of[$2]}" "$access_key" "$secret_key" "$1" "$3" "$4" >>"$results" <<'PY'
import json, sys, time, urllib.request
import boto3
from botocore.config import Config
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
endpoint, key, secret, label, bucket, action = sys.argv[1:7]
credentials = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret).get_credentials()
def get(path):
    request = AWSRequest(method="GET", url=endpoint + path)
    S3SigV4Auth(credentials, "s3", "us-east-1").add_auth(request)
    return urllib.request.urlopen(urllib.request.Request(request.url, headers=dict(request.headers.items())), timeout=600)
def seq(flush):
    try:
        with get(f"/_cairn/buckets/{bucket}/tree" + ("?flush=true" if flush else "")) as r:
            return json.load(r)["seq"]
    except urllib.error.HTTPError as e:
        if e.code == 404 and not flush:
            return 0
        raise
import os
car = os.path.join(os.environ["BENCH_WORK"], bucket + ".car")
if action == "fill-big":
    s3 = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1").client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
    s3.create_bucket(Bucket=bucket)
    for i in range(24):
        s3.put_object(Bucket=bucket, Key=f"big-{i:03d}", Body=os.urandom(4 * 1024 * 1024))
elif action == "export":
    start, size = time.perf_counter(), 0
    with get(f"/_cairn/buckets/{bucket}/export") as r, open(car, "wb") as f:
        while chunk := r.read(1 << 20):
            size += len(chunk)
            f.write(chunk)
    seconds = time.perf_counter() - start
    print(json.dumps({"label": label, "errors": 0, "bytes": size, "seconds": seconds, "mbPerSec": size / seconds / 1e6}))
elif action == "import":
    s3 = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1").client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
    target = bucket + "-imported"
    s3.create_bucket(Bucket=target)
    size = os.path.getsize(car)
    start = time.perf_counter()
    with open(car, "rb") as f:
        # botocore signs the file's SHA-256 (one read), the server checks it while spooling (the send).
        request = AWSRequest(method="POST", url=f"{endpoint}/_cairn/buckets/{target}/import", data=f)
        S3SigV4Auth(credentials, "s3", "us-east-1").add_auth(request)
        f.seek(0)
        headers = dict(request.headers.items())
        headers["Content-Length"] = str(size)
        with urllib.request.urlopen(urllib.request.Request(request.url, data=f, method="POST", headers=headers), timeout=600) as r:
            answer = json.load(r)
    seconds = time.perf_counter() - start
    print(json.dumps({"label": label, "errors": 0, "bytes": size, "seconds": seconds, "mbPerSec": size / seconds / 1e6,
                      "keys": answer["keysImported"]}))
else:
    before = seq(flush=False)
    start = time.perf_counter()
    after = seq(flush=True)
    seconds = time.perf_counter() - start
    print(json.dumps({"label": label, "errors": 0, "behind": after - before, "seconds": seconds,
                      "entriesPerSec": (after - before) / seconds if after > before else None}))
PY
}
put=(--scenario put --size 4KiB --concurrency 64 --requests 2000000) # each phase adds its --duration

configs=(committer plain)
log "warming both servers up for ${warm} s of PUTs each, then a flush (reported apart, not in the rounds)"
for config in "${configs[@]}"; do
    measure "warm:$config" "$config" "${put[@]}" --duration "$warm" --bucket warm --server-pid "${pid_of[$config]}"
    admin "warm-fold:$config" "$config" warm fold
done
for round in $(seq 1 "$rounds"); do
    order=()
    for i in "${!configs[@]}"; do order+=("${configs[$(((i + round - 1) % ${#configs[@]}))]}"); done
    for config in "${order[@]}"; do
        measure "put:$config:$round" "$config" "${put[@]}" --duration "$duration" --bucket "put-$round" --server-pid "${pid_of[$config]}"
        admin "fold:$config:$round" "$config" "put-$round" fold
    done
done
admin "export:plain" plain "put-1" export
admin "import:plain" plain "put-1" import
admin "fill:big" plain "big" fill-big
admin "export:big" plain "big" export
admin "import:big" plain "big" import

python3 - "$results" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/trees.sh$([ "$mode" = quick ] && echo " --quick") --rounds $rounds --interval $interval" "$rounds" "$interval" <<'PY'
import json, statistics, sys
path, load, command, rounds, interval = sys.argv[1:6]
runs = {}
for line in open(path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
def values(prefix, field):
    return [runs[k][field] for k in runs if k.startswith(prefix) and runs[k].get(field) is not None and not runs[k].get("errors")]
def med(v):
    return statistics.median(v) if v else None
put_c, put_p = med(values("put:committer:", "opsPerSec")), med(values("put:plain:", "opsPerSec"))
print(f"`{command}` (load {load}; {rounds} rounds, medians)\n")
print(f"| 4 KiB PUT, c64 | without committer | with committer (idle interval {interval}) | with / without |")
print("|---|---|---|---|")
print(f"| PUT | {put_p:,.0f}/s | {put_c:,.0f}/s | {put_c / put_p:.2f}x |")
# Each round measures the two servers back to back, so a round's ratio shares that round's machine load.
ratios = [runs[f"put:committer:{i}"]["opsPerSec"] / runs[f"put:plain:{i}"]["opsPerSec"] for i in range(1, int(rounds) + 1)
          if not runs.get(f"put:committer:{i}", {}).get("errors", 1) and not runs.get(f"put:plain:{i}", {}).get("errors", 1)]
if ratios:
    print(f"\nPer-round ratios (with / without): {', '.join(f'{r:.2f}' for r in ratios)}; median {med(ratios):.2f}.")
# Server CPU per PUT (its own process, from /proc, over each timed phase): on two shared cores the
# rate moves with whatever else runs; the CPU a server spends per PUT moves far less. On a machine
# the server saturates, rate scales as 1 / CPU per PUT, so without / with is the rate's ratio.
cpu_c, cpu_p = med(values("put:committer:", "serverCpuUsPerOp")), med(values("put:plain:", "serverCpuUsPerOp"))
cpu_ratios = [runs[f"put:plain:{i}"]["serverCpuUsPerOp"] / runs[f"put:committer:{i}"]["serverCpuUsPerOp"] for i in range(1, int(rounds) + 1)
              if runs.get(f"put:committer:{i}", {}).get("serverCpuUsPerOp") and runs.get(f"put:plain:{i}", {}).get("serverCpuUsPerOp")]
if cpu_c and cpu_p:
    print(f"\nServer CPU per PUT, medians: {cpu_p:,.1f} us without the committer, {cpu_c:,.1f} us with it: "
          f"without / with {cpu_p / cpu_c:.2f}x (per round: {', '.join(f'{r:.2f}' for r in cpu_ratios)}; median {med(cpu_ratios):.2f}).")
warm_c, warm_p = runs.get("warm:committer"), runs.get("warm:plain")
if warm_c and warm_p and not warm_c.get("errors") and not warm_p.get("errors"):
    print(f"\nWarm-up, each server's first {warm_c['seconds']:.0f} s of PUTs (one run each, not in the rounds): "
          f"{warm_p['opsPerSec']:,.0f}/s without the committer, {warm_c['opsPerSec']:,.0f}/s with it, "
          f"{warm_c['opsPerSec'] / warm_p['opsPerSec']:.2f}x; server CPU per PUT {warm_p['serverCpuUsPerOp']:,.1f} / "
          f"{warm_c['serverCpuUsPerOp']:,.1f} us, {warm_p['serverCpuUsPerOp'] / warm_c['serverCpuUsPerOp']:.2f}x.")
lag = values("fold:committer:", "behind")
print(f"\nBehind when a round ends, with the committer running: median {med(lag):,.0f} journal entries "
      f"(then folded by a flush in {med(values('fold:committer:', 'seconds')):.2f} s).")
rate = values("fold:plain:", "entriesPerSec")
backlog = values("fold:plain:", "behind")
print(f"Committer throughput, one flush of a round's whole backlog ({med(backlog):,.0f} entries, every key new): "
      f"median {med(rate):,.0f} journal entries/s.")
for name, what in (("plain", "put-1 (4 KiB bodies)"), ("big", "big (24 bodies of 4 MiB)")):
    export, imported = runs.get(f"export:{name}"), runs.get(f"import:{name}")
    if export:
        print(f"Export of {what}, {export['bytes'] / 1e6:,.1f} MB: {export['mbPerSec']:,.1f} MB/s.", end="")
    if imported:
        print(f" Import of that file into a new bucket ({imported['keys']:,} keys): {imported['mbPerSec']:,.1f} MB/s.", end="")
    print()
PY
