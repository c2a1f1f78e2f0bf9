#!/usr/bin/env bash
# rclone against Cairn: copy (up, down and bucket to bucket), sync, check --download, lsf, delete,
# purge of a folder with a 24 MB file and 200 small files, every transfer checked by SHA-256.
# Above 8 MB rclone uploads in 5 MiB parts and copies bucket to bucket with UploadPartCopy;
# CAIRN_E2E_SINGLE_PART=1 raises both cutoffs to their maximum (5 GiB).
# The remote is configured through the environment only (--config "": no config file is read).
# Expects CAIRN_ENDPOINT and AWS credentials in the environment; $1 is a scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
mkdir -p "$work"
source "$here/lib.sh"

if single_part; then cutoff=5G; chunk=64M; else cutoff=8M; chunk=5M; fi
export RCLONE_CONFIG_CAIRN_TYPE=s3
export RCLONE_CONFIG_CAIRN_PROVIDER=Other
export RCLONE_CONFIG_CAIRN_ENDPOINT=$CAIRN_ENDPOINT
export RCLONE_CONFIG_CAIRN_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export RCLONE_CONFIG_CAIRN_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export RCLONE_CONFIG_CAIRN_REGION=us-east-1
export RCLONE_CONFIG_CAIRN_FORCE_PATH_STYLE=true
export RCLONE_CONFIG_CAIRN_UPLOAD_CUTOFF=$cutoff
export RCLONE_CONFIG_CAIRN_CHUNK_SIZE=$chunk
export RCLONE_CONFIG_CAIRN_COPY_CUTOFF=$cutoff
# rclone refuses to start when AWS_CA_BUNDLE is set and the endpoint is plain HTTP.
rc() { env -u AWS_CA_BUNDLE rclone --config "" --retries 1 --low-level-retries 2 --contimeout 10s --timeout 60s "$@"; }
bucket="rclone-$(date +%s)-$RANDOM"
bucket2="$bucket-b"
echo "mode: $(mode_name) (upload_cutoff = copy_cutoff = $cutoff, chunk_size = $chunk)"
rc version | sed -n 1p

step "make a folder with a 24 MB file and 200 small files"
mkdir -p "$work/tree"
make_file "$work/tree/big.bin" $((24 * 1000 * 1000))
make_tree "$work/tree/small" 200

step "mkdir (CreateBucket)"
rc mkdir "cairn:$bucket"

step "copy up"
rc copy "$work/tree" "cairn:$bucket/tree"
expect_parts "$bucket" "tree/big.bin" 5   # 24 MB in 5 MiB parts

step "lsf -R lists every file with its size"
rc lsf -R --files-only --format "sp" --separator " " "cairn:$bucket/tree" | sort >"$work/remote.lst"
(cd "$work/tree" && find . -type f -printf '%s %P\n' | sort) >"$work/local.lst"
diff "$work/local.lst" "$work/remote.lst" || fail "lsf differs from the local folder"
[ "$(wc -l <"$work/remote.lst")" -eq 201 ] || fail "lsf listed $(wc -l <"$work/remote.lst") files, expected 201"
[ "$(rc lsf "cairn:$bucket/tree/small")" = "$(printf 'd0/\nd1/\nd2/\nd3/\nd4/')" ] || fail "lsf of small/ is not d0/ to d4/"

step "check --download (every byte read back)"
rc check --download "$work/tree" "cairn:$bucket/tree"

step "copy down into an empty folder, SHA-256 compared"
rc copy "cairn:$bucket/tree" "$work/tree.down"
same_tree "$work/tree" "$work/tree.down"
rm -rf "$work/tree.down"

step "check --download notices one changed byte"
cp "$work/tree/small/d3/f-0003.txt" "$work/saved"
printf 'X' | dd of="$work/tree/small/d3/f-0003.txt" bs=1 seek=0 conv=notrunc status=none
touch -r "$work/saved" "$work/tree/small/d3/f-0003.txt"
if [ "$(sha "$work/saved")" != "$(sha "$work/tree/small/d3/f-0003.txt")" ]; then
    if rc check --download --differ "$work/differ.lst" "$work/tree" "cairn:$bucket/tree"; then
        fail "check --download did not notice the changed file"
    fi
    [ "$(cat "$work/differ.lst")" = "small/d3/f-0003.txt" ] || fail "check --download named $(cat "$work/differ.lst")"
fi
cp -p "$work/saved" "$work/tree/small/d3/f-0003.txt"

step "sync after changing, adding and removing files (and replacing the 24 MB file)"
printf 'changed, and longer than before: %s\n' "$RANDOM$RANDOM" >>"$work/tree/small/d1/f-0001.txt"
printf 'new file\n' >"$work/tree/small/new.txt"
rm "$work/tree/small/d2/f-0002.txt"
make_file "$work/tree/big.bin" $((24 * 1000 * 1000 + 5))
rc sync "$work/tree" "cairn:$bucket/tree"
rc check --download "$work/tree" "cairn:$bucket/tree"
rc lsf -R --files-only "cairn:$bucket/tree" | sort >"$work/remote.lst"
(cd "$work/tree" && find . -type f -printf '%P\n' | sort) >"$work/local.lst"
diff "$work/local.lst" "$work/remote.lst" || fail "after sync the remote files differ from the local ones"
rc copy "cairn:$bucket/tree" "$work/tree.down"
same_tree "$work/tree" "$work/tree.down"
rm -rf "$work/tree.down"

step "copy bucket to bucket (server-side), check --download"
rc mkdir "cairn:$bucket2"
rc copy "cairn:$bucket/tree" "cairn:$bucket2/tree"
expect_parts "$bucket2" "tree/big.bin"   # UploadPartCopy
rc check --download "$work/tree" "cairn:$bucket2/tree"

step "delete: files under small/d0 only"
rc delete "cairn:$bucket/tree/small/d0"
[ -z "$(rc lsf -R --files-only "cairn:$bucket/tree/small/d0")" ] || fail "delete left files under small/d0"
[ "$(rc lsf -R --files-only "cairn:$bucket/tree" | wc -l)" -eq $((201 - 40)) ] || fail "delete removed more than small/d0"

step "purge both buckets"
rc purge "cairn:$bucket"
rc purge "cairn:$bucket2"
out=$(rc lsd cairn:)
if grep -q "$bucket" <<<"$out"; then fail "bucket still listed after purge: $out"; fi
echo "rclone: all steps passed ($(mode_name))"
