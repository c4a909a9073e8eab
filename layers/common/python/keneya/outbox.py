"""The transactional outbox and its relay.

A service that changes state and must tell others writes the event into its own table in the
same DynamoDB transaction as the change (`OutboxTransaction`). The table's stream hands every new
outbox item to `relay`, which publishes it to the events topic with its type as a message
attribute. Nothing is lost between "saved" and "published": if publishing fails, the stream
retries the record; consumers are idempotent, so a repeated publication changes nothing.

    with OutboxTransaction() as tx:
        tx.save(booking, condition=Booking.pk.does_not_exist())
        tx.emit(new_event("consultation.booked", payload))
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from keneya.aws import client, table_meta
from keneya.config import settings
from keneya.events import Event
from keneya.logs import logger

OUTBOX_PREFIX = "OUTBOX#"
# Long enough for the stream (24 h retention) to have handed every item to the relay.
OUTBOX_RETENTION = timedelta(days=2)


@cache
def outbox_model(table_name: str) -> type[Model]:
    """The PynamoDB model of outbox items stored in `table_name` (one per service table)."""

    class OutboxItem(Model):
        Meta = table_meta(table_name)
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
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


def table_stream_arn() -> str:
    """The stream of the service's table, from its environment; a placeholder while packaging,
    which the packaging step replaces with the stream of the table the template creates."""
    return os.environ.get(
        "TABLE_STREAM_ARN",
        "arn:aws:dynamodb:us-east-1:000000000000:table/keneya-packaging/stream/placeholder",
    )


def publish(body: str, event_type: str, source: str) -> str:
    """Publish one serialised event to the events topic; returns the SNS message id."""
    response = client("sns").publish(
        TopicArn=settings().events_topic_arn,
        Message=body,
        MessageAttributes={
            "type": {"DataType": "String", "StringValue": event_type},
            "source": {"DataType": "String", "StringValue": source},
        },
    )
    return response["MessageId"]


def _relay_record(record: Any) -> None:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecordEventName,
    )

    if record.event_name != DynamoDBRecordEventName.INSERT:
        return
    image = record.dynamodb.new_image if record.dynamodb else {}
    if not str(image.get("pk", "")).startswith(OUTBOX_PREFIX):
        return
    body = image["event"]
    event = Event.model_validate_json(body)
    message_id = publish(body, event.type, event.source)
    logger.info(
        "event published",
        extra={
            "event_id": event.id,
            "event_type": event.type,
            "correlation_id": event.correlation_id,
            "sns_message_id": message_id,
        },
    )


def relay(stream_event: Any, context: Any = None) -> dict[str, Any]:
    """DynamoDB stream handler: publish every new outbox item, reporting the ones that failed.

    `stream_event` is the Lambda event (a dict, or Chalice's `DynamoDBEvent`).
    """
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    raw = stream_event.to_dict() if hasattr(stream_event, "to_dict") else stream_event
    processor = BatchProcessor(
        event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
    )
    return process_partial_response(
        event=raw, record_handler=_relay_record, processor=processor, context=context
    )
