#!/usr/bin/env bash
# The lifecycle with the AWS CLI (issue 13): put-bucket-lifecycle-configuration and get it back,
# head-object's Expiration (x-amz-expiration) naming the rule, objects under the rule's prefix expired
# by the worker within a few lifecycle days while the others stay, an incomplete multipart upload
# aborted, and delete-bucket-lifecycle stopping it all. Expects CAIRN_ENDPOINT and AWS credentials in
# the environment, and a server started with CAIRN_LIFECYCLE_DAY=00:00:02 (e2e/run.sh does); $1 is a
# scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
mkdir -p "$work"
source "$here/lib.sh"

export AWS_CONFIG_FILE="$work/aws-config"
printf '[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n    addressing_style = path\n' >"$AWS_CONFIG_FILE"
api() { aws --endpoint-url "$CAIRN_ENDPOINT" s3api "$@"; }
keys() { api list-objects-v2 --bucket "$1" --query 'Contents[].Key' --output text; }
bucket="lifecycle-$(date +%s)-$RANDOM"
echo "some bytes" >"$work/body"

step "create-bucket, put-bucket-lifecycle-configuration (tmp/: expire after 10 days, abort uploads after 1 day)"
api create-bucket --bucket "$bucket" >/dev/null
printf '%s\n' '{"Rules": [{"ID": "tmp-cleanup", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},' \
    '  "Expiration": {"Days": 10}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]}' >"$work/lifecycle.json"
api put-bucket-lifecycle-configuration --bucket "$bucket" --lifecycle-configuration "file://$work/lifecycle.json"
got=$(api get-bucket-lifecycle-configuration --bucket "$bucket" --query 'Rules[0].[ID, Filter.Prefix, Expiration.Days]' --output text)
[ "$got" = "$(printf 'tmp-cleanup\ttmp/\t10')" ] || fail "get-bucket-lifecycle-configuration answered '$got'"

# Ten days (20 s) leave the puts and head-object checks below time to run on a loaded machine before
# tmp/b expires; one day (2 s) did not always, nor did three (6 s: the four writes once took 10 s).
step "put tmp/a, tmp/b, keep/c; start a multipart upload of tmp/big"
for key in tmp/a tmp/b keep/c; do api put-object --bucket "$bucket" --key "$key" --body "$work/body" >/dev/null; done
upload=$(api create-multipart-upload --bucket "$bucket" --key tmp/big --query UploadId --output text)
[ -n "$upload" ] || fail "no upload id"

step "head-object names the expiration rule (x-amz-expiration); keep/c has none"
expiration=$(api head-object --bucket "$bucket" --key tmp/b --query Expiration --output text)
grep -q 'rule-id="tmp-cleanup"' <<<"$expiration" || fail "head-object Expiration of tmp/b is '$expiration'"
grep -q 'expiry-date="' <<<"$expiration" || fail "head-object Expiration of tmp/b has no expiry-date: '$expiration'"
expiration=$(api head-object --bucket "$bucket" --key keep/c --query Expiration --output text)
[ "$expiration" = "None" ] || fail "keep/c should not expire, head-object says '$expiration'"

step "the worker expires tmp/ and aborts the upload within ten 2-second days (polled for at most 60 rounds)"
left=""
uploads=""
for _ in $(seq 1 60); do
    left=$(keys "$bucket")
    uploads=$(api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].UploadId' --output text)
    [ "$left" = "keep/c" ] && [ "$uploads" = "None" ] && break
    sleep 1
done
[ "$left" = "keep/c" ] || fail "after 60 rounds the bucket still holds: $left"
[ "$uploads" = "None" ] || fail "after 60 rounds the incomplete upload of tmp/big is still there: $uploads"

step "delete-bucket-lifecycle: a new tmp/ object outlives several days"
api delete-bucket-lifecycle --bucket "$bucket"
api put-object --bucket "$bucket" --key tmp/late --body "$work/body" >/dev/null
sleep 8
left=$(keys "$bucket")
[ "$left" = "$(printf 'keep/c\ttmp/late')" ] || fail "after delete-bucket-lifecycle the bucket holds '$left', expected keep/c and tmp/late"
if out=$(api get-bucket-lifecycle-configuration --bucket "$bucket" 2>&1); then fail "the configuration is still there: $out"; fi
grep -q "NoSuchLifecycleConfiguration" <<<"$out" || fail "get after delete: $out"

step "clean up"
api delete-object --bucket "$bucket" --key keep/c >/dev/null
api delete-object --bucket "$bucket" --key tmp/late >/dev/null
api delete-bucket --bucket "$bucket"
echo "lifecycle: ok"
