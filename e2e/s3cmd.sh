#!/usr/bin/env bash
# s3cmd against Cairn: mb, put, get, ls, sync (up, down, --delete-removed), del, rb, with a 12 MB
# file and a folder of 100 small files, every transfer checked by SHA-256. Above 5 MiB s3cmd
# uploads in 5 MiB parts (multipart_chunk_size_mb); CAIRN_E2E_SINGLE_PART=1 raises the part size
# above the file size. Configured by a config file in the scratch directory.
# Expects CAIRN_ENDPOINT and AWS credentials in the environment; $1 is a scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
mkdir -p "$work"
source "$here/lib.sh"

if single_part; then chunk_mb=64; else chunk_mb=5; fi
hostport=${CAIRN_ENDPOINT#http://}
# host_bucket without %(bucket)s: path-style requests; signature_v2 = False: SigV4.
cat >"$work/s3cfg" <<EOF
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $hostport
host_bucket = $hostport
use_https = False
signature_v2 = False
bucket_location = us-east-1
multipart_chunk_size_mb = $chunk_mb
EOF
s3c() { s3cmd -c "$work/s3cfg" --no-progress "$@"; }
bucket="s3cmd-$(date +%s)-$RANDOM"
echo "mode: $(mode_name) (multipart_chunk_size_mb = $chunk_mb)"
s3c --version

step "make a 12 MB file and a folder of 100 small files"
make_file "$work/big.bin" $((12 * 1000 * 1000))
make_tree "$work/tree" 100

step "mb"
s3c mb "s3://$bucket"

step "put 12 MB ($(if single_part; then echo "one PUT"; else echo "5 MiB parts"; fi)) and a small file with a space in its key"
s3c put "$work/big.bin" "s3://$bucket/big/big.bin"
expect_parts "$bucket" "big/big.bin" 3   # 12 MB in 5 MiB parts
s3c put "$work/tree/d1/f-0001.txt" "s3://$bucket/big/small one.txt"

step "get both, SHA-256 compared"
s3c get "s3://$bucket/big/big.bin" "$work/big.down"
same_file "$work/big.bin" "$work/big.down"
s3c get "s3://$bucket/big/small one.txt" "$work/small.down"
same_file "$work/tree/d1/f-0001.txt" "$work/small.down"
rm -f "$work/big.down" "$work/small.down"
step "get refuses to overwrite without --force, then overwrites with it"
printf 'old' >"$work/existing"
if s3c get "s3://$bucket/big/big.bin" "$work/existing" 2>/dev/null; then fail "get overwrote without --force"; fi
s3c get --force "s3://$bucket/big/big.bin" "$work/existing"
same_file "$work/big.bin" "$work/existing"
rm -f "$work/existing"

step "ls, ls --recursive, la"
out=$(s3c ls)
grep -q "s3://$bucket" <<<"$out" || fail "bucket not listed: $out"
out=$(s3c ls "s3://$bucket/")
grep -q "DIR.*s3://$bucket/big/" <<<"$out" || fail "ls does not show big/ as a directory: $out"
out=$(s3c ls --recursive "s3://$bucket/")
[ "$(grep -c "s3://$bucket/" <<<"$out")" -eq 2 ] || fail "ls --recursive: $out"
grep -qE "^.* 12000000 +s3://$bucket/big/big.bin$" <<<"$out" || fail "ls --recursive does not show 12000000 bytes: $out"
out=$(s3c la)
grep -q "DIR.*s3://$bucket/big/" <<<"$out" || fail "la does not show big/ in the bucket: $out"

step "sync up 100 files (and the 12 MB file)"
cp "$work/big.bin" "$work/tree/big.bin"
s3c sync "$work/tree/" "s3://$bucket/tree/"
out=$(s3c ls --recursive "s3://$bucket/tree/")
[ "$(grep -c "s3://$bucket/tree/" <<<"$out")" -eq 101 ] || fail "sync uploaded $(grep -c "s3://" <<<"$out") objects, expected 101"
step "sync down into an empty folder, SHA-256 compared"
s3c sync "s3://$bucket/tree/" "$work/tree.down/"
same_tree "$work/tree" "$work/tree.down"
rm -rf "$work/tree.down"
step "sync again: nothing to upload"
out=$(s3c sync "$work/tree/" "s3://$bucket/tree/")
if grep -q "upload:" <<<"$out"; then fail "second sync uploaded: $out"; fi
step "sync --delete-removed after changing, adding and removing one file each"
printf 'changed, and longer than before: %s\n' "$RANDOM$RANDOM" >>"$work/tree/d1/f-0001.txt"
printf 'new file\n' >"$work/tree/d0/new.txt"
rm "$work/tree/d2/f-0002.txt"
out=$(s3c sync --delete-removed "$work/tree/" "s3://$bucket/tree/")
echo "$out"
[ "$(grep -c "upload:" <<<"$out")" -eq 2 ] || fail "expected 2 uploads"
[ "$(grep -c "delete:" <<<"$out")" -eq 1 ] || fail "expected 1 delete"
s3c sync "s3://$bucket/tree/" "$work/tree.down/"
same_tree "$work/tree" "$work/tree.down"
rm -rf "$work/tree.down"

step "del one object, del --recursive the rest"
s3c del "s3://$bucket/big/small one.txt"
out=$(s3c ls --recursive "s3://$bucket/big/")
if grep -q "small one.txt" <<<"$out"; then fail "del left the object: $out"; fi
s3c del --recursive --force "s3://$bucket/"
[ -z "$(s3c ls --recursive "s3://$bucket/")" ] || fail "bucket not empty after del --recursive"

step "rb"
s3c rb "s3://$bucket"
out=$(s3c ls)
if grep -q "s3://$bucket" <<<"$out"; then fail "bucket still listed after rb"; fi
rm -rf "$work/tree" "$work/big.bin"
echo "s3cmd: all steps passed ($(mode_name))"
