"""Open WebSocket connections, by person and by connection id.

A person may hold several (a phone and a browser). Each connection is two items: one under the
person (to reach all of them) and one under the connection id (to find its owner on
`$disconnect`, which carries only the id). The person's item is written first: if the second
write fails, `$connect` fails and the client is refused, and the orphan is dropped the first
time a send finds the connection gone. Both expire with API Gateway's two-hour connection limit,
and reading skips the expired ones DynamoDB has not removed yet, so a connection whose
`$disconnect` never ran does not linger. The live sockets the inbox read with a person's unread
count, right after storing a notification, serve the frame that follows, once (`live`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.batch import MISSING, Batch
from chalicelib.tables import (
    CONNECTION_LIFETIME,
    CONNECTION_PREFIX,
    CONNECTION_SK,
    Models,
    connection_pk,
    user_pk,
)


@dataclass(frozen=True)
class OpenConnection:
    connection_id: str
    user_id: str
    role: str


class ConnectionRegistry:
    def __init__(self, models: Models, now: Callable[[], datetime], batch: Batch) -> None:
        self.models = models
        self.now = now
        self.batch = batch

    def open(self, connection_id: str, user_id: str, role: str) -> None:
        now = self.now()
        expires = now + CONNECTION_LIFETIME
        self.models.PersonSocket(
            pk=user_pk(user_id),
            sk=connection_pk(connection_id),
            connection_id=connection_id,
            connected_at=now,
            expires_at=expires,
        ).save()
        self.models.Socket(
            pk=connection_pk(connection_id),
            sk=CONNECTION_SK,
            user_id=user_id,
            role=role,
            connected_at=now,
            expires_at=expires,
        ).save()

    def _socket(self, connection_id: str) -> Any:
        try:
            return self.models.Socket.get(
                connection_pk(connection_id), CONNECTION_SK, consistent_read=True
            )
        except DoesNotExist:
            return None

    def owner(self, connection_id: str) -> OpenConnection | None:
        """Who opened the connection, while it is open."""
        socket = self._socket(connection_id)
        if socket is None or socket.expires_at <= self.now():
            return None
        return OpenConnection(connection_id, socket.user_id, socket.role)

    def live(self, user_id: str) -> list[str]:
        """The person's connections that have not expired, oldest first."""
        just_read = self.batch.take("sockets", user_id)
        if just_read is not MISSING:
            return list(just_read)
        PersonSocket = self.models.PersonSocket
        now = self.now()
        return [
            socket.connection_id
            for socket in PersonSocket.query(
                user_pk(user_id),
                PersonSocket.sk.startswith(CONNECTION_PREFIX),
                consistent_read=True,
            )
            if socket.expires_at > now
        ]

    def close(self, connection_id: str, user_id: str | None = None) -> None:
        """Forget a connection (closed, or gone); closing twice is harmless."""
        if user_id is None:
            socket = self._socket(connection_id)
            if socket is None:
                return
            user_id = socket.user_id
        # The person's item first: once it is gone nothing is sent to the connection.
        self.models.PersonSocket(pk=user_pk(user_id), sk=connection_pk(connection_id)).delete()
        self.models.Socket(pk=connection_pk(connection_id), sk=CONNECTION_SK).delete()
