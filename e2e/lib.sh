# Shared helpers for the shell end-to-end suites (sourced, not run).
# CAIRN_E2E_SINGLE_PART=1: every client's multipart threshold and part size go above the file
# sizes, so the suites exercise only single-request uploads, copies and downloads.

single_part() { [ "${CAIRN_E2E_SINGLE_PART:-0}" = "1" ]; }
mode_name() { if single_part; then echo "single-part mode"; else echo "multipart mode"; fi; }
step() { echo "step [${SECONDS}s]: $*"; }
fail() { echo "FAILED: $*"; exit 1; }

# make_file PATH BYTES: random content.
make_file() { head -c "$2" /dev/urandom >"$1"; }

# make_tree DIR N: N small files (1 byte to 16 KiB, random content; file i in DIR/d$((i % 5))/f-%04d.txt).
# No empty file: botocore (the AWS CLI, boto3) sends Expect: 100-continue on a zero-length PUT, takes
# the immediate final answer for the interim one and keeps that status for the next request on the
# same pooled connection, which then stalls for its 60 s read timeout (boto/botocore#3755).
make_tree() {
    python3 - "$1" "$2" <<'EOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%d" % (i % 5))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f-%04d.txt" % i), "wb") as f:
        f.write(os.urandom(random.randint(1, 16384)))
EOF
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# same_file EXPECTED ACTUAL: identical SHA-256.
same_file() {
    [ -f "$2" ] || fail "$2 does not exist"
    local a b
    a=$(sha "$1"); b=$(sha "$2")
    [ "$a" = "$b" ] || fail "SHA-256 of $2 ($b) differs from $1 ($a)"
}

# tree_sums DIR: "sha256  ./relative/path" for every file, sorted by path.
tree_sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }

# same_tree EXPECTED ACTUAL: the same relative paths with the same SHA-256 each.
same_tree() {
    [ -d "$2" ] || fail "$2 does not exist"
    local d
    if ! d=$(diff <(tree_sums "$1") <(tree_sums "$2")); then
        head -n 20 <<<"$d"
        fail "$2 differs from $1 ($(tree_sums "$1" | wc -l) files expected, $(tree_sums "$2" | wc -l) found)"
    fi
}

# expect_parts BUCKET KEY [N]: the object's ETag shows how it was written, read with the AWS CLI
# (s3api head-object): "<md5>-N" for N parts in multipart mode (any N when not given), a plain MD5
# in single-part mode.
expect_parts() {
    local etag
    etag=$(AWS_CONFIG_FILE=/dev/null aws --endpoint-url "$CAIRN_ENDPOINT" --region us-east-1 \
        s3api head-object --bucket "$1" --key "$2" --query ETag --output text) || fail "head-object $1/$2"
    etag=${etag//\"/}
    if single_part; then
        [[ $etag != *-* ]] || fail "$2: single-part mode, but the ETag has a part count: $etag"
    elif [ -n "${3:-}" ]; then
        [[ $etag == *-"$3" ]] || fail "$2: expected $3 parts, ETag $etag"
    else
        [[ $etag == *-[0-9]* ]] || fail "$2: expected a multipart ETag, got $etag"
    fi
    echo "   ETag of $2: $etag"
}
