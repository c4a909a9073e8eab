"""Consuming events from a service's SQS queue: partial batch failures, applied once.

    @app.on_sqs_message(queue=events_queue_name("users"), batch_size=10)
    def on_event(event):
        return consume(event, {"user.registered": create_profile})

- A record whose handler raises is reported in `batchItemFailures`: only it is redelivered.
- A record that is not a valid event (envelope or payload against the catalogue) fails too, with
  a log line naming why; after the queue's `maxReceiveCount` it lands in the dead-letter queue.
  Nothing is dropped silently.
- Each event is applied once per consumer, keyed on its id (aws-lambda-powertools idempotency,
  records in the service's own table): a redelivered event returns without running the handler.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import cache
from typing import Any

from keneya.aws import client
from keneya.config import settings
from keneya.correlation import bind_correlation_id
from keneya.events import Event, InvalidEvent, parse_event
from keneya.logs import logger

EventHandler = Callable[[Event], Any]

# How long an applied event id is remembered; SQS keeps a message 14 days at most.
REMEMBER_APPLIED_FOR = timedelta(days=15)


def events_queue_name(service: str) -> str:
    """The queue a service consumes, from its environment; a placeholder while packaging,
    which the packaging step replaces with the queue the template creates."""
    return os.environ.get("EVENTS_QUEUE_NAME", f"keneya-{service}-events")


@cache
def _apply_once(table_name: str, consumer: str) -> Callable[..., Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    store = DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"APPLIED#{consumer}",
        expiry_attr="expires_at",
        boto3_client=client("dynamodb"),
    )
    config = IdempotencyConfig(
        event_key_jmespath="id",
        expires_after_seconds=int(REMEMBER_APPLIED_FOR.total_seconds()),
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="event", config=config, persistence_store=store)
    def apply(event: dict[str, Any], handler: EventHandler) -> None:
        handler(Event.model_validate(event))

    apply.config = config  # type: ignore[attr-defined]
    return apply


def consume(
    sqs_event: Any,
    handlers: Mapping[str, EventHandler],
    *,
    context: Any = None,
    consumer: str | None = None,
    table_name: str | None = None,
) -> dict[str, Any]:
    """Apply each event of an SQS batch with the handler for its type; returns the partial
    batch response Lambda expects (`{"batchItemFailures": [...]}`)."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    raw = sqs_event.to_dict() if hasattr(sqs_event, "to_dict") else sqs_event
    context = context if context is not None else getattr(sqs_event, "context", None)
    apply = _apply_once(table_name or settings().table_name, consumer or settings().service_name)
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        # Lets a crashed invocation's in-progress marker expire with the invocation.
        apply.config.register_lambda_context(context)

    def handle(record: Any) -> None:
        receive_count = record.attributes.approximate_receive_count
        try:
            event = parse_event(record.body)
        except InvalidEvent as invalid:
            logger.error(
                "event rejected; it will be retried, then dead-lettered",
                extra={
                    "message_id": record.message_id,
                    "receive_count": receive_count,
                    "reason": invalid.reason,
                },
            )
            raise
        bind_correlation_id(event.correlation_id)
        handler = handlers.get(event.type)
        if handler is None:
            # The subscription's filter policy should have kept it away: say so, do not fail.
            logger.warning(
                "no handler for event type; acknowledged",
                extra={"event_id": event.id, "event_type": event.type},
            )
            return
        try:
            apply(event=event.model_dump(mode="json"), handler=handler)
        except Exception:
            logger.exception(
                "event handler failed; the event will be retried",
                extra={
                    "event_id": event.id,
                    "event_type": event.type,
                    "receive_count": receive_count,
                },
            )
            raise
        logger.info("event applied", extra={"event_id": event.id, "event_type": event.type})

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=raw, record_handler=handle, processor=processor, context=context
    )
