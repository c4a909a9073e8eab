"""The notification socket's actions: what a client may say and what it is answered (the
frames are described in `socket_protocol`)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.connections import OpenConnection
from chalicelib.inbox import is_notification_id
from chalicelib.inbox_store import InboxStore
from chalicelib.sockets import SocketFanout

SYNC_PAGE = 20


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


class SocketActions:
    def __init__(self, inbox: InboxStore, sockets: SocketFanout) -> None:
        self.inbox = inbox
        self.sockets = sockets

    def handle(self, connection: OpenConnection | None, connection_id: str, body: str) -> None:
        if connection is None:
            self.sockets.to_connection(
                connection_id, _error("not_connected", "Reconnect with a valid access token.")
            )
            return
        try:
            frame = json.loads(body)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            self.sockets.to_connection(
                connection_id, _error("bad_frame", "Send a JSON object with an action.")
            )
            return
        reply = self._answer(connection, frame)
        if reply is not None:
            self.sockets.to_connection(connection_id, reply)

    def _answer(self, connection: OpenConnection, frame: dict[str, Any]) -> dict[str, Any] | None:
        action = frame.get("action")
        user_id = connection.user_id
        if action == "ping":
            return {"type": "pong"}
        if action == "unread_count":
            return {"type": "unread_count", "unread": self.inbox.unread_count(user_id)}
        if action == "sync":
            after = frame.get("after")
            if after is not None and not is_notification_id(after):
                return _error("bad_frame", "`after` must be a notification id.")
            found = self.inbox.newer_than(user_id, after, SYNC_PAGE + 1)
            return {
                "type": "sync",
                "notifications": [item.to_json() for item in found[:SYNC_PAGE]],
                "more": len(found) > SYNC_PAGE,
                "unread": self.inbox.unread_count(user_id),
            }
        if action == "read":
            notification_id = frame.get("id")
            if not is_notification_id(notification_id):
                return _error("bad_frame", "`id` must be a notification id.")
            if self.inbox.mark_read(user_id, notification_id) is None:
                return _error("not_found", "No such notification.")
            unread = self.inbox.unread_count(user_id)
            self.sockets.push(user_id, {"type": "unread_count", "unread": unread})
            return None
        return _error("unknown_action", "Actions: ping, unread_count, sync, read.")

