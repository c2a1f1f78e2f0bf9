#!/usr/bin/env bash
# Runs every Cairn test: the .NET suites (unit, conformance, integration, crash) and the
# end-to-end client suites against a real server process. Installs what the tests need when
# missing. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results=$(mktemp -d)
pg_dir=""
cleanup() {
    if [ -n "$pg_dir" ]; then
        bash e2e/postgres.sh stop "$pg_dir" || echo "stopping the throwaway PostgreSQL cluster failed"
    fi
    rm -rf "$results"
}
trap cleanup EXIT

bash e2e/install-deps.sh || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

echo "== build"
if ! dotnet build Cairn.slnx -c Release -nologo -v quiet >"$results/build.log" 2>&1; then
    grep -E 'error' "$results/build.log" | head -n 30
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# The PostgreSQL metadata tests need a server: a throwaway cluster on a free 127.0.0.1 port
# (installed from Debian's packages when missing), unless CAIRN_TEST_POSTGRES names one already.
# If it cannot start, the tests try themselves and fail with the reason.
if [ -z "${CAIRN_TEST_POSTGRES:-}" ]; then
    echo "== PostgreSQL (throwaway cluster)"
    pg_dir=$(mktemp -d /tmp/cairn-pg.XXXXXX)
    if connection=$(bash e2e/postgres.sh start "$pg_dir"); then
        export CAIRN_TEST_POSTGRES="$connection"
    else
        echo "the throwaway PostgreSQL cluster did not start"
    fi
fi

echo "== .NET tests"
dotnet test Cairn.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results/trx" 2>&1 \
    | grep -vE '^\s*$' | tee "$results/dotnet.log" | grep -E 'Passed!|Failed!|error|\[FAIL\]|Failed [A-Za-z]' || true
dotnet_passed=0
dotnet_failed=0
while read -r line; do
    p=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$line")
    f=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<<"$line")
    dotnet_passed=$((dotnet_passed + ${p:-0}))
    dotnet_failed=$((dotnet_failed + ${f:-0}))
done < <(grep -E '(Passed|Failed)! +- ' "$results/dotnet.log")
if [ "$dotnet_failed" -gt 0 ]; then
    # The console shows only failed tests' names: print each one's message and the top of its stack from the trx files.
    python3 - "$results/trx" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in glob.glob(sys.argv[1] + "/*.trx"):
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=ns).strip()
        stack = result.findtext(".//t:ErrorInfo/t:StackTrace", default="", namespaces=ns).strip().splitlines()
        print("FAILED " + result.get("testName", "?"))
        print("\n".join("    " + line for line in message.splitlines()[:20] + stack[:8]))
PY
fi
projects=$(find tests -name '*.Tests.csproj' | wc -l)
reported=$(grep -cE '(Passed|Failed)! +- ' "$results/dotnet.log")
if [ "$reported" -lt "$projects" ]; then
    echo "only $reported of $projects test projects reported results"
    dotnet_failed=$((dotnet_failed + projects - reported))
fi

echo "== end-to-end clients"
# e2e/run.sh reads CAIRN_E2E_SINGLE_PART=1 and CAIRN_E2E_ONLY="suite ..." from the environment.
bash e2e/run.sh "$results/e2e.counts"
read -r e2e_passed e2e_failed < "$results/e2e.counts" || { e2e_passed=0; e2e_failed=1; }

echo "== end-to-end clients, gateway mode (chunk bodies in moto_server)"
CAIRN_E2E_GATEWAY=1 CAIRN_E2E_ONLY="${CAIRN_E2E_ONLY:-aws-cli boto3 boto3-wire boto3-transfer rclone s3cmd js}" bash e2e/run.sh "$results/e2e-gateway.counts"
read -r gateway_passed gateway_failed < "$results/e2e-gateway.counts" || { gateway_passed=0; gateway_failed=1; }
e2e_passed=$((e2e_passed + gateway_passed))
e2e_failed=$((e2e_failed + gateway_failed))

echo "== end-to-end clients, two nodes on one PostgreSQL behind nginx (chunk bodies in moto_server)"
CAIRN_E2E_NODES=2 CAIRN_E2E_ONLY="${CAIRN_E2E_ONLY:-aws-cli boto3 boto3-wire boto3-transfer boto3-versioning rclone s3cmd js}" bash e2e/run.sh "$results/e2e-cluster.counts"
read -r cluster_passed cluster_failed < "$results/e2e-cluster.counts" || { cluster_passed=0; cluster_failed=1; }
e2e_passed=$((e2e_passed + cluster_passed))
e2e_failed=$((e2e_failed + cluster_failed))

passed=$((dotnet_passed + e2e_passed))
failed=$((dotnet_failed + e2e_failed))
echo
echo "dotnet: $dotnet_passed passed, $dotnet_failed failed; e2e: $e2e_passed passed, $e2e_failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
