#!/usr/bin/env bash
# Starts a real Cairn server process on a free loopback port with a fresh data directory, runs
# each end-to-end client suite against it, stops it (by PID), and writes "passed failed" to $1.
set -uo pipefail
cd "$(dirname "$0")/.."
counts_file=${1:-/dev/stdout}
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
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
    echo "0 1" >"$counts_file"
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
    local name=$1; shift
    echo "-- $name"
    if "$@" >"$work/$name.log" 2>&1; then
        passed=$((passed + 1)); echo "   ok"
    else
        failed=$((failed + 1)); echo "   FAILED"; sed 's/^/   | /' "$work/$name.log" | tail -n 40
    fi
}
run_suite aws-cli bash e2e/aws-cli.sh "$work/aws"
run_suite boto3 "$python" e2e/boto3_smoke.py

if [ "$failed" -gt 0 ]; then
    echo "server log (tail):"; tail -n 40 "$work/server.log"
fi
echo "$passed $failed" >"$counts_file"
[ "$failed" -eq 0 ]
