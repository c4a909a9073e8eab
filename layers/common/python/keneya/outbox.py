"""The transactional outbox.

A service that changes state and must tell others writes the event into its own table in the
same DynamoDB transaction as the change (`OutboxTransaction`). The table's stream hands every new
outbox item to `keneya.relay.relay`, which publishes it. Nothing is lost between "saved" and
"published".

    with OutboxTransaction() as tx:
        tx.save(booking, condition=Booking.pk.does_not_exist())
        tx.emit(new_event("consultation.booked", payload))
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from keneya.config import settings
from keneya.events import Event
from keneya.relay import OUTBOX_PREFIX
from keneya.tables import keyed_item

# Long enough for the stream (24 h retention) to have handed every item to the relay.
OUTBOX_RETENTION = timedelta(days=2)


@cache
def outbox_model(table_name: str) -> type[Model]:
    """The PynamoDB model of outbox items stored in `table_name` (one per service table)."""

    class OutboxItem(keyed_item(table_name)):
        event_type = UnicodeAttribute()
        event = UnicodeAttribute()
        expires_at = TTLAttribute()

    return OutboxItem


@cache
def _connection() -> Connection:
    return Connection(region=settings().region, host=settings().aws_endpoint_url)


class OutboxTransaction(TransactWrite):
    """A PynamoDB `TransactWrite` that can also `emit` events, committed atomically with it."""

    def __init__(self, table_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(connection=_connection(), **kwargs)
        self._outbox = outbox_model(table_name or settings().table_name)

    def emit(self, event: Event) -> None:
        item = self._outbox(
            pk=f"{OUTBOX_PREFIX}{event.id}",
            sk="EVENT",
            event_type=event.type,
            event=event.to_json(),
            expires_at=datetime.now(UTC) + OUTBOX_RETENTION,
        )
        # An event id is unique: a second write of the same event is a bug, not a retry.
        self.save(item, condition=self._outbox.pk.does_not_exist())
