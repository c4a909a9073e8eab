#!/usr/bin/env bash
# `localstack/deploy.sh --engine ministack` (make deploy-local): MiniStack on loopback, the
# packaged template deployed with the SAM CLI as on AWS, the deployed endpoints printed and written
# to .keneya/ministack/endpoints.json (read by the smoke suite, tests/deployed). No Docker.
#
#   localstack/deploy_ministack.sh [deploy|no-start|down]
#
# Every difference from AWS, and its workaround, is in localstack/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTION="${1:-deploy}"
STATE=.keneya/ministack
SAM=.keneya/ministack-venv/bin/sam
SAM_PYTHON=.keneya/ministack-venv/bin/python
STACK=keneya-local
CONFIG_ENV=ministack
export AWS_ENDPOINT_URL="http://127.0.0.1:${MINISTACK_PORT:-4566}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export SAM_CLI_TELEMETRY=0
# The project's Makefile exports PYTHONPATH (the layer's source); the SAM CLI needs none.
unset PYTHONPATH

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [[ "$ACTION" == "down" ]]; then
  exec localstack/ministack.sh stop
fi

started=$(now)
make --no-print-directory venv >/dev/null
if [[ "$ACTION" == "no-start" ]]; then
  localstack/ministack.sh status | grep -q '^ministack: running' \
    || { echo "deploy.sh: MiniStack is not running (drop --no-start)" >&2; exit 1; }
else
  localstack/ministack.sh start
fi

step=$(now)
echo "==> packaging every service (Chalice stage 'local')"
.venv/bin/python infra/package.py --stage local | sed 's/^/    /'
echo "    packaged in $(since "$step") s"

step=$(now)
echo "==> uploading the artifacts to MiniStack's S3 (sam package)"
"$SAM" package --template-file build/template.yaml --resolve-s3 --s3-prefix "$STACK" \
  --region "$AWS_DEFAULT_REGION" --output-template-file build/packaged.yaml \
  >"$STATE/sam-package.log" 2>&1 || { cat "$STATE/sam-package.log" >&2; exit 1; }
echo "==> applying the SAM transform to the nested stacks (MiniStack applies it to the root only)"
"$SAM_PYTHON" localstack/expand_nested.py build/packaged.yaml build/packaged-expanded.json
echo "    uploaded and expanded in $(since "$step") s"

step=$(now)
echo "==> deploying stack $STACK to $AWS_ENDPOINT_URL (sam deploy --config-env $CONFIG_ENV)"
if ! "$SAM" deploy --config-file "$PWD/samconfig.toml" --config-env "$CONFIG_ENV" \
    --no-progressbar >"$STATE/sam-deploy.log" 2>&1; then
  grep -E "FAILED|Error" "$STATE/sam-deploy.log" >&2 || tail -40 "$STATE/sam-deploy.log" >&2
  echo "deploy.sh: sam deploy failed; its log: $STATE/sam-deploy.log, MiniStack's: $STATE/ministack.log" >&2
  exit 1
fi
deploy_seconds=$(since "$step")
echo "    deployed in $deploy_seconds s ($(grep -c 'CREATE_COMPLETE\|UPDATE_COMPLETE' "$STATE/sam-deploy.log") resource events)"

# The stack's outputs are API Gateway's AWS addresses; MiniStack serves each API at its
# path-style address (the functions cannot resolve <id>.execute-api.<region>.amazonaws.com).
"$SAM_PYTHON" - "$STACK" "$AWS_ENDPOINT_URL" "$STATE/endpoints.json" <<'PYTHON'
import json, re, sys
import boto3

stack_name, endpoint, target = sys.argv[1:]
stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
aws_address = re.compile(r"^(https|wss)://([^.]+)\.execute-api\.[^/]+/(.*)$")

def local(url):
    scheme, api_id, rest = aws_address.match(url).groups()
    base = endpoint.replace("http", "ws", 1) if scheme == "wss" else endpoint
    return f"{base}/_aws/execute-api/{api_id}/{rest}"

rest = {key[:-len("ApiUrl")].lower(): local(value) for key, value in outputs.items()
        if key.endswith("ApiUrl") and key != "PublicApiUrl" and aws_address.match(value)}
sockets = {key[:-len("WebSocketUrl")].lower(): local(value) for key, value in outputs.items()
           if key.endswith("WebSocketUrl")}
document = {"stack": stack_name, "aws_endpoint": endpoint, "region": "us-east-1",
            "rest": rest, "websocket": sockets, "outputs": outputs}
with open(target, "w") as file:
    json.dump(document, file, indent=2)
print("==> deployed endpoints (also in " + target + ")")
for service, url in rest.items():
    print(f"    {service:<14} {url}")
for service, url in sockets.items():
    print(f"    {service + ' ws':<14} {url}")
print(f"    {'events topic':<14} {outputs.get('EventsTopicArn')}")
PYTHON

step=$(now)
auth_health="$("$SAM_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rest"]["auth"])' "$STATE/endpoints.json")health"
answer=$(curl -s -m 60 -o /dev/null -w '%{http_code}' "$auth_health")
echo "==> first answer: GET $auth_health -> $answer in $(since "$step") s (a cold start)"
echo "==> ready in $(since "$started") s (deploy $deploy_seconds s). Smoke suite: make smoke-local;"
echo "    stop: localstack/deploy.sh --engine ministack --down"
[[ "$answer" == 200 ]]
