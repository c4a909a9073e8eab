"""The service's parts wired to the real world, once per process.

Environment:
    TABLE_NAME                   the service's table (rooms, seats, connections, outbox)
    WEBSOCKET_MANAGEMENT_URL     the WebSocket API's management endpoint (keneya.websocket)
    TURN_URLS                    comma-separated turn:/turns: URLs; empty: no TURN server
    TURN_SECRET_ARN              the Secrets Manager secret shared with the TURN servers
    TURN_CREDENTIAL_TTL_SECONDS  how long a TURN credential works (default 4 h, longer than
                                 any consultation: coturn refuses to refresh an expired one)
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import cache
from typing import Any

from chalicelib.service import Signaling
from chalicelib.store import RoomStore
from chalicelib.turn import IceServers, ice_servers, parse_turn_urls
from keneya.clock import utc_now
from keneya.config import settings
from keneya.logs import logger

# The shared secret is rotated by operators; a process picks up a new one within this delay.
SECRET_CACHE_SECONDS = 300


class ApiGatewaySockets:
    """The WebSocket API's management endpoint (`@connections`)."""

    def __init__(self, request_context: dict[str, Any] | None = None) -> None:
        self.request_context = request_context

    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        import json

        from keneya.websocket import ConnectionGone, send

        try:
            send(connection_id, json.dumps(frame, separators=(",", ":")), self.request_context)
        except ConnectionGone:
            return False
        return True

    def close(self, connection_id: str) -> None:
        from keneya.websocket import close

        try:
            close(connection_id, self.request_context)
        except Exception as error:  # the socket may be closing on its own at the same moment
            logger.warning("could not close a connection", extra={"error": type(error).__name__})


@cache
def _store() -> RoomStore:
    return RoomStore()


@cache
def _signaling() -> Signaling:
    return Signaling(_store(), ApiGatewaySockets())


def signaling(request_context: dict[str, Any] | None = None) -> Signaling:
    """The process's `Signaling` (its connection cache is per process); the request context
    lets it find the management endpoint where no WEBSOCKET_MANAGEMENT_URL is configured."""
    wired = _signaling()
    if request_context is not None:
        wired.sockets = ApiGatewaySockets(request_context)
    return wired


_secret: tuple[str, float] | None = None


def _turn_secret() -> str:
    global _secret
    if _secret is not None and _secret[1] > time.monotonic():
        return _secret[0]
    from keneya.aws import client

    arn = settings().require("TURN_SECRET_ARN")
    value = client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    _secret = (value, time.monotonic() + SECRET_CACHE_SECONDS)
    return value


def ice_servers_for(user_id: str) -> IceServers:
    turn_urls = parse_turn_urls(settings().get("TURN_URLS"))
    ttl = timedelta(seconds=settings().get_int("TURN_CREDENTIAL_TTL_SECONDS", 4 * 3600))
    return ice_servers(
        turn_urls=turn_urls,
        secret=_turn_secret() if turn_urls else None,
        user_id=user_id,
        now=utc_now(),
        ttl=ttl,
    )
