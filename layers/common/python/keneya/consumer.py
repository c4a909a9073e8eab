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
  The record is written twice: "in progress" before the handler runs, "completed" after. A
  handler whose last act is one transaction can take the second write into it
  (`with_applied_record`): the event is then marked applied in the same write as its state
  change, one request fewer, and never marked without it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from keneya import aws_requests
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


@dataclass
class _Handling:
    """The event a handler is applying, and whether its record was written with the handler's
    own transaction."""

    store: Any
    event: dict[str, Any]
    written: bool = False


_handling: ContextVar[_Handling | None] = ContextVar("keneya_consumer_handling", default=None)


def with_applied_record(write: Callable[[list[dict[str, Any]]], None]) -> None:
    """Call `write(items)`, where `items` are TransactWriteItems entries the caller commits in
    its own transaction: the record marking the event being handled applied (none outside a
    handler). Once `write` returns, the consumer does not write that record itself.

    The handler must return normally after this: an exception would have the consumer delete
    the record, and the event would be applied again when it comes back."""
    handling = _handling.get()
    if handling is None or handling.written:
        write([])
        return
    write([{"Update": _completed_update(handling.store, handling.event)}])
    handling.written = True


def _completed_update(store: Any, event: dict[str, Any]) -> dict[str, Any]:
    """What `save_success` of aws-lambda-powertools writes for a handler that returned None,
    as a transaction's Update: the same key, status, expiry and response."""
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import (
        STATUS_CONSTANTS,
    )

    key = store._get_hashed_idempotency_key(data=event)
    return {
        "TableName": store.table_name,
        "Key": store._get_key(key),
        "UpdateExpression": "SET #response_data = :response_data, #expiry = :expiry, "
        "#status = :status",
        "ExpressionAttributeNames": {
            "#response_data": store.data_attr,
            "#expiry": store.expiry_attr,
            "#status": store.status_attr,
        },
        "ExpressionAttributeValues": {
            ":response_data": {"S": json.dumps(None)},
            ":expiry": {"N": str(store._get_expiry_timestamp())},
            ":status": {"S": STATUS_CONSTANTS["COMPLETED"]},
        },
    }


@cache
def _apply_once(table_name: str, consumer: str) -> Callable[..., Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    class AppliedRecords(DynamoDBPersistenceLayer):
        def _update_record(self, data_record: Any) -> None:
            handling = _handling.get()
            if handling is not None and handling.written:
                return  # written already, with the handler's state change
            super()._update_record(data_record)

    store = AppliedRecords(
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
    apply.store = store  # type: ignore[attr-defined]
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

    costs: list[dict[str, Any]] = []

    def handle(record: Any) -> None:
        with aws_requests.counted() as tally:
            cost: dict[str, Any] = {"message_id": record.message_id, "outcome": "failed"}
            try:
                _handle(record, cost)
            finally:
                if tally is not None:
                    costs.append({**cost, "requests": tally.stop()})

    def _handle(record: Any, cost: dict[str, Any]) -> None:
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
        cost.update(event_id=event.id, event_type=event.type)
        handler = handlers.get(event.type)
        if handler is None:
            cost["outcome"] = "no_handler"
            # The subscription's filter policy should have kept it away: say so, do not fail.
            logger.warning(
                "no handler for event type; acknowledged",
                extra={"event_id": event.id, "event_type": event.type},
            )
            return
        ran = []

        def counted_handler(applied: Event) -> Any:
            ran.append(True)
            return handler(applied)

        data = event.model_dump(mode="json")
        # Set around the whole of `apply`: its record is completed after the handler returns.
        token = _handling.set(_Handling(apply.store, data))
        try:
            apply(event=data, handler=counted_handler)
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
        finally:
            _handling.reset(token)
        cost["outcome"] = "applied" if ran else "already_applied"
        logger.info("event applied", extra={"event_id": event.id, "event_type": event.type})

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with aws_requests.counted() as batch:
        result = process_partial_response(
            event=raw, record_handler=handle, processor=processor, context=context
        )
    if batch is not None:
        _report(consumer or settings().service_name, batch.stop(), costs)
    return result


def _report(consumer: str, total: dict[str, int], events: list[dict[str, Any]]) -> None:
    """One line per batch: what each event's handling cost, and what the batch cost beside
    them (reads or writes made once for all its events)."""
    shared = dict(total)
    for cost in events:
        for operation, count in cost["requests"].items():
            shared[operation] = shared.get(operation, 0) - count
    logger.info(
        "aws requests",
        extra={
            "consumer": consumer,
            "aws_requests": {
                "events": events,
                "batch": {k: v for k, v in shared.items() if v},
                "total": total,
            },
        },
    )
