#!/usr/bin/env bash
# What the authorization decision, a bucket policy and SSE-S3 cost, measured in one run on one server:
# 4 KiB GET and PUT at c64 by root (who skips the decision), by a user in its own bucket without a
# policy (the decision: an owner check), by that user in its own bucket with a policy of several
# statements in force (the decision evaluates it on every request; none of its statements matches
# the request, so every one is tried), and by root in a bucket whose default encryption is SSE-S3
# (every body sealed on PUT and opened on GET). Rounds rotate the order; the table gives medians,
# ratios and server CPU per request (steadier than rates on shared cores). Issue 14: policy
# evaluation must not cost more than 5 % of the GET rate.
#   bench/access.sh [--quick] [--rounds N] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
parse_rounds_args bench/access.sh 3 "$@"
if [ "$mode" = quick ]; then duration=4 warmup=2; else duration=10 warmup=3; fi

bench_setup cairn-access
start_node server
endpoint="http://127.0.0.1:${port_of[server]}"
results="$work/results.jsonl"
: >"$results"

log "a user and its buckets, one with a policy"
user_keys=$(AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key AWS_REGION=us-east-1 dotnet "$server_dll" user add bencher --endpoint "$endpoint")
user_access=$(sed -n 's/^access key: //p' <<<"$user_keys")
user_secret=$(sed -n 's/^secret key: //p' <<<"$user_keys")
[ -n "$user_access" ] && [ -n "$user_secret" ] || { echo "cairn user add printed no keys: $user_keys" >&2; exit 1; }
python3 - "$endpoint" "$user_access" "$user_secret" "$access_key" "$secret_key" <<'PY'
import json, sys, boto3
endpoint, key, secret = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
for bucket in ("get-owned", "put-owned", "get-policy", "put-policy"):
    s3.create_bucket(Bucket=bucket)
root = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=sys.argv[4], aws_secret_access_key=sys.argv[5], region_name="us-east-1")
for bucket in ("get-sse", "put-sse"):
    root.create_bucket(Bucket=bucket)
    root.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
for bucket in ("get-policy", "put-policy"):
    # A policy as a shared bucket has one: grants to other users, a Deny with conditions, wildcards.
    # None matches the owner's requests, so each request is judged against every statement.
    statements = [
        {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam:::user/reader{i}" for i in range(5)]},
         "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
        {"Sid": "Writers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam:::user/writer"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/incoming/*"},
        {"Sid": "NoPlainHttpOutsideLoopback", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}, "NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}},
        {"Sid": "FrozenPrefix", "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": f"arn:aws:s3:::{bucket}/frozen/*"},
    ]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
PY

get=(--scenario get --size 4KiB --keys 1000 --concurrency 64 --duration "$duration" --requests 2000000)
put=(--scenario put --size 4KiB --concurrency 64 --duration "$duration" --requests 2000000)
as_user() { access_key=$user_access secret_key=$user_secret "$@"; }

configs=(root owner policy sse)
for round in $(seq 1 "$rounds"); do
    order=()
    for i in "${!configs[@]}"; do order+=("${configs[$(((i + round - 1) % ${#configs[@]}))]}"); done
    for config in "${order[@]}"; do
        case $config in
            root) measure "get:root:$round" server "${get[@]}" --bucket get-root --server-pid "${pid_of[server]}"
                  measure "put:root:$round" server "${put[@]}" --bucket put-root --server-pid "${pid_of[server]}" ;;
            owner) as_user measure "get:owner:$round" server "${get[@]}" --bucket get-owned --server-pid "${pid_of[server]}"
                   as_user measure "put:owner:$round" server "${put[@]}" --bucket put-owned --server-pid "${pid_of[server]}" ;;
            policy) as_user measure "get:policy:$round" server "${get[@]}" --bucket get-policy --server-pid "${pid_of[server]}"
                    as_user measure "put:policy:$round" server "${put[@]}" --bucket put-policy --server-pid "${pid_of[server]}" ;;
            sse) measure "get:sse:$round" server "${get[@]}" --bucket get-sse --server-pid "${pid_of[server]}"
                 measure "put:sse:$round" server "${put[@]}" --bucket put-sse --server-pid "${pid_of[server]}" ;;
        esac
    done
done

python3 - "$results" "$(cut -d' ' -f1-3 /proc/loadavg)" "bench/access.sh$([ "$mode" = quick ] && echo " --quick") --rounds $rounds" "$rounds" <<'PY'
import json, statistics, sys
path, load, command, rounds = sys.argv[1:5]
runs = {}
for line in open(path):
    if line.strip():
        r = json.loads(line)
        runs[r["label"]] = r
def med(v):
    return statistics.median(v) if v else None
def values(op, config, field):
    return [runs[f"{op}:{config}:{i}"][field] for i in range(1, int(rounds) + 1)
            if f"{op}:{config}:{i}" in runs and not runs[f"{op}:{config}:{i}"].get("errors") and runs[f"{op}:{config}:{i}"].get(field)]
def round_ratios(op, a, b, field, invert=False):
    out = []
    for i in range(1, int(rounds) + 1):
        ra, rb = runs.get(f"{op}:{a}:{i}", {}), runs.get(f"{op}:{b}:{i}", {})
        if ra.get(field) and rb.get(field) and not ra.get("errors") and not rb.get("errors"):
            out.append(rb[field] / ra[field] if invert else ra[field] / rb[field])
    return out
print(f"`{command}` (load {load}; {rounds} rounds, medians; per-round ratios in brackets)\n")
print("| 4 KiB, c64 | root (no decision) | user, own bucket (decision) | user, bucket with a policy | policy / no policy, rate | policy / no policy, CPU per request | decision with policy / root, rate |")
print("|---|---|---|---|---|---|---|")
for op in ("get", "put"):
    root, owner, policy = (med(values(op, c, "opsPerSec")) for c in ("root", "owner", "policy"))
    cpu = {c: med(values(op, c, "serverCpuUsPerOp")) for c in ("root", "owner", "policy")}
    rate_ratio = round_ratios(op, "policy", "owner", "opsPerSec")
    # CPU per request: without / with, so that 0.95x means the policy costs 5 % of the rate a saturated server gives.
    cpu_ratio = round_ratios(op, "policy", "owner", "serverCpuUsPerOp", invert=True)
    whole = round_ratios(op, "policy", "root", "opsPerSec")
    fmt = lambda rs: f"{med(rs):.2f}x ({', '.join(f'{r:.2f}' for r in rs)})" if rs else "n/a"
    print(f"| {op.upper()} | {root:,.0f}/s, {cpu['root']:,.0f} us | {owner:,.0f}/s, {cpu['owner']:,.0f} us | "
          f"{policy:,.0f}/s, {cpu['policy']:,.0f} us | {fmt(rate_ratio)} | {fmt(cpu_ratio)} | {fmt(whole)} |")
print()
print("| 4 KiB, c64, root | stored as sent | SSE-S3 (bucket default) | SSE-S3 / plain, rate | SSE-S3 / plain, CPU per request |")
print("|---|---|---|---|---|")
for op in ("get", "put"):
    plain, sse = (med(values(op, c, "opsPerSec")) for c in ("root", "sse"))
    cpu = {c: med(values(op, c, "serverCpuUsPerOp")) for c in ("root", "sse")}
    fmt = lambda rs: f"{med(rs):.2f}x ({', '.join(f'{r:.2f}' for r in rs)})" if rs else "n/a"
    print(f"| {op.upper()} | {plain:,.0f}/s, {cpu['root']:,.0f} us | {sse:,.0f}/s, {cpu['sse']:,.0f} us | "
          f"{fmt(round_ratios(op, 'sse', 'root', 'opsPerSec'))} | {fmt(round_ratios(op, 'sse', 'root', 'serverCpuUsPerOp', invert=True))} |")
PY
