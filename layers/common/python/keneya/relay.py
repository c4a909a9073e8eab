"""The outbox relay: publishes what services committed to their outbox.

Each emitting service's table stream invokes `relay`. Every new outbox item is published to the
events topic with its type as a message attribute, so subscriptions filter on it. A failed
publication is reported as a batch item failure and the stream retries from it; consumers are
idempotent, so a repeated publication changes nothing. Kept light: the relay runs in its own
Lambda and imports only what publishing needs.
"""

from __future__ import annotations

import json
import os
from typing import Any

from keneya.config import settings
from keneya.logs import logger

# Outbox items share their service's table; this prefix of their key tells them apart.
OUTBOX_PREFIX = "OUTBOX#"


def table_stream_arn() -> str:
    """The stream of the service's table, from its environment; a placeholder while packaging,
    which the packaging step replaces with the stream of the table the template creates."""
    return os.environ.get(
        "TABLE_STREAM_ARN",
        "arn:aws:dynamodb:us-east-1:000000000000:table/keneya-packaging/stream/placeholder",
    )


def publish(body: str, event_type: str, source: str) -> str:
    """Publish one serialised event to the events topic; returns the SNS message id."""
    from keneya.aws import client

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
    # The outbox only ever holds catalogue-checked events: read the envelope, not the payload.
    envelope = json.loads(body)
    message_id = publish(body, envelope["type"], envelope["source"])
    logger.info(
        "event published",
        extra={
            "event_id": envelope["id"],
            "event_type": envelope["type"],
            "correlation_id": envelope["correlation_id"],
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
