"""API Gateway's REST API in front of one service's app, inside its worker.

On AWS, each service is a REST API (one API mapping of the custom domain) whose routes reach
the service's `api_handler` function through the Lambda proxy integration. `RestApi` plays that
part for one `FunctionRuntime`: it takes an HTTP request, matches it to the app's routes, runs
the route's authorizer (a Lambda TOKEN authorizer with its policy, or a Cognito user pool's
claims, read but not verified), answers CORS preflights, builds the proxy event (headers in the
case the client sent, multi-value headers and query strings, binary media types base64-encoded)
and turns the function's proxy response back into an HTTP answer. What API Gateway answers by
itself (unknown route, refused token, a function that raised) comes back flagged with
`x-amzn-ErrorType`, for the stack's gateway (`keneya_local.rest_gateway`) to answer as the
template's gateway responses declare.

It runs in the worker, next to the app, because an authorizer is one of the app's own handlers.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from keneya_local.lambda_runtime import API_HANDLER, FunctionRuntime, LambdaContext

# The REST API's id in the events and ARNs (on AWS, API Gateway's generated id).
LOCAL_API_ID = "keneyalocal"


class GatewayResponse(Exception):
    """An answer API Gateway itself gives before (or instead of) the function's."""

    def __init__(self, status: int, error_type: str, body: dict[str, Any]) -> None:
        super().__init__(error_type)
        self.status = status
        self.error_type = error_type
        self.body = body


class RestApi:
    """API Gateway's REST API in front of one Chalice app: route matching, Lambda TOKEN
    authorizers, CORS preflight, binary media types and the proxy event and response formats.
    Built on the first request, so a worker without routes never imports `chalice.local`.

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

    def serve(self, request: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """One HTTP request, as the worker's `/rest` receives it (`{"method", "path",
        "headers": [[name, value]...], "body_b64", "source_ip", "base_path"}`), through API
        Gateway and the app: the answer in the same shape, and the invocation's log line to
        write once the answer is sent."""
        runtime = self._runtime
        context = runtime.context(API_HANDLER)
        started = time.perf_counter()
        body = base64.b64decode(request["body_b64"]) if request.get("body_b64") else None
        with runtime.lock:
            status, headers, payload = self.handle(
                method=request["method"].upper(),
                target=request["path"],
                headers=[(str(k), str(v)) for k, v in request.get("headers") or []],
                body=body,
                source_ip=request.get("source_ip") or "127.0.0.1",
                base_path=request.get("base_path") or "",
                context=context,
            )
        log = runtime.invocation_record(
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
