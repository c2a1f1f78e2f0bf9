#!/usr/bin/env bash
# Lifecycle evaluation and expiration rates (issue 13), on the embedded default (SQLite + local disk):
# one Cairn server with a 20-second lifecycle day writes N objects of 1 KiB (c64), then a lifecycle
# configuration that expires every object after one day is put. Reports, from the server's own
# counters sampled every 0.2 s:
#   - judging: the keys judged when the configuration arrived (every key once, cause="rebuild"),
#     over the time from the PUT of the configuration to the last key judged;
#   - expiring: the objects removed (action="expire_current"), over the time from the first removal
#     to the last.
#   bench/lifecycle.sh [--objects N] [--keep DIR]      (default 100,000 objects)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
parse_objects_args bench/lifecycle.sh 100000 "$@"
bench_setup cairn-lifecycle
start_bench_server CAIRN_LIFECYCLE_DAY=00:00:20 -- --Engine:LifecycleInterval=00:00:00.2
write_objects "$objects" 1024 aging

AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key python3 - "$endpoint" "$objects" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "bench/lifecycle.sh --objects $objects" "$work/put.jsonl" <<'PY'
import json, sys, time, urllib.request
import boto3
from botocore.config import Config
endpoint, objects, load, command, put_json = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))

def metric(prefix, *labels):
    text = urllib.request.urlopen(endpoint + "/_cairn/metrics", timeout=10).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        if (name == prefix or name.startswith(prefix + "{")) and all(label in name for label in labels):
            total += float(value)
    return total

put = json.loads(open(put_json).readline())
configured = time.time()
s3.put_bucket_lifecycle_configuration(Bucket="aging", LifecycleConfiguration={"Rules": [
    {"ID": "all", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]})
judged_at = expired_first = expired_last = None
deadline = time.time() + 1800
while time.time() < deadline:
    now = time.time()
    judged = metric("cairn_lifecycle_evaluated_total", 'cause="rebuild"')
    expired = metric("cairn_lifecycle_actions_total", 'action="expire_current"', 'outcome="done"')
    if judged_at is None and judged >= objects:
        judged_at = now
    if expired_first is None and expired > 0:
        expired_first = now
    if expired >= objects:
        expired_last = now
        break
    time.sleep(0.2)
assert judged_at and expired_last, f"not done within the deadline: judged {judged:,.0f}, expired {expired:,.0f}"
left = s3.list_objects_v2(Bucket="aging", MaxKeys=10).get("KeyCount", 0)
print(f"`{command}` (load {load})\n")
print(f"- {objects:,} objects of 1 KiB written at c64 ({put['opsPerSec']:,.0f} PUT/s); then a configuration expiring every object after one (20-second) day.")
print(f"- Judging every key once when the configuration arrived: {judged_at - configured:.1f} s, **{objects / (judged_at - configured):,.0f} keys/s** (a 0.2 s poll, start-up of the step included).")
print(f"- Expiring them (unversioned: each removed in its own catalog transaction, eight keys at a time): {expired_last - expired_first:.1f} s from the first removal to the last, "
      f"**{objects / max(expired_last - expired_first, 0.2):,.0f} objects/s**; {left} left listed.")
PY
