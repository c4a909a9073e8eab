#!/usr/bin/env bash
# Deploy Keneya on a LocalStack-compatible emulator: the same template as AWS
# (infra/template.yaml, packaged by infra/package.py), deployed with the SAM CLI. See
# localstack/README.md.
#
#   localstack/deploy.sh --engine ministack      # MiniStack, no Docker (make deploy-local)
#   localstack/deploy.sh --engine ministack --down
#   LOCALSTACK_AUTH_TOKEN=... localstack/deploy.sh   # LocalStack (Docker), the default engine
#   localstack/deploy.sh --no-start                  # LocalStack: containers already running
#   localstack/deploy.sh --down                      # LocalStack: stop and remove everything
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE=localstack
ACTION=deploy
while (($#)); do
  case "$1" in
    --engine) ENGINE="${2:?--engine ministack|localstack}"; shift 2 ;;
    --engine=*) ENGINE="${1#--engine=}"; shift ;;
    --no-start) ACTION=no-start; shift ;;
    --down) ACTION=down; shift ;;
    *) echo "deploy.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$ENGINE" in
  ministack) exec localstack/deploy_ministack.sh "$ACTION" ;;
  localstack) ;;
  *) echo "deploy.sh: --engine is ministack or localstack, not $ENGINE" >&2; exit 2 ;;
esac

COMPOSE=(docker compose -f localstack/docker-compose.yml)
PY=.venv/bin/python
STACK=keneya-local
CONFIG_ENV=localstack
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost:4566}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION=us-east-1
export PYTHONPATH="$PWD/layers/common/python:$PWD/localstack:$PWD"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "deploy.sh: '$1' is needed: $2" >&2; exit 1; }
}

if [[ "$ACTION" == "down" ]]; then
  need docker "https://docs.docker.com/engine/install/"
  "${COMPOSE[@]}" down --volumes
  exit 0
fi

need docker "https://docs.docker.com/engine/install/"
need samlocal "pip install aws-sam-cli aws-sam-cli-local (the SAM CLI and LocalStack's wrapper)"
need make "the project's Makefile creates the Python environment"

if [[ "$ACTION" != "no-start" ]]; then
  : "${LOCALSTACK_AUTH_TOKEN:?set LOCALSTACK_AUTH_TOKEN (see localstack/README.md)}"
  echo "==> starting LocalStack, MongoDB and Redis"
  "${COMPOSE[@]}" up --detach --wait
fi

echo "==> packaging every service (Chalice stage 'local')"
make --no-print-directory venv
"$PY" infra/package.py --stage local

# Stack outputs as KEY=VALUE lines (the SAM CLI prints them as a table only).
stack_outputs() {
  "$PY" - "$STACK" <<'PYTHON'
import sys

import boto3

stack = boto3.client("cloudformation").describe_stacks(StackName=sys.argv[1])["Stacks"][0]
for output in stack.get("Outputs", []):
    print(f"{output['OutputKey']}={output['OutputValue']}")
for parameter in stack.get("Parameters", []):
    print(f"parameter.{parameter['ParameterKey']}={parameter.get('ParameterValue', '')}")
PYTHON
}

# samconfig.toml's overrides for this environment (the command line replaces them, not adds).
configured_overrides() {
  "$PY" -c 'import sys, tomllib
print(tomllib.load(open("samconfig.toml", "rb"))[sys.argv[1]]["deploy"]["parameters"]["parameter_overrides"])' "$CONFIG_ENV"
}

echo "==> deploying stack $STACK to $AWS_ENDPOINT_URL"
samlocal deploy --config-env "$CONFIG_ENV"

# Services fetch the auth service's public keys from JWKS_URL. Left empty, the template derives
# it from the auth API's AWS URL (https://<id>.execute-api.<region>.amazonaws.com/api/); on
# LocalStack the functions reach that API at its localstack.cloud host instead, which is known
# only once the API exists, hence a second, small update.
outputs="$(stack_outputs)"
auth_api="$(sed -n 's/^AuthApiUrl=//p' <<<"$outputs")"
api_id="$(sed -E 's#^https?://([^.]+)\.execute-api\..*#\1#' <<<"$auth_api")"
jwks_url="${KENEYA_JWKS_URL:-http://${api_id}.execute-api.localhost.localstack.cloud:4566/api/.well-known/jwks.json}"
if [[ -n "$api_id" && "$(sed -n 's/^parameter\.JwksUrl=//p' <<<"$outputs")" != "$jwks_url" ]]; then
  echo "==> pointing JWKS_URL at $jwks_url"
  samlocal deploy --config-env "$CONFIG_ENV" \
    --parameter-overrides "$(configured_overrides) JwksUrl=$jwks_url"
  outputs="$(stack_outputs)"
fi

echo "==> deployed; stack outputs:"
grep -v '^parameter\.' <<<"$outputs" | sed 's/^/    /'
cat <<EOF
    REST APIs answer at http://<RestApiId>.execute-api.localhost.localstack.cloud:4566/api/<path>
    (the id is the first label of each *ApiUrl above). Tear down: localstack/deploy.sh --down
EOF
