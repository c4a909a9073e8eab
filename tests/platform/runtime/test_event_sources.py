"""SQS and DynamoDB stream events reach the functions as Lambda's event source mappings deliver
them, with partial batch failures, redelivery and the dead-letter queue."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from keneya_local.stack import EmbeddedStack

from .journal import Journal, eventually

pytestmark = pytest.mark.slow


def _order_id() -> str:
    return uuid.uuid4().hex[:10]


def test_an_event_published_on_the_topic_reaches_the_consumer_through_its_queue(
    local_stack: EmbeddedStack, journal: Journal, aws: Any, names: dict[str, str]
):
    sns = aws("sns")
    topic = sns.create_topic(Name=names["topic"])["TopicArn"]
    order = _order_id()

    sns.publish(
        TopicArn=topic,
        Message=json.dumps({"id": order}),
        MessageAttributes={"type": {"DataType": "String", "StringValue": "order.placed"}},
    )

    (entry,) = journal.wait_for("sqs", order=order)
    assert entry["receive_count"] == "1"
    assert entry["type"] == "order.placed"
    assert entry["source"] == "aws:sqs"
    assert entry["arn"].endswith(f":{names['orders_queue']}")


def test_a_reported_failure_is_redelivered_then_dead_lettered_while_the_rest_is_deleted(
    local_stack: EmbeddedStack, journal: Journal, aws: Any, names: dict[str, str]
):
    sqs = aws("sqs")
    queue = sqs.get_queue_url(QueueName=names["orders_queue"])["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=names["orders_dlq"])["QueueUrl"]
    good, bad = _order_id(), _order_id()

    sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "good", "MessageBody": json.dumps({"id": good})},
            {"Id": "bad", "MessageBody": json.dumps({"id": bad, "fail": True})},
        ],
    )

    # maxReceiveCount is 2: two attempts, then the dead-letter queue.
    attempts = journal.wait_for("sqs", count=2, order=bad)
    assert [a["receive_count"] for a in attempts] == ["1", "2"]

    def dead_lettered() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
        return [m for m in messages if json.loads(m["Body"])["id"] in (good, bad)]

    (letter,) = eventually(dead_lettered, timeout=10)
    assert json.loads(letter["Body"])["id"] == bad
    assert len(journal.entries("sqs", order=good)) == 1
    assert len(journal.entries("sqs", order=bad)) == 2


def test_a_table_write_reaches_the_stream_consumer(local_stack: EmbeddedStack, journal: Journal):
    order = _order_id()

    response = requests.post(
        local_stack.url("shop", "/orders"), json={"id": order, "total": 1500}, timeout=5
    )

    assert response.status_code == 201
    (entry,) = journal.wait_for(
        "stream", keys={"pk": {"S": f"ORDER#{order}"}, "sk": {"S": "ORDER"}}
    )
    assert entry["event_name"] == "INSERT"
    assert entry["new_image"]["total"] == {"N": "1500"}
    assert entry["source"] == "aws:dynamodb"


def test_messages_arrive_in_batches_of_at_most_the_batch_size(
    local_stack: EmbeddedStack, journal: Journal, aws: Any, names: dict[str, str]
):
    sqs = aws("sqs")
    queue = sqs.get_queue_url(QueueName=names["orders_queue"])["QueueUrl"]
    orders = [_order_id() for _ in range(8)]

    sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": str(i), "MessageBody": json.dumps({"id": o})} for i, o in enumerate(orders)
        ],
    )

    entries = eventually(
        lambda: (
            found
            if len(found := [e for e in journal.entries("sqs") if e["order"] in orders])
            == len(orders)
            else None
        )
    )
    # The consumer declares batch_size=5.
    assert max(entry["batch"] for entry in entries) == 5
    assert sorted(entry["order"] for entry in entries) == sorted(orders)


def test_a_stream_record_reported_failed_is_delivered_again_and_then_the_rest(
    local_stack: EmbeddedStack, journal: Journal
):
    flaky, after = _order_id(), _order_id()

    requests.post(
        local_stack.url("shop", "/orders"), json={"id": flaky, "total": 1, "flaky": True}, timeout=5
    )
    requests.post(local_stack.url("shop", "/orders"), json={"id": after, "total": 2}, timeout=5)

    flaky_keys = {"pk": {"S": f"ORDER#{flaky}"}, "sk": {"S": "ORDER"}}
    after_keys = {"pk": {"S": f"ORDER#{after}"}, "sk": {"S": "ORDER"}}
    assert len(journal.wait_for("stream", count=2, keys=flaky_keys)) == 2
    journal.wait_for("stream", keys=after_keys)
    assert len(journal.entries("stream", keys=after_keys)) == 1
