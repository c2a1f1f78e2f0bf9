"""A verifiable round trip of 10,000 objects (issue 11): boto3 fills a versioned bucket (inline,
multi-chunk and multipart bodies, empty bodies, non-ASCII keys, several versions, delete markers,
metadata, headers and tags); the bucket is exported through the admin API (signed by botocore's own
SigV4 signer) and the file walked by e2e/js/car-check.mjs with the IPLD reference libraries for
JavaScript (every DAG-CBOR block re-encoded and compared); a second, empty Cairn server is started
here and the file imported into it with the `cairn import` command-line tool; and the copy must
answer exactly as the original: ListObjectVersions and ListObjectsV2, the bytes of every current
version, metadata, headers and tags of a sample and of every special key, and the tree's root CID.

Expects CAIRN_ENDPOINT, the AWS credentials and CAIRN_ROOT_ACCESS_KEY/CAIRN_ROOT_SECRET_KEY (which the
second server is started with) in the environment; $1 is a scratch directory.
  CAIRN_E2E_SERVER_DLL   the server to start (default src/Cairn.Server/bin/Release/net10.0/cairn.dll)
  CAIRN_E2E_IMPORT_PORT  the second server's loopback port (default: a free one)
  CAIRN_E2E_RT_OBJECTS   keys in the bucket (default 10000)"""
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

import boto_fixes

started = time.monotonic()
endpoint = os.environ["CAIRN_ENDPOINT"]
work = os.path.abspath(sys.argv[1])
os.makedirs(work, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
dll = os.environ.get("CAIRN_E2E_SERVER_DLL") or os.path.join(repo, "src", "Cairn.Server", "bin", "Release", "net10.0", "cairn.dll")
total_keys = int(os.environ.get("CAIRN_E2E_RT_OBJECTS", "10000"))
workers = 8  # parallel requests, bounded: two cores serve them and run this script
phase_limit = 240  # seconds any one parallel phase may take
# No retries: a retried PUT would write a version twice.
config = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}, max_pool_connections=workers * 2,
                connect_timeout=10, read_timeout=120)
session = boto3.session.Session(region_name="us-east-1")
rng = random.Random(11)


def check(condition, message):
    if not condition:
        print("FAILED: " + message, flush=True)
        sys.exit(1)


def step(message):
    print("[%5.1fs] %s" % (time.monotonic() - started, message), flush=True)


def client(url):
    return boto_fixes.register(session.client("s3", endpoint_url=url, config=config))


def signed(method, url, data=None):
    """A request signed with SigV4 by botocore (not by anything of Cairn's)."""
    request = AWSRequest(method=method, url=url, data=data)
    S3SigV4Auth(session.get_credentials(), "s3", "us-east-1").add_auth(request)
    return urllib.request.Request(request.url, data=data, method=method, headers=dict(request.headers.items()))


def admin_json(url, path):
    with urllib.request.urlopen(signed("GET", url + path), timeout=120) as response:
        return json.loads(response.read())


def parallel(function, items, what):
    """function(item) for every item on a bounded pool; every call must finish within phase_limit."""
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(function, item): item for item in items}
        try:
            for future in concurrent.futures.as_completed(futures, timeout=phase_limit):
                results[futures[future]] = future.result()
        except concurrent.futures.TimeoutError:
            for future in futures:
                future.cancel()
            check(False, "%s: not done within %ds (%d of %d)" % (what, phase_limit, len(results), len(futures)))
    return results


# ---------------------------------------------------------------------------------------------
# 1. Fill a versioned bucket: per key, the versions to write in order (a body, or None for a
#    delete marker), with metadata, headers and tags.
source_s3 = client(endpoint)
bucket = "roundtrip-" + uuid.uuid4().hex[:12]
MiB = 1024 * 1024


def version(body, metadata=None, tags=None, **headers):
    return {"body": body, "metadata": metadata or {}, "tags": tags or {}, "headers": headers}


plan = {}  # key -> list of versions, oldest first
special = [
    ("ünïcödé/ключ 🗝", version(os.urandom(300), {"lang": "mixed"}, {"script": "cyrillic"})),
    ("日本語/ファイル名.txt", version("こんにちは".encode() * 50, {"n": "ja"}, {"lang": "ja"}, ContentType="text/plain; charset=utf-8")),
    ("nfc/\u00e9", version(b"composed", {"form": "nfc"}, {"form": "nfc"})),
    ("nfc/e\u0301", version(b"decomposed", {"form": "nfd"}, {"form": "nfd"})),
    ("emoji/🎉 party 🎊", version(os.urandom(5000), {"n": "emoji"}, {"e": "1"})),
    ("a+b c&d=e", version(b"reserved characters", {"n": "plus"}, {"a b": "c+d=e/f@g:h"})),
    ("%2F literal/..%2e/x", version(b"percent", {"n": "pct"})),
    ("headers/all", version(os.urandom(4096), {"one": "1", "two": "zwei", "three": "trois"}, {"x": "1", "y": "2", "z": "3"},
                            ContentType="application/x-cairn", CacheControl="max-age=60", ContentDisposition='attachment; filename="all.bin"',
                            ContentEncoding="identity", ContentLanguage="de-CH", Expires="Wed, 21 Oct 2037 07:28:00 GMT")),
    ("inline/4095", version(os.urandom(4095))),
    ("inline/4096", version(os.urandom(4096))),  # the inline threshold
    ("inline/4097", version(os.urandom(4097))),  # one byte over: a chunk
    ("empty/0", version(b"", {"n": "empty"}, {"empty": "yes"})),
    ("empty/1", version(b"", ContentType="application/octet-stream")),
    ("checksum/sha256", version(os.urandom(10000), {"n": "sum"})),
    ("big/exactly-4MiB.bin", version(os.urandom(4 * MiB))),
    ("big/multi-chunk.bin", version(os.urandom(9 * MiB + 1), {"chunks": "3"}, {"size": "big"})),  # 4 + 4 + 1 MiB + 1
    ("big/multipart.bin", version(None, {"parts": "3"}, {"kind": "multipart"}, ContentType="video/mp4")),  # uploaded in parts
]
for key, v in special:
    plan[key] = [v]
# Several versions: an older body, then others; one chain ends with an empty body, one with a
# delete marker, one has a marker in the middle, one loses a middle version (deleted by id).
plan["versions/three"] = [version(b"one"), version(b"two", {"v": "2"}, {"v": "2"}), version(os.urandom(6000), {"v": "3"}, {"v": "3"})]
plan["versions/ends-empty"] = [version(b"not yet empty"), version(b"")]
plan["versions/deleted"] = [version(b"soon gone", {"v": "1"}, {"v": "1"}), None]
plan["versions/marker-between"] = [version(b"before"), None, version(b"after", {"v": "3"})]
plan["versions/middle-removed"] = [version(b"first"), version(b"second (removed by id)"), version(b"third")]
plan["big/multi-chunk.bin"].append(version(os.urandom(5 * MiB), {"v": "2"}))  # a second multi-chunk version
special_keys = sorted(plan)
i = 0
while len(plan) < total_keys:
    # Mostly inline bodies (up to the 4 KiB threshold), every 50th up to 20 KiB (one chunk).
    size = rng.randint(1, 20000) if i % 50 == 49 else rng.randint(1, 4096)
    versions = [version(os.urandom(size), {"n": str(i)}, {"k": str(i), "g": str(i % 7)})]
    if i % 250 == 0:  # 40 of them with two or three versions
        versions += [version(os.urandom(rng.randint(1, 3000)), {"n": str(i), "v": str(n)}, {"v": str(n)}) for n in range(2, 3 + (i // 250) % 2)]
    plan["small/%05d" % i] = versions
    i += 1
check(len(plan) == total_keys, "planned %d keys" % len(plan))

written = {}  # (key, version id) -> sha256 of the body; current[key] -> sha256 of the latest body
current = {}
lock = threading.Lock()


def put(key, v):
    extra = dict(v["headers"])
    if v["tags"]:
        extra["Tagging"] = urllib.parse.urlencode(v["tags"])
    if key == "checksum/sha256":
        extra["ChecksumAlgorithm"] = "SHA256"
    if key == "big/multipart.bin":
        return multipart(key, v, extra)
    return source_s3.put_object(Bucket=bucket, Key=key, Body=v["body"], Metadata=v["metadata"], **extra)["VersionId"]


def multipart(key, v, extra):
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(MiB + 7)]
    upload = source_s3.create_multipart_upload(Bucket=bucket, Key=key, Metadata=v["metadata"], **extra)["UploadId"]
    done = []
    for number, part in enumerate(parts, 1):
        etag = source_s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=part)["ETag"]
        done.append({"PartNumber": number, "ETag": etag})
    v["body"] = b"".join(parts)
    return source_s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})["VersionId"]


def fill(key):
    """Writes the key's versions in order; returns [(version id, its plan or None for a marker)] of those left."""
    ids = []
    for v in plan[key]:
        if v is None:
            ids.append((source_s3.delete_object(Bucket=bucket, Key=key)["VersionId"], None))
            continue
        version_id = put(key, v)
        ids.append((version_id, v))
        digest = hashlib.sha256(v["body"]).hexdigest()
        v["body"] = None  # keep memory flat
        with lock:
            written[(key, version_id)] = digest
    if key == "versions/middle-removed":
        source_s3.delete_object(Bucket=bucket, Key=key, VersionId=ids[1][0])
        with lock:
            del written[(key, ids.pop(1)[0])]
    with lock:
        if ids[-1][1] is not None:
            current[key] = written[(key, ids[-1][0])]
    return ids


step("fill %s with %d keys (%d workers)" % (bucket, total_keys, workers))
source_s3.create_bucket(Bucket=bucket)
source_s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
# The big ones first, so they overlap the many small ones.
order = sorted(plan, key=lambda k: (not k.startswith("big/"), k))
version_ids = parallel(fill, order, "uploads")
step("filled: %d versions and markers" % sum(len(ids) for ids in version_ids.values()))


def list_versions(s3, name):
    versions, markers = [], []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name, PaginationConfig={"MaxItems": 3 * total_keys}):
        for v in page.get("Versions", []):
            versions.append((v["Key"], v["VersionId"], v["IsLatest"], v["LastModified"].isoformat(), v["ETag"], v["Size"],
                             v.get("StorageClass"), tuple(v.get("ChecksumAlgorithm", ())), v.get("ChecksumType")))
        for m in page.get("DeleteMarkers", []):
            markers.append((m["Key"], m["VersionId"], m["IsLatest"], m["LastModified"].isoformat()))
    return versions, markers


def list_current(s3, name):
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name, PaginationConfig={"MaxItems": 2 * total_keys}):
        for o in page.get("Contents", []):
            found.append((o["Key"], o["LastModified"].isoformat(), o["ETag"], o["Size"], o.get("StorageClass")))
    return found


source_versions, source_markers = list_versions(source_s3, bucket)
check(len({v[0] for v in source_versions} | {m[0] for m in source_markers}) == total_keys, "the source lists %d keys" % len({v[0] for v in source_versions}))
check(sorted((v[0], v[1]) for v in source_versions) == sorted(written), "the source lists the versions written")
check(len(source_markers) == 2 and all(m[0].startswith("versions/") for m in source_markers), "markers %r" % source_markers)

# ---------------------------------------------------------------------------------------------
# 2. Export, walked by the IPLD reference libraries for JavaScript.
head = admin_json(endpoint, "/_cairn/buckets/%s/tree?flush=true" % bucket)
step("source tree: seq %d, root %s" % (head["seq"], head["root"]))
car_path = os.path.join(work, "export.car")
with urllib.request.urlopen(signed("GET", endpoint + "/_cairn/buckets/%s/export" % bucket), timeout=300) as response, open(car_path, "wb") as f:
    check(response.headers.get("Content-Type") == "application/vnd.ipld.car", "export content type %r" % response.headers.get("Content-Type"))
    export_commit = response.headers.get("x-cairn-commit")
    shutil.copyfileobj(response, f, 1 << 20)
step("exported %d bytes, commit %s" % (os.path.getsize(car_path), export_commit))
check(export_commit == head["commit"], "export commit %s, tree commit %s" % (export_commit, head["commit"]))

checked = subprocess.run(["node", "--max-old-space-size=1024", os.path.join(here, "js", "car-check.mjs"), car_path],
                         capture_output=True, text=True, timeout=180)
check(checked.returncode == 0, "car-check: " + checked.stderr.strip()[-2000:])
found = json.loads(checked.stdout)
step("car-check: %d blocks (%d DAG-CBOR re-encoded, %d raw), %d manifests, %d chunks, %d body bytes"
     % (found["blocks"], found["reencoded"], found["rawBlocks"], found["manifests"], found["chunks"], found["bodyBytes"]))
check(found["commit"] == head["commit"] and found["root"] == head["root"] and found["seq"] == head["seq"] and found["bucket"] == bucket,
      "the file's commit %r, the tree's %r" % ({k: found[k] for k in ("commit", "root", "seq", "bucket")}, head))
check(found["reencoded"] == found["dagCborBlocks"] and found["dagCborBlocks"] + found["rawBlocks"] == found["blocks"], "block counts %r" % found)
check(found["manifests"] == len(source_versions) + len(source_markers), "manifests %d, listed %d" % (found["manifests"], len(source_versions) + len(source_markers)))
exported = {k["key"]: k["versions"] for k in found["keys"]}
check(len(exported) == total_keys and sorted(exported) == sorted(plan), "exported keys differ: %r" % sorted(set(exported) ^ set(plan))[:10])
listed = {}
for v in source_versions:
    listed.setdefault(v[0], []).append((v[1], v[4].strip('"'), v[5], False))
for m in source_markers:
    listed.setdefault(m[0], []).append((m[1], "", 0, True))
for key, chain in exported.items():
    mine = [(v["versionId"], v["etag"], v["size"], v["deleteMarker"]) for v in chain]
    check(sorted(mine) == sorted(listed[key]), "versions of %r: exported %r, listed %r" % (key, mine, listed[key]))
    for v in chain:
        if not v["deleteMarker"]:
            check(v["sha256"] == written[(key, v["versionId"])], "the exported body of %r %s differs from the one written" % (key, v["versionId"]))
    check((not chain[0]["deleteMarker"]) == (key in current), "the latest of %r" % key)
check(exported["headers/all"][0]["metadata"] == {"one": "1", "two": "zwei", "three": "trois"}
      and exported["headers/all"][0]["tags"] == {"x": "1", "y": "2", "z": "3"}, "metadata and tags of headers/all: %r" % exported["headers/all"][0])

# ---------------------------------------------------------------------------------------------
# 3. A second, empty Cairn: a fresh data directory, local disk and an SQLite catalog whatever this
#    run's first server uses, another loopback port; stopped by its PID at the end.
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = int(os.environ.get("CAIRN_E2E_IMPORT_PORT") or free_port())
target = "http://127.0.0.1:%d" % port
env = {k: v for k, v in os.environ.items()
       if not k.startswith("CAIRN_S3_") and k not in ("CAIRN_STORAGE", "CAIRN_METADATA", "CAIRN_POSTGRES", "CAIRN_NODE_ID")}
env["CAIRN_DATA_DIR"] = os.path.join(work, "empty-cairn")
env["TMPDIR"] = os.path.join(work, "empty-cairn-tmp")  # where the import spools the CAR
os.makedirs(env["TMPDIR"], exist_ok=True)
check(not os.path.exists(env["CAIRN_DATA_DIR"]), "the data directory is fresh")
step("start an empty Cairn at %s" % target)
server_log = open(os.path.join(work, "empty-cairn.log"), "wb")
server = subprocess.Popen(["dotnet", dll, "--urls", target], env=env, stdout=server_log, stderr=subprocess.STDOUT)


def stop_server():
    if server.poll() is None:
        server.terminate()  # by PID
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    server_log.close()


def server_tail():
    stop_server()
    with open(os.path.join(work, "empty-cairn.log"), "rb") as f:
        return f.read()[-3000:].decode("utf-8", "replace")


try:
    for _ in range(300):  # up to a minute
        if server.poll() is not None:
            check(False, "the second server exited (%d): %s" % (server.returncode, server_tail()))
        try:
            with urllib.request.urlopen(target + "/_cairn/health", timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    else:
        check(False, "the second server did not start: " + server_tail())
    target_s3 = client(target)
    check(target_s3.list_buckets()["Buckets"] == [], "the second server is empty")
    restored = "restored-" + uuid.uuid4().hex[:12]  # another name: the root does not depend on it
    target_s3.create_bucket(Bucket=restored)
    target_s3.put_bucket_versioning(Bucket=restored, VersioningConfiguration={"Status": "Enabled"})

    step("cairn import %s %s" % (os.path.basename(car_path), restored))
    imported = subprocess.run(["dotnet", dll, "import", car_path, restored, "--endpoint", target],
                              capture_output=True, text=True, timeout=240, env=env)
    check(imported.returncode == 0, "cairn import exited %d: %s %s" % (imported.returncode, imported.stdout, imported.stderr))
    said = dict(line.split(": ", 1) for line in imported.stdout.splitlines()[1:] if ": " in line)
    step("cairn import: " + imported.stdout.splitlines()[0])
    check(said.get("keys") == str(total_keys) and said.get("versions") == str(found["manifests"]) and said.get("removed") == "0",
          "import counts %r" % said)
    check(said.get("source-bucket") == bucket and said.get("source-commit") == head["commit"] and said.get("source-root") == head["root"]
          and said.get("source-seq") == str(head["seq"]), "import source %r" % said)

    # -----------------------------------------------------------------------------------------
    # 4. The copy answers as the original.
    target_versions, target_markers = list_versions(target_s3, restored)
    for name, mine, theirs in (("versions", target_versions, source_versions), ("delete markers", target_markers, source_markers)):
        if mine != theirs:
            differ = [(a, b) for a, b in zip(theirs, mine) if a != b][:3]
            check(False, "ListObjectVersions %s differ (%d vs %d): %r" % (name, len(theirs), len(mine), differ))
    source_current, target_current = list_current(source_s3, bucket), list_current(target_s3, restored)
    check(len(source_current) == len(current) and source_current == target_current,
          "ListObjectsV2 differs: %r" % [(a, b) for a, b in zip(source_current, target_current) if a != b][:3])
    step("listings identical: %d versions, %d delete markers, %d current objects" % (len(target_versions), len(target_markers), len(target_current)))

    def body_sha(s3_and_bucket_and_key):
        s3, name, key = s3_and_bucket_and_key
        h = hashlib.sha256()
        body = s3.get_object(Bucket=name, Key=key)["Body"]
        for block in iter(lambda: body.read(1 << 20), b""):
            h.update(block)
        return h.hexdigest()

    keys = sorted(current)
    got = parallel(body_sha, [(s3, name, key) for s3, name in ((target_s3, restored), (source_s3, bucket)) for key in keys], "GETs")
    for key in keys:
        check(got[(target_s3, restored, key)] == got[(source_s3, bucket, key)] == current[key],
              "the bytes of %r: imported %s, source %s, written %s" % (key, got[(target_s3, restored, key)], got[(source_s3, bucket, key)], current[key]))
    step("bytes identical: %d current versions read from both servers" % len(keys))

    # Metadata, headers and tags: every version of the special keys and of the 40 small keys with
    # several versions, and the latest of a random sample of 200 others.
    every_version = set(special_keys) | {k for k in plan if len(plan[k]) > 1}
    latest_only = set(rng.sample(sorted(k for k in current if k not in every_version), 200))
    sample = every_version | latest_only
    targets = [(v[0], v[1]) for v in source_versions if v[0] in every_version or (v[2] and v[0] in latest_only)]
    fields = ("ContentLength", "ContentType", "ETag", "LastModified", "Metadata", "CacheControl", "ContentDisposition", "ContentEncoding",
              "ContentLanguage", "ExpiresString", "VersionId", "ChecksumSHA256", "ChecksumCRC32", "ChecksumCRC64NVME", "ChecksumType", "PartsCount")

    def describe(s3_name_key_version):
        s3, name, key, version_id = s3_name_key_version
        answer = s3.head_object(Bucket=name, Key=key, VersionId=version_id, ChecksumMode="ENABLED")
        tags = s3.get_object_tagging(Bucket=name, Key=key, VersionId=version_id)["TagSet"]
        return {f: answer.get(f) for f in fields}, sorted((t["Key"], t["Value"]) for t in tags)

    described = parallel(describe, [(s3, name, key, vid) for s3, name in ((target_s3, restored), (source_s3, bucket)) for key, vid in targets],
                         "HEAD and tagging")
    by_id = {(key, vid): v for key, ids in version_ids.items() for vid, v in ids}
    for key, vid in targets:
        mine, theirs = described[(target_s3, restored, key, vid)], described[(source_s3, bucket, key, vid)]
        check(mine == theirs, "%r %s: imported %r, source %r" % (key, vid, mine, theirs))
        wanted = by_id.get((key, vid))
        if wanted is not None:
            check(mine[0]["Metadata"] == wanted["metadata"] and mine[1] == sorted(wanted["tags"].items()),
                  "%r %s: metadata and tags %r, written %r %r" % (key, vid, mine, wanted["metadata"], wanted["tags"]))
    check(described[(target_s3, restored, "headers/all", version_ids["headers/all"][0][0])][0]["CacheControl"] == "max-age=60", "headers/all kept its headers")
    check(described[(target_s3, restored, "checksum/sha256", version_ids["checksum/sha256"][0][0])][0]["ChecksumSHA256"], "checksum/sha256 kept its checksum")
    for number in (1, 2, 3):
        mine = target_s3.head_object(Bucket=restored, Key="big/multipart.bin", PartNumber=number)
        theirs = source_s3.head_object(Bucket=bucket, Key="big/multipart.bin", PartNumber=number)
        check((mine["ContentLength"], mine.get("PartsCount"), mine["ETag"]) == (theirs["ContentLength"], theirs.get("PartsCount"), theirs["ETag"]),
              "part %d of big/multipart.bin: imported %r, source %r" % (number, mine, theirs))
    check(theirs.get("PartsCount") == 3 and theirs["ETag"].endswith('-3"'), "big/multipart.bin has 3 parts: %r" % theirs.get("ETag"))
    step("metadata, headers and tags identical: %d versions of %d keys, and the parts of big/multipart.bin" % (len(targets), len(sample)))

    target_head = admin_json(target, "/_cairn/buckets/%s/tree?flush=true" % restored)
    source_head = admin_json(endpoint, "/_cairn/buckets/%s/tree?flush=true" % bucket)
    check(target_head["root"] == source_head["root"] == head["root"], "roots: imported %s, source %s (exported %s)"
          % (target_head["root"], source_head["root"], head["root"]))
    step("root CID identical: %s (imported commit %s, seq %d)" % (target_head["root"], target_head["commit"], target_head["seq"]))
finally:
    stop_server()
check(server.returncode is not None, "the second server stopped")
print("ok: %d keys, %d versions, %d delete markers, %d blocks, %d body bytes, in %.0fs"
      % (total_keys, len(source_versions), len(source_markers), found["blocks"], found["bodyBytes"], time.monotonic() - started))
