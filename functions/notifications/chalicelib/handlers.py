"""The events the notifications service consumes, and what becomes of a batch's failures.

Every event type with a reaction (`chalicelib.triggers`) goes to the dispatcher. A transient
channel failure sends the event back to the queue with a delay that grows with each attempt,
rather than the queue's fixed visibility timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from chalicelib.redelivery import delay_failed
from chalicelib.triggers import REACTIONS
from keneya.aws import client
from keneya.config import settings
from keneya.consumer import consume


def consume_events(
    event: Any, handle: Any, scope: Callable[[], AbstractContextManager[Any]] = nullcontext
) -> dict[str, Any]:
    """Consume an SQS batch, each event given to `handle`; failed ones come back later.
    `scope()` is open while the batch is handled: what is read for one event may serve the
    next of the same batch, never another invocation (`chalicelib.batch`)."""
    with scope():
        result = consume(event, dict.fromkeys(REACTIONS, handle))
    queue_url = settings().get("EVENTS_QUEUE_URL")
    if queue_url and result.get("batchItemFailures"):
        delay_failed(
            event.to_dict(),
            result,
            sqs=client("sqs"),
            queue_url=queue_url,
            base_seconds=settings().get_int("DELIVERY_RETRY_SECONDS", 30),
        )
    return result
