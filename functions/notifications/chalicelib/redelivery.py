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
from keneya.config import settings
from keneya.logs import logger

DEFAULT_RETRY_SECONDS = 30


def delay_failed(sqs_event: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    """Push back the next attempt of every message `result` reports as failed (best effort:
    a message whose delay cannot be set simply returns after the queue's own timeout)."""
    failed = {item["itemIdentifier"] for item in result.get("batchItemFailures") or []}
    queue_url = settings().get("EVENTS_QUEUE_URL")
    if not failed or not queue_url:
        return
    from keneya.aws import client

    base = settings().get_int("DELIVERY_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)
    for record in sqs_event.get("Records") or []:
        if record.get("messageId") not in failed:
            continue
        received = int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
        delay = backoff_seconds(received, base)
        try:
            client("sqs").change_message_visibility(
                QueueUrl=queue_url,
                ReceiptHandle=record["receiptHandle"],
                VisibilityTimeout=delay,
            )
        except Exception as error:
            logger.warning(
                "could not delay a failed event",
                extra={"message_id": record.get("messageId"), "error": type(error).__name__},
            )
            continue
        logger.info(
            "failed event delayed",
            extra={"message_id": record.get("messageId"), "receive_count": received,
                   "delay_seconds": delay},
        )
