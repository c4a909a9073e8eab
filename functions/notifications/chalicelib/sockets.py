"""Sending a frame to every live connection of a person, through the WebSocket management API.

A connection API Gateway says is gone (410) is forgotten at once, and only that one: the others
of the person still get the frame. Any other failure to reach one connection is logged and
skipped; the notification is in the inbox whatever happens to a socket.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.connections import ConnectionRegistry
from keneya.logs import logger

PostToConnection = Callable[[str, str], None]
"""`post(connection_id, text)`; raises `keneya.websocket.ConnectionGone` for a closed one."""


class SocketFanout:
    def __init__(self, registry: ConnectionRegistry, post: PostToConnection) -> None:
        self.registry = registry
        self.post = post

    def push(self, user_id: str, frame: Mapping[str, Any]) -> int:
        from keneya.websocket import ConnectionGone

        text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
        reached = 0
        for connection_id in self.registry.live(user_id):
            try:
                self.post(connection_id, text)
            except ConnectionGone:
                self.registry.close(connection_id, user_id)
                logger.info("stale connection forgotten", extra={"connection_id": connection_id})
                continue
            except Exception as error:  # one unreachable socket must not stop the others
                logger.warning(
                    "could not reach a connection",
                    extra={"connection_id": connection_id, "error": type(error).__name__},
                )
                continue
            reached += 1
        return reached

    def to_connection(self, connection_id: str, frame: Mapping[str, Any]) -> None:
        """Answer one connection (a reply to what it sent)."""
        from keneya.websocket import ConnectionGone

        try:
            self.post(connection_id, json.dumps(frame, ensure_ascii=False, separators=(",", ":")))
        except ConnectionGone:
            self.registry.close(connection_id)
