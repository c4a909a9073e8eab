"""Fixtures of the users service's tests: a clock to set, profiles to start from, and (for the
tests over HTTP) people with real accounts on the whole platform."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest


class FakeClock:
    """A clock the test moves: `clock.advance(days=1)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2031, 3, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# -- the whole platform, over HTTP -----------------------------------------------------------


@pytest.fixture(scope="session")
def users_api(platform: Any) -> Any:
    from .over_http import UsersApi

    return UsersApi(platform)


@pytest.fixture(scope="session")
def people(platform: Any, users_api: Any) -> Any:
    from .over_http import People

    return People(platform, users_api)


@pytest.fixture(scope="session")
def admin(people: Any) -> Any:
    """One administrator for the session (creating one runs the auth service's command)."""
    return people.admin()


@pytest.fixture
def listed_doctor(people: Any, users_api: Any, admin: Any) -> Callable[..., Any]:
    """A doctor with a complete profile (`fields` override it), verified by an administrator."""
    from .over_http import listed_doctor as make

    return lambda full_name="Moussa Diarra", **fields: make(
        people, users_api, admin, full_name, **fields
    )


@pytest.fixture(scope="session")
def published(platform: Any) -> Iterator[Any]:
    """Every event published on the platform from now on, read from a queue of the tests'
    own subscribed to the events topic (each checked against the catalogue when read)."""
    import boto3

    from tests.auth.over_http import PublishedEvents

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=platform.aws_endpoint, region_name="us-east-1")

    sqs, sns = client("sqs"), client("sns")
    queue_url = sqs.create_queue(QueueName=f"users-tests-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    subscription = sns.subscribe(
        TopicArn=platform.deployment.services["users"].environment["EVENTS_TOPIC_ARN"],
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    try:
        yield PublishedEvents(sqs, queue_url)
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=queue_url)
