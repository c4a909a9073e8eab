"""The worker process: one service's functions in a process of their own, served over HTTP.

Lambda gives every function a sandbox with its own environment and runs one invocation at a time
in it; the services also each have a package named `chalicelib`, so two of them cannot share an
interpreter. The local stack therefore starts one of these workers per service:

    python -m keneya_local.worker --service NAME --app-dir DIR --port P

with the service's environment already set. It imports `DIR/app.py` (DIR first on `sys.path`,
and the working directory, like Lambda's task root) and answers on 127.0.0.1:P (0 picks a free
port; the first line on stdout is `KENEYA-WORKER-READY {"port": ...}`):

    GET  /describe          what the app declares: routes, WebSocket handlers, event sources
    GET  /openapi           the service's OpenAPI document (keneya.openapi), 404 without it
    GET  /asyncapi          its WebSocket API's share of the AsyncAPI document, 404 without one
    POST /rest              {"method", "path", "headers": [[name, value]...], "body_b64",
                            "source_ip"} -> {"status", "headers": [[name, value]...], "body_b64"}
                            an API Gateway REST proxy event through the app's routes and
                            authorizers; a handler that raises gets API Gateway's 502
    POST /invoke/<handler>  the Lambda event as the body -> the handler's JSON result, or
                            Lambda's error document with `X-Amz-Function-Error: Unhandled`

This module is only the process and its HTTP side: loading and invoking the handlers is
`keneya_local.lambda_runtime`, API Gateway's REST API in front of the routes is
`keneya_local.rest_api`, and the stack's side of a worker (starting it, replacing it when it
dies, calling into it) is `keneya_local.worker_process`.

One worker is one sandbox: invocations are serialised by the runtime's lock, as in one Lambda
sandbox (Chalice also keeps `current_request` on the app object), so running a function's
invocations concurrently means more workers of it, managed on the stack's side. Only the
standard library and Chalice are imported before the app, so the cold start is the app's own
imports.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from keneya_local.lambda_runtime import FunctionRuntime
from keneya_local.parent_watch import exit_with_parent
from keneya_local.rest_api import RestApi

READY_MARKER = "KENEYA-WORKER-READY"


class _WorkerServer(ThreadingHTTPServer):
    daemon_threads = True
    # The supervisor opens a handful of keep-alive connections and nothing else.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], runtime: FunctionRuntime) -> None:
        super().__init__(address, _WorkerRequestHandler)
        self.runtime = runtime
        self._rest_api: RestApi | None = None

    def rest_api(self) -> RestApi:
        """The app's REST API, built on the first request (a worker without routes never
        pays for it)."""
        if self._rest_api is None:
            self._rest_api = RestApi(self.runtime)
        return self._rest_api


class _WorkerRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in one write, and small answers must not wait for an ACK.
    disable_nagle_algorithm = True
    server: _WorkerServer

    def do_GET(self) -> None:
        runtime = self.server.runtime
        if self.path == "/describe":
            self._answer(200, runtime.describe())
        elif self.path in ("/openapi", "/asyncapi"):
            try:
                document = runtime.openapi() if self.path == "/openapi" else runtime.asyncapi()
            except Exception as error:
                traceback.print_exc()
                self._answer(500, {"message": f"{type(error).__name__}: {error}"})
                return
            if document is None:
                self._answer(404, {"message": f"no {self.path[1:]} document"})
            else:
                self._answer(200, document)
        elif self.path == "/ping":
            self._answer(200, {"service": runtime.service, "pid": os.getpid()})
        else:
            self._answer(404, {"message": f"no such worker endpoint: GET {self.path}"})

    def do_POST(self) -> None:
        runtime = self.server.runtime
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            self._answer(400, {"message": "the body is not JSON"})
            return
        if self.path == "/rest":
            response, log = self.server.rest_api().serve(payload)
            self._answer(200, response)
        elif self.path.startswith("/invoke/"):
            handler = unquote(self.path[len("/invoke/") :])
            ok, result, request_id, log = runtime.invoke(handler, payload)
            extra = {"X-Amz-Request-Id": request_id}
            if not ok:
                extra["X-Amz-Function-Error"] = "Unhandled"
            self._answer(200, result, extra)
        else:
            self._answer(404, {"message": f"no such worker endpoint: POST {self.path}"})
            return
        if log is not None:
            # After the answer: the log line is not part of the request's latency.
            sys.stdout.write(log + "\n")
            sys.stdout.flush()

    def _answer(self, status: int, body: Any, extra_headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        head = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(data)}",
        ]
        head.extend(f"{name}: {value}" for name, value in (extra_headers or {}).items())
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)

    def log_message(self, format: str, *args: Any) -> None:
        # Each invocation already writes one structured line.
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keneya_local.worker")
    parser.add_argument("--service", required=True)
    parser.add_argument("--app-dir", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    app_dir = args.app_dir.resolve()
    os.chdir(app_dir)
    sys.path.insert(0, str(app_dir))
    os.environ.setdefault("LAMBDA_TASK_ROOT", str(app_dir))
    exit_with_parent()
    try:
        runtime = FunctionRuntime(args.service, app_dir)
    except Exception as error:
        # What Lambda logs when the module cannot be imported.
        sys.stderr.write(
            f"[ERROR] Runtime.ImportModuleError: Unable to import module 'app': {error}\n"
        )
        traceback.print_exc()
        return 1
    server = _WorkerServer((args.host, args.port), runtime)
    port = server.server_address[1]
    sys.stdout.write(f"{READY_MARKER} {json.dumps({'port': port, 'pid': os.getpid()})}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(poll_interval=0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
