#!/usr/bin/env bash
# CI: the packaged template deployed on MiniStack and the smoke suite run against the deployed
# endpoints, on a fresh machine, in at most 10 minutes (installing MiniStack and the SAM CLI from
# PyPI into their own environment included). Called by .ci/run; stops what it started, always.
#
#   bash localstack/ci_smoke.sh        # KENEYA_SMOKE_TIMEOUT=600 (seconds) bounds the whole
set -euo pipefail
cd "$(dirname "$0")/.."

LIMIT="${KENEYA_SMOKE_TIMEOUT:-600}"
trap 'localstack/ministack.sh stop >/dev/null 2>&1 || true' EXIT

started=$SECONDS
# `timeout` ends the whole process group of each step once the remaining time is spent.
remaining() { echo $((LIMIT - (SECONDS - started))); }

echo "==> MiniStack path: deploy and smoke suite (bounded to ${LIMIT} s)"
timeout --kill-after=10 "$(remaining)" make --no-print-directory deploy-local
echo "    deployed $((SECONDS - started)) s after the start"
timeout --kill-after=10 "$(remaining)" make --no-print-directory smoke-local
echo "==> MiniStack path done in $((SECONDS - started)) s"
