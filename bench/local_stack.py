"""How fast the local stack is ready, and what its REST gateway adds to a request.

1. Ready time: `python -m keneya_local up` (what `make up` runs, with its own moto server, on
   free ports) from the command until every route of every service answers, over N starts.
2. Round trip: GET /api/v1/<service>/health through the gateway (keep-alive HTTP client, the
   stack in its own process as with `make up`) against calling the same Chalice handler
   directly in this process with the same API Gateway event; p50 and p99 of each.

    .venv/bin/python bench/local_stack.py [starts] [requests]

Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers/common/python"), str(ROOT / "localstack")]

from figures import percentile  # noqa: E402

from keneya_local.backing_services import free_port  # noqa: E402


def start_up(state_dir: Path) -> tuple[subprocess.Popen, int, float]:
    """Start `up`; returns it, its HTTP port and the seconds until every route answered."""
    http_port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]
        ),
    }
    for name in ("AWS_ENDPOINT_URL", "REDIS_URL", "MONGO_URL"):
        environment.pop(name, None)
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keneya_local",
            "up",
            "--http-port",
            str(http_port),
            "--ws-port",
            str(free_port()),
            "--aws-port",
            str(free_port()),
            "--state-dir",
            str(state_dir),
            # No console line per request: the round trip is measured, not the console.
            "--quiet",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = started + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"`up` exited with {process.returncode}; see {state_dir}/logs")
        status = get_json(http_port, "/_local/status")
        if status and status.get("ready") and all_routes_answer(http_port, status):
            return process, http_port, time.monotonic() - started
        time.sleep(0.05)
    stop(process)
    raise SystemExit("the stack was not ready within 60 s")


def get_json(port: int, path: str) -> Any:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return json.loads(body) if response.status == 200 else None
    except (OSError, ValueError):
        return None


def all_routes_answer(port: int, status: dict[str, Any]) -> bool:
    """Every route of every service answers, and not with a gateway error (401 counts)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        for service, entry in status["services"].items():
            if entry.get("state") != "ready":
                return False
            for route in entry.get("routes") or []:
                method, path = route.split(" ", 1)
                path = "/".join("x" if p.startswith("{") else p for p in path.split("/"))
                connection.request(
                    method,
                    f"/api/v1/{service}{path}",
                    body=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                    headers={"Content-Type": "application/json"},
                )
                response = connection.getresponse()
                response.read()
                if response.status in (502, 503, 504):
                    return False
        return True
    finally:
        connection.close()


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def through_gateway(port: int, service: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    for _ in range(count):
        begin = time.perf_counter()
        connection.request("GET", f"/api/v1/{service}/health")
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status == 200, response.status
    connection.close()
    return samples


def direct(service: str, count: int) -> list[float]:
    """The same handler called in this process with the event API Gateway would build."""
    app_dir = ROOT / "functions" / service
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("SERVICE_NAME", service)
    os.environ["KENEYA_LOCAL_INVOCATION_LOG"] = "0"
    sys.path.insert(0, str(app_dir))
    os.chdir(app_dir)
    import app as service_app

    from keneya_local.lambda_runtime import LambdaContext

    event = {
        "resource": "/health",
        "path": f"/api/v1/{service}/health",
        "httpMethod": "GET",
        "headers": {"Host": "127.0.0.1", "Accept": "*/*"},
        "multiValueHeaders": {"Host": ["127.0.0.1"], "Accept": ["*/*"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": "/health",
            "httpMethod": "GET",
            "stage": "api",
            "path": f"/api/v1/{service}/health",
            "requestId": "bench",
            "identity": {"sourceIp": "127.0.0.1"},
        },
    }
    samples = []
    for _ in range(count):
        context = LambdaContext(f"keneya-local-{service}", "us-east-1", "123456789012", 512, 15)
        begin = time.perf_counter()
        result = service_app.app(event, context)
        samples.append((time.perf_counter() - begin) * 1000)
        assert result["statusCode"] == 200, result
    return samples


def main() -> None:
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    service = "auth"
    print(f"local stack: {starts} starts of `python -m keneya_local up`, {count} requests")
    ready: list[float] = []
    with tempfile.TemporaryDirectory(prefix="keneya-bench-") as folder:
        process = None
        for run in range(starts):
            if process is not None:
                stop(process)
            process, port, seconds = start_up(Path(folder) / f"state{run}")
            ready.append(seconds)
        assert process is not None
        try:
            through_gateway(port, service, 200)  # warm-up: connections, caches
            gateway = through_gateway(port, service, count)
        finally:
            stop(process)
    handler = direct(service, 200) and direct(service, count)
    print(
        f"ready (every route answering): {', '.join(f'{s:.2f}' for s in ready)} s "
        f"(median {statistics.median(ready):.2f} s, worst {max(ready):.2f} s)"
    )
    print(f"{'GET /api/v1/' + service + '/health':<36}{'p50 ms':>10}{'p99 ms':>10}")
    print(
        f"{'  direct handler call':<36}{percentile(handler, 0.5):>10.3f}"
        f"{percentile(handler, 0.99):>10.3f}"
    )
    print(
        f"{'  through the local gateway':<36}{percentile(gateway, 0.5):>10.3f}"
        f"{percentile(gateway, 0.99):>10.3f}"
    )
    print(
        f"{'  added by the gateway':<36}"
        f"{percentile(gateway, 0.5) - percentile(handler, 0.5):>10.3f}"
        f"{percentile(gateway, 0.99) - percentile(handler, 0.99):>10.3f}"
    )


if __name__ == "__main__":
    main()
