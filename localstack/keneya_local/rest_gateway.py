"""The stack's HTTP port: API Gateway's REST side in front of every service, and the rest of
what one CloudFront distribution serves on AWS, plus the local console.

    /api/v1/<service>/...         the service's routes (its worker's `/rest`), as API Gateway's
                                  custom domain with one API mapping per service would serve them
    /api/v1/openapi.json, /api/v1/docs, /api/v1/asyncapi.json, /api/v1/docs/asyncapi
                                  the API's references (`keneya_local.api_docs`)
    /, /sign-in, /doctors/..., /config.json, /room/...
                                  the web app (`keneya_local.web_app`)
    /_local/...                   the local stack's console (`keneya_local.control_panel`)
    /_sandbox/orange-money/...    the mobile-money sandboxes (keneya_local.mobile_money): the
    /_sandbox/moov-money/...      providers' APIs, Orange Money's hosted payment page, Moov
                                  Money's phone prompts, and their control API

This module is the gateway itself: the port, the proxy to the services' workers, and the
answers API Gateway gives by itself (an unknown route, a URL or body too large, a function that
failed or timed out), as the template's gateway responses declare them. A worker that crashed,
hung past its timeout or is down answers 502 like API Gateway (504 after API Gateway's 29 s
integration timeout): never a hung connection. Inside each worker, the service's own REST API
(routes, authorizers, the proxy event) is `keneya_local.rest_api`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from keneya_local.api_docs import ApiDocs
from keneya_local.control_panel import ControlPanel
from keneya_local.errors import FunctionError
from keneya_local.http_common import API_BASE, json_answer
from keneya_local.lambda_runtime import API_HANDLER
from keneya_local.web_app import WebApp
from keneya_local.worker_process import WorkerUnavailable

if TYPE_CHECKING:
    from keneya_local.stack import EmbeddedStack

INTEGRATION_TIMEOUT_S = 29.0
# API Gateway's payload limit.
MAX_BODY_BYTES = 10 * 1024 * 1024
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
        "content-length",
    }
)


# Which of API Gateway's gateway-response types each of its own errors is.
_RESPONSE_TYPES = {
    "UnauthorizedException": "UNAUTHORIZED",
    "MissingAuthenticationTokenException": "MISSING_AUTHENTICATION_TOKEN",
    "AccessDeniedException": "ACCESS_DENIED",
    "AuthorizerConfigurationException": "AUTHORIZER_CONFIGURATION_ERROR",
    "InternalServerErrorException": "INTEGRATION_FAILURE",
    "IntegrationTimeout": "INTEGRATION_TIMEOUT",
    "RequestTooLarge": "REQUEST_TOO_LARGE",
    "NotFoundException": "RESOURCE_NOT_FOUND",
}
# API Gateway refuses a request line longer than this.
MAX_URL_BYTES = 8192


def _declared_answers(template: Path) -> dict[str, Any]:
    """The gateway responses `template` declares (none for a template without them)."""
    try:
        from infra.gateway_responses import declarations
        from keneya_local.cfn import load_template
    except ImportError:  # the runtime used without Keneya's infra/ (another project's template)
        return {}
    return declarations(load_template(template))


class RestGateway:
    """The stack's HTTP port: the gateway's own answers and the proxy, with the references,
    the web app, the console and the sandboxes mounted beside them."""

    def __init__(self, stack: EmbeddedStack) -> None:
        self.stack = stack
        self._runner: web.AppRunner | None = None
        # The template's gateway responses: what this gateway answers by itself, as on AWS.
        self.gateway_answers = _declared_answers(stack.template)
        self.control_panel = ControlPanel(stack)
        self.web_app = WebApp(stack, unbuilt_index=self.control_panel.index)
        self.api_docs = ApiDocs(stack, self.gateway_answers)

    def gateway_answer(
        self, error_type: str, status: int, body: Any, request_id: str | None = None
    ) -> web.Response:
        """API Gateway's own answer for `error_type`: the template's declaration of its
        gateway-response type (or DEFAULT_4XX / DEFAULT_5XX) when there is one, else API
        Gateway's built-in `status` and `body`."""
        request_id = request_id or str(uuid.uuid4())
        response_type = _RESPONSE_TYPES.get(error_type, "")
        declared = self.gateway_answers.get(response_type) or self.gateway_answers.get(
            "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        )
        headers = {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": request_id}
        if declared is None:
            response = json_answer(status, body, error_type)
            response.headers["x-amzn-RequestId"] = request_id
            return response
        status = declared.status or status
        return web.Response(
            status=status,
            body=declared.render(request_id, status),
            headers={
                **headers,
                "Content-Type": "application/problem+json",
                "Cache-Control": "no-store",
            },
        )

    @web.middleware
    async def _gateway_errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Under /api/v1, what aiohttp would answer in plain text (no route, a body too large)
        is answered as API Gateway's declared gateway responses."""
        if not request.path.startswith(API_BASE):
            return await handler(request)
        if len(request.raw_path.encode()) > MAX_URL_BYTES:
            return self.gateway_answer("RequestTooLarge", 413, {"message": "Request Too Long"})
        try:
            return await handler(request)
        except web.HTTPRequestEntityTooLarge:
            return self.gateway_answer("RequestTooLarge", 413, {"message": "Request Too Long"})
        except web.HTTPNotFound:
            return self.gateway_answer(
                "MissingAuthenticationTokenException",
                403,
                {"message": "Missing Authentication Token"},
            )

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[self._gateway_errors])
        self.web_app.mount(app)
        self.control_panel.mount(app)
        # Before the proxy's route, which `/api/v1/docs` and the documents would also match.
        self.api_docs.mount(app)
        app.router.add_route("*", API_BASE + "/{service}{tail:(/.*)?}", self.proxy)
        self.stack.sandboxes.mount(app)
        return app

    async def start(self, sock: socket.socket) -> None:
        self._runner = web.AppRunner(
            self.application(),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=1.0,
            # Longer than API Gateway's limit, so that the gateway's own answer is the one a
            # client gets for a URL too long, not the HTTP parser's.
            max_line_size=4 * MAX_URL_BYTES,
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the services ------------------------------------------------------------------

    async def proxy(self, request: web.Request) -> web.StreamResponse:
        service = request.match_info["service"]
        worker = self.stack.workers.get(service)
        if worker is None or not worker.has_routes:
            return self._missing_token()
        prefix = f"{API_BASE}/{service}"
        raw = request.raw_path
        relative = raw[len(prefix) :] if raw.startswith(prefix) else raw
        if not relative.startswith("/"):
            relative = "/" + relative
        body = await request.read()
        peer = request.remote or "127.0.0.1"
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP]
        headers += [
            ("X-Forwarded-For", peer),
            ("X-Forwarded-Proto", request.scheme),
            ("X-Forwarded-Port", str(request.url.port or "")),
        ]
        payload = {
            "method": request.method,
            "path": relative,
            "headers": headers,
            "body_b64": base64.b64encode(body).decode("ascii") if body else None,
            "source_ip": peer,
            "base_path": prefix,
        }
        try:
            if worker.timeout_for(API_HANDLER) <= INTEGRATION_TIMEOUT_S:
                # The function's own timeout comes first and ends it with a Lambda error.
                result = await worker.rest(payload)
            else:
                call = asyncio.ensure_future(worker.rest(payload))
                try:
                    result = await asyncio.wait_for(asyncio.shield(call), INTEGRATION_TIMEOUT_S)
                except TimeoutError:
                    # API Gateway stops waiting at 29 s; the function runs on to its timeout.
                    call.add_done_callback(_consume)
                    return self.gateway_answer(
                        "IntegrationTimeout", 504, {"message": "Endpoint request timed out"}
                    )
        except (FunctionError, WorkerUnavailable):
            return self._internal_error()
        answered = {name.lower(): value for name, value in result["headers"]}
        if "x-amzn-errortype" in answered:
            # The worker played API Gateway (authorizer, unknown route): its declared answer.
            return self.gateway_answer(
                answered["x-amzn-errortype"],
                result["status"],
                json.loads(base64.b64decode(result["body_b64"] or "") or b"null"),
                answered.get("x-amzn-requestid"),
            )
        response = web.Response(
            status=result["status"], body=base64.b64decode(result["body_b64"] or "")
        )
        for name, value in result["headers"]:
            if name.lower() not in _HOP_BY_HOP:
                response.headers.add(name, value)
        return response

    def _internal_error(self) -> web.Response:
        return self.gateway_answer(
            "InternalServerErrorException", 502, {"message": "Internal server error"}
        )

    def _missing_token(self) -> web.Response:
        return self.gateway_answer(
            "MissingAuthenticationTokenException", 403, {"message": "Missing Authentication Token"}
        )


def _consume(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()
