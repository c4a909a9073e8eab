#!/usr/bin/env bash
# MiniStack and what the functions need beside it, on loopback only, without Docker: used by
# `localstack/deploy.sh --engine ministack` (make deploy-local). See localstack/README.md.
#
#   localstack/ministack.sh install   # .keneya/ministack-venv: MiniStack + SAM CLI from PyPI
#   localstack/ministack.sh start     # MiniStack :4566, redis-server :6390, MongoDB stand-in :27018
#   localstack/ministack.sh stop      # stops what `start` started (by the process ids it wrote)
#   localstack/ministack.sh status
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=.keneya/ministack
VENV=.keneya/ministack-venv
REQUIREMENTS=localstack/ministack-requirements.txt
HOST=127.0.0.1
PORT="${MINISTACK_PORT:-4566}"
REDIS_PORT="${KENEYA_LOCAL_REDIS_PORT:-6390}"
MONGO_PORT="${KENEYA_LOCAL_MONGO_PORT:-27018}"
mkdir -p "$STATE"

# MiniStack's local executor runs every Python function with MiniStack's own interpreter, whatever
# the function's Runtime says, so MiniStack runs on the runtime's Python (the template's
# python3.11): the layer's compiled dependencies (pydantic-core, cffi) are built for it.
RUNTIME_PYTHON_VERSION=3.11
find_python() {
  local candidate
  for candidate in "${MINISTACK_PYTHON:-}" "python$RUNTIME_PYTHON_VERSION" \
      "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/"$RUNTIME_PYTHON_VERSION".*/bin/python; do
    [[ -n "$candidate" ]] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
        "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$RUNTIME_PYTHON_VERSION'.split('.'))))"; then
      command -v "$candidate"
      return
    fi
  done
  echo "ministack.sh: no Python $RUNTIME_PYTHON_VERSION found (set MINISTACK_PYTHON)" >&2
  return 1
}

install() {
  local stamp="$VENV/.installed"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)" ]]; then
    return
  fi
  local python started=$SECONDS
  python="$(find_python)"
  echo "==> MiniStack and the SAM CLI into $VENV ($("$python" --version), from PyPI)"
  [[ -x "$VENV/bin/python" ]] || "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  sha256sum "$REQUIREMENTS" | cut -d' ' -f1 >"$stamp"
  echo "    installed in $((SECONDS - started)) s"
}

running() {  # running NAME: whether the process recorded in $STATE/NAME.pid is alive
  [[ -f "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null
}

wait_for() {  # wait_for WHAT SECONDS COMMAND...
  local what=$1 limit=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "ministack.sh: $what did not answer within $limit s (logs in $STATE/)" >&2
      return 1
    fi
    sleep 0.1
  done
}

start() {
  install
  local started
  if running ministack; then
    echo "==> MiniStack already running (pid $(cat "$STATE/ministack.pid")) on $HOST:$PORT"
  else
    echo "==> starting MiniStack on $HOST:$PORT"
    started=$(date +%s.%N)
    # A clean environment: the functions MiniStack starts inherit its variables (a PYTHONPATH
    # pointing at layers/common would hide the deployed layer).
    env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$HOME" LANG=C.UTF-8 \
      BIND_HOST="$HOST" GATEWAY_PORT="$PORT" MINISTACK_HOST=localhost LOG_LEVEL=INFO \
      MINISTACK_REGION=us-east-1 LAMBDA_EXECUTOR=local TMPDIR="$PWD/$STATE" \
      nohup "$VENV/bin/ministack" >"$STATE/ministack.log" 2>&1 &
    echo $! >"$STATE/ministack.pid"
    wait_for MiniStack 30 curl -fs "http://$HOST:$PORT/_ministack/health"
    echo "    answering after $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
  fi
  if running redis; then
    :
  elif command -v redis-server >/dev/null 2>&1; then
    echo "==> starting redis-server on $HOST:$REDIS_PORT"
    nohup redis-server --bind "$HOST" --port "$REDIS_PORT" --save "" --appendonly no \
      >"$STATE/redis.log" 2>&1 &
    echo $! >"$STATE/redis.pid"
    wait_for redis-server 10 bash -c "exec 3<>/dev/tcp/$HOST/$REDIS_PORT"
  else
    echo "ministack.sh: redis-server is needed (apt-get install redis-server)" >&2
    return 1
  fi
  if ! running mongo; then
    echo "==> starting the MongoDB stand-in (mongomock) on $HOST:$MONGO_PORT"
    nohup .venv/bin/python localstack/mongo_standin.py --host "$HOST" --port "$MONGO_PORT" \
      >"$STATE/mongo.log" 2>&1 &
    echo $! >"$STATE/mongo.pid"
    wait_for "the MongoDB stand-in" 20 bash -c "exec 3<>/dev/tcp/$HOST/$MONGO_PORT"
  fi
}

stop() {
  local name
  for name in ministack redis mongo; do
    if running "$name"; then
      kill "$(cat "$STATE/$name.pid")"
      echo "==> stopped $name (pid $(cat "$STATE/$name.pid"))"
    fi
    rm -f "$STATE/$name.pid"
  done
}

status() {
  local name
  for name in ministack redis mongo; do
    if running "$name"; then echo "$name: running (pid $(cat "$STATE/$name.pid"))"
    else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
