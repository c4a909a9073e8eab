"""Events travel outbox -> DynamoDB stream -> SNS -> filtered SQS -> consumer, over a moto
server reached by HTTP, with the shared layer's outbox, relay and consumer."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model

from keneya import aws, config, consumer, outbox
from keneya.aws import table_meta
from keneya.events import Event, new_event
from keneya.outbox import OutboxTransaction
from keneya.relay import relay

from .lambda_events import sqs_event, stream_event

REGION = "us-east-1"
MAX_RECEIVE_COUNT = 2
VISIBILITY_SECONDS = 1


@dataclass
class Backbone:
    table: str
    stream_arn: str
    topic_arn: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    shard_iterator: str | None = None


def _clear_process_caches() -> None:
    config.settings.cache_clear()
    aws.client.cache_clear()
    outbox._connection.cache_clear()
    outbox.outbox_model.cache_clear()
    consumer._apply_once.cache_clear()


@pytest.fixture
def backbone(aws_endpoint, unique_name, monkeypatch) -> Iterator[Backbone]:
    dynamodb = boto3.client("dynamodb", endpoint_url=aws_endpoint, region_name=REGION)
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=aws_endpoint, region_name=REGION)

    table = dynamodb.create_table(
        TableName=unique_name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    topic_arn = sns.create_topic(Name=f"{unique_name}-events")["TopicArn"]
    dlq_url = sqs.create_queue(QueueName=f"{unique_name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=f"{unique_name}-queue",
        Attributes={
            "VisibilityTimeout": str(VISIBILITY_SECONDS),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
            ),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"type": ["user.registered", "user.phone_verified"]}),
        },
    )

    monkeypatch.setenv("TABLE_NAME", unique_name)
    monkeypatch.setenv("EVENTS_TOPIC_ARN", topic_arn)
    monkeypatch.setenv("SERVICE_NAME", "backbone-test")
    _clear_process_caches()
    yield Backbone(unique_name, table["LatestStreamArn"], topic_arn, queue_url, queue_arn, dlq_url)
    _clear_process_caches()


class LambdaContext:
    """What Lambda passes a handler, as much of it as the consumer reads."""

    function_name = "backbone-consumer"
    aws_request_id = "req-1"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:backbone-consumer"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class Profile(Model):
    """A stand-in for a service's state item, written in the same transaction as its event."""

    Meta = table_meta("set-per-test")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()


def profile_in(table: str, **values: str) -> Profile:
    Profile.Meta.table_name = table
    Profile.Meta.host = config.settings().aws_endpoint_url
    return Profile(**values)


def registered(user_id: str = "u1") -> Event:
    return new_event(
        "user.registered",
        {"user_id": user_id, "role": "patient", "full_name": "Awa Traoré", "language": "fr"},
    )


def relay_new_stream_records(backbone: Backbone) -> dict:
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    if backbone.shard_iterator is None:
        shard = streams.describe_stream(StreamArn=backbone.stream_arn)["StreamDescription"][
            "Shards"
        ][0]
        backbone.shard_iterator = streams.get_shard_iterator(
            StreamArn=backbone.stream_arn,
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
    page = streams.get_records(ShardIterator=backbone.shard_iterator)
    backbone.shard_iterator = page["NextShardIterator"]
    return relay(stream_event(page["Records"], backbone.stream_arn, REGION))


def receive(queue_url: str, expected: int, timeout: float = 10.0) -> list[dict]:
    sqs = boto3.client("sqs", region_name=REGION)
    by_id: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while len(by_id) < expected and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", []):
            # A message seen again after its visibility timeout keeps its latest receipt.
            by_id[message["MessageId"]] = message
    return list(by_id.values())


def deliver(backbone: Backbone, messages: list[dict], handlers) -> list[str]:
    """Hand `messages` to the consumer as Lambda would: delete those it did not report failed."""
    result = consumer.consume(
        sqs_event(messages, backbone.queue_arn, REGION), handlers, context=LambdaContext()
    )
    failed = [item["itemIdentifier"] for item in result["batchItemFailures"]]
    sqs = boto3.client("sqs", region_name=REGION)
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=backbone.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return failed


def test_an_event_travels_from_the_outbox_to_its_consumer(backbone):
    # given a state change committed together with its event
    event = registered()
    with OutboxTransaction() as tx:
        tx.save(profile_in(backbone.table, pk="USER#u1", sk="PROFILE", name="Awa"))
        tx.emit(event)

    # when the stream relays it and the consumer's queue delivers it
    relayed = relay_new_stream_records(backbone)
    messages = receive(backbone.queue_url, expected=1)
    applied: list[Event] = []
    failed = deliver(backbone, messages, {"user.registered": applied.append})

    # then the consumer applied exactly that event, with its type as a message attribute
    assert relayed == {"batchItemFailures": []}
    assert failed == []
    assert applied == [event]
    assert messages[0]["MessageAttributes"]["type"]["StringValue"] == "user.registered"


def test_a_state_change_that_fails_writes_no_event(backbone):
    first = profile_in(backbone.table, pk="USER#u1", sk="PROFILE", name="Awa")
    first.save()

    with pytest.raises(TransactWriteError), OutboxTransaction() as tx:
        tx.save(
            profile_in(backbone.table, pk="USER#u1", sk="PROFILE", name="Bintou"),
            condition=Profile.pk.does_not_exist(),
        )
        tx.emit(registered())

    table_items = boto3.client("dynamodb", region_name=REGION).scan(TableName=backbone.table)
    keys = [item["pk"]["S"] for item in table_items["Items"]]
    assert keys == ["USER#u1"]


def test_an_event_no_subscription_asked_for_is_not_delivered(backbone):
    with OutboxTransaction() as tx:
        tx.emit(
            new_event(
                "payment.refunded",
                {
                    "payment_id": "p1",
                    "consultation_id": "c1",
                    "payer_id": "u1",
                    "amount_xof": 5000,
                    "provider": "orange_money",
                },
            )
        )
        tx.emit(new_event("user.phone_verified", {"user_id": "u1", "phone": "+22370000000"}))

    relay_new_stream_records(backbone)
    messages = receive(backbone.queue_url, expected=2, timeout=3)

    assert [m["MessageAttributes"]["type"]["StringValue"] for m in messages] == [
        "user.phone_verified"
    ]


def test_only_the_record_whose_handler_raised_is_redelivered(backbone):
    # given three events in one batch, the second of which its handler cannot apply yet
    events = [registered(f"u{n}") for n in range(3)]
    with OutboxTransaction() as tx:
        for event in events:
            tx.emit(event)
    relay_new_stream_records(backbone)
    applied: list[str] = []

    def apply(event: Event) -> None:
        if event.data["user_id"] == "u1" and "u1" not in failures_seen:
            failures_seen.add("u1")
            raise RuntimeError("profile store unavailable")
        applied.append(event.data["user_id"])

    failures_seen: set[str] = set()

    # when the batch is delivered
    first_batch = receive(backbone.queue_url, expected=3)
    failed = deliver(backbone, first_batch, {"user.registered": apply})

    # then only that record failed, and it alone comes back after the visibility timeout
    failed_event_ids = [
        json.loads(m["Body"])["id"] for m in first_batch if m["MessageId"] in failed
    ]
    assert failed_event_ids == [events[1].id]
    redelivered = receive(backbone.queue_url, expected=1, timeout=VISIBILITY_SECONDS + 5)
    assert [json.loads(m["Body"])["id"] for m in redelivered] == [events[1].id]
    assert redelivered[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert deliver(backbone, redelivered, {"user.registered": apply}) == []
    assert sorted(applied) == ["u0", "u1", "u2"]


def test_a_poison_message_reaches_the_dead_letter_queue_with_a_logged_reason(backbone, caplog):
    # given a message on the queue that is not a valid event
    poison = json.loads(registered().to_json())
    poison["data"]["role"] = "nurse"
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=backbone.queue_url, MessageBody=json.dumps(poison)
    )

    # when it is delivered as many times as the queue allows
    for _ in range(MAX_RECEIVE_COUNT):
        messages = receive(backbone.queue_url, expected=1, timeout=VISIBILITY_SECONDS + 5)
        assert deliver(backbone, messages, {"user.registered": lambda e: None}) == [
            messages[0]["MessageId"]
        ]

    # then the next receive moves it to the dead-letter queue, and each failure said why
    assert receive(backbone.queue_url, expected=1, timeout=VISIBILITY_SECONDS + 2) == []
    dead = receive(backbone.dlq_url, expected=1)
    assert json.loads(dead[0]["Body"])["id"] == poison["id"]
    reasons = [r.reason for r in caplog.records if r.getMessage().startswith("event rejected")]
    assert len(reasons) == MAX_RECEIVE_COUNT
    assert all("role" in reason for reason in reasons)


def test_a_duplicate_delivery_is_applied_once(backbone):
    # given the same event delivered twice (SNS and SQS are at-least-once)
    event = registered()
    sqs = boto3.client("sqs", region_name=REGION)
    for _ in range(2):
        sqs.send_message(QueueUrl=backbone.queue_url, MessageBody=event.to_json())
    applied: list[str] = []

    # when both copies are consumed, in one batch and then again alone
    messages = receive(backbone.queue_url, expected=2)
    failed = deliver(backbone, messages, {"user.registered": lambda e: applied.append(e.id)})
    sqs.send_message(QueueUrl=backbone.queue_url, MessageBody=event.to_json())
    again = receive(backbone.queue_url, expected=1)
    failed += deliver(backbone, again, {"user.registered": lambda e: applied.append(e.id)})

    # then the handler ran once and no copy is left to retry
    assert applied == [event.id]
    assert failed == []


def test_a_refused_transaction_publishes_nothing_and_later_events_still_flow(backbone):
    # given a relay already reading the stream, a state change refused by its condition, then
    # one that commits
    profile_in(backbone.table, pk="USER#u1", sk="PROFILE", name="Awa").save()
    relay_new_stream_records(backbone)
    refused = registered("refused")
    with pytest.raises(TransactWriteError), OutboxTransaction() as tx:
        tx.save(
            profile_in(backbone.table, pk="USER#u1", sk="PROFILE", name="Bintou"),
            condition=Profile.pk.does_not_exist(),
        )
        tx.emit(refused)
    committed = registered("committed")
    with OutboxTransaction() as tx:
        tx.emit(committed)

    # when the stream is relayed
    relay_new_stream_records(backbone)
    messages = receive(backbone.queue_url, expected=2, timeout=3)

    # then only the committed event was published (the stream was not left behind)
    assert [json.loads(m["Body"])["id"] for m in messages] == [committed.id]
