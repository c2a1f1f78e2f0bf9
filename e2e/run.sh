#!/usr/bin/env bash
# Starts a real Cairn server process on a free loopback port with a fresh data directory, runs
# each end-to-end client suite against it (each under a time limit), stops it (by PID), and
# writes "passed failed" (suites) to $1.
#   CAIRN_E2E_SINGLE_PART=1  every client's multipart threshold and part size above the file sizes
#   CAIRN_E2E_ONLY="a b"     run only the named suites (aws-cli boto3 boto3-transfer rclone s3cmd js bench-smoke)
#   CAIRN_E2E_GATEWAY=1      gateway mode: chunk bodies in a bucket of a moto_server started here
set -uo pipefail
cd "$(dirname "$0")/.."
counts_file=${1:-}
# Without $1 the counts go to stdout (not via /dev/stdout, which would truncate a redirected log).
write_counts() { if [ -n "$counts_file" ]; then echo "$1 $2" >"$counts_file"; else echo "$1 $2"; fi; }
work=$(mktemp -d)
server_pid=""
moto_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

if [ "${CAIRN_E2E_GATEWAY:-0}" = "1" ]; then
    # moto_server as the upstream bucket; Cairn is configured only through the CAIRN_S3_* names.
    moto_port=$(free_port)
    moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
    moto_pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$moto_port/" && break; sleep 0.2; done
    if ! curl -sf -X PUT "http://127.0.0.1:$moto_port/cairn-upstream" >/dev/null; then
        echo "moto_server did not start:"; cat "$work/moto.log"
        write_counts 0 1
        exit 1
    fi
    export CAIRN_STORAGE=s3 CAIRN_S3_ENDPOINT="http://127.0.0.1:$moto_port" CAIRN_S3_BUCKET=cairn-upstream CAIRN_S3_PREFIX=e2e/
    export CAIRN_S3_PATH_STYLE=true CAIRN_S3_ACCESS_KEY=moto CAIRN_S3_SECRET_KEY=moto CAIRN_S3_REGION=us-east-1
    echo "(CAIRN_E2E_GATEWAY=1: chunk bodies in moto_server at 127.0.0.1:$moto_port)"
fi

port=$(free_port)
export CAIRN_ROOT_ACCESS_KEY=AKIDCAIRNE2E00000001
export CAIRN_ROOT_SECRET_KEY=cairn-e2e-secret-key-0123456789abcdefghij
export CAIRN_DATA_DIR="$work/data"
export CAIRN_REGION=us-east-1
dotnet src/Cairn.Server/bin/Release/net10.0/cairn.dll --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
endpoint="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -sf "$endpoint/_cairn/health" >/dev/null 2>&1 && break
    sleep 0.2
done
if ! curl -sf "$endpoint/_cairn/health" >/dev/null 2>&1; then
    echo "server did not start:"; cat "$work/server.log"
    write_counts 0 1
    exit 1
fi

export CAIRN_ENDPOINT=$endpoint
export AWS_ACCESS_KEY_ID=$CAIRN_ROOT_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$CAIRN_ROOT_SECRET_KEY
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

python=python3
python3 -c 'import boto3' >/dev/null 2>&1 || python=/usr/bin/python3

passed=0
failed=0
run_suite() {
    local name=$1 limit=$2; shift 2
    if [ -n "${CAIRN_E2E_ONLY:-}" ]; then case " $CAIRN_E2E_ONLY " in *" $name "*) ;; *) return ;; esac; fi
    echo "-- $name"
    local start=$SECONDS
    # timeout signals the suite's whole process group; -k ends what ignores SIGTERM.
    if timeout -k 10 "$limit" "$@" >"$work/$name.log" 2>&1; then
        passed=$((passed + 1)); echo "   ok ($((SECONDS - start))s)"
    else
        local rc=$?
        failed=$((failed + 1))
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "   FAILED: timed out after ${limit}s"; else echo "   FAILED ($((SECONDS - start))s)"; fi
        sed 's/^/   | /' "$work/$name.log" | tail -n 40
    fi
    rm -rf "${work:?}/$name"
}
if [ "${CAIRN_E2E_SINGLE_PART:-0}" = "1" ]; then echo "(CAIRN_E2E_SINGLE_PART=1: multipart thresholds above the file sizes)"; fi
run_suite aws-cli 600 bash e2e/aws-cli.sh "$work/aws-cli"
run_suite boto3 300 "$python" e2e/boto3_smoke.py
run_suite boto3-transfer 300 "$python" e2e/boto3_transfer.py "$work/boto3-transfer"
run_suite rclone 300 bash e2e/rclone.sh "$work/rclone"
run_suite s3cmd 300 bash e2e/s3cmd.sh "$work/s3cmd"
run_suite js 300 env CAIRN_E2E_TMP="$work" node e2e/js/smoke.mjs
run_suite bench-smoke 180 bash e2e/bench-smoke.sh "$work/bench-smoke"

if [ "${CAIRN_E2E_GATEWAY:-0}" = "1" ]; then
    # The bodies really went upstream: moto holds chunk objects under the prefix.
    if curl -sf "http://127.0.0.1:$moto_port/cairn-upstream?list-type=2&prefix=e2e/chunks/&max-keys=1" | grep -q "<Key>e2e/chunks/"; then
        passed=$((passed + 1)); echo "-- gateway-upstream-holds-chunks"; echo "   ok"
    else
        failed=$((failed + 1)); echo "-- gateway-upstream-holds-chunks"; echo "   FAILED: no chunk objects upstream"
    fi
fi
if [ "$failed" -gt 0 ]; then
    echo "server log (tail):"; tail -n 40 "$work/server.log"
fi
write_counts "$passed" "$failed"
[ "$failed" -eq 0 ]
