"""Lambda's runtime for one service's Chalice app: importing it and invoking its handlers.

`FunctionRuntime` imports `app.py` with the environment `.chalice/config.json` adds to the
template's, and runs a handler the way Lambda's Python runtime does: with a context object
(`LambdaContext`), the function's memory and timeout as `chalice package` would deploy them, one
invocation at a time, a failure reported as Lambda's error document (`errorType`,
`errorMessage`, the function's own frames) and one structured log line per invocation, like
Lambda's REPORT line. It also says what the app declares (routes, WebSocket handlers, event
sources) so that the stack can wire it.

It knows nothing of HTTP: the worker process (`keneya_local.worker`) serves it, and API
Gateway's REST API in front of its routes is `keneya_local.rest_api`. Only the standard library
is imported here, so a worker's cold start is the app's own imports.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_ACCOUNT_ID = "123456789012"
# Chalice's defaults when `.chalice/config.json` says nothing.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_SECONDS = 60
# The name of the function behind the app's routes (Chalice's `api_handler`).
API_HANDLER = "api_handler"


class LambdaContext:
    """The context object Lambda passes to a handler (what powertools' Logger reads)."""

    def __init__(
        self, function_name: str, region: str, account_id: str, memory_mb: int, timeout_s: int
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionRuntime:
    """One service's imported app and the rules Lambda applies around its handlers: the
    configuration `chalice package` would deploy, the context, the error document."""

    def __init__(self, service: str, app_dir: Path) -> None:
        init_started = time.perf_counter()
        self.service = service
        self.app_dir = app_dir
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or f"keneya-local-{service}"
        self.region = (
            os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        )
        self.account_id = os.environ.get("KENEYA_LOCAL_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
        self.stage = os.environ.get("STAGE", "local")
        self.chalice_config = _read_chalice_config(app_dir)
        _apply_config_environment(self.chalice_config, self.stage)
        os.environ.setdefault(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", str(self.function_settings(API_HANDLER)[0])
        )
        self.app = importlib.import_module("app").app
        self._configure_websocket_api()
        # One invocation at a time, as in one Lambda sandbox: Chalice keeps `current_request`
        # on the app object, so concurrency comes from more sandboxes, never from threads here.
        self.lock = threading.Lock()
        # For the invocation lines: what the init cost (the configuration and the app's
        # imports), reported on the first invocation this sandbox serves, as Lambda's REPORT
        # line reports "Init Duration" on a cold start.
        self.init_ms = round((time.perf_counter() - init_started) * 1000, 1)
        self._first_request_id: str | None = None
        # The failure of the invocation running on this thread (an invocation, its authorizer
        # included, runs on one thread of the worker), for its line.
        self._failure = threading.local()
        # A view's exception never leaves Chalice: it answers 500 and logs it on `app.log`.
        if isinstance(getattr(self.app, "log", None), logging.Logger):
            self.app.log.addHandler(_FailureNote(self._failure))

    # -- what the app declares -------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        app = self.app
        websocket = {
            key: (app.websocket_handlers[key].name if key in app.websocket_handlers else None)
            for key in ("$connect", "$default", "$disconnect")
        }
        routes = []
        for path, methods in sorted(app.routes.items()):
            for method, entry in sorted(methods.items()):
                authorizer = entry.authorizer
                routes.append(
                    {
                        "path": path,
                        "method": method,
                        "view": entry.view_name,
                        "authorizer": getattr(authorizer, "name", None) if authorizer else None,
                    }
                )
        memory, timeout = self.function_settings(API_HANDLER)
        return {
            "service": self.service,
            "function_name": self.function_name,
            "pid": os.getpid(),
            "has_routes": bool(app.routes),
            "routes": routes,
            "websocket": websocket,
            "event_sources": [self._event_source(source) for source in app.event_sources],
            "timeout_seconds": timeout,
            "memory_mb": memory,
            # Per handler, the timeout after which the stack ends an invocation as Lambda would.
            "handlers": {
                name: self.function_settings(name)[1]
                for name in sorted({*app.handler_map, API_HANDLER})
            },
            # Per handler, its reserved concurrency where the configuration sets one (the
            # template's ReservedConcurrentExecutions, as `chalice package` writes it).
            "concurrency": {
                name: limit
                for name in sorted({*app.handler_map, API_HANDLER})
                if (limit := self.reserved_concurrency(name)) is not None
            },
        }

    def _event_source(self, source: Any) -> dict[str, Any]:
        kind = type(source).__name__
        handler = source.name
        if kind == "SQSEventConfig":
            return {
                "kind": "sqs",
                "handler": handler,
                "queue": source.queue,
                "queue_arn": source.queue_arn,
                "batch_size": source.batch_size,
                "window_seconds": source.maximum_batching_window_in_seconds or 0,
                "timeout_seconds": self.function_settings(handler)[1],
            }
        if kind == "DynamoDBEventConfig":
            return {
                "kind": "dynamodb",
                "handler": handler,
                "stream_arn": source.stream_arn,
                "batch_size": source.batch_size,
                "starting_position": source.starting_position,
                "window_seconds": source.maximum_batching_window_in_seconds or 0,
                "timeout_seconds": self.function_settings(handler)[1],
            }
        if kind == "ScheduledEventConfig":
            expression = source.schedule_expression
            if not isinstance(expression, str):
                expression = expression.to_string()
            return {"kind": "schedule", "handler": handler, "expression": expression}
        # S3, SNS, Kinesis and CloudWatch event rules are not wired locally; listed so the
        # supervisor can say so.
        return {"kind": kind.removesuffix("EventConfig").lower(), "handler": handler}

    def _settings_of(self, handler: str) -> list[dict[str, Any]]:
        """The configuration that applies to one function, the most specific last: the app's,
        the function's, the stage's, the function's in the stage."""
        config = self.chalice_config
        stage = (config.get("stages") or {}).get(self.stage) or {}
        return [
            config,
            (config.get("lambda_functions") or {}).get(handler) or {},
            stage,
            (stage.get("lambda_functions") or {}).get(handler) or {},
        ]

    def function_settings(self, handler: str) -> tuple[int, int]:
        """(memory MB, timeout s) of one function, as `chalice package` would deploy it."""
        memory, timeout = DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS
        for layer in self._settings_of(handler):
            memory = int(layer.get("lambda_memory_size", memory))
            timeout = int(layer.get("lambda_timeout", timeout))
        return memory, timeout

    def reserved_concurrency(self, handler: str) -> int | None:
        """The function's `reserved_concurrency` in `.chalice/config.json`, if any."""
        limit = None
        for layer in self._settings_of(handler):
            if layer.get("reserved_concurrency") is not None:
                limit = int(layer["reserved_concurrency"])
        return limit

    def context(self, handler: str) -> LambdaContext:
        memory, timeout = self.function_settings(handler)
        context = LambdaContext(self.function_name, self.region, self.account_id, memory, timeout)
        if self._first_request_id is None:
            # Every invocation starts with its context: the first one is the cold one.
            self._first_request_id = context.aws_request_id
        return context

    def openapi(self) -> dict[str, Any] | None:
        try:
            from keneya.openapi import service_document
        except ImportError:
            return None
        return service_document(self.app, self.service)

    def asyncapi(self) -> dict[str, Any] | None:
        """The service's share of the AsyncAPI document (its WebSocket API), if it has one."""
        try:
            from keneya.asyncapi import service_part
        except ImportError:
            return None
        return service_part(self.app, self.service)

    def _configure_websocket_api(self) -> None:
        api = getattr(self.app, "websocket_api", None)
        url = os.environ.get("WEBSOCKET_MANAGEMENT_URL")
        if api is None or not url:
            return
        # Chalice would derive https://{apiId}.execute-api... from each event; once an
        # endpoint is set its `configure` calls leave it alone.
        api._endpoint = url
        if api.session is None:
            api.session = _DeferredBotoSession(self.region)

    # -- invocations ---------------------------------------------------------------------

    def invoke(self, handler_name: str, event: Any) -> tuple[bool, Any, str, str | None]:
        """Run one handler: (succeeded, result or Lambda error document, request id, the
        invocation's log line to write once the answer is sent)."""
        handler = self.app.handler_map.get(handler_name)
        if handler is None:
            error = {
                "errorType": "Runtime.HandlerNotFound",
                "errorMessage": f"{self.service} has no handler {handler_name!r}",
                "stackTrace": [],
            }
            return False, error, "", None
        context = self.context(handler_name)
        started = time.perf_counter()
        with self.lock:
            try:
                result = handler(event, context)
                json.dumps(result)
            except Exception as error:  # the function's own failure, reported like Lambda
                self.log_failure(handler_name, context, error)
                ok, result = False, _error_document(error)
            else:
                ok = True
        log = self.invocation_record(
            handler_name, context, started, "ok" if ok else "error", trigger=_trigger(event)
        )
        return ok, result, context.aws_request_id, log

    def log_failure(self, handler: str, context: LambdaContext, error: BaseException) -> None:
        # Kept for the invocation's line: the error's type and the first line of its message.
        self._failure.latest = {
            "error_type": type(error).__name__,
            "error_message": _first_line(str(error)),
            "error_in": handler,
        }
        lines = traceback.format_exception(error)
        sys.stderr.write(
            f"[ERROR] {self.function_name} {handler} RequestId: {context.aws_request_id} "
            f"{type(error).__name__}: {error}\n" + "".join(lines)
        )
        sys.stderr.flush()

    def invocation_record(
        self, handler: str, context: LambdaContext, started: float, outcome: str, **extra: Any
    ) -> str | None:
        """One structured line per invocation, as Lambda's REPORT line (None when switched
        off with KENEYA_LOCAL_INVOCATION_LOG=0): the handler, its duration, the outcome (with
        the error's type and message when it raised), whether it was this sandbox's first
        invocation (`cold`, with `init_ms`, the init it paid for) and, as `extra`, what
        triggered it (`method`, `path`, `status`; `trigger`). Never the event's content."""
        failure = getattr(self._failure, "latest", None)
        self._failure.latest = None
        if os.environ.get("KENEYA_LOCAL_INVOCATION_LOG", "1") == "0":
            return None
        cold = context.aws_request_id == self._first_request_id
        if failure is not None:
            if failure.get("error_in") == handler:
                del failure["error_in"]
            extra = {**failure, **extra}
        if cold:
            extra = {"init_ms": self.init_ms, **extra}
        extra = {key: value for key, value in extra.items() if value is not None}
        record = {
            "level": "INFO" if outcome == "ok" else "ERROR",
            "type": "invocation",
            "function_name": self.function_name,
            "handler": handler,
            "request_id": context.aws_request_id,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "outcome": outcome,
            "cold": cold,
            **extra,
        }
        return json.dumps(record)


class _FailureNote(logging.Handler):
    """Notes the exception an app logs (Chalice's "Caught exception for path ...") as the
    failure of the invocation running on this thread, for its line."""

    def __init__(self, failure: threading.local) -> None:
        super().__init__(logging.ERROR)
        self._failure = failure

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            self._failure.latest = {
                "error_type": type(error).__name__,
                "error_message": _first_line(str(error)),
            }


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _trigger(event: Any) -> str | None:
    """What an invocation's event is, in a few words and without its content: `sqs 3
    records`, `websocket $connect`, `schedule`; None for a direct invocation."""
    if not isinstance(event, dict):
        return None
    records = event.get("Records")
    if isinstance(records, list):
        first = records[0] if records and isinstance(records[0], dict) else {}
        source = str(first.get("eventSource") or first.get("EventSource") or "")
        count = f"{len(records)} record{'' if len(records) == 1 else 's'}"
        return f"{source.removeprefix('aws:')} {count}".strip()
    request_context = event.get("requestContext")
    if isinstance(request_context, dict) and request_context.get("routeKey"):
        return f"websocket {request_context['routeKey']}"
    if event.get("detail-type") == "Scheduled Event":
        return "schedule"
    return None


def _error_document(error: BaseException) -> dict[str, Any]:
    if isinstance(error, TypeError) and "JSON serializable" in str(error):
        return {
            "errorType": "Runtime.MarshalError",
            "errorMessage": f"Unable to marshal response: {error}",
            "stackTrace": [],
        }
    # Lambda reports the function's frames, not the runtime's.
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != __file__]
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_list(frames),
    }


class _DeferredBotoSession:
    """Stands in for `boto3.session.Session` until the app first sends to a connection, so a
    worker that never does pays nothing for importing boto3."""

    def __init__(self, region: str) -> None:
        self.region_name = region
        self._session: Any = None

    def client(self, *args: Any, **kwargs: Any) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(region_name=self.region_name)
        return self._session.client(*args, **kwargs)


def _read_chalice_config(app_dir: Path) -> dict[str, Any]:
    path = app_dir / ".chalice" / "config.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def _apply_config_environment(config: dict[str, Any], stage: str) -> None:
    """`environment_variables` of `.chalice/config.json` (top level, then the stage), under
    whatever the template already set: `chalice package` deploys them the same way."""
    for layer in (config, (config.get("stages") or {}).get(stage) or {}):
        for name, value in (layer.get("environment_variables") or {}).items():
            os.environ.setdefault(name, str(value))
