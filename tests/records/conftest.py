"""Fixtures of the records service's tests: a MongoDB database (a real server when
`KENEYA_TEST_MONGO_URL` is set, else the in-process stand-in), and the platform's people,
topic and API for the tests over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .over_http import Person, RecordsApi, Topic, sign_up


@pytest.fixture
def db() -> Iterator[Any]:
    url = os.environ.get("KENEYA_TEST_MONGO_URL")
    if url:
        import pymongo

        client = pymongo.MongoClient(url, tz_aware=True, serverSelectionTimeoutMS=3000)
    else:
        import mongomock

        client = mongomock.MongoClient(tz_aware=True)
    name = f"records_test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)


@pytest.fixture(scope="session")
def environment(platform: Any) -> dict[str, str]:
    return dict(platform.deployment.services["records"].environment)


@pytest.fixture(scope="session")
def topic(environment: dict[str, str], aws_endpoint: str) -> Topic:
    import boto3

    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    return Topic(sns, environment["EVENTS_TOPIC_ARN"])


@pytest.fixture(scope="session")
def published(environment: dict[str, str], aws_endpoint: str) -> Iterator[Any]:
    """Every `record.updated` the platform publishes, read from a queue of the test's own."""
    import json

    import boto3

    from tests.auth.over_http import PublishedEvents

    sqs = boto3.client("sqs", endpoint_url=aws_endpoint, region_name="us-east-1")
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName=f"records-tests-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    subscription = sns.subscribe(
        TopicArn=environment["EVENTS_TOPIC_ARN"],
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"type": ["record.updated"]}),
        },
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    try:
        yield PublishedEvents(sqs, queue_url)
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=queue_url)


@pytest.fixture
def api(platform: Any) -> RecordsApi:
    return RecordsApi(platform)


@pytest.fixture
def new_person(platform: Any) -> Callable[..., Person]:
    def create(role: str = "patient", full_name: str = "Awa Traoré") -> Person:
        return sign_up(platform, role, full_name)

    return create
