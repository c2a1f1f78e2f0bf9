"""A verifiable bucket's export checked by an independent implementation (issue 11): boto3 fills a
versioned bucket (inline, multi-chunk and multipart bodies, an empty body, non-ASCII keys, several
versions, a delete marker, metadata and tags); the export is fetched from the admin API, signed by
botocore's own SigV4 signer; e2e/js/car-check.mjs walks it with the IPLD reference libraries for
JavaScript; and what it found must be exactly what ListObjectVersions and GetObject answer.

Expects CAIRN_ENDPOINT and AWS credentials in the environment; $1 is a scratch directory."""
import hashlib
import json
import os
import subprocess
import sys
import urllib.request
import uuid

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

import boto_fixes

endpoint = os.environ["CAIRN_ENDPOINT"]
work = sys.argv[1]
os.makedirs(work, exist_ok=True)
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
session = boto3.session.Session(region_name="us-east-1")
s3 = boto_fixes.register(session.client("s3", endpoint_url=endpoint, config=config))
bucket = "verifiable-" + uuid.uuid4().hex[:12]
here = os.path.dirname(os.path.abspath(__file__))


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def admin_get(path):
    """GET an admin path, signed with SigV4 by botocore (not by anything of Cairn's)."""
    request = AWSRequest(method="GET", url=endpoint + path)
    S3SigV4Auth(session.get_credentials(), "s3", "us-east-1").add_auth(request)
    with urllib.request.urlopen(urllib.request.Request(request.url, headers=dict(request.headers.items()))) as response:
        return response.read(), dict(response.headers.items())


print("fill a versioned bucket", flush=True)
s3.create_bucket(Bucket=bucket)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
keys = ["small-%03d" % i for i in range(60)] + ["ünïcödé/ключ 🗝", "a+b c&d=e", "empty"]
for i, key in enumerate(keys):
    body = b"" if key == "empty" else ("body %d of %s" % (i, key)).encode() * (1 + i % 7)
    s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata={"n": str(i)}, Tagging="k=%d" % i)
for key in keys[:10]:
    s3.put_object(Bucket=bucket, Key=key, Body=("second version of " + key).encode())
big = os.urandom(6 * 1024 * 1024)  # more than one 4 MiB chunk
s3.put_object(Bucket=bucket, Key="big/one-put.bin", Body=big)
multipart_path = os.path.join(work, "multipart.bin")
with open(multipart_path, "wb") as f:
    f.write(os.urandom(12 * 1024 * 1024))
s3.upload_file(multipart_path, bucket, "big/multipart.bin",
               Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
s3.delete_object(Bucket=bucket, Key="small-059")

print("export through the admin API", flush=True)
car, headers = admin_get("/_cairn/buckets/%s/export" % bucket)
check(headers.get("Content-Type") == "application/vnd.ipld.car", "export content type %r" % headers.get("Content-Type"))
car_path = os.path.join(work, "export.car")
with open(car_path, "wb") as f:
    f.write(car)
head, _ = admin_get("/_cairn/buckets/%s/tree" % bucket)
head = json.loads(head)

print("walk it with @ipld/car and @ipld/dag-cbor", flush=True)
checked = subprocess.run(["node", os.path.join(here, "js", "car-check.mjs"), car_path], capture_output=True, text=True)
check(checked.returncode == 0, "car-check: " + checked.stderr.strip())
found = json.loads(checked.stdout)
check(found["commit"] == headers["x-cairn-commit"] == head["commit"], "commit %s, header %s, tree %s" % (found["commit"], headers.get("x-cairn-commit"), head["commit"]))
check(found["root"] == head["root"] and found["seq"] == head["seq"] and found["bucket"] == bucket, "commit fields %r" % {k: found[k] for k in ("bucket", "seq", "root")})

print("compare with ListObjectVersions and GetObject", flush=True)
expected = {}
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
    for v in page.get("Versions", []):
        expected.setdefault(v["Key"], []).append((v["VersionId"], v["ETag"].strip('"'), v["Size"], False))
    for m in page.get("DeleteMarkers", []):
        expected.setdefault(m["Key"], []).append((m["VersionId"], "", 0, True))
exported = {k["key"]: k["versions"] for k in found["keys"]}
check(sorted(exported) == sorted(expected), "keys differ: %r" % sorted(set(exported) ^ set(expected)))
check([k["key"] for k in found["keys"]] == sorted(exported, key=lambda k: k.encode("utf-8")), "keys not in UTF-8 byte order")
for key, versions in expected.items():
    mine = [(v["versionId"], v["etag"], v["size"], v["deleteMarker"]) for v in exported[key]]
    # S3 lists a key's versions and markers newest first in one order; the chain is the same order.
    check(sorted(mine) == sorted(versions), "versions of %r: exported %r, listed %r" % (key, mine, versions))
    current = exported[key][0]
    if not current["deleteMarker"]:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        check(hashlib.sha256(body).hexdigest() == current["sha256"], "body of %r differs" % key)
check(exported["small-050"][0]["metadata"] == {"n": "50"} and exported["small-050"][0]["tags"] == {"k": "50"}, "metadata and tags of small-050: %r" % exported["small-050"][0])
check(exported["small-059"][0]["deleteMarker"] and len(exported["small-059"]) == 2, "small-059 ends in a delete marker")
check(found["manifests"] == sum(len(v) for v in expected.values()), "manifests %d" % found["manifests"])
print("ok: %d keys, %d manifests, %d blocks, %d body bytes" % (len(found["keys"]), found["manifests"], found["blocks"], found["bodyBytes"]))
