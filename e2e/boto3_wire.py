"""boto3 against Cairn's wire details (issue 10): features Cairn refuses rather than ignore,
SSE-S3 and SSE-C as boto3 sends them (issue 14), url-encoded listings, an empty delimiter, non-ASCII
user metadata, checksum mismatches."""
import base64
import email.header
import hashlib
import os
import sys
import uuid

import boto3
from botocore import handlers
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["CAIRN_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = "boto3-wire-" + uuid.uuid4().hex[:12]
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "0123456789abcdef0123456789abcdef"}
OTHER_KEY = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "fedcba9876543210fedcba9876543210"}


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as error:
        return (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"],
                error.response["Error"].get("Message", ""))
    return None


def absent(key):
    return error_of(s3.head_object, Bucket=bucket, Key=key) == ("404", 404, "Not Found")


s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="source", Body=b"source")

# 1. Never accept and ignore: each refusal is S3's error, stores nothing, and the very next request
#    on the same pooled connection works (an early answer to Expect: 100-continue closes it).
refusals = {
    "SSE-KMS": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/cairn"},
    "storage class": {"StorageClass": "GLACIER"},
    "website redirect": {"WebsiteRedirectLocation": "/elsewhere.html"},
}
for name, extra in refusals.items():
    got = error_of(s3.put_object, Bucket=bucket, Key="refused", Body=os.urandom(64 * 1024), **extra)
    check(got is not None and got[:2] == ("NotImplemented", 501), "put_object with %s: %r" % (name, got))
    check(absent("refused"), "put_object with %s stored nothing" % name)
    s3.put_object(Bucket=bucket, Key="after-" + name.replace(" ", "-"), Body=b"ok")
# Object Lock is served, so lock headers on a bucket without lock get S3's answer for that.
got = error_of(s3.put_object, Bucket=bucket, Key="refused", Body=b"x", ObjectLockMode="GOVERNANCE",
               ObjectLockRetainUntilDate="2030-01-01T00:00:00Z")
check(got is not None and got[:2] == ("InvalidRequest", 400), "put_object with object lock on a bucket without lock: %r" % (got,))
check(absent("refused"), "put_object with object lock on a bucket without lock stored nothing")
got = error_of(s3.put_object, Bucket=bucket, Key="refused", Body=b"x", ACL="public-read")
check(got is not None and got[:2] == ("AccessControlListNotSupported", 400), "public-read ACL: %r" % (got,))
s3.put_object(Bucket=bucket, Key="private", Body=b"x", ACL="private")
got = error_of(s3.copy_object, Bucket=bucket, Key="refused", CopySource={"Bucket": bucket, "Key": "source"},
               ServerSideEncryption="aws:kms")
check(got is not None and got[:2] == ("NotImplemented", 501), "copy_object with SSE-KMS: %r" % (got,))
check(absent("refused"), "the refused copy stored nothing")
got = error_of(s3.create_multipart_upload, Bucket=bucket, Key="refused", Tagging="team=storage&team=ops")
check(got is not None and got[:2] == ("InvalidTag", 400), "create_multipart_upload with a repeated tag key: %r" % (got,))
got = error_of(s3.create_multipart_upload, Bucket=bucket, Key="refused", ServerSideEncryption="aws:kms")
check(got is not None and got[:2] == ("NotImplemented", 501), "create_multipart_upload with SSE-KMS: %r" % (got,))
check(not s3.list_multipart_uploads(Bucket=bucket).get("Uploads"), "the refused upload was not created")
upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
# A customer key for an upload or object that has none is S3's 400 InvalidRequest.
got = error_of(s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=os.urandom(1024), **SSE_C)
check(got is not None and got[:2] == ("InvalidRequest", 400), "upload_part with SSE-C to an upload without it: %r" % (got,))
check(not s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts"), "the refused part was not stored")
s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload)
got = error_of(s3.get_object, Bucket=bucket, Key="source", **SSE_C)
check(got is not None and got[:2] == ("InvalidRequest", 400), "get_object with SSE-C of an object without it: %r" % (got,))
check(s3.get_object(Bucket=bucket, Key="source")["Body"].read() == b"source", "the source is untouched")

# SSE-S3 and SSE-C as boto3 sends them (it computes the key's MD5 itself).
body = os.urandom(300 * 1024)
put = s3.put_object(Bucket=bucket, Key="sse-s3", Body=body, ServerSideEncryption="AES256")
check(put.get("ServerSideEncryption") == "AES256", "put_object with SSE-S3 answers AES256: %r" % put.get("ServerSideEncryption"))
got = s3.get_object(Bucket=bucket, Key="sse-s3", Range="bytes=70000-70999")
check(got["Body"].read() == body[70000:71000] and got.get("ServerSideEncryption") == "AES256", "ranged get of an SSE-S3 object")
s3.put_object(Bucket=bucket, Key="sse-c", Body=body, **SSE_C)
check(s3.get_object(Bucket=bucket, Key="sse-c", **SSE_C)["Body"].read() == body, "get_object with the SSE-C key")
got = error_of(s3.get_object, Bucket=bucket, Key="sse-c")
check(got is not None and got[:2] == ("InvalidRequest", 400), "get_object of an SSE-C object without its key: %r" % (got,))
got = error_of(s3.head_object, Bucket=bucket, Key="sse-c", **OTHER_KEY)
check(got is not None and got[1] == 403, "head_object of an SSE-C object with another key: %r" % (got,))
s3.copy_object(Bucket=bucket, Key="sse-c-rekeyed", CopySource={"Bucket": bucket, "Key": "sse-c"},
               CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=SSE_C["SSECustomerKey"], **OTHER_KEY)
check(s3.get_object(Bucket=bucket, Key="sse-c-rekeyed", **OTHER_KEY)["Body"].read() == body, "a copy under another SSE-C key")

# 2. Listings: boto3 asks for encoding-type=url itself and decodes, so keys with a space, a plus and
#    a control character come back exact; asked for explicitly, the wire values show %20, %2B, %01.
keys = ["a b/1", "a b/2", "a+b", "\x01ctl", "\u00e9t\u00e9"]
for key in keys:
    s3.put_object(Bucket=bucket, Key="list/" + key, Body=b"")
listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="list/")["Contents"]]
check(listed == sorted("list/" + k for k in keys), "keys round-trip through boto3's decoding: %r" % listed)
control = s3.list_objects_v2(Bucket=bucket, Prefix="list/\x01")
check(control["Prefix"] == "list/\x01" and [o["Key"] for o in control["Contents"]] == ["list/\x01ctl"],
      "a control-character prefix round-trips: %r" % control.get("Prefix"))
raw = s3.list_objects_v2(Bucket=bucket, Prefix="list/a b/", StartAfter="list/a b/1", EncodingType="url")
check(raw["Prefix"] == "list/a%20b/" and raw["StartAfter"] == "list/a%20b/1", "prefix and start-after encoded: %r" % raw)
check([o["Key"] for o in raw["Contents"]] == ["list/a%20b/2"], "a space is %%20: %r" % raw["Contents"])
raw = s3.list_objects_v2(Bucket=bucket, Prefix="list/", EncodingType="url")
check("list/a%2Bb" in [o["Key"] for o in raw["Contents"]], "a plus is %2B")
v1 = s3.list_objects(Bucket=bucket, Prefix="list/", Delimiter="/", Marker="list/a b/")
check([o["Key"] for o in v1["Contents"]] == ["list/a+b", "list/\u00e9t\u00e9"] and v1["Marker"] == "list/a b/",
      "ListObjects v1 marker and keys decode: %r" % v1)

# 3. An empty delimiter is no delimiter.
for listing in (s3.list_objects_v2(Bucket=bucket, Prefix="list/", Delimiter=""),
                s3.list_objects(Bucket=bucket, Prefix="list/", Delimiter="")):
    check("Delimiter" not in listing and "CommonPrefixes" not in listing and len(listing["Contents"]) == len(keys),
          "an empty delimiter groups nothing and is not echoed: %r" % {k: listing.get(k) for k in ("Delimiter", "CommonPrefixes")})

# 4. Non-ASCII user metadata. boto3 refuses it up front; without that check, http.client sends
#    characters up to U+00FF as Latin-1 bytes, which Cairn reads as the characters boto3 signed.
#    GET and HEAD send non-ASCII values RFC 2047 encoded, which the email package decodes.
s3.meta.events.unregister("before-parameter-build.s3.PutObject", handlers.validate_ascii_metadata)
s3.put_object(Bucket=bucket, Key="meta", Body=b"x", Metadata={"note": "caf\u00e9 cr\u00e8me", "plain": "ascii",
                                                              "mine": "=?UTF-8?B?4pyT?="})
for answer in (s3.head_object(Bucket=bucket, Key="meta"), s3.get_object(Bucket=bucket, Key="meta")):
    metadata = answer["Metadata"]
    word = metadata["note"]
    check(word == "=?UTF-8?B?" + base64.b64encode("caf\u00e9 cr\u00e8me".encode()).decode() + "?=", "RFC 2047 word: %r" % word)
    decoded = "".join(part.decode(charset) if charset else part for part, charset in email.header.decode_header(word))
    check(decoded == "caf\u00e9 cr\u00e8me", "the word decodes to the text sent: %r" % decoded)
    check(metadata["plain"] == "ascii" and metadata["mine"] == "=?UTF-8?B?4pyT?=", "ASCII values come back as sent: %r" % metadata)

# 5. A checksum that does not match the body is BadDigest with S3's message; a malformed one is InvalidRequest.
wrong = {"CRC32": b"\0" * 4, "CRC32C": b"\0" * 4, "CRC64NVME": b"\0" * 8, "SHA1": b"\0" * 20, "SHA256": b"\0" * 32}
upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
for algorithm, digest in wrong.items():
    value = {"Checksum" + algorithm: base64.b64encode(digest).decode()}
    expected = ("BadDigest", 400, "The %s you specified did not match the calculated checksum." % algorithm)
    got = error_of(s3.put_object, Bucket=bucket, Key="ck", Body=b"hello", **value)
    check(got == expected, "put_object with a wrong %s: %r" % (algorithm, got))
    got = error_of(s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"hello", **value)
    check(got == expected, "upload_part with a wrong %s: %r" % (algorithm, got))
got = error_of(s3.put_object, Bucket=bucket, Key="ck", Body=b"hello", ChecksumSHA256="bad")
check(got == ("InvalidRequest", 400, "Value for x-amz-checksum-sha256 header is invalid."), "malformed SHA256: %r" % (got,))
check(absent("ck") and not s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts"), "no mismatched body was kept")
s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload)
check(hashlib.md5(s3.get_object(Bucket=bucket, Key="source")["Body"].read()).hexdigest() == hashlib.md5(b"source").hexdigest(),
      "the bucket still serves")

# One by one: a DeleteObjects body could not carry the control character (XML 1.0 cannot).
for key in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]:
    s3.delete_object(Bucket=bucket, Key=key)
s3.delete_bucket(Bucket=bucket)
print("boto3-wire: all checks passed")
