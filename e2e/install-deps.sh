#!/usr/bin/env bash
# Installs what the end-to-end suites and the browser tests need, only when missing: Debian
# packages via apt-get (the machines run as root; one apt-get update first) and the JavaScript
# suite's npm packages via `npm ci` from e2e/js/package-lock.json. Nothing is downloaded from
# anywhere else.
set -uo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v aws >/dev/null 2>&1 || need_apt+=(awscli)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v rclone >/dev/null 2>&1 || need_apt+=(rclone)
command -v s3cmd >/dev/null 2>&1 || need_apt+=(s3cmd)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# nginx fronts the multi-node suite; Debian's package does not start a service here (policy-rc.d).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
# Headless Chromium for tests/Cairn.Browser.Tests (Playwright drives /usr/bin/chromium; it downloads no browser).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
python_with_boto3=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import boto3' >/dev/null 2>&1; then
        python_with_boto3=$candidate
        break
    fi
done
[ -n "$python_with_boto3" ] || need_apt+=(python3-boto3)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need_apt[@]}" >/dev/null || exit 1
fi

# npm ci when node_modules is missing or was installed from another lock file.
stamp=js/node_modules/.cairn-package-lock.json
if ! cmp -s js/package-lock.json "$stamp"; then
    echo "installing: npm packages of e2e/js (npm ci)"
    (cd js && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) || exit 1
    cp js/package-lock.json "$stamp"
fi
exit 0
