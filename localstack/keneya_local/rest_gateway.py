"""The REST side of API Gateway on one port: every service under `/api/v1/<service>/...`.

    /api/v1/<service>/...         the service's routes (its worker's `/rest`), as API Gateway's
                                  custom domain with one API mapping per service would serve them
    /api/v1/openapi.json          the merged OpenAPI document of every service
    /api/v1/docs                  the same, as a page to read and try (Swagger UI)
    /api/v1/asyncapi.json         the WebSocket APIs and the events (AsyncAPI 3.0)
    /api/v1/docs/asyncapi         the same, as a page to read (AsyncAPI's own renderer)
    /_local/status                the stack: services, workers, event sources (JSON)
    /_local/messages[.json]       what the platform "sent" (SMS, e-mail, push)
    /_local/schedules             the schedules and when they fire next; POST
                                  /_local/schedules/<service>/<handler> runs one now
    /_local/functions/<service>/<handler>   POST a Lambda event: Lambda's Invoke, locally
    /_sandbox/orange-money/...    the mobile-money sandboxes (keneya_local.mobile_money): the
    /_sandbox/moov-money/...      providers' APIs, Orange Money's hosted payment page, Moov
                                  Money's phone prompts, and their control API
    /, /sign-in, /doctors/...     the web app (web/app/dist, as CloudFront serves it from S3);
                                  /consultations/<id>/payment is where a payer comes back from
                                  the provider's page, /consultations/<id>/call the call
    /config.json                  the app's two sockets in this stack (on AWS, a file the
                                  deployment writes beside the app)
    /room/?consultation=<id>      the old room's address: sent on to the app's call
    /_local/                      this page: the local stack's console

A worker that crashed, hung past its timeout or is down answers 502 like API Gateway (504 after
API Gateway's 29 s integration timeout): never a hung connection.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import socket
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from keneya_local.catcher import render_page
from keneya_local.errors import FunctionError
from keneya_local.worker import API_HANDLER
from keneya_local.worker_process import WorkerUnavailable

if TYPE_CHECKING:
    from keneya_local.stack import LocalStack

API_BASE = "/api/v1"
# Where the consultation room was before it became part of the app; links people kept still work.
ROOM_PATH = "/room"
WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# The web app (web/app, built by `make up`), served at `/` and at each of its own paths, as
# CloudFront serves it from S3 in front of the API.
APP_DIR = WEB_DIR / "app" / "dist"
APP_ROUTES = (
    "/sign-in",
    "/sign-up",
    "/sign-up/doctor",
    "/reset-password",
    "/account",
    "/doctors",
    "/doctors/{doctor_id}",
    "/consultations",
    "/consultations/{consultation_id}",
    "/consultations/{consultation_id}/payment",
    "/consultations/{consultation_id}/call",
    "/record",
    "/record/{section:.+}",
    "/notifications",
    "/doctor",
    "/doctor/{rest:.+}",
    "/admin",
    "/admin/{rest:.+}",
)
# Files of the app that live at its root: the service worker must, to control every page.
APP_ROOT_FILES = ("sw.js", "manifest.webmanifest", "icon.svg")
# What the app's and the references' files may be; anything else is not served.
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}
# The API references: their pages, and the renderers' published files from node_modules.
DOCS_DIR = WEB_DIR / "api-docs"
_NODE_MODULES = WEB_DIR.parent / "node_modules"
DOCS_VENDOR = {
    "swagger-ui.css": _NODE_MODULES / "swagger-ui-dist" / "swagger-ui.css",
    "swagger-ui-bundle.js": _NODE_MODULES / "swagger-ui-dist" / "swagger-ui-bundle.js",
    "asyncapi.css": _NODE_MODULES / "@asyncapi/react-component/styles/default.min.css",
    "asyncapi-standalone.js": _NODE_MODULES
    / "@asyncapi/react-component/browser/standalone/index.js",
}
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


def _json(status: int, body: Any, error_type: str | None = None) -> web.Response:
    headers = {"x-amzn-ErrorType": error_type} if error_type else None
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def _declared_answers(template: Path) -> dict[str, Any]:
    """The gateway responses `template` declares (none for a template without them)."""
    try:
        from infra.gateway_responses import declarations
        from keneya_local.cfn import load_template
    except ImportError:  # the runtime used without Keneya's infra/ (another project's template)
        return {}
    return declarations(load_template(template))


class RestGateway:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self._runner: web.AppRunner | None = None
        self._openapi_cache: dict[str, tuple[int | None, dict[str, Any] | None]] = {}
        # The template's gateway responses: what this gateway answers by itself, as on AWS.
        self.gateway_answers = _declared_answers(stack.template)

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
            response = _json(status, body, error_type)
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
        app.router.add_get("/", self.app_page)
        for route in APP_ROUTES:
            app.router.add_get(route, self.app_page)
        app.router.add_get("/assets/{name}", self.app_asset)
        for name in APP_ROOT_FILES:
            app.router.add_get(f"/{name}", self.app_root_file)
        app.router.add_get("/_local", self.index)
        app.router.add_get("/_local/", self.index)
        app.router.add_get(f"{API_BASE}/openapi.json", self.openapi)
        app.router.add_get(f"{API_BASE}/docs", self.docs)
        app.router.add_get(f"{API_BASE}/docs/asyncapi", self.asyncapi_docs)
        app.router.add_get(f"{API_BASE}/docs/assets/{{name}}", self.docs_asset)
        app.router.add_get(f"{API_BASE}/asyncapi.json", self.asyncapi)
        app.router.add_get("/favicon.ico", self.no_favicon)
        app.router.add_get("/_local/status", self.status)
        app.router.add_get("/_local/messages", self.messages_page)
        app.router.add_get("/_local/messages.json", self.messages_json)
        app.router.add_post("/_local/messages/clear", self.messages_clear)
        app.router.add_get("/_local/schedules", self.schedules)
        app.router.add_post("/_local/schedules/{service}/{handler}", self.run_schedule)
        app.router.add_post("/_local/functions/{service}/{handler}", self.invoke_function)
        app.router.add_get(ROOM_PATH, self.room_redirect)
        app.router.add_get(f"{ROOM_PATH}/", self.room_redirect)
        app.router.add_get("/config.json", self.app_config)
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

    # -- documentation ------------------------------------------------------------------

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(await self.merged_openapi())

    async def merged_openapi(self) -> dict[str, Any]:
        services = {s: w for s, w in sorted(self.stack.workers.items()) if w.has_routes}

        async def document(service: str) -> tuple[str, dict[str, Any] | None]:
            worker = services[service]
            cached = self._openapi_cache.get(service)
            if cached and cached[0] == worker.pid:
                return service, cached[1]
            try:
                doc = await worker.openapi()
            except (WorkerUnavailable, OSError, ValueError) as error:
                self.stack.console.stack_line(f"openapi of {service}: {error}")
                doc = None
            self._openapi_cache[service] = (worker.pid, doc)
            return service, doc

        documents = dict(await asyncio.gather(*(document(s) for s in services)))
        try:
            from keneya.openapi import merge_documents
        except ImportError:
            merge_documents = None
        complete = {s: d for s, d in documents.items() if d is not None}
        if merge_documents is not None and len(complete) == len(documents):
            from infra.gateway_responses import openapi_statuses

            return merge_documents(
                complete, gateway_statuses=openapi_statuses(self.gateway_answers)
            )
        return self._routes_only_document(complete)

    def _routes_only_document(self, documents: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        """What the workers describe, when a service has no generated document."""
        paths: dict[str, Any] = {}
        for service, worker in sorted(self.stack.workers.items()):
            if service in documents:
                paths.update(documents[service].get("paths") or {})
                continue
            for route in worker.description.get("routes") or []:
                operation: dict[str, Any] = {
                    "tags": [service],
                    "summary": route["view"].replace("_", " "),
                    "operationId": f"{service}.{route['view']}",
                    "responses": {"200": {"description": "OK"}},
                }
                if route.get("authorizer"):
                    operation["security"] = [{"bearer": []}]
                path = f"{API_BASE}/{service}{route['path'] if route['path'] != '/' else ''}"
                paths.setdefault(path, {})[route["method"].lower()] = operation
        return {
            "openapi": "3.0.3",
            "info": {"title": "Keneya API", "version": "1"},
            "paths": paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        }

    async def asyncapi(self, request: web.Request) -> web.Response:
        return web.json_response(await self.merged_asyncapi())

    async def merged_asyncapi(self) -> dict[str, Any]:
        """The AsyncAPI document: each WebSocket API as its service describes it, the events
        from the catalogue."""
        from keneya.asyncapi import document, events_part

        sockets = [w for w in self.stack.workers.values() if w.status()["websocket"]]
        parts = [part for part in await asyncio.gather(*(w.asyncapi() for w in sockets)) if part]
        host = self.stack.ws_url.removeprefix("ws://")
        servers = {
            "local": {
                "host": host,
                "protocol": "ws",
                "description": "This local stack's WebSocket gateway (wss:// on AWS)",
            }
        }
        return document([*parts, events_part()], servers)

    async def docs(self, request: web.Request) -> web.Response:
        return self._docs_file(DOCS_DIR / "index.html")

    async def asyncapi_docs(self, request: web.Request) -> web.Response:
        return self._docs_file(DOCS_DIR / "asyncapi.html")

    async def docs_asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        path = DOCS_VENDOR.get(name) or served_file(DOCS_DIR, name)
        if path is None or not path.is_file():
            missing = name in DOCS_VENDOR
            return _json(
                404,
                {"message": "run `npm ci` (make up does)" if missing else "Not Found"},
            )
        return self._docs_file(path)

    def _docs_file(self, path: Path) -> web.Response:
        """The API references: published renderers (Swagger UI, AsyncAPI's component) served
        from this origin, never a CDN."""
        content_type = CONTENT_TYPES[path.suffix]
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if path.suffix == ".html":
            # AsyncAPI's component validates the document in the page (ajv compiles schemas
            # with `new Function`), and both renderers set inline styles.
            headers["Content-Security-Policy"] = (
                "default-src 'self'; script-src 'self' 'unsafe-eval'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            )
        textual = content_type.startswith("text/") or content_type.endswith("json")
        return web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset="utf-8" if textual else None,
            headers=headers,
        )

    # -- the stack ----------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.Response:
        stack = self.stack
        items = []
        for name, worker in sorted(stack.workers.items()):
            socket_url = stack.websocket_url(name) if worker.status()["websocket"] else None
            websocket = f", WebSocket {html.escape(socket_url)}" if socket_url else ""
            items.append(
                f"<li><b>{html.escape(name)}</b>: {API_BASE}/{html.escape(name)}/ "
                f"({worker.state}{websocket})</li>"
            )
        services = "".join(items)
        sandboxes = ", ".join(
            f'<a href="{html.escape(url)}">{html.escape(label)}</a>'
            for label, url in stack.sandboxes.pages().items()
        )
        docs, openapi = f"{API_BASE}/docs", f"{API_BASE}/openapi.json"
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Keneya local</title><style>body{{font-family:system-ui,sans-serif;margin:2rem}}</style>
</head><body><h1>Keneya, running locally</h1>
<ul><li><a href="{docs}">API documentation</a> (<a href="{openapi}">openapi.json</a>)</li>
<li><a href="/_local/messages">Sent messages</a> (SMS, e-mail, push)</li>
<li><a href="/_local/schedules">Schedules</a>, <a href="/_local/status">status</a></li>
<li><a href="/">The web app</a>; a consultation's call: /consultations/&lt;id&gt;/call</li>
<li>Mobile-money sandboxes: {sandboxes}</li>
<li>AWS endpoint: {html.escape(stack.aws_endpoint or "")}</li></ul>
<h2>Services</h2><ul>{services}</ul></body></html>"""
        return web.Response(text=page, content_type="text/html")

    async def no_favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response(self.stack.status())

    async def messages_json(self, request: web.Request) -> web.Response:
        messages = await asyncio.to_thread(self.stack.catcher.messages)
        return web.json_response({"messages": [m.to_json() for m in messages]})

    async def messages_page(self, request: web.Request) -> web.Response:
        messages = await asyncio.to_thread(self.stack.catcher.messages)
        return web.Response(text=render_page(messages), content_type="text/html")

    async def messages_clear(self, request: web.Request) -> web.Response:
        await asyncio.to_thread(self.stack.catcher.clear)
        raise web.HTTPSeeOther("/_local/messages")

    async def schedules(self, request: web.Request) -> web.Response:
        runners = self.stack.event_sources.schedules() if self.stack.event_sources else []
        return web.json_response({"schedules": [r.status() for r in runners]})

    async def run_schedule(self, request: web.Request) -> web.Response:
        sources = self.stack.event_sources
        runner = (
            sources.find_schedule(request.match_info["service"], request.match_info["handler"])
            if sources
            else None
        )
        if runner is None:
            return _json(404, {"message": "no such schedule"})
        ok, result = await runner.fire()
        if ok:
            return web.json_response({"ok": True, "result": result})
        return _json(200, {"ok": False, "error": result.to_payload()})

    async def invoke_function(self, request: web.Request) -> web.Response:
        service, handler = request.match_info["service"], request.match_info["handler"]
        if service not in self.stack.workers:
            return _json(
                404,
                {"Message": f"Function not found: {service}.{handler}"},
                "ResourceNotFoundException",
            )
        raw = await request.read()
        try:
            event = json.loads(raw) if raw else {}
        except ValueError:
            return _json(
                400,
                {"Message": "Could not parse request body into json"},
                "InvalidRequestContentException",
            )
        try:
            result = await self.stack.ainvoke(service, handler, event)
        except FunctionError as error:
            response = _json(200, error.to_payload())
            response.headers["X-Amz-Function-Error"] = "Unhandled"
            return response
        except WorkerUnavailable as error:
            return _json(502, {"Message": str(error)}, "ServiceException")
        return web.json_response(result)

    # -- the web app --------------------------------------------------------------------

    async def room_redirect(self, request: web.Request) -> web.Response:
        """The room page people kept a link to is the app's call now."""
        consultation = request.query.get("consultation", "")
        if not consultation.replace("-", "").replace("_", "").isalnum():
            raise web.HTTPFound("/consultations")
        relay = "?relay=1" if request.query.get("relay") == "1" else ""
        raise web.HTTPMovedPermanently(f"/consultations/{consultation}/call{relay}")

    async def app_page(self, request: web.Request) -> web.Response:
        """The web app's page for every path of the app (it routes in the browser)."""
        index = APP_DIR / "index.html"
        if not index.is_file():
            if request.path == "/":
                return await self.index(request)
            return _json(404, {"message": "the web app is not built: run `make up`"})
        headers = {
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": self._app_policy(),
            "Referrer-Policy": "no-referrer",
        }
        response = web.Response(
            body=index.read_bytes(), content_type="text/html", charset="utf-8", headers=headers
        )
        response.enable_compression()
        return response

    async def app_asset(self, request: web.Request) -> web.Response:
        path = served_file(APP_DIR / "assets", request.match_info["name"])
        if path is None:
            return _json(404, {"message": "Not Found"})
        content_type = CONTENT_TYPES[path.suffix]
        # Hashed names: an asset never changes under its name.
        response = web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset="utf-8" if content_type.startswith("text/") else None,
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )
        # Compressed, as CloudFront sends it: what a phone on a weak network downloads.
        response.enable_compression()
        return response

    async def app_root_file(self, request: web.Request) -> web.Response:
        path = served_file(APP_DIR, request.path.lstrip("/"))
        if path is None:
            return _json(404, {"message": "Not Found"})
        content_type = CONTENT_TYPES[path.suffix]
        return web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset="utf-8",
            # A new service worker must reach phones at once.
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    def _app_policy(self) -> str:
        """The app's own origin, this stack's sockets and the storage attachments are uploaded
        to and doctors' photos are shown from (presigned links), nothing else."""
        storage = self._upload_origin()
        connect = " ".join(filter(None, ("'self'", self.stack.ws_url, storage)))
        images = " ".join(filter(None, ("'self'", "data:", "blob:", storage)))
        return (
            f"default-src 'self'; connect-src {connect}; img-src {images}; "
            "media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'"
        )

    def _upload_origin(self) -> str:
        """The origin of the attachments bucket's presigned URLs: the records service signs
        them for the stack's AWS endpoint (S3 itself on AWS, where CloudFront's policy lists
        the bucket's origin), and the browser PUTs the file straight there, as the bucket's
        CORS rules allow for the app's origin. Only that origin: no wildcard, no other host."""
        endpoint = urlsplit(self.stack.aws_endpoint or "")
        if endpoint.scheme not in ("http", "https") or not endpoint.hostname:
            return ""
        host = f"[{endpoint.hostname}]" if ":" in endpoint.hostname else endpoint.hostname
        port = f":{endpoint.port}" if endpoint.port else ""
        return f"{endpoint.scheme}://{host}{port}"

    async def app_config(self, request: web.Request) -> web.Response:
        """Where the app finds its sockets; on AWS a file deployed beside it."""
        return web.json_response(
            {
                "signaling": self.stack.websocket_url("signaling"),
                "notifications": self.stack.websocket_url("notifications"),
            },
            headers={"Cache-Control": "no-store"},
        )


def served_file(root: Path, name: str) -> Path | None:
    """The file `name` (relative, `/`-separated) names under `root`; None when it would leave
    `root`, is hidden, is not a file or is not of a type the gateway serves."""
    if not name or "\\" in name or "\x00" in name:
        return None
    if any(part in ("", ".", "..") or part.startswith(".") for part in name.split("/")):
        return None
    base = root.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base) or path.suffix not in CONTENT_TYPES:
        return None
    return path if path.is_file() else None


def _consume(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()
