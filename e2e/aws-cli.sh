#!/usr/bin/env bash
# AWS CLI against Cairn: cp, mv and sync of a 100 MB file and of a folder of 500 small files,
# ls --recursive, presign + curl, rm --recursive, rb. Every transfer is checked by the SHA-256
# of the bytes. Above 8 MB the CLI uploads, copies (UploadPartCopy) and downloads (ranged GETs)
# in 8 MB parts; CAIRN_E2E_SINGLE_PART=1 raises the threshold above every file size.
# Expects CAIRN_ENDPOINT and AWS credentials in the environment; $1 is a scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
mkdir -p "$work"
source "$here/lib.sh"

# AWS CLI v1 presigns with SigV2 unless told otherwise; Cairn accepts both, and this suite signs
# with SigV4 (the setting every non-AWS endpoint documents) while SigV2ClientTests covers SigV2.
if single_part; then threshold=1GB; else threshold=8MB; fi
export AWS_CONFIG_FILE="$work/aws-config"
cat >"$AWS_CONFIG_FILE" <<EOF
[default]
region = us-east-1
s3 =
    signature_version = s3v4
    addressing_style = path
    multipart_threshold = $threshold
    multipart_chunksize = $threshold
EOF
s3() { aws --endpoint-url "$CAIRN_ENDPOINT" s3 "$@"; }
bucket="cli-$(date +%s)-$RANDOM"
echo "mode: $(mode_name) (multipart_threshold = $threshold)"

step "mb"
s3 mb "s3://$bucket"

step "make a 100 MB file and a folder of 500 small files"
make_file "$work/big.bin" $((100 * 1024 * 1024))
make_tree "$work/small" 500

step "cp up 100 MB"
s3 cp --only-show-errors "$work/big.bin" "s3://$bucket/big/file one.bin"
expect_parts "$bucket" "big/file one.bin" 13   # 100 MiB in 8 MiB parts
step "cp down 100 MB, SHA-256 compared"
s3 cp --only-show-errors "s3://$bucket/big/file one.bin" "$work/big.down"
same_file "$work/big.bin" "$work/big.down"
rm -f "$work/big.down"

step "cp --recursive up 500 files"
s3 cp --only-show-errors --recursive "$work/small" "s3://$bucket/small/"
step "cp --recursive down 500 files, SHA-256 compared"
s3 cp --only-show-errors --recursive "s3://$bucket/small/" "$work/small.down"
same_tree "$work/small" "$work/small.down"
rm -rf "$work/small.down"

step "ls --recursive (paged by 100)"
s3 ls --recursive --page-size 100 "s3://$bucket/" >"$work/ls.txt"
count=$(wc -l <"$work/ls.txt")
[ "$count" -eq 501 ] || fail "ls --recursive listed $count objects, expected 501"
grep -q " big/file one.bin$" "$work/ls.txt" || fail "ls --recursive misses big/file one.bin"
# (captured first: grep -q closing the pipe early would fail the listing under pipefail)
out=$(s3 ls --recursive --summarize "s3://$bucket/small/")
grep -q "Total Objects: 500" <<<"$out" || fail "summarize does not count 500"
out=$(s3 ls "s3://$bucket/small/")
[ "$(grep -c "PRE d[0-4]/" <<<"$out")" -eq 5 ] || fail "ls without --recursive does not show the 5 prefixes d0/ to d4/: $out"
out=$(s3 ls)
grep -q "$bucket" <<<"$out" || fail "bucket not listed"

step "mv local -> bucket (100 MB)"
cp "$work/big.bin" "$work/big.mv"
s3 mv --only-show-errors "$work/big.mv" "s3://$bucket/mv/a.bin"
[ ! -e "$work/big.mv" ] || fail "mv left the local file"
step "mv bucket -> bucket (100 MB, server-side copy)"
s3 mv --only-show-errors "s3://$bucket/mv/a.bin" "s3://$bucket/mv/b.bin"
out=$(s3 ls --recursive "s3://$bucket/mv/")
grep -q " mv/b.bin$" <<<"$out" || fail "mv did not create mv/b.bin"
if grep -q "a.bin" <<<"$out"; then fail "mv left the source object"; fi
expect_parts "$bucket" "mv/b.bin" 13   # UploadPartCopy, 8 MiB parts
step "mv bucket -> local (100 MB), SHA-256 compared"
s3 mv --only-show-errors "s3://$bucket/mv/b.bin" "$work/big.mv"
same_file "$work/big.bin" "$work/big.mv"
[ -z "$(s3 ls --recursive "s3://$bucket/mv/")" ] || fail "mv left objects under mv/"
rm -f "$work/big.mv"

step "mv --recursive 500 files bucket -> bucket, SHA-256 compared"
s3 mv --only-show-errors --recursive "s3://$bucket/small/" "s3://$bucket/moved/"
[ -z "$(s3 ls --recursive "s3://$bucket/small/")" ] || fail "mv --recursive left objects under small/"
s3 cp --only-show-errors --recursive "s3://$bucket/moved/" "$work/moved.down"
same_tree "$work/small" "$work/moved.down"
rm -rf "$work/moved.down"

step "sync up a folder with the 100 MB file and 500 small files"
mkdir -p "$work/tree"
mv "$work/small" "$work/tree/small"
mv "$work/big.bin" "$work/tree/big.bin"
s3 sync --only-show-errors "$work/tree" "s3://$bucket/sync/"
expect_parts "$bucket" "sync/big.bin" 13
step "sync down into an empty folder, SHA-256 compared"
s3 sync --only-show-errors "s3://$bucket/sync/" "$work/tree.down"
same_tree "$work/tree" "$work/tree.down"
step "sync again: nothing to do"
out=$(s3 sync --no-progress "$work/tree" "s3://$bucket/sync/")
[ -z "$out" ] || fail "second sync transferred: $out"
step "sync --delete after changing, adding and removing one file each"
printf 'changed, and longer than before: %s\n' "$RANDOM$RANDOM$RANDOM" >>"$work/tree/small/d1/f-0001.txt"
printf 'new file\n' >"$work/tree/small/new.txt"
rm "$work/tree/small/d2/f-0002.txt"
out=$(s3 sync --no-progress --delete "$work/tree" "s3://$bucket/sync/")
echo "$out"
[ "$(grep -c '^upload:' <<<"$out")" -eq 2 ] || fail "expected 2 uploads"
[ "$(grep -c '^delete:' <<<"$out")" -eq 1 ] || fail "expected 1 delete"
s3 sync --only-show-errors --delete "s3://$bucket/sync/" "$work/tree.down"
same_tree "$work/tree" "$work/tree.down"
rm -rf "$work/tree.down"

step "presign + curl (100 MB object), SHA-256 compared"
url=$(s3 presign "s3://$bucket/sync/big.bin" --expires-in 300)
grep -q "X-Amz-Algorithm=AWS4-HMAC-SHA256" <<<"$url" || fail "presigned URL is not SigV4: $url"
curl -sf --max-time 120 "$url" -o "$work/presigned.bin"
same_file "$work/tree/big.bin" "$work/presigned.bin"
rm -f "$work/presigned.bin"
step "presign + curl of a key with a space, SHA-256 compared"
url=$(s3 presign "s3://$bucket/big/file one.bin" --expires-in 300)
curl -sf --max-time 120 "$url" -o "$work/presigned.bin"
same_file "$work/tree/big.bin" "$work/presigned.bin"
rm -f "$work/presigned.bin"

step "rm --recursive"
s3 rm --only-show-errors --recursive "s3://$bucket/"
[ -z "$(s3 ls "s3://$bucket/" --recursive)" ] || fail "bucket not empty after rm --recursive"

step "rb"
s3 rb "s3://$bucket"
if s3 ls "s3://$bucket" 2>/dev/null; then fail "bucket still listed after rb"; fi
echo "aws-cli: all steps passed ($(mode_name))"
