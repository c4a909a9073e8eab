"""Counting every AWS request a function makes (`keneya.aws_requests`), and the consumer's
applied record written in the handler's own transaction (`keneya.consumer.with_applied_record`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import handlers
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from keneya import aws, aws_requests, consumer
from keneya.aws import table_meta
from keneya.events import new_event

from .test_event_backbone import (  # noqa: F401 (the fixture)
    REGION,
    backbone,
    deliver,
    receive,
    registered,
)


@pytest.fixture
def counting(monkeypatch) -> Iterator[None]:
    """Counting on for this test only: the handler goes in a copy of botocore's list."""
    monkeypatch.setenv(aws_requests.ENVIRONMENT, "1")
    monkeypatch.setattr(handlers, "BUILTIN_HANDLERS", list(handlers.BUILTIN_HANDLERS))
    monkeypatch.setattr(aws_requests, "_installed", False)
    assert aws_requests.install()
    yield
    monkeypatch.setattr(aws_requests, "_installed", False)


def test_counting_is_off_unless_asked(monkeypatch):
    monkeypatch.delenv(aws_requests.ENVIRONMENT, raising=False)
    monkeypatch.setattr(aws_requests, "_installed", False)
    assert not aws_requests.install()
    with aws_requests.counted() as tally:
        assert tally is None


def test_requests_of_boto3_and_pynamodb_are_counted_by_operation(
    counting, aws_endpoint, unique_name
):
    with aws_requests.counted() as tally:
        dynamodb = boto3.session.Session().client(
            "dynamodb", endpoint_url=aws_endpoint, region_name=REGION
        )
        dynamodb.create_table(
            TableName=unique_name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

        class Thing(Model):
            Meta = table_meta(unique_name)
            pk = UnicodeAttribute(hash_key=True)

        Thing(pk="a").save()
        with pytest.raises(DoesNotExist):
            Thing.get("b")

    assert tally is not None
    assert tally.requests == {
        "dynamodb.CreateTable": 1,
        "dynamodb.GetItem": 1,
        "dynamodb.PutItem": 1,
    }


class State(Model):
    Meta = table_meta("set-per-test")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()


def write_with_applied_record(table: str, event: Any) -> None:
    """A handler whose state change is one transaction, with the event's applied record."""
    State.Meta.table_name = table
    State.Meta.host = aws.client("dynamodb").meta.endpoint_url
    change = State(pk=f"STATE#{event.id}", sk="S", name=event.data["full_name"])
    put = {"Put": change.get_save_kwargs_from_instance()}
    consumer.with_applied_record(
        lambda record: aws.client("dynamodb").transact_write_items(TransactItems=[put, *record])
    )


def test_the_applied_record_written_with_the_state_change_still_applies_once(
    counting, backbone  # noqa: F811 (the fixture imported above)
):
    # given an event delivered twice, to a handler that writes its record with its change
    event = registered("u-applied")
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=backbone.queue_url, MessageBody=event.to_json())
    applied: list[str] = []

    def handler(e: Any) -> None:
        applied.append(e.id)
        write_with_applied_record(backbone.table, e)

    # when it is consumed, then consumed again
    with aws_requests.counted() as first:
        failed = deliver(backbone, receive(backbone.queue_url, 1), {"user.registered": handler})
    sqs.send_message(QueueUrl=backbone.queue_url, MessageBody=event.to_json())
    failed += deliver(backbone, receive(backbone.queue_url, 1), {"user.registered": handler})

    # then it was applied once, its record marked in the handler's transaction and not again
    assert applied == [event.id] and failed == []
    assert first is not None
    assert first.requests.get("dynamodb.TransactWriteItems") == 1
    assert "dynamodb.UpdateItem" not in first.requests
    stored = boto3.client("dynamodb", region_name=REGION).scan(TableName=backbone.table)
    statuses = [i["status"]["S"] for i in stored["Items"] if "status" in i]
    assert statuses == ["COMPLETED"]


def test_outside_a_handler_there_is_no_record_to_write():
    given: list[list[dict]] = []
    consumer.with_applied_record(given.append)
    assert given == [[]]


@pytest.fixture
def counting_stack(tmp_path: Path, monkeypatch) -> Iterator[Any]:
    """The notifications service alone in the embedded stack, counting, on a moto server in a
    process of its own: moto's state is global to a process, and the template's resource names
    would be the session platform's."""
    from keneya_local.backing_services import start_moto
    from keneya_local.stack import EmbeddedStack

    monkeypatch.setenv(aws_requests.ENVIRONMENT, "1")  # passed on to the function's process
    moto = start_moto("127.0.0.1", 0)
    try:
        stack = EmbeddedStack(
            http_port=0,
            ws_port=0,
            aws_endpoint=moto.url,
            services=["notifications"],
            log_dir=tmp_path,
        )
        with stack:
            yield stack
    finally:
        moto.stop()


def request_lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    lines = []
    for raw in log.read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("message") == "aws requests":
            lines.append(line)
    return lines


def test_a_function_in_the_embedded_stack_reports_what_each_event_cost(counting_stack):
    # given the notifications service, counting its requests
    stack = counting_stack
    topic = stack.deployment.services["notifications"].environment["EVENTS_TOPIC_ARN"]
    event = new_event(
        "consultation.reminder_due",
        {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "d-1",
         "starts_at": "2030-03-04T09:00:00Z", "minutes_before": 60},
        source="consultations",
    )

    # when an event reaches it
    boto3.client("sns", endpoint_url=stack.aws_endpoint, region_name=REGION).publish(
        TopicArn=topic,
        Message=event.to_json(),
        MessageAttributes={"type": {"DataType": "String", "StringValue": event.type}},
    )
    log = stack.log_dir / "notifications.log"
    deadline = time.monotonic() + 60
    while not (lines := request_lines(log)) and time.monotonic() < deadline:
        time.sleep(0.2)

    # then its log says what the event's handling sent, by operation, from the function itself
    [line] = lines
    [cost] = line["aws_requests"]["events"]
    assert (cost["event_id"], cost["outcome"]) == (event.id, "applied")
    requests = cost["requests"]
    # two notices stored (nobody's socket open), the applied record claimed, then the outcomes
    # written in one transaction with the record
    assert requests["dynamodb.PutItem"] == 3
    assert requests["dynamodb.TransactWriteItems"] == 1
    assert "dynamodb.UpdateItem" not in requests
    assert line["aws_requests"]["total"] == {
        op: n + line["aws_requests"]["batch"].get(op, 0) for op, n in requests.items()
    }
