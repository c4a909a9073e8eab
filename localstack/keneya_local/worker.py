"""One service's functions in a process of their own, as Lambda runs them, served over HTTP.

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

Invocations are serialised by a lock, as in one Lambda sandbox (Chalice also keeps
`current_request` on the app object). Only the standard library and Chalice are imported
before the app, so the cold start is the app's own imports.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib
import json
import os
import sys
import threading
import time
import traceback
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

READY_MARKER = "KENEYA-WORKER-READY"
DEFAULT_ACCOUNT_ID = "123456789012"
# Chalice's defaults when `.chalice/config.json` says nothing.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_SECONDS = 60
API_HANDLER = "api_handler"
LOCAL_API_ID = "keneyalocal"


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
    """The imported app and the rules Lambda and API Gateway apply around its handlers."""

    def __init__(self, service: str, app_dir: Path) -> None:
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
        self.lock = threading.Lock()
        self._gateway: Any = None

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

    def function_settings(self, handler: str) -> tuple[int, int]:
        """(memory MB, timeout s) of one function, as `chalice package` would deploy it."""
        config = self.chalice_config
        stage = (config.get("stages") or {}).get(self.stage) or {}
        layers = [
            config,
            (config.get("lambda_functions") or {}).get(handler) or {},
            stage,
            (stage.get("lambda_functions") or {}).get(handler) or {},
        ]
        memory, timeout = DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS
        for layer in layers:
            memory = int(layer.get("lambda_memory_size", memory))
            timeout = int(layer.get("lambda_timeout", timeout))
        return memory, timeout

    def context(self, handler: str) -> LambdaContext:
        memory, timeout = self.function_settings(handler)
        return LambdaContext(self.function_name, self.region, self.account_id, memory, timeout)

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
        log = self._invocation_record(handler_name, context, started, "ok" if ok else "error")
        return ok, result, context.aws_request_id, log

    def handle_rest(self, request: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """One HTTP request as API Gateway's REST proxy integration hands it to Lambda; with
        the invocation's log line to write once the answer is sent."""
        if self._gateway is None:
            self._gateway = ApiGatewayProxy(self)
        context = self.context(API_HANDLER)
        started = time.perf_counter()
        body = base64.b64decode(request["body_b64"]) if request.get("body_b64") else None
        with self.lock:
            status, headers, payload = self._gateway.handle(
                method=request["method"].upper(),
                target=request["path"],
                headers=[(str(k), str(v)) for k, v in request.get("headers") or []],
                body=body,
                source_ip=request.get("source_ip") or "127.0.0.1",
                base_path=request.get("base_path") or "",
                context=context,
            )
        log = self._invocation_record(
            API_HANDLER,
            context,
            started,
            "ok" if status < 500 else "error",
            method=request["method"].upper(),
            path=urlsplit(request["path"]).path,
            status=status,
        )
        response = {
            "status": status,
            "headers": headers,
            "body_b64": base64.b64encode(payload).decode("ascii"),
        }
        return response, log

    def log_failure(self, handler: str, context: LambdaContext, error: BaseException) -> None:
        lines = traceback.format_exception(error)
        sys.stderr.write(
            f"[ERROR] {self.function_name} {handler} RequestId: {context.aws_request_id} "
            f"{type(error).__name__}: {error}\n" + "".join(lines)
        )
        sys.stderr.flush()

    def _invocation_record(
        self, handler: str, context: LambdaContext, started: float, outcome: str, **extra: Any
    ) -> str | None:
        """One structured line per invocation, as Lambda's REPORT line (None when switched
        off with KENEYA_LOCAL_INVOCATION_LOG=0)."""
        if os.environ.get("KENEYA_LOCAL_INVOCATION_LOG", "1") == "0":
            return None
        record = {
            "level": "INFO" if outcome == "ok" else "ERROR",
            "type": "invocation",
            "function_name": self.function_name,
            "handler": handler,
            "request_id": context.aws_request_id,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "outcome": outcome,
            **extra,
        }
        return json.dumps(record)


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


class GatewayResponse(Exception):
    """An answer API Gateway itself gives before (or instead of) the function's."""

    def __init__(self, status: int, error_type: str, body: dict[str, Any]) -> None:
        super().__init__(error_type)
        self.status = status
        self.error_type = error_type
        self.body = body


class ApiGatewayProxy:
    """API Gateway's REST API in front of one Chalice app: route matching, Lambda TOKEN
    authorizers, CORS preflight, binary media types and the proxy event and response formats.

    Chalice's own local gateway is the model; it differs from API Gateway in details that code
    comes to depend on (lower-cased header names, no `queryStringParameters`, the whole event
    handed to the authorizer), hence this version.
    """

    def __init__(self, runtime: FunctionRuntime) -> None:
        from chalice.local import RouteMatcher

        self._runtime = runtime
        self._app = runtime.app
        self._matcher = RouteMatcher(list(self._app.routes))
        stage = (runtime.chalice_config.get("stages") or {}).get(runtime.stage) or {}
        self.stage_name = stage.get(
            "api_gateway_stage", runtime.chalice_config.get("api_gateway_stage", "api")
        )
        self._warned: set[str] = set()

    def handle(
        self,
        *,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        source_ip: str,
        base_path: str,
        context: LambdaContext,
    ) -> tuple[int, list[list[str]], bytes]:
        request_id = context.aws_request_id
        try:
            event, route = self._event(
                method, target, headers, body, source_ip, base_path, request_id
            )
            if method == "OPTIONS" and "OPTIONS" not in self._app.routes[route]:
                return 200, self._preflight_headers(route, request_id), b""
            entry = self._app.routes[route].get(method)
            if entry is not None and entry.authorizer is not None:
                self._authorize(entry.authorizer, event, urlsplit(target).path or "/")
        except GatewayResponse as answer:
            return self._gateway_answer(answer, request_id)
        try:
            result = self._app(event, context)
            return self._proxy_response(result, request_id)
        except Exception as error:  # a Lambda error: API Gateway answers 502
            self._runtime.log_failure(API_HANDLER, context, error)
            return self._gateway_answer(
                GatewayResponse(
                    502, "InternalServerErrorException", {"message": "Internal server error"}
                ),
                request_id,
            )

    # -- the request event -------------------------------------------------------------

    def _event(
        self,
        method: str,
        target: str,
        header_pairs: list[tuple[str, str]],
        body: bytes | None,
        source_ip: str,
        base_path: str,
        request_id: str,
    ) -> tuple[dict[str, Any], str]:
        split = urlsplit(target)
        path = split.path or "/"
        try:
            match = self._matcher.match_route(path)
        except ValueError:
            raise GatewayResponse(
                403,
                "MissingAuthenticationTokenException",
                {"message": "Missing Authentication Token"},
            ) from None
        methods = self._app.routes.get(match.route) or {}
        if method != "OPTIONS" and method not in methods:
            # API Gateway has no such method on the resource: the same answer as no resource.
            raise GatewayResponse(
                403,
                "MissingAuthenticationTokenException",
                {"message": "Missing Authentication Token"},
            )
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for name, value in header_pairs:
            # API Gateway keeps the case the client sent; repeated names keep the first spelling.
            key = names.setdefault(name.lower(), name)
            headers[key] = value
            multi_headers.setdefault(key, []).append(value)
        lowered = {name.lower(): value for name, value in headers.items()}
        multi_query = parse_qs(split.query, keep_blank_values=True) if split.query else {}
        content_type = lowered.get("content-type", "")
        is_binary = bool(body) and _is_binary(content_type, self._app.api.binary_types)
        if body is None or body == b"":
            event_body: str | None = None
        elif is_binary:
            event_body = base64.b64encode(body).decode("ascii")
        else:
            event_body = body.decode("utf-8", errors="replace")
        now = datetime.now(UTC)
        public_path = base_path + path
        runtime = self._runtime
        request_context = {
            "resourceId": "local",
            "resourcePath": match.route,
            "httpMethod": method,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": public_path,
            "accountId": runtime.account_id,
            "protocol": "HTTP/1.1",
            "stage": self.stage_name,
            "domainPrefix": lowered.get("host", "127.0.0.1").split(".")[0],
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": lowered.get("user-agent"),
                "user": None,
            },
            "domainName": lowered.get("host", "127.0.0.1"),
            "apiId": LOCAL_API_ID,
        }
        event = {
            "resource": match.route,
            "path": public_path,
            "httpMethod": method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            # API Gateway decodes path parameters (the path itself stays percent-encoded).
            "pathParameters": {k: unquote(v) for k, v in match.captured.items()} or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": event_body,
            "isBase64Encoded": is_binary,
        }
        return event, match.route

    # -- authorizers -----------------------------------------------------------------------

    def _authorize(self, authorizer: Any, event: dict[str, Any], relative_path: str) -> None:
        from chalice.app import ChaliceAuthorizer, CognitoUserPoolAuthorizer

        headers = {k.lower(): v for k, v in (event["headers"] or {}).items()}
        context = event["requestContext"]
        if isinstance(authorizer, ChaliceAuthorizer):
            config = getattr(authorizer, "config", None)
            header = (getattr(config, "header", None) or "Authorization").lower()
            token = headers.get(header)
            if not token:
                raise _unauthorized()
            method_arn = self._method_arn(context["httpMethod"], relative_path)
            auth_event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
            auth_context = self._runtime.context(authorizer.name)
            try:
                result = authorizer(auth_event, auth_context)
            except Exception as error:
                if str(error) == "Unauthorized":
                    raise _unauthorized() from None
                self._runtime.log_failure(authorizer.name, auth_context, error)
                raise _authorizer_misconfigured() from None
            context["authorizer"] = self._authorizer_context(result, method_arn)
        elif isinstance(authorizer, CognitoUserPoolAuthorizer):
            # No user pool here: the token's claims are read, not verified.
            token = headers.get("authorization")
            if not token:
                raise _unauthorized()
            try:
                claims = _jwt_claims(token)
            except ValueError:
                raise _unauthorized() from None
            context["authorizer"] = {"claims": claims}
        else:
            kind = type(authorizer).__name__
            if kind not in self._warned:
                self._warned.add(kind)
                sys.stderr.write(f"[WARN] {kind} is not checked locally; requests are admitted\n")

    def _method_arn(self, method: str, path: str) -> str:
        """The ARN API Gateway hands a TOKEN authorizer: the request's own path (after the API
        mapping), so a policy can allow one resource and not another."""
        runtime = self._runtime
        tail = path[1:] if path != "/" else "/"
        return (
            f"arn:aws:execute-api:{runtime.region}:{runtime.account_id}:{LOCAL_API_ID}/"
            f"{self.stage_name}/{method}/{tail}"
        )

    def _authorizer_context(self, result: Any, method_arn: str) -> dict[str, Any]:
        from chalice.local import ARNMatcher

        if not isinstance(result, dict) or "policyDocument" not in result:
            raise _authorizer_misconfigured()
        statements = (result.get("policyDocument") or {}).get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        matcher = ARNMatcher(method_arn)
        allowed = denied = False
        for statement in statements:
            actions = statement.get("Action") or []
            actions = [actions] if isinstance(actions, str) else actions
            if not any(a in ("execute-api:Invoke", "execute-api:*", "*") for a in actions):
                continue
            resources = statement.get("Resource") or []
            resources = [resources] if isinstance(resources, str) else resources
            if matcher.does_any_resource_match(resources):
                if statement.get("Effect") == "Deny":
                    denied = True
                elif statement.get("Effect") == "Allow":
                    allowed = True
        if denied or not allowed:
            raise GatewayResponse(
                403,
                "AccessDeniedException",
                {"Message": "User is not authorized to access this resource"},
            )
        authorizer_context: dict[str, Any] = {}
        for key, value in (result.get("context") or {}).items():
            if isinstance(value, dict | list):
                # API Gateway refuses the whole response when a context value is not scalar.
                raise _authorizer_misconfigured()
            if isinstance(value, bool):
                value = "true" if value else "false"
            authorizer_context[key] = value if value is None else str(value)
        authorizer_context["principalId"] = result.get("principalId")
        return authorizer_context

    # -- responses -----------------------------------------------------------------------

    def _preflight_headers(self, route: str, request_id: str) -> list[list[str]]:
        entries = self._app.routes[route]
        methods = [method for method, entry in entries.items() if entry.cors is not None]
        headers = [["x-amzn-RequestId", request_id], ["Content-Type", "application/json"]]
        if not methods:
            return [*headers, ["Access-Control-Allow-Methods", "OPTIONS"]]
        cors = entries[methods[0]].cors.get_access_control_headers()
        cors["Access-Control-Allow-Methods"] = ",".join([*methods, "OPTIONS"])
        return headers + [[k, str(v)] for k, v in cors.items()]

    def _proxy_response(self, result: Any, request_id: str) -> tuple[int, list[list[str]], bytes]:
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            sys.stderr.write(f"[ERROR] malformed Lambda proxy response: {result!r:.300}\n")
            return self._gateway_answer(
                GatewayResponse(
                    502, "InternalServerErrorException", {"message": "Internal server error"}
                ),
                request_id,
            )
        multi = result.get("multiValueHeaders") or {}
        headers: list[list[str]] = []
        for name, value in (result.get("headers") or {}).items():
            if name not in multi:
                headers.append([name, str(value)])
        for name, values in multi.items():
            headers.extend([name, str(value)] for value in values)
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(["Content-Type", "application/json"])
        headers.append(["x-amzn-RequestId", request_id])
        body = result.get("body")
        if body is None:
            payload = b""
        elif result.get("isBase64Encoded"):
            payload = base64.b64decode(body)
        else:
            payload = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return result["statusCode"], headers, payload

    @staticmethod
    def _gateway_answer(
        answer: GatewayResponse, request_id: str
    ) -> tuple[int, list[list[str]], bytes]:
        headers = [
            ["Content-Type", "application/json"],
            ["x-amzn-RequestId", request_id],
            ["x-amzn-ErrorType", answer.error_type],
        ]
        return answer.status, headers, json.dumps(answer.body).encode()


def _unauthorized() -> GatewayResponse:
    return GatewayResponse(401, "UnauthorizedException", {"message": "Unauthorized"})


def _authorizer_misconfigured() -> GatewayResponse:
    return GatewayResponse(500, "AuthorizerConfigurationException", {"message": None})


def _is_binary(content_type: str, binary_types: list[str]) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    if not media_type:
        return False
    for candidate in binary_types:
        candidate = candidate.lower()
        if candidate in ("*/*", media_type):
            return True
        if candidate.endswith("/*") and media_type.startswith(candidate[:-1]):
            return True
    return False


def _jwt_claims(token: str) -> dict[str, Any]:
    token = token.removeprefix("Bearer ").strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(segment))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("not a JWT") from error
    if not isinstance(claims, dict):
        raise ValueError("not a JWT")
    return claims


# -- the HTTP side -------------------------------------------------------------------------


class _WorkerServer(ThreadingHTTPServer):
    daemon_threads = True
    # The supervisor opens a handful of keep-alive connections and nothing else.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], runtime: FunctionRuntime) -> None:
        super().__init__(address, _WorkerRequestHandler)
        self.runtime = runtime


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
            response, log = runtime.handle_rest(payload)
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


def _exit_with_parent() -> None:
    """Lambda's sandboxes do not outlive the service: neither do workers outlive the stack,
    even when it is killed without a chance to stop them."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


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
    _exit_with_parent()
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
