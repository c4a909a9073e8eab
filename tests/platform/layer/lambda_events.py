"""Lambda-shaped events built from what boto3 returns, as Lambda's pollers hand them over."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def stream_event(records: list[dict[str, Any]], stream_arn: str, region: str) -> dict[str, Any]:
    """A DynamoDB stream event from `dynamodbstreams.get_records` records."""
    return json.loads(
        json.dumps(
            {
                "Records": [
                    {
                        "eventID": r["eventID"],
                        "eventName": r["eventName"],
                        "eventVersion": r.get("eventVersion", "1.1"),
                        "eventSource": "aws:dynamodb",
                        "awsRegion": region,
                        "dynamodb": _json_safe(r["dynamodb"]),
                        "eventSourceARN": stream_arn,
                    }
                    for r in records
                ]
            }
        )
    )


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS event from `sqs.receive_message` messages (all attributes requested)."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": a.get("StringValue"),
                        "binaryValue": a.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": a["DataType"],
                    }
                    for name, a in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }
