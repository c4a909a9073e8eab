"""`record.updated` into the service's DynamoDB outbox (`chalicelib.service.Emit`); the table's
stream publishes it (`keneya.relay`). The record itself is in MongoDB, so the two cannot commit
together: the record keeps the announcement pending until it is handed over here."""

from __future__ import annotations

from typing import Any


def emit_record_updated(announcement: dict[str, Any]) -> None:
    """Commit the announced `record.updated` to the outbox, with the announcement's id: handing
    it over twice commits it once."""
    from pynamodb.exceptions import TransactWriteError

    from keneya.config import settings
    from keneya.events import new_event
    from keneya.outbox import OutboxTransaction, outbox_model
    from keneya.relay import OUTBOX_PREFIX

    outbox = outbox_model(settings().table_name)
    if outbox.count(f"{OUTBOX_PREFIX}{announcement['id']}", outbox.sk == "EVENT", limit=1):
        return  # handed over before (a redelivered completion): committed once is enough
    payload = {k: v for k, v in announcement["payload"].items() if v is not None}
    event = new_event("record.updated", payload).model_copy(update={"id": announcement["id"]})
    try:
        with OutboxTransaction() as tx:
            tx.emit(event)
    except TransactWriteError as error:
        reasons = [r.code for r in (error.cancellation_reasons or []) if r is not None]
        if reasons != ["ConditionalCheckFailed"]:
            raise
