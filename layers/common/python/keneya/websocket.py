"""Sending to API Gateway WebSocket connections.

The management endpoint comes from `WEBSOCKET_MANAGEMENT_URL` when set (the local stack, or a
custom domain), else from the connection's own request context, as API Gateway defines it.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from typing import Any

from keneya.config import settings


class ConnectionGone(Exception):
    """The connection is closed; its id should be forgotten."""


def management_url(request_context: dict[str, Any] | None = None) -> str:
    configured = settings().get("WEBSOCKET_MANAGEMENT_URL")
    if configured:
        return configured
    if not request_context:
        raise ValueError("no WEBSOCKET_MANAGEMENT_URL and no request context to derive it from")
    return f"https://{request_context['domainName']}/{request_context['stage']}"


@cache
def _management_client(endpoint_url: str) -> Any:
    import boto3

    return boto3.session.Session().client(
        "apigatewaymanagementapi", endpoint_url=endpoint_url, region_name=settings().region
    )


def send(connection_id: str, message: str, request_context: dict[str, Any] | None = None) -> None:
    client = _management_client(management_url(request_context))
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=message.encode())
    except client.exceptions.GoneException:
        raise ConnectionGone(connection_id) from None


def close(connection_id: str, request_context: dict[str, Any] | None = None) -> None:
    """Close a connection from the server side (its `$disconnect` follows); an already closed
    one is not an error."""
    client = _management_client(management_url(request_context))
    with suppress(client.exceptions.GoneException):
        client.delete_connection(ConnectionId=connection_id)


def connection_principal(request_context_event: dict[str, Any]) -> Any:
    """The caller of a WebSocket `$connect`, from the `token` query parameter (browsers cannot
    set headers on a WebSocket); None when the token is missing or invalid."""
    from keneya.tokens import InvalidToken, verifier

    token = (request_context_event.get("queryStringParameters") or {}).get("token")
    if not token:
        return None
    try:
        return verifier().verify(token)
    except InvalidToken:
        return None
