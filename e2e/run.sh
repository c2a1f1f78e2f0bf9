#!/usr/bin/env bash
# Starts a real Cairn server process on a free loopback port with a fresh data directory, runs
# each end-to-end client suite against it (each under a time limit), stops it (by PID), and
# writes "passed failed" (suites) to $1.
#   CAIRN_E2E_SINGLE_PART=1  every client's multipart threshold and part size above the file sizes
#   CAIRN_E2E_ONLY="a b"     run only the named suites (aws-cli boto3 boto3-wire boto3-transfer rclone s3cmd js bench-smoke
#                            versioning boto3-versioning lifecycle inventory verifiable-export verifiable-roundtrip)
#   CAIRN_E2E_GATEWAY=1      gateway mode: chunk bodies in a bucket of a moto_server started here
#   CAIRN_E2E_NODES=N        N Cairn nodes (N >= 2) sharing one throwaway PostgreSQL cluster started
#                            here and one moto_server bucket (gateway mode implied), behind nginx
#                            (round robin, so consecutive requests go to different nodes)
set -uo pipefail
cd "$(dirname "$0")/.."
counts_file=${1:-}
# Without $1 the counts go to stdout (not via /dev/stdout, which would truncate a redirected log).
write_counts() { if [ -n "$counts_file" ]; then echo "$1 $2" >"$counts_file"; else echo "$1 $2"; fi; }
work=$(mktemp -d)
server_pids=()
moto_pid=""
nginx_pid=""
postgres_dir=""
nodes=${CAIRN_E2E_NODES:-1}
cleanup() {
    for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; fi
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; fi
    if [ -n "$postgres_dir" ]; then bash e2e/postgres.sh stop "$postgres_dir" >/dev/null 2>&1; fi
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

if [ "$nodes" -gt 1 ]; then
    CAIRN_E2E_GATEWAY=1
    # One catalog for every node: a fresh PostgreSQL cluster of this run's own, in a directory of
    # its own under /tmp (the cluster's owner, postgres, cannot enter $work, which is root's alone).
    postgres_dir="$(dirname "$work")/cairn-e2e-postgres-$$-$RANDOM"
    if ! postgres_connection=$(bash e2e/postgres.sh start "$postgres_dir"); then
        echo "PostgreSQL did not start"
        postgres_dir=""
        write_counts 0 1
        exit 1
    fi
    export CAIRN_METADATA=postgres CAIRN_POSTGRES="$postgres_connection"
    echo "(CAIRN_E2E_NODES=$nodes: catalog in a throwaway PostgreSQL cluster, nodes behind nginx)"
fi

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

export CAIRN_ROOT_ACCESS_KEY=AKIDCAIRNE2E00000001
export CAIRN_ROOT_SECRET_KEY=cairn-e2e-secret-key-0123456789abcdefghij
export CAIRN_REGION=us-east-1
# Lifecycle days of two seconds, so the lifecycle suite sees rules act (no other suite puts a lifecycle configuration).
export CAIRN_LIFECYCLE_DAY=00:00:02
# Inventory row groups of 50 rows, so the inventory suite's report of ~300 rows has several (no other suite puts an inventory configuration).
node_ports=()
for node in $(seq 1 "$nodes"); do
    port=$(free_port)
    CAIRN_DATA_DIR="$work/data-$node" CAIRN_NODE_ID="node-$node" \
        dotnet src/Cairn.Server/bin/Release/net10.0/cairn.dll --urls "http://127.0.0.1:$port" --Engine:InventoryRowsPerGroup=50 >"$work/server-$node.log" 2>&1 &
    server_pids+=($!)
    node_ports+=("$port")
    for _ in $(seq 1 150); do
        curl -sf "http://127.0.0.1:$port/_cairn/health" >/dev/null 2>&1 && break
        sleep 0.2
    done
    if ! curl -sf "http://127.0.0.1:$port/_cairn/health" >/dev/null 2>&1; then
        echo "server $node did not start:"; cat "$work/server-$node.log"
        write_counts 0 1
        exit 1
    fi
done
endpoint="http://127.0.0.1:${node_ports[0]}"

if [ "$nodes" -gt 1 ]; then
    # nginx as a deployment would have it: round robin, bodies streamed both ways, the Host header
    # (which SigV4 signs) passed through unchanged. It logs which node served each request.
    nginx_port=$(free_port)
    mkdir -p "$work/nginx"
    {
        echo "daemon off; worker_processes 1; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;"
        [ "$(id -u)" = 0 ] && echo "user root;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;"
        echo "  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;"
        echo "  log_format upstream '\$upstream_addr \$status \$request_method';"
        echo "  access_log $work/nginx/access.log upstream;"
        echo "  upstream cairn {"
        for port in "${node_ports[@]}"; do echo "    server 127.0.0.1:$port;"; done
        echo "    keepalive 16;"
        echo "  }"
        echo "  server {"
        echo "    listen 127.0.0.1:$nginx_port;"
        echo "    client_max_body_size 0; underscores_in_headers on; ignore_invalid_headers off;"
        echo "    location / {"
        echo "      proxy_pass http://cairn; proxy_http_version 1.1; proxy_set_header Connection \"\";"
        echo "      proxy_set_header Host \$http_host; proxy_request_buffering off; proxy_buffering off;"
        echo "      proxy_read_timeout 300s; proxy_send_timeout 300s;"
        echo "    }"
        echo "  }"
        echo "}"
    } >"$work/nginx/nginx.conf"
    "$(command -v nginx || echo /usr/sbin/nginx)" -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 &
    nginx_pid=$!
    endpoint="http://127.0.0.1:$nginx_port"
    for _ in $(seq 1 50); do curl -sf "$endpoint/_cairn/health" >/dev/null 2>&1 && break; sleep 0.2; done
    if ! curl -sf "$endpoint/_cairn/health" >/dev/null 2>&1; then
        echo "nginx did not start:"; cat "$work/nginx/stdout.log" "$work/nginx/error.log" 2>/dev/null
        write_counts 0 1
        exit 1
    fi
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
run_suite boto3-wire 300 "$python" e2e/boto3_wire.py
run_suite boto3-transfer 300 "$python" e2e/boto3_transfer.py "$work/boto3-transfer"
run_suite rclone 300 bash e2e/rclone.sh "$work/rclone"
run_suite s3cmd 300 bash e2e/s3cmd.sh "$work/s3cmd"
run_suite js 300 env CAIRN_E2E_TMP="$work" node e2e/js/smoke.mjs
run_suite bench-smoke 180 bash e2e/bench-smoke.sh "$work/bench-smoke"
# Object versioning: AWS CLI s3api and rclone --s3-versions (versioning.sh), boto3 object_versions.
# About 120 AWS CLI calls (each a Python start-up, ~1 s on two busy cores) since the Object Lock steps.
run_suite versioning 600 bash e2e/versioning.sh "$work/versioning"
run_suite boto3-versioning 300 "$python" e2e/boto3_versioning.py
# Lifecycle (issue 13): the AWS CLI puts a configuration and the worker expires objects and aborts an upload.
run_suite lifecycle 300 bash e2e/lifecycle.sh "$work/lifecycle"
# Inventory (issue 13): boto3 puts Parquet and CSV configurations, the worker writes the reports, and
# inventory-check.mjs reads the Parquet files with hyparquet, skipping row groups by key statistics.
run_suite inventory 300 "$python" e2e/inventory.py "$work/inventory"
# A bucket export (issue 11) walked by the IPLD reference libraries for JavaScript.
run_suite verifiable-export 300 "$python" e2e/verifiable_export.py "$work/verifiable-export"
# 10,000 objects exported, walked by car-check.mjs, imported with `cairn import` into a second, empty
# Cairn started by the suite (its own data directory and loopback port, stopped by its PID), and
# compared: listings, bytes, metadata, tags and the root CID (about 1.5 minutes on two busy cores).
run_suite verifiable-roundtrip 480 env CAIRN_E2E_SERVER_DLL="$(pwd)/src/Cairn.Server/bin/Release/net10.0/cairn.dll" \
    "$python" e2e/verifiable_roundtrip.py "$work/verifiable-roundtrip"

if [ "${CAIRN_E2E_GATEWAY:-0}" = "1" ]; then
    # The bodies really went upstream: moto holds chunk objects under the prefix.
    if curl -sf "http://127.0.0.1:$moto_port/cairn-upstream?list-type=2&prefix=e2e/chunks/&max-keys=1" | grep -q "<Key>e2e/chunks/"; then
        passed=$((passed + 1)); echo "-- gateway-upstream-holds-chunks"; echo "   ok"
    else
        failed=$((failed + 1)); echo "-- gateway-upstream-holds-chunks"; echo "   FAILED: no chunk objects upstream"
    fi
fi
if [ "$nodes" -gt 1 ]; then
    # Every node served S3 requests: the round robin really spread the suites over the nodes.
    served=$(awk '$3 != "" {print $1}' "$work/nginx/access.log" | sort -u | wc -l)
    if [ "$served" -eq "$nodes" ]; then
        passed=$((passed + 1)); echo "-- cluster-every-node-served"; echo "   ok ($(wc -l <"$work/nginx/access.log") requests over $served nodes)"
    else
        failed=$((failed + 1)); echo "-- cluster-every-node-served"; echo "   FAILED: $served of $nodes nodes served requests"
    fi
fi
if [ "$failed" -gt 0 ]; then
    for node in $(seq 1 "$nodes"); do echo "server $node log (tail):"; tail -n 40 "$work/server-$node.log"; done
fi
write_counts "$passed" "$failed"
[ "$failed" -eq 0 ]
