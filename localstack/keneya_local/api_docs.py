"""The API's references, served from this origin as the published documentation pages.

    /api/v1/openapi.json          the merged OpenAPI document of every service
    /api/v1/docs                  the same, as a page to read and try (Swagger UI)
    /api/v1/asyncapi.json         the WebSocket APIs and the events (AsyncAPI 3.0)
    /api/v1/docs/asyncapi         the same, as a page to read (AsyncAPI's own renderer)
    /api/v1/docs/assets/<name>    the pages' files and the renderers' published files

Each service's worker gives its share of the documents (`keneya.openapi`, `keneya.asyncapi`);
the OpenAPI document also lists the answers the gateway gives by itself, as the template
declares them. A service without a generated document is listed from its routes alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from keneya_local.http_common import API_BASE, CONTENT_TYPES, WEB_DIR, json_answer, served_file
from keneya_local.worker_process import WorkerUnavailable

if TYPE_CHECKING:
    from keneya_local.stack import EmbeddedStack

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


class ApiDocs:
    """The references of the running stack's APIs, their documents assembled from its workers."""

    def __init__(self, stack: EmbeddedStack, gateway_answers: Mapping[str, Any]) -> None:
        """`gateway_answers`: the gateway responses the template declares (by type)."""
        self.stack = stack
        self.gateway_answers = gateway_answers
        self._openapi_cache: dict[str, tuple[int | None, dict[str, Any] | None]] = {}

    def mount(self, app: web.Application) -> None:
        app.router.add_get(f"{API_BASE}/openapi.json", self.openapi)
        app.router.add_get(f"{API_BASE}/docs", self.docs)
        app.router.add_get(f"{API_BASE}/docs/asyncapi", self.asyncapi_docs)
        app.router.add_get(f"{API_BASE}/docs/assets/{{name}}", self.docs_asset)
        app.router.add_get(f"{API_BASE}/asyncapi.json", self.asyncapi)

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
            return json_answer(
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
