"""Backoff for events that failed: each comes back later than the time before.

An event reported in `batchItemFailures` reappears when its visibility timeout ends. Left alone
that is the queue's fixed timeout; here each failed message's timeout is set from how often it
was received already, doubling from `DELIVERY_RETRY_SECONDS`, so a provider outage is not
hammered and a short hiccup is retried soon.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.delivery import backoff_seconds
from keneya.logs import logger


def delay_failed(
    sqs_event: Mapping[str, Any],
    result: Mapping[str, Any],
    *,
    sqs: Any,
    queue_url: str,
    base_seconds: int,
) -> list[tuple[str, int]]:
    """Push back the next attempt of every message `result` reports as failed; the
    (message id, delay) of each. Best effort: a message whose delay cannot be set simply
    returns after the queue's own visibility timeout."""
    failed = {item["itemIdentifier"] for item in result.get("batchItemFailures") or []}
    delayed: list[tuple[str, int]] = []
    for record in sqs_event.get("Records") or []:
        if record.get("messageId") not in failed:
            continue
        received = int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
        delay = backoff_seconds(received, base_seconds)
        try:
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=delay
            )
        except Exception as error:
            logger.warning(
                "could not delay a failed event",
                extra={"message_id": record.get("messageId"), "error": type(error).__name__},
            )
            continue
        delayed.append((record["messageId"], delay))
        logger.info(
            "failed event delayed",
            extra={
                "message_id": record["messageId"],
                "receive_count": received,
                "delay_seconds": delay,
            },
        )
    return delayed
