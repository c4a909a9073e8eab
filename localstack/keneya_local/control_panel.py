"""The local stack's web console: its own pages and endpoints, under `/_local/`.

What the AWS console and APIs show of a deployment (its functions, schedules, sent messages),
this stack shows here:

    /_local/                      the console's page: the services, their state and sockets,
                                  and links to everything below
    /_local/status                the stack: services, workers, event sources (JSON)
    /_local/messages[.json]       what the platform "sent" (SMS, e-mail, push), from the
                                  message catcher; POST /_local/messages/clear forgets them
    /_local/schedules             the schedules and when they fire next; POST
                                  /_local/schedules/<service>/<handler> runs one now
    /_local/functions/<service>/<handler>   POST a Lambda event: Lambda's Invoke, locally

Not to be confused with `keneya_local.console`, where the stack's output lines go.
"""

from __future__ import annotations

import asyncio
import html
import json
from typing import TYPE_CHECKING

from aiohttp import web

from keneya_local.catcher import render_page
from keneya_local.errors import FunctionError
from keneya_local.http_common import API_BASE, json_answer
from keneya_local.worker_process import WorkerUnavailable

if TYPE_CHECKING:
    from keneya_local.stack import EmbeddedStack


class ControlPanel:
    """The `/_local/` pages and endpoints of one running stack."""

    def __init__(self, stack: EmbeddedStack) -> None:
        self.stack = stack

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/_local", self.index)
        app.router.add_get("/_local/", self.index)
        app.router.add_get("/_local/status", self.status)
        app.router.add_get("/_local/messages", self.messages_page)
        app.router.add_get("/_local/messages.json", self.messages_json)
        app.router.add_post("/_local/messages/clear", self.messages_clear)
        app.router.add_get("/_local/schedules", self.schedules)
        app.router.add_post("/_local/schedules/{service}/{handler}", self.run_schedule)
        app.router.add_post("/_local/functions/{service}/{handler}", self.invoke_function)

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
            return json_answer(404, {"message": "no such schedule"})
        ok, result = await runner.fire()
        if ok:
            return web.json_response({"ok": True, "result": result})
        return json_answer(200, {"ok": False, "error": result.to_payload()})

    async def invoke_function(self, request: web.Request) -> web.Response:
        service, handler = request.match_info["service"], request.match_info["handler"]
        if service not in self.stack.workers:
            return json_answer(
                404,
                {"Message": f"Function not found: {service}.{handler}"},
                "ResourceNotFoundException",
            )
        raw = await request.read()
        try:
            event = json.loads(raw) if raw else {}
        except ValueError:
            return json_answer(
                400,
                {"Message": "Could not parse request body into json"},
                "InvalidRequestContentException",
            )
        try:
            result = await self.stack.ainvoke(service, handler, event)
        except FunctionError as error:
            response = json_answer(200, error.to_payload())
            response.headers["X-Amz-Function-Error"] = "Unhandled"
            return response
        except WorkerUnavailable as error:
            return json_answer(502, {"Message": str(error)}, "ServiceException")
        return web.json_response(result)
