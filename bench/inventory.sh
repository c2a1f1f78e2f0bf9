#!/usr/bin/env bash
# Inventory report generation rate (issue 13), on the embedded default (SQLite + local disk): one
# Cairn server with a 10-second lifecycle day writes N objects of 1 KiB (c64), then an inventory
# configuration (every version, six optional fields) is put, Parquet first, then CSV. A report is
# due at the day boundary after its configuration; the time from that boundary to the manifest's
# appearance in the destination (polled every 0.1 s) is the report's generation time: reading the
# bucket through one snapshot, writing the data files, storing them and the manifest.
#   bench/inventory.sh [--objects N] [--keep DIR]      (default 100,000 objects)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
parse_objects_args bench/inventory.sh 100000 "$@"
bench_setup cairn-inventory
start_bench_server CAIRN_LIFECYCLE_DAY=00:00:10 -- --Engine:LifecycleInterval=00:00:00.1
write_objects "$objects" 1024 source

AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key python3 - "$endpoint" "$objects" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "bench/inventory.sh --objects $objects" "$work/put.jsonl" <<'PY'
import json, math, sys, time
import boto3
from botocore.config import Config
endpoint, objects, load, command, put_json = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="reports")
day = 10.0
put = json.loads(open(put_json).readline())
print(f"`{command}` (load {load})\n")
print(f"- {objects:,} objects of 1 KiB written at c64 ({put['opsPerSec']:,.0f} PUT/s); lifecycle day 10 s.")
for fmt in ("Parquet", "CSV"):
    configuration = {
        "Id": fmt.lower(), "IsEnabled": True, "IncludedObjectVersions": "All", "Schedule": {"Frequency": "Weekly"},
        "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": fmt, "Prefix": fmt.lower()}},
        "OptionalFields": ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ChecksumAlgorithm"],
    }
    s3.put_bucket_inventory_configuration(Bucket="source", Id=fmt.lower(), InventoryConfiguration=configuration)
    due = math.ceil(time.time() / day) * day
    deadline = due + 600
    manifest = None
    while time.time() < deadline and manifest is None:
        for o in s3.list_objects_v2(Bucket="reports", Prefix=fmt.lower() + "/").get("Contents", []):
            if o["Key"].endswith("/manifest.json"):
                manifest = o["Key"]
        if manifest is None:
            time.sleep(0.1)
    seen = time.time()
    assert manifest, f"no {fmt} report within the deadline"
    body = json.loads(s3.get_object(Bucket="reports", Key=manifest)["Body"].read())
    size = sum(f["size"] for f in body["files"])
    s3.delete_bucket_inventory_configuration(Bucket="source", Id=fmt.lower())
    span = seen - due
    print(f"- {fmt}: the report of {objects:,} rows in {len(body['files'])} file(s) of {size:,} bytes appeared {span:.1f} s after it was due: "
          f"**{objects / span:,.0f} rows/s** (a 0.1 s poll and the worker's 0.1 s wait included).")
PY
