"""boto3 against Cairn with its default checksum behaviour: put/get, head, list, copy, delete."""
import hashlib
import os
import sys
import urllib.error
import urllib.request
import uuid

import boto3
from botocore.config import Config

endpoint = os.environ["CAIRN_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = "boto3-" + uuid.uuid4().hex[:12]


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


s3.create_bucket(Bucket=bucket)
body = os.urandom(1024 * 1024 + 17)
put = s3.put_object(Bucket=bucket, Key="a/b.bin", Body=body, Metadata={"origin": "boto3"}, ContentType="application/x-test")
check(put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "ETag is the MD5 of the body")

got = s3.get_object(Bucket=bucket, Key="a/b.bin", ChecksumMode="ENABLED")
data = got["Body"].read()
check(hashlib.sha256(data).digest() == hashlib.sha256(body).digest(), "GET returns the bytes PUT")
check(got["Metadata"] == {"origin": "boto3"}, "user metadata round-trips: %r" % got["Metadata"])
check(got["ContentType"] == "application/x-test", "content type round-trips")
default_checksums = [k for k in got if k.startswith("Checksum") and k != "ChecksumType"]
check(default_checksums, "the checksum boto3 sent by default is stored and returned: %r" % list(got))

explicit = s3.put_object(Bucket=bucket, Key="sha256.bin", Body=b"hello", ChecksumAlgorithm="SHA256")
check(explicit["ChecksumSHA256"] == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "SHA256 checksum echoed")

ranged = s3.get_object(Bucket=bucket, Key="a/b.bin", Range="bytes=10-19")["Body"].read()
check(ranged == body[10:20], "range GET")

head = s3.head_object(Bucket=bucket, Key="a/b.bin")
check(head["ContentLength"] == len(body), "HEAD content length")

listing = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
check([p["Prefix"] for p in listing.get("CommonPrefixes", [])] == ["a/"], "delimiter listing")

s3.copy_object(Bucket=bucket, Key="copy.bin", CopySource={"Bucket": bucket, "Key": "a/b.bin"})
check(s3.get_object(Bucket=bucket, Key="copy.bin")["Body"].read() == body, "copy has the same bytes")

s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in ("a/b.bin", "copy.bin", "sha256.bin")]})
check(s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0, "bucket empty after delete_objects")

# Emptying a bucket the way tools do (terraform's force_destroy, boto3's object_versions): list the
# versions, then delete every one by version id. A bucket that never had versioning has one null
# version per key.
check("Status" not in s3.get_bucket_versioning(Bucket=bucket), "a new bucket has no versioning status")
for i in range(5):
    s3.put_object(Bucket=bucket, Key="v/%d" % i, Body=b"x" * i)
versions = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
check(versions["IsTruncated"] and [v["Key"] for v in versions["Versions"]] == ["v/0", "v/1"], "first page of versions: %r" % versions)
check(all(v["VersionId"] == "null" and v["IsLatest"] for v in versions["Versions"]), "each key is its null version, the latest")
resource_bucket = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1",
                                 config=s3.meta.config).Bucket(bucket)
check(sorted(v.object_key for v in resource_bucket.object_versions.all()) == ["v/%d" % i for i in range(5)],
      "object_versions.all() pages through every version")
resource_bucket.object_versions.delete()
check(s3.list_object_versions(Bucket=bucket).get("Versions", []) == [], "object_versions.delete() empties the bucket")


# A browser upload: boto3's generate_presigned_post signs the form; it is posted as a browser posts it
# (multipart/form-data, the file last), once within its policy and once outside it.
def post_form(fields, content):
    boundary = uuid.uuid4().hex
    parts = [b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary.encode(), name.encode(), value.encode())
             for name, value in fields.items()]
    parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\n"
                 b"Content-Type: text/plain\r\n\r\n%s\r\n--%s--\r\n" % (boundary.encode(), content, boundary.encode()))
    request = urllib.request.Request(post["url"], data=b"".join(parts), method="POST",
                                     headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


post = s3.generate_presigned_post(Bucket=bucket, Key="forms/${filename}",
                                  Fields={"success_action_status": "201", "Content-Type": "text/plain"},
                                  Conditions=[["starts-with", "$key", "forms/"], {"success_action_status": "201"},
                                              {"Content-Type": "text/plain"}, ["content-length-range", 1, 64]],
                                  ExpiresIn=300)
status, answer = post_form(post["fields"], b"posted by boto3")
check(status == 201 and b"<Key>forms/note.txt</Key>" in answer, "presigned POST stores the file: %d %r" % (status, answer))
stored = s3.get_object(Bucket=bucket, Key="forms/note.txt")
check(stored["Body"].read() == b"posted by boto3" and stored["ContentType"] == "text/plain", "the posted object reads back")
status, answer = post_form(post["fields"], b"x" * 65)
check(status == 400 and b"<Code>EntityTooLarge</Code>" in answer, "a file over content-length-range is refused: %d %r" % (status, answer))
s3.delete_object(Bucket=bucket, Key="forms/note.txt")

s3.delete_bucket(Bucket=bucket)
print("boto3: all checks passed")
