"""API Gateway's WebSocket APIs, locally: `ws://host:port/<service>` plus its management API.

Clients connect to `ws://host:port/<service>?...`. The service's `$connect` function runs before
the upgrade, so a refusal is a plain HTTP answer with the status the function returned (500
when it raised), as API Gateway gives. Each text message is routed on its JSON `action` field
(API Gateway's `$request.body.action`), else to `$default`; closing the socket runs
`$disconnect`.

Functions reach their clients through the management API on the same port, the way boto3's
`apigatewaymanagementapi` client calls it with `endpoint_url=http://host:port/<service>`:
`POST|GET|DELETE /<service>/@connections/{id}`; an unknown or closed connection is 410 Gone.

Limits follow API Gateway where they matter to clients: a message larger than 32 KB closes the
socket with code 1009 (message too big); a posted payload over 128 KB is refused with 413.
The idle timeout and the two-hour connection limit are not enforced.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from keneya_local.errors import FunctionError

log = logging.getLogger("keneya_local.websocket")

Invoke = Callable[[str, str, dict[str, Any]], Awaitable[dict[str, Any]]]
"""`await invoke(service, handler_name, event)` -> the function's result; raises FunctionError."""

MAX_MESSAGE_BYTES = 32 * 1024
MAX_POST_BYTES = 128 * 1024


@dataclass
class Connection:
    """One open client socket."""

    id: str
    service: str
    socket: web.WebSocketResponse
    source_ip: str
    user_agent: str
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)


class WebSocketGateway:
    """Serves the WebSocket APIs of every service whose description declares a websocket.

    `describe[service]["websocket"]` maps route keys (`$connect`, `$default`, `$disconnect`,
    or a custom action) to handler names, or to None when the service has no such handler.
    Embed it in a running loop with `await start()` / `await stop()`, or mount `app`.
    """

    def __init__(
        self,
        invoke: Invoke,
        describe: Mapping[str, Mapping[str, Any]],
        host: str = "127.0.0.1",
        port: int = 3001,
        *,
        stage: str = "local",
    ) -> None:
        self.invoke = invoke
        # service -> route key -> handler name, for the services that have any route.
        self.routes: dict[str, dict[str, str]] = {}
        for service, doc in describe.items():
            routes = {key: name for key, name in (doc.get("websocket") or {}).items() if name}
            if routes:
                self.routes[service] = routes
        self.host = host
        self.port = port
        self.stage = stage
        self.connections: dict[str, Connection] = {}
        # Called with (service, frame) for every frame a service posts to a connection.
        self.frame_observers: list[Callable[[str, bytes], None]] = []
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self.app = web.Application(client_max_size=MAX_POST_BYTES + 1024)
        self.app.router.add_get("/{service}", self._handle_socket)
        connection_path = "/{service}/@connections/{connection_id}"
        self.app.router.add_post(connection_path, self._post_to_connection)
        self.app.router.add_get(connection_path, self._get_connection)
        self.app.router.add_delete(connection_path, self._delete_connection)

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listens on host:port in the running loop; with port 0, `port` becomes the real one."""
        self._stopping = False
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Closes every client socket (going away, no `$disconnect`: the functions stop too)."""
        self._stopping = True
        await asyncio.gather(
            *(
                connection.socket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")
                for connection in list(self.connections.values())
            )
        )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def websocket_url(self, service: str) -> str:
        return f"ws://{self.host}:{self.port}/{service}"

    def management_url(self, service: str) -> str:
        """The `endpoint_url` of the apigatewaymanagementapi client for `service`."""
        return f"http://{self.host}:{self.port}/{service}"

    # --- client sockets --------------------------------------------------------------------

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        service = request.match_info["service"]
        routes = self.routes.get(service)
        if routes is None:
            raise web.HTTPNotFound(text=f"no WebSocket API for {service!r}\n")
        if not web.WebSocketResponse().can_prepare(request).ok:
            raise web.HTTPBadRequest(text="expected a WebSocket upgrade\n")

        connection = Connection(
            id=_new_id(),
            service=service,
            socket=web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES),
            source_ip=request.remote or "127.0.0.1",
            user_agent=request.headers.get("User-Agent", ""),
        )
        connect_event = {
            **_request_parts(request),
            "requestContext": self._context(connection, request, "$connect", "CONNECT"),
            "isBase64Encoded": False,
        }
        if "$connect" in routes:
            ok, result = await self._call(service, routes["$connect"], connect_event)
            if not ok:
                raise web.HTTPInternalServerError(
                    text='{"message": "Internal server error"}', content_type="application/json"
                ) from None
            status = int(result.get("statusCode", 200))
            if not 200 <= status < 300:
                # API Gateway refuses the handshake with the status the function returned.
                refusal = status if 400 <= status < 600 else 403
                return web.json_response({"message": _reason(refusal)}, status=refusal)
            # A $connect function may pick the subprotocol, as with API Gateway.
            protocol = _header(result, "Sec-WebSocket-Protocol")
            if protocol:
                connection.socket = web.WebSocketResponse(
                    max_msg_size=MAX_MESSAGE_BYTES, protocols=(protocol,)
                )

        socket = connection.socket
        await socket.prepare(request)
        self.connections[connection.id] = connection
        log.info("%s connected %s", service, connection.id)
        try:
            await self._receive(connection, request, routes)
        finally:
            self.connections.pop(connection.id, None)
            log.info("%s disconnected %s (%s)", service, connection.id, socket.close_code)
            if "$disconnect" in routes and not self._stopping:
                await self._disconnect(connection, request, routes["$disconnect"])
        return socket

    async def _receive(
        self, connection: Connection, request: web.Request, routes: Mapping[str, str]
    ) -> None:
        async for message in connection.socket:
            if message.type == WSMsgType.TEXT:
                body, is_base64 = message.data, False
            elif message.type == WSMsgType.BINARY:
                body, is_base64 = base64.b64encode(message.data).decode(), True
            else:  # ERROR: aiohttp already closed the socket (e.g. 1009 for a large message)
                break
            connection.last_active_at = time.time()
            route_key = _route_key(body if not is_base64 else None, routes)
            if route_key is None:
                await self._reply_error(connection, "Forbidden")
                continue
            context = self._context(connection, request, route_key, "MESSAGE")
            context["messageId"] = _new_id()
            event = {"requestContext": context, "body": body, "isBase64Encoded": is_base64}
            ok, _ = await self._call(connection.service, routes[route_key], event)
            if not ok:
                await self._reply_error(connection, "Internal server error", context)

    async def _disconnect(self, connection: Connection, request: web.Request, handler: str) -> None:
        context = self._context(connection, request, "$disconnect", "DISCONNECT")
        context["disconnectStatusCode"] = connection.socket.close_code
        context["disconnectReason"] = ""
        event = {
            "headers": dict(_request_parts(request)["headers"]),
            "requestContext": context,
            "isBase64Encoded": False,
        }
        await self._call(connection.service, handler, event)

    async def _call(
        self, service: str, handler: str, event: dict[str, Any]
    ) -> tuple[bool, dict[str, Any]]:
        """(True, result), or (False, {}) when the function raised or could not be reached."""
        try:
            return True, (await self.invoke(service, handler, event)) or {}
        except FunctionError as error:
            log.warning("%s.%s failed: %s", service, handler, error)
        except Exception:
            # A crashed or hung worker is the client's 500, never the gateway's own failure.
            log.exception("%s.%s could not be invoked", service, handler)
        return False, {}

    async def _reply_error(
        self, connection: Connection, message: str, context: Mapping[str, Any] | None = None
    ) -> None:
        """What API Gateway sends a client whose message no function could handle."""
        reply = {"message": message, "connectionId": connection.id}
        reply["requestId"] = (context or {}).get("requestId", _new_id())
        if not connection.socket.closed:
            await connection.socket.send_str(json.dumps(reply))

    def _context(
        self, connection: Connection, request: web.Request, route_key: str, event_type: str
    ) -> dict[str, Any]:
        now = time.time()
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "connectionId": connection.id,
            "connectedAt": int(connection.connected_at * 1000),
            "requestId": _new_id(),
            "extendedRequestId": _new_id(),
            "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now * 1000),
            "domainName": request.host,
            "stage": self.stage,
            "apiId": connection.service,
            "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
        }

    # --- management API --------------------------------------------------------------------

    def _connection(self, request: web.Request) -> Connection | None:
        connection = self.connections.get(request.match_info["connection_id"])
        if (
            connection is None
            or connection.service != request.match_info["service"]
            or connection.socket.closed
        ):
            return None
        return connection

    async def _post_to_connection(self, request: web.Request) -> web.Response:
        connection = self._connection(request)
        if connection is None:
            return _aws_error(410, "GoneException")
        data = await request.read()
        if len(data) > MAX_POST_BYTES:
            return _aws_error(413, "PayloadTooLargeException", "Message too long")
        for observe in self.frame_observers:
            observe(connection.service, data)
        try:
            # Text frames, as API Gateway sends; bytes that are not UTF-8 go as a binary frame.
            await connection.socket.send_str(data.decode("utf-8"))
        except UnicodeDecodeError:
            await connection.socket.send_bytes(data)
        except ConnectionError:
            return _aws_error(410, "GoneException")
        return web.Response(status=200)

    async def _get_connection(self, request: web.Request) -> web.Response:
        connection = self._connection(request)
        if connection is None:
            return _aws_error(410, "GoneException")
        return web.json_response(
            {
                "connectedAt": _iso(connection.connected_at),
                "lastActiveAt": _iso(connection.last_active_at),
                "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
            }
        )

    async def _delete_connection(self, request: web.Request) -> web.Response:
        connection = self._connection(request)
        if connection is None:
            return _aws_error(410, "GoneException")
        # The socket's own handler is reading it: it runs $disconnect once the close completes.
        await connection.socket.close(code=WSCloseCode.OK)
        return web.Response(status=204)


def _route_key(body: str | None, routes: Mapping[str, str]) -> str | None:
    action = None
    if body is not None:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict) and isinstance(document.get("action"), str):
            action = document["action"]
    if action is not None and action in routes and not action.startswith("$"):
        return action
    return "$default" if "$default" in routes else None


def _request_parts(request: web.Request) -> dict[str, Any]:
    """Headers and query string in API Gateway's single- and multi-value shapes."""
    parts: dict[str, Any] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        multi_headers.setdefault(name, []).append(value)
    parts["headers"] = {name: values[-1] for name, values in multi_headers.items()}
    parts["multiValueHeaders"] = multi_headers
    if request.query:
        multi_query: dict[str, list[str]] = {}
        for name, value in request.query.items():
            multi_query.setdefault(name, []).append(value)
        parts["queryStringParameters"] = {k: v[-1] for k, v in multi_query.items()}
        parts["multiValueQueryStringParameters"] = multi_query
    return parts


def _header(result: Mapping[str, Any] | None, name: str) -> str | None:
    for key, value in ((result or {}).get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _aws_error(status: int, code: str, message: str = "") -> web.Response:
    """An error as botocore's rest-json parser reads it: the type from `x-amzn-ErrorType`."""
    return web.json_response(
        {"message": message}, status=status, headers={"x-amzn-ErrorType": code}
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Forbidden"


def _new_id() -> str:
    # API Gateway's ids look like "L0SM9cOFvHcCIhw="; URL-safe here as they go into paths.
    return base64.urlsafe_b64encode(os.urandom(10)).decode()


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


__all__ = ["MAX_MESSAGE_BYTES", "MAX_POST_BYTES", "Connection", "Invoke", "WebSocketGateway"]
