"""S3 Inventory with boto3 (issue 13): a versioned bucket (null versions written before versioning was
enabled, several versions of some keys, a delete marker, an empty object, non-ASCII keys whose UTF-8
order differs from their UTF-16 order) gets a Parquet configuration (every version, Size,
LastModifiedDate and ETag) and a CSV one (current versions); both are read back with
get_bucket_inventory_configuration and list_bucket_inventory_configurations; the worker writes their
reports at the next lifecycle day; each manifest.json is checked against manifest.checksum and each data
file against the manifest's size and MD5; e2e/js/inventory-check.mjs reads the Parquet files with
hyparquet, compares them with ListObjectVersions and reads a key range skipping row groups by their key
statistics; the CSV file is compared with the current versions. The reports keep coming, one a day; after
delete_bucket_inventory_configuration, get answers 404 NoSuchConfiguration and no report follows.

Expects CAIRN_ENDPOINT and AWS credentials in the environment, and a server started with
CAIRN_LIFECYCLE_DAY=00:00:02 and --Engine:InventoryRowsPerGroup=50 (e2e/run.sh does both); $1 is a
scratch directory. Nothing is written to the source bucket after the first configuration is put: a
report lists the bucket as of one moment."""
import csv
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import boto_fixes

endpoint = os.environ["CAIRN_ENDPOINT"]
work = sys.argv[1]
os.makedirs(work, exist_ok=True)
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto_fixes.register(boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config))
suffix = uuid.uuid4().hex[:10]
source = "inv-src-" + suffix
dest = "inv-dest-" + suffix
here = os.path.dirname(os.path.abspath(__file__))
started = time.monotonic()
ROWS_PER_GROUP = 50  # --Engine:InventoryRowsPerGroup in e2e/run.sh


def step(message):
    print("step [%ds]: %s" % (time.monotonic() - started, message), flush=True)


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def error_of(call, **kwargs):
    """The (HTTP status, error code) a call fails with; fails the script if it succeeds."""
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]
    check(False, "%s(%r) succeeded" % (call.__name__, kwargs))


def utf8_order(key):
    return key.encode("utf-8")


def get(bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def keys_under(bucket, prefix):
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found += [o["Key"] for o in page.get("Contents", [])]
    return found


def manifests(config_id):
    return sorted(k for k in keys_under(dest, "inv/%s/%s/" % (source, config_id)) if k.endswith("/manifest.json"))


def wait_for_manifests(config_id, count, seconds):
    """The manifests of a configuration once at least `count` are there (polled for at most `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        found = manifests(config_id)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def fetch_report(config_id, manifest_key, fmt):
    """manifest.json checked against manifest.checksum and its fields; every data file downloaded into a
    directory of its own and checked against the manifest's size and MD5. Returns (manifest, directory)."""
    body = get(dest, manifest_key)
    checksum = get(dest, manifest_key[: -len("manifest.json")] + "manifest.checksum").decode().strip()
    check(checksum == hashlib.md5(body).hexdigest(), "%s: manifest.checksum %s, md5 of manifest.json %s" % (manifest_key, checksum, hashlib.md5(body).hexdigest()))
    manifest = json.loads(body)
    check(manifest.get("sourceBucket") == source, "sourceBucket %r" % manifest.get("sourceBucket"))
    check(manifest.get("destinationBucket") == "arn:aws:s3:::" + dest, "destinationBucket %r" % manifest.get("destinationBucket"))
    check(manifest.get("fileFormat") == fmt, "fileFormat %r, expected %s" % (manifest.get("fileFormat"), fmt))
    check(isinstance(manifest.get("version"), str) and manifest["version"], "version %r" % manifest.get("version"))
    created = manifest.get("creationTimestamp")
    check(isinstance(created, str) and created.isdigit() and abs(int(created) / 1000 - time.time()) < 600, "creationTimestamp %r" % created)
    check(isinstance(manifest.get("fileSchema"), str) and manifest["fileSchema"], "fileSchema %r" % manifest.get("fileSchema"))
    files = manifest.get("files")
    check(isinstance(files, list) and files, "files %r" % files)
    directory = os.path.join(work, config_id + "-" + created)
    os.makedirs(directory, exist_ok=True)
    data_prefix = "inv/%s/%s/data/" % (source, config_id)
    extension = ".parquet" if fmt == "Parquet" else ".csv.gz"
    for f in files:
        check(f["key"].startswith(data_prefix) and f["key"].endswith(extension), "data file key %r" % f["key"])
        data = get(dest, f["key"])
        check(len(data) == f["size"], "%s: %d bytes, the manifest says %r" % (f["key"], len(data), f["size"]))
        check(hashlib.md5(data).hexdigest() == f["MD5checksum"], "%s: md5 %s, the manifest says %r" % (f["key"], hashlib.md5(data).hexdigest(), f["MD5checksum"]))
        with open(os.path.join(directory, f["key"][len(data_prefix):]), "wb") as out:
            out.write(data)
    return manifest, created, directory


def ms(when):
    return int(when.timestamp() * 1000)


step("a source bucket: 5 null versions, then versioning, 307 keys, more versions of some, a delete marker")
s3.create_bucket(Bucket=source)
s3.create_bucket(Bucket=dest)
keys = ["data/k%04d" % i for i in range(300)]
# Non-ASCII keys: U+FF21 sorts before U+1F5DD in UTF-8 (S3's order) but after it in UTF-16.
keys += ["data/k0150-ünïcödé", "data/k0151 ключ", "data/k0152-日本語", "zz/\uff21", "zz/\U0001f5dd", "zz/é e+f&g=h"]
keys += ["empty"]
null_keys = ["data/k%04d" % i for i in range(0, 50, 10)]  # written before versioning: the null version
for key in null_keys:
    s3.put_object(Bucket=source, Key=key, Body=("null version of " + key).encode())
s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
for i, key in enumerate(keys):
    if key in ("data/k0030", "data/k0040"):
        continue  # their null version stays the current one
    body = b"" if key == "empty" else ("body %d of %s" % (i, key)).encode() * (1 + i % 5)
    s3.put_object(Bucket=source, Key=key, Body=body)
more = ["data/k0000", "data/k0101", "data/k0102", "data/k0250", "zz/\uff21"]
for key in more:
    s3.put_object(Bucket=source, Key=key, Body=("another version of " + key).encode())
marker = s3.delete_object(Bucket=source, Key="data/k0200")
check(marker.get("DeleteMarker") is True, "a delete marker for data/k0200: %r" % marker)

step("the expected rows from list_object_versions (every page)")
listed = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket=source, PaginationConfig={"PageSize": 100}):
    for v in page.get("Versions", []):
        listed.append({"key": v["Key"], "version_id": None if v["VersionId"] == "null" else v["VersionId"], "is_latest": v["IsLatest"],
                       "is_delete_marker": False, "size": v["Size"], "e_tag": v["ETag"].strip('"'), "last_modified_ms": ms(v["LastModified"])})
    for m in page.get("DeleteMarkers", []):
        listed.append({"key": m["Key"], "version_id": m["VersionId"], "is_latest": m["IsLatest"],
                       "is_delete_marker": True, "size": None, "e_tag": None, "last_modified_ms": ms(m["LastModified"])})
# One key's versions and markers, newest first (S3 lists them so); keys in UTF-8 byte order.
listed.sort(key=lambda r: (utf8_order(r["key"]), -r["last_modified_ms"], not r["is_latest"]))
check(len({r["key"] for r in listed}) == len(keys), "%d keys listed, %d put" % (len({r["key"] for r in listed}), len(keys)))
check(len(listed) == len(keys) + 3 + len(more) + 1, "%d versions and markers listed" % len(listed))
check(sum(1 for r in listed if r["version_id"] is None) == 5, "five null versions listed")
# The server's row groups: ROWS_PER_GROUP rows, but a key that sorts below the one before it in UTF-16
# (Parquet.Net's statistics order; here zz/U+1F5DD after zz/U+FF21) starts a group of its own, so that
# every group's min and max statistics are its first and last keys.
group_rows = []
for i, row in enumerate(listed):
    if i == 0 or group_rows[-1] == ROWS_PER_GROUP or listed[i - 1]["key"].encode("utf-16-be") > row["key"].encode("utf-16-be"):
        group_rows.append(0)
    group_rows[-1] += 1
groups = len(group_rows)
print("   %d keys, %d versions and markers: row groups of %r rows" % (len(keys), len(listed), group_rows))

step("put_bucket_inventory_configuration: e2e (Parquet, every version) and e2e-csv (CSV, current versions)")
parquet_config = {
    "Id": "e2e",
    "IsEnabled": True,
    "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::" + dest, "Format": "Parquet", "Prefix": "inv"}},
    "IncludedObjectVersions": "All",
    "OptionalFields": ["Size", "LastModifiedDate", "ETag"],
    "Schedule": {"Frequency": "Daily"},
}
csv_config = {
    "Id": "e2e-csv",
    "IsEnabled": True,
    "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::" + dest, "Format": "CSV", "Prefix": "inv"}},
    "IncludedObjectVersions": "Current",
    "OptionalFields": ["Size", "LastModifiedDate", "ETag"],
    "Schedule": {"Frequency": "Daily"},
}
s3.put_bucket_inventory_configuration(Bucket=source, Id="e2e", InventoryConfiguration=parquet_config)
s3.put_bucket_inventory_configuration(Bucket=source, Id="e2e-csv", InventoryConfiguration=csv_config)


def normalized(c):
    d = c["Destination"]["S3BucketDestination"]
    return (c["Id"], c["IsEnabled"], d["Bucket"], d["Format"], d.get("Prefix"), c["IncludedObjectVersions"],
            sorted(c.get("OptionalFields", [])), c["Schedule"]["Frequency"], c.get("Filter"))


got = s3.get_bucket_inventory_configuration(Bucket=source, Id="e2e")["InventoryConfiguration"]
check(normalized(got) == normalized(parquet_config), "get_bucket_inventory_configuration answered %r" % got)
listing = s3.list_bucket_inventory_configurations(Bucket=source)
check(listing.get("IsTruncated") is False, "list_bucket_inventory_configurations IsTruncated %r" % listing.get("IsTruncated"))
check(sorted(normalized(c) for c in listing.get("InventoryConfigurationList", [])) == sorted([normalized(parquet_config), normalized(csv_config)]),
      "list_bucket_inventory_configurations answered %r" % listing.get("InventoryConfigurationList"))
check(error_of(s3.get_bucket_inventory_configuration, Bucket=source, Id="nope") == (404, "NoSuchConfiguration"), "get of an unknown id")

step("the first reports (polled for at most 60 s)")
parquet_manifests = wait_for_manifests("e2e", 1, 60)
check(parquet_manifests, "no manifest.json under inv/%s/e2e/ after 60 s (destination holds %r)" % (source, keys_under(dest, "")[:20]))
csv_manifests = wait_for_manifests("e2e-csv", 1, 30)
check(csv_manifests, "no manifest.json under inv/%s/e2e-csv/ (destination holds %r)" % (source, keys_under(dest, "")[:20]))

step("the Parquet report: manifest, checksum, data files")
manifest, created, directory = fetch_report("e2e", parquet_manifests[0], "Parquet")
for name in ("bucket", "key", "version_id", "is_latest", "is_delete_marker", "size", "last_modified_date", "e_tag"):
    check(re.search(r" %s[ ;]" % name, manifest["fileSchema"]), "fileSchema %r lacks %s" % (manifest["fileSchema"], name))
print("   %s: %d file(s), fileSchema %s" % (parquet_manifests[0], len(manifest["files"]), manifest["fileSchema"]))

step("inventory-check.mjs: hyparquet reads the files, compares them with the listing, reads a key range skipping row groups")
# The range: rows ~150..~185 of ~310, so one or two groups of 50 are read and the others skipped.
spec = {"dir": directory, "files": [f["key"].rsplit("/", 1)[1] for f in manifest["files"]], "bucket": source,
        "expected": listed, "from": "data/k0150", "to": "data/k0180"}
spec_path = os.path.join(work, "spec.json")
with open(spec_path, "w") as f:
    json.dump(spec, f)
checked = subprocess.run(["node", os.path.join(here, "js", "inventory-check.mjs"), spec_path], capture_output=True, text=True, timeout=120)
check(checked.returncode == 0, "inventory-check: " + (checked.stderr.strip() or checked.stdout.strip()))
found = json.loads(checked.stdout)
check(found["rows"] == len(listed), "inventory-check read %d rows" % found["rows"])
check(found["groups"] == groups and found["groupRows"] == group_rows,
      "row groups of %r rows, expected %r (is the server started with --Engine:InventoryRowsPerGroup=%d?)"
      % (found["groupRows"], group_rows, ROWS_PER_GROUP))
r = found["range"]
in_range = [row for row in listed if utf8_order("data/k0150") <= utf8_order(row["key"]) <= utf8_order("data/k0180")]
check(r["rows"] == len(in_range), "the range read found %d rows, the listing has %d" % (r["rows"], len(in_range)))
print("   %d rows in %d row groups %r; range [%s, %s]: %d rows from %d row group(s) read, %d skipped (%d bytes of column chunks read, %d skipped)"
      % (found["rows"], found["groups"], found["groupRows"], r["from"], r["to"], r["rows"], r["groupsRead"], r["groupsSkipped"], r["bytesRead"], r["bytesSkipped"]))

step("the CSV report: manifest, checksum, the gzip file against the current versions")
manifest, _, directory = fetch_report("e2e-csv", csv_manifests[0], "CSV")
check(manifest["fileSchema"] == "Bucket, Key, Size, LastModifiedDate, ETag", "CSV fileSchema %r" % manifest["fileSchema"])
rows = []
for f in manifest["files"]:
    with gzip.open(os.path.join(directory, f["key"].rsplit("/", 1)[1]), "rt", encoding="utf-8", newline="") as text:
        rows += list(csv.reader(text))
current = [r for r in listed if r["is_latest"] and not r["is_delete_marker"]]
check(len(rows) == len(current), "the CSV report has %d rows, the listing %d current versions" % (len(rows), len(current)))
for row, want in zip(rows, current):
    check(len(row) == 5, "CSV row %r" % row)
    bucket_name, key, size, modified, etag = row
    check(bucket_name == source and urllib.parse.unquote(key) == want["key"], "CSV row %r, expected key %r" % (row, want["key"]))
    check(key.isascii() and " " not in key, "CSV key %r is not percent-encoded" % key)
    check(size == str(want["size"]) and etag == want["e_tag"], "CSV row %r, expected size %r and ETag %r" % (row, want["size"], want["e_tag"]))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(want["last_modified_ms"] // 1000)) + ".%03dZ" % (want["last_modified_ms"] % 1000)
    check(modified == stamp, "CSV row %r: LastModifiedDate, expected %s" % (row, stamp))
check("data/k0200" not in [urllib.parse.unquote(r[1]) for r in rows], "the deleted key is not in the current versions' report")
print("   %d current versions, %d file(s)" % (len(rows), len(manifest["files"])))

step("one report a day: a second Parquet manifest follows (polled for at most 30 s)")
later = wait_for_manifests("e2e", len(parquet_manifests) + 1, 30)
check(len(later) > len(parquet_manifests), "no second report after 30 s: %r" % later)
second, second_created, _ = fetch_report("e2e", later[-1], "Parquet")
check(int(second_created) > int(created), "the second report's creationTimestamp %s is not after the first's %s" % (second_created, created))

step("delete_bucket_inventory_configuration: get answers 404 NoSuchConfiguration, no report follows")
s3.delete_bucket_inventory_configuration(Bucket=source, Id="e2e")
s3.delete_bucket_inventory_configuration(Bucket=source, Id="e2e-csv")
check(error_of(s3.get_bucket_inventory_configuration, Bucket=source, Id="e2e") == (404, "NoSuchConfiguration"), "get after delete")
check(s3.list_bucket_inventory_configurations(Bucket=source).get("InventoryConfigurationList", []) == [], "list after delete")
time.sleep(3)  # a report under way when the configuration was deleted may still land
settled = manifests("e2e")
time.sleep(6)  # three lifecycle days
check(manifests("e2e") == settled, "reports after the configuration was deleted: %r" % sorted(set(manifests("e2e")) - set(settled)))

step("clean up both buckets")
for bucket in (source, dest):
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        entries = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if entries:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": entries, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)
print("ok")
