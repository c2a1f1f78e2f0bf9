"""boto3 on a versioned bucket: versions and delete markers of several keys, reads by version id, then
bucket.object_versions.delete() (how boto3 users empty a versioned bucket) and bucket.delete().

CAIRN_E2E_DEVIATIONS=moto relaxes the checks moto_server gets wrong (each marked "moto:"), for checking
this script against it; see tests/Cairn.Integration.Tests/Versioning/KnownDeviations.cs."""
import os
import sys
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["CAIRN_ENDPOINT"]
moto = os.environ.get("CAIRN_E2E_DEVIATIONS") == "moto"
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config)
bucket_name = "boto3-ver-" + uuid.uuid4().hex[:12]


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


def listing():
    """Every (key, version id, is latest) of the versions, then of the delete markers, each in listing
    order, through every page (boto3 answers versions and delete markers in two separate lists)."""
    versions, markers = [], []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket_name, PaginationConfig={"PageSize": 2}):
        versions += [(v["Key"], v["VersionId"], v["IsLatest"]) for v in page.get("Versions", [])]
        markers += [(m["Key"], m["VersionId"], m["IsLatest"]) for m in page.get("DeleteMarkers", [])]
    return versions, markers


s3.create_bucket(Bucket=bucket_name)
s3.put_bucket_versioning(Bucket=bucket_name, VersioningConfiguration={"Status": "Enabled"})
check(s3.get_bucket_versioning(Bucket=bucket_name).get("Status") == "Enabled", "versioning is Enabled")

# Three keys, three versions each, the middle key deleted (a delete marker), the last deleted and
# restored (its delete marker deleted by version id).
ids = {}
for key in ("a.txt", "b/c.txt", "d e.txt"):
    ids[key] = [s3.put_object(Bucket=bucket_name, Key=key, Body=("%s %d" % (key, i)).encode())["VersionId"] for i in range(3)]
    check(len(set(ids[key])) == 3 and "null" not in ids[key], "three new version ids for %s: %r" % (key, ids[key]))
marker = s3.delete_object(Bucket=bucket_name, Key="b/c.txt")
check(marker.get("DeleteMarker") is True and marker.get("VersionId"), "a delete marker for b/c.txt: %r" % marker)
restore = s3.delete_object(Bucket=bucket_name, Key="d e.txt")
removed = s3.delete_object(Bucket=bucket_name, Key="d e.txt", VersionId=restore["VersionId"])
check(removed.get("VersionId") == restore["VersionId"], "deleting the marker by version id echoes it: %r" % removed)
if not moto:  # moto: leaves DeleteMarker out
    check(removed.get("DeleteMarker") is True, "deleting a delete marker by version id says it was one: %r" % removed)

check(s3.get_object(Bucket=bucket_name, Key="a.txt", VersionId=ids["a.txt"][0])["Body"].read() == b"a.txt 0", "GET of the oldest version by id")
check(s3.get_object(Bucket=bucket_name, Key="d e.txt")["Body"].read() == b"d e.txt 2", "the restored key reads its newest version")
check(error_of(s3.get_object, Bucket=bucket_name, Key="b/c.txt") == (404, "NoSuchKey"), "a key behind a delete marker is missing")
status = error_of(s3.get_object, Bucket=bucket_name, Key="b/c.txt", VersionId=marker["VersionId"])
check(status == ((404, "NoSuchVersion") if moto else (405, "MethodNotAllowed")), "GET of a delete marker by version id: %r" % (status,))
check(error_of(s3.head_object, Bucket=bucket_name, Key="b/c.txt", VersionId=marker["VersionId"])[0] == 405, "HEAD of a delete marker by version id is 405")

expected = ([(key, vid, i == 0 and key != "b/c.txt") for key in ("a.txt", "b/c.txt", "d e.txt") for i, vid in enumerate(reversed(ids[key]))],
            [("b/c.txt", marker["VersionId"], True)])
check(listing() == expected, "list_object_versions, two entries a page:\n%r\nexpected\n%r" % (listing(), expected))

# The way boto3 users empty a versioned bucket: object_versions pages through ListObjectVersions and
# deletes every version and delete marker by id with DeleteObjects.
bucket = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1", config=config).Bucket(bucket_name)
check(len(list(bucket.object_versions.all())) == 10, "object_versions.all() lists 9 versions and 1 delete marker")
check(error_of(s3.delete_bucket, Bucket=bucket_name) == (409, "BucketNotEmpty"), "a bucket holding only old versions is not empty")
bucket.object_versions.delete()
check(listing() == ([], []), "object_versions.delete() leaves nothing: %r" % (listing(),))
bucket.delete()
check(error_of(s3.head_bucket, Bucket=bucket_name)[0] == 404, "the bucket is gone")
print("boto3 versioning: all checks passed")
