"""Fixtures of the records service's tests: a MongoDB database (a real server when
`KENEYA_TEST_MONGO_URL` is set, else the in-process stand-in), and the platform's people,
topic and API for the tests over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.people import Person
from tests.support.records import RecordsApi, Topic, sign_up


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
    from tests.support.auth import published_events

    topic_arn = environment["EVENTS_TOPIC_ARN"]
    with published_events(aws_endpoint, topic_arn, ["record.updated"]) as published:
        yield published


@pytest.fixture
def api(platform: Any) -> RecordsApi:
    return RecordsApi(platform)


@pytest.fixture
def new_person(platform: Any) -> Callable[..., Person]:
    def create(role: str = "patient", full_name: str = "Awa Traoré") -> Person:
        return sign_up(platform, role, full_name)

    return create
