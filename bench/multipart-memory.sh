#!/usr/bin/env bash
# Peak resident memory of the Cairn server while boto3 uploads one object of $1 GiB (default 5)
# in 32 MiB parts with 16 parts in flight, then downloads it. Loopback only; the upload body is
# generated on the fly (pseudo-random, so nothing deduplicates). Prints one line per phase.
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-5}
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
CAIRN_ROOT_ACCESS_KEY=AKIDBENCH CAIRN_ROOT_SECRET_KEY=benchsecretbenchsecret CAIRN_DATA_DIR="$work/data" \
    dotnet src/Cairn.Server/bin/Release/net10.0/cairn.dll --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=Warning >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/_cairn/health" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$server_pid/status"; echo; }
echo "idle: $(rss)"
AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=benchsecretbenchsecret python3 - "$port" "$gib" <<'PY'
import random, sys, time, boto3
from boto3.s3.transfer import TransferConfig
port, gib = sys.argv[1], int(sys.argv[2])
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
s3.create_bucket(Bucket="bench")
total = gib * 1024**3
class Body:
    def __init__(self): self.left = total; self.rng = random.Random(1)
    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        return self.rng.randbytes(n)
cfg = TransferConfig(multipart_chunksize=32 * 1024**2, max_concurrency=16)
t = time.time(); s3.upload_fileobj(Body(), "bench", "big", Config=cfg); up = time.time() - t
class Sink:
    def write(self, b): return len(b)
t = time.time(); s3.download_fileobj("bench", "big", Sink(), Config=cfg); down = time.time() - t
print(f"upload {gib} GiB: {total/up/1e6:.0f} MB/s; download: {total/down/1e6:.0f} MB/s")
PY
echo "after upload and download: $(rss)"
