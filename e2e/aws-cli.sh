#!/usr/bin/env bash
# AWS CLI against Cairn: mb, cp a 3 MB file up and down (SHA-256 compared), ls, presign + curl,
# rm, rb. Expects CAIRN_ENDPOINT and AWS credentials in the environment.
set -euo pipefail
work=$1
mkdir -p "$work"
# AWS CLI v1 presigns with SigV2 unless told otherwise; Cairn speaks SigV4 (the setting every
# non-AWS endpoint documents: aws configure set default.s3.signature_version s3v4).
export AWS_CONFIG_FILE="$work/aws-config"
printf '[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n' >"$AWS_CONFIG_FILE"
s3() { aws --endpoint-url "$CAIRN_ENDPOINT" s3 "$@"; }
bucket="cli-$(date +%s)-$RANDOM"
step() { echo "step: $*"; }

step "mb"
s3 mb "s3://$bucket"

step "cp up 3 MB"
head -c 3145728 /dev/urandom >"$work/upload.bin"
s3 cp "$work/upload.bin" "s3://$bucket/dir/file one.bin"

step "cp down and compare SHA-256"
s3 cp "s3://$bucket/dir/file one.bin" "$work/download.bin"
[ "$(sha256sum <"$work/upload.bin")" = "$(sha256sum <"$work/download.bin")" ] || { echo "downloaded bytes differ"; exit 1; }

step "ls"
s3 ls "s3://$bucket/dir/" | grep -q "file one.bin"
s3 ls | grep -q "$bucket"

step "presign + curl"
url=$(s3 presign "s3://$bucket/dir/file one.bin" --expires-in 300)
curl -sf "$url" -o "$work/presigned.bin"
[ "$(sha256sum <"$work/upload.bin")" = "$(sha256sum <"$work/presigned.bin")" ] || { echo "presigned download differs"; exit 1; }

step "rm"
s3 rm "s3://$bucket/dir/file one.bin"
[ -z "$(s3 ls "s3://$bucket/" --recursive)" ] || { echo "bucket not empty after rm"; exit 1; }

step "rb"
s3 rb "s3://$bucket"
if s3 ls "s3://$bucket" 2>/dev/null; then echo "bucket still listed after rb"; exit 1; fi
echo "aws-cli: all steps passed"
