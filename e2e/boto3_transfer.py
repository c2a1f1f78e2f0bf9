"""boto3 managed transfers against Cairn: upload_file and download_file of a 40 MB file in 8 MiB
parts, managed copy of that multipart object (UploadPartCopy), paginators over a few hundred keys,
and ListParts / ListMultipartUploads / AbortMultipartUpload through their paginators. Every
transfer is checked by the SHA-256 of the bytes.

CAIRN_E2E_SINGLE_PART=1 raises the multipart threshold above the file size (one PutObject, one
CopyObject, one GET) and skips the steps that only exist as multipart.
Usage: boto3_transfer.py SCRATCH_DIR (expects CAIRN_ENDPOINT and AWS credentials)."""
import concurrent.futures
import hashlib
import os
import sys
import time
import uuid

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

MiB = 1024 * 1024
single_part = os.environ.get("CAIRN_E2E_SINGLE_PART") == "1"
endpoint = os.environ["CAIRN_ENDPOINT"]
work = sys.argv[1]
os.makedirs(work, exist_ok=True)
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                                max_pool_connections=16))
part = 1024 * MiB if single_part else 8 * MiB
transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=4)
size = 40 * 1000 * 1000  # 40 MB: five 8 MiB parts, the last one short
parts = 1 if single_part else -(-size // part)
bucket = "boto3-tx-" + uuid.uuid4().hex[:12]
started = time.monotonic()
print("mode: %s (multipart_threshold = %d MiB)" % ("single-part" if single_part else "multipart", part // MiB))


current_step = "start"


def step(text):
    global current_step
    current_step = text
    print("step [%.0fs]: %s" % (time.monotonic() - started, text), flush=True)


def report_failure(kind, value, tb):
    sys.__excepthook__(kind, value, tb)
    print("FAILED in step '%s': %s: %s" % (current_step, kind.__name__, value))


sys.excepthook = report_failure


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_object(key):
    digest = hashlib.sha256()
    for block in s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(MiB):
        digest.update(block)
    return digest.hexdigest()


def check_etag(etag, what):
    # A multipart object's ETag is "<md5 of the part MD5s>-<part count>"; a single PUT's is the MD5.
    if single_part:
        check("-" not in etag, "%s: single-part ETag has no part count: %s" % (what, etag))
    else:
        check(etag.strip('"').endswith("-%d" % parts), "%s: ETag ends with -%d: %s" % (what, parts, etag))


step("create bucket")
s3.create_bucket(Bucket=bucket)

step("upload_file 40 MB (%d part(s))" % parts)
source = os.path.join(work, "big.bin")
with open(source, "wb") as f:
    for _ in range(size // MiB):
        f.write(os.urandom(MiB))
    f.write(os.urandom(size % MiB))
expected = sha256_file(source)
s3.upload_file(source, bucket, "big/object.bin", Config=transfer,
               ExtraArgs={"Metadata": {"origin": "boto3-transfer"}, "ContentType": "application/x-test"})
head = s3.head_object(Bucket=bucket, Key="big/object.bin")
check(head["ContentLength"] == size, "HEAD content length %d" % head["ContentLength"])
check(head["Metadata"] == {"origin": "boto3-transfer"}, "metadata set at upload: %r" % head["Metadata"])
check(head["ContentType"] == "application/x-test", "content type set at upload: %r" % head["ContentType"])
check_etag(head["ETag"], "upload_file")

step("download_file 40 MB (%s), SHA-256 compared" % ("one GET" if single_part else "ranged GETs"))
target = os.path.join(work, "big.down")
s3.download_file(bucket, "big/object.bin", target, Config=transfer)
check(sha256_file(target) == expected, "download_file returns the uploaded bytes")
os.remove(target)
check(s3.get_object(Bucket=bucket, Key="big/object.bin", Range="bytes=8388600-8388615")["Body"].read()
      == open(source, "rb").read()[8388600:8388616], "range across the first part boundary")

step("managed copy of the 40 MB object (%s), SHA-256 compared"
     % ("CopyObject" if single_part else "UploadPartCopy"))
s3.copy({"Bucket": bucket, "Key": "big/object.bin"}, bucket, "copies/object copy.bin", Config=transfer)
copied = s3.head_object(Bucket=bucket, Key="copies/object copy.bin")
check(copied["ContentLength"] == size, "copy content length")
if single_part:  # a multipart managed copy starts a fresh upload: S3 keeps no metadata there either
    check(copied["Metadata"] == {"origin": "boto3-transfer"}, "CopyObject keeps metadata: %r" % copied["Metadata"])
check_etag(copied["ETag"], "managed copy")
check(sha256_object("copies/object copy.bin") == expected, "the copy has the uploaded bytes")

step("put 300 small keys")
keys = ["page/%s/k-%04d" % ("ab"[i % 2], i) for i in range(300)]
bodies = {k: os.urandom(1 + i * 7 % 5000) for i, k in enumerate(keys)}
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=bodies[k]), keys))

step("list_objects_v2 paginator, pages of 70")
pages = list(s3.get_paginator("list_objects_v2").paginate(
    Bucket=bucket, Prefix="page/", PaginationConfig={"PageSize": 70}))
listed = [o["Key"] for p in pages for o in p.get("Contents", [])]
check(len(pages) == 5, "300 keys in pages of 70 make 5 pages, got %d" % len(pages))
check(listed == sorted(keys), "paginated listing is every key once, in order")
check(all(o["Size"] == len(bodies[o["Key"]]) for p in pages for o in p["Contents"]), "listed sizes")
everything = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in p["Contents"]]
check(len(everything) == 302, "whole bucket lists 302 keys, got %d" % len(everything))

step("list_objects (v1) paginator with a delimiter, pages of 1")
pages = list(s3.get_paginator("list_objects").paginate(
    Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}))
prefixes = [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])]
check(prefixes == ["big/", "copies/", "page/"], "common prefixes across pages: %r" % prefixes)

step("paginator with MaxItems and StartingToken resumes where it stopped")
first = s3.get_paginator("list_objects_v2").paginate(
    Bucket=bucket, Prefix="page/a/", PaginationConfig={"PageSize": 40, "MaxItems": 100}).build_full_result()
check(len(first["Contents"]) == 100 and "NextToken" in first, "first 100 keys and a resume token")
rest = s3.get_paginator("list_objects_v2").paginate(
    Bucket=bucket, Prefix="page/a/", PaginationConfig={"PageSize": 40, "StartingToken": first["NextToken"]}
).build_full_result()
resumed = [o["Key"] for o in first["Contents"] + rest["Contents"]]
check(resumed == [k for k in sorted(keys) if k.startswith("page/a/")], "resumed listing covers page/a/ once")

step("sample of listed keys read back, SHA-256 compared")
for k in keys[::37]:
    check(hashlib.sha256(s3.get_object(Bucket=bucket, Key=k)["Body"].read()).digest()
          == hashlib.sha256(bodies[k]).digest(), "bytes of " + k)

if single_part:
    step("ListParts / ListMultipartUploads / AbortMultipartUpload: skipped (single-part mode)")
else:
    step("two open uploads: list_multipart_uploads and list_parts paginators, then abort")
    ids = {}
    for key in ("open/one", "open/two"):
        ids[key] = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    chunk = os.urandom(5 * MiB)
    for n in (1, 2, 3):
        s3.upload_part(Bucket=bucket, Key="open/one", UploadId=ids["open/one"], PartNumber=n, Body=chunk)
    uploads = [(u["Key"], u["UploadId"]) for p in s3.get_paginator("list_multipart_uploads").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 1}) for u in p.get("Uploads", [])]
    check(sorted(uploads) == sorted(ids.items()), "open uploads listed across pages: %r" % uploads)
    listed_parts = [p for page in s3.get_paginator("list_parts").paginate(
        Bucket=bucket, Key="open/one", UploadId=ids["open/one"], PaginationConfig={"PageSize": 2})
        for p in page.get("Parts", [])]
    check([p["PartNumber"] for p in listed_parts] == [1, 2, 3], "parts listed across pages: %r" % listed_parts)
    check(all(p["Size"] == 5 * MiB and p["ETag"] == '"%s"' % hashlib.md5(chunk).hexdigest() for p in listed_parts),
          "part sizes and ETags")
    for key, upload_id in ids.items():
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    check(not s3.list_multipart_uploads(Bucket=bucket).get("Uploads"), "no open upload after abort")
    check(s3.list_objects_v2(Bucket=bucket, Prefix="open/")["KeyCount"] == 0, "aborted uploads left no object")

step("delete everything, delete bucket")
everything = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in p["Contents"]]
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in everything], "Quiet": True})
check(not deleted.get("Errors"), "delete_objects errors: %r" % deleted.get("Errors"))
check(s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0, "bucket empty")
s3.delete_bucket(Bucket=bucket)
os.remove(source)
print("boto3-transfer: all checks passed (%s)" % ("single-part mode" if single_part else "multipart mode"))
