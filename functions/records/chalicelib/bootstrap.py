"""The service's parts wired once per process, on first use (the outbox relay and /health
never pay for pymongo or S3)."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.service import Records


def emit_record_updated(data: dict[str, Any]) -> None:
    """Commit `record.updated` to the outbox; the table's stream publishes it."""
    from keneya.events import new_event
    from keneya.outbox import OutboxTransaction

    payload = {k: v for k, v in data.items() if v is not None}
    with OutboxTransaction() as tx:
        tx.emit(new_event("record.updated", payload))


@cache
def records() -> Records:
    from chalicelib.attachments import Bucket
    from chalicelib.store import Store, database
    from keneya.aws import client
    from keneya.config import settings

    config = settings()
    bucket = Bucket(
        client("s3"),
        config.require("ATTACHMENTS_BUCKET"),
        config.get("ATTACHMENTS_PREFIX", "records/") or "records/",
    )
    return Records(Store(database()), emit_record_updated, bucket=bucket)
