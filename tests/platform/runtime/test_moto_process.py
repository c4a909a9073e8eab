"""The stack's moto process: its arrivals, its caught messages, its kept connections, and the
Query it answers without reading the whole table.

All of it over HTTP against the session's moto process (`aws_endpoint`), as the stack and the
functions reach it.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from keneya_local.catcher import MessageCatcher


class Feed:
    """A reader of `/_keneya/arrivals`."""

    def __init__(self, endpoint: str) -> None:
        address = urllib.parse.urlsplit(endpoint)
        self.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        self.connection.request("GET", "/_keneya/arrivals")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.readline() == b"ready\n"

    def next_key(self, wanted: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            key = self.response.readline().decode().strip()
            if key == wanted:
                return key
        raise AssertionError(f"{wanted} was never announced")

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def feed(aws_endpoint: str) -> Iterator[Feed]:
    reader = Feed(aws_endpoint)
    yield reader
    reader.close()


def test_a_message_sent_to_a_queue_is_announced(aws: Any, feed: Feed, unique_name: str):
    # Given a queue and a reader of the arrivals
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=unique_name)["QueueUrl"]

    # When a message is sent to it
    sqs.send_message(QueueUrl=url, MessageBody="{}")

    # Then its queue is announced
    assert feed.next_key(f"sqs:{unique_name}")


def test_a_message_visible_again_after_its_visibility_timeout_is_announced_again(
    aws: Any, feed: Feed, unique_name: str
):
    # Given a message received once and never deleted
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=unique_name, Attributes={"VisibilityTimeout": "1"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    feed.next_key(f"sqs:{unique_name}")
    assert sqs.receive_message(QueueUrl=url).get("Messages")

    # When its visibility timeout ends, then its queue is announced again, unasked
    assert feed.next_key(f"sqs:{unique_name}", timeout=5)


def test_a_table_write_is_announced_as_a_stream_record(aws: Any, feed: Feed, unique_name: str):
    # Given a table with a stream
    dynamodb = aws("dynamodb")
    dynamodb.create_table(
        TableName=unique_name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )

    # When an item is written
    dynamodb.put_item(TableName=unique_name, Item={"pk": {"S": "a"}})

    # Then the table's stream is announced
    assert feed.next_key(f"stream:{unique_name}")


def test_the_catcher_reads_the_sms_moto_sent_from_the_moto_process(
    aws: Any, aws_endpoint: str
):
    # Given an SMS sent through SNS
    text = f"Votre code Keneya : {uuid.uuid4().hex[:6]}"
    aws("sns").publish(PhoneNumber="+22370000001", Message=text)

    # When the catcher reads what moto sent
    caught = MessageCatcher(aws_endpoint).messages()

    # Then the SMS is there, to its number
    [sms] = [m for m in caught if m.body == text]
    assert sms.channel == "sms" and sms.to == ["+22370000001"]


def test_connections_stay_open_between_requests(aws_endpoint: str):
    # Given one connection to the moto process
    address = urllib.parse.urlsplit(aws_endpoint)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        # When two requests are sent over it, one after the other
        for _ in range(2):
            connection.request("GET", "/_keneya/health")
            response = connection.getresponse()
            body = json.loads(response.read())

            # Then both are answered, and the server does not close it
            assert body == {"arrivals": True}
            assert (response.getheader("Connection") or "").lower() != "close"
    finally:
        connection.close()


# -- Query, answered from the partition asked for ---------------------------------------------


@pytest.fixture
def inbox_table(aws: Any, unique_name: str) -> str:
    """Two people's partitions, each with items in a sort order, and a sparse index."""
    dynamodb = aws("dynamodb")
    dynamodb.create_table(
        TableName=unique_name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "gsi1pk", "AttributeType": "S"},
            {"AttributeName": "gsi1sk", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for person in ("awa", "moussa"):
        for n in (3, 1, 2):
            item = {
                "pk": {"S": f"USER#{person}"},
                "sk": {"S": f"NOTE#{n}"},
                "title": {"S": f"{person} {n}"},
                "body": {"S": "Votre consultation commence dans 1 heure."},
                "link": {"M": {"consultation_id": {"S": f"c-{n}"}}},
            }
            if n != 2:  # read notifications leave the sparse index
                item["gsi1pk"] = {"S": f"UNREAD#{person}"}
                item["gsi1sk"] = {"S": f"NOTE#{n}"}
            dynamodb.put_item(TableName=unique_name, Item=item)
    return unique_name


def sort_keys(items: list[dict[str, Any]]) -> list[str]:
    return [item["sk"]["S"] for item in items]


def test_a_query_reads_its_partition_only_in_sort_order(aws: Any, inbox_table: str):
    found = aws("dynamodb").query(
        TableName=inbox_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "USER#awa"}},
    )

    assert sort_keys(found["Items"]) == ["NOTE#1", "NOTE#2", "NOTE#3"]
    assert {item["pk"]["S"] for item in found["Items"]} == {"USER#awa"}


def test_a_query_pages_backwards_from_where_it_stopped(aws: Any, inbox_table: str):
    request = {
        "TableName": inbox_table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "USER#moussa"}},
        "ScanIndexForward": False,
        "Limit": 2,
    }
    first = aws("dynamodb").query(**request)
    rest = aws("dynamodb").query(**request, ExclusiveStartKey=first["LastEvaluatedKey"])

    assert sort_keys(first["Items"]) == ["NOTE#3", "NOTE#2"]
    assert sort_keys(rest["Items"]) == ["NOTE#1"]


def test_a_query_of_a_partition_nobody_has_finds_nothing(aws: Any, inbox_table: str):
    found = aws("dynamodb").query(
        TableName=inbox_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "USER#nobody"}},
    )

    assert found["Items"] == [] and found["Count"] == 0


def test_a_projected_and_filtered_query_returns_only_the_attributes_asked_for(
    aws: Any, inbox_table: str
):
    dynamodb = aws("dynamodb")
    found = dynamodb.query(
        TableName=inbox_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :note)",
        FilterExpression="attribute_exists(gsi1pk)",
        ProjectionExpression="sk, #t, link.consultation_id",
        ExpressionAttributeNames={"#t": "title"},
        ExpressionAttributeValues={":pk": {"S": "USER#awa"}, ":note": {"S": "NOTE#"}},
        ConsistentRead=True,
    )

    assert found["Items"] == [
        {
            "sk": {"S": "NOTE#1"},
            "title": {"S": "awa 1"},
            "link": {"M": {"consultation_id": {"S": "c-1"}}},
        },
        {
            "sk": {"S": "NOTE#3"},
            "title": {"S": "awa 3"},
            "link": {"M": {"consultation_id": {"S": "c-3"}}},
        },
    ]
    # The stored item keeps every attribute.
    stored = dynamodb.get_item(
        TableName=inbox_table, Key={"pk": {"S": "USER#awa"}, "sk": {"S": "NOTE#1"}}
    )["Item"]
    assert stored["body"] == {"S": "Votre consultation commence dans 1 heure."}


def test_an_index_query_reads_the_items_whose_index_key_matches(aws: Any, inbox_table: str):
    found = aws("dynamodb").query(
        TableName=inbox_table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :unread",
        ExpressionAttributeValues={":unread": {"S": "UNREAD#moussa"}},
        ScanIndexForward=False,
    )

    assert sort_keys(found["Items"]) == ["NOTE#3", "NOTE#1"]
    assert {item["pk"]["S"] for item in found["Items"]} == {"USER#moussa"}


def test_a_stream_iterator_expires_fifteen_minutes_after_it_was_first_seen(monkeypatch):
    # moto's memory of iterators, as the moto process holds it
    from types import SimpleNamespace

    import moto.dynamodbstreams.models as streams

    from keneya_local.moto_process import StreamIteratorExpiry

    old, new = object(), object()
    backend = SimpleNamespace(shard_iterators={"old": old})
    monkeypatch.setattr(streams, "dynamodbstreams_backends", {"123": {"us-east-1": backend}})
    monkeypatch.setattr(streams.ShardIterator, "instances_tracked", [old], raising=False)
    expiry = StreamIteratorExpiry(lifetime=900)

    # Given an iterator first seen at 0, and another at 600
    assert expiry(now=0) == 0
    backend.shard_iterators["new"] = new
    streams.ShardIterator.instances_tracked.append(new)
    assert expiry(now=600) == 0

    # When 900 s have passed since the first, it is gone, as AWS expires it; the other is kept
    assert expiry(now=900) == 1
    assert backend.shard_iterators == {"new": new}
    assert streams.ShardIterator.instances_tracked == [new]

    # And the second goes 900 s after it was first seen
    assert expiry(now=1499) == 0
    assert expiry(now=1500) == 1
    assert backend.shard_iterators == {}
