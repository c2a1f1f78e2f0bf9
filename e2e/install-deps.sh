#!/usr/bin/env bash
# Installs what the end-to-end suites need, only when missing. Debian packages via apt-get
# (the machines run as root); nothing is downloaded from anywhere else.
set -uo pipefail

need_apt=()
command -v aws >/dev/null 2>&1 || need_apt+=(awscli)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
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
exit 0
