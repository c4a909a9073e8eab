"""Fixtures of the notifications service's tests over the whole platform."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.support.notifications import Inbox, Topic, sign_up
from tests.support.people import Person, eventually


@pytest.fixture(scope="session")
def topic(platform: Any) -> Topic:
    return Topic(platform)


@pytest.fixture(scope="session")
def notifications_table(platform: Any) -> Any:
    """The service's table, to see what it keeps of a connection (nothing after it is gone)."""
    name = platform.deployment.services["notifications"].environment["TABLE_NAME"]
    resource = boto3.resource(
        "dynamodb", endpoint_url=platform.aws_endpoint, region_name="us-east-1"
    )
    return resource.Table(name)


def welcomed(platform: Any, person: Person, role: str) -> Person:
    """`person` once the service has learned of them (their welcome is in their inbox), so a
    test starts from a known inbox and the service knows the person's name and language."""
    inbox = Inbox(platform, person)
    # Generous: on a loaded machine the event crosses three pollers before it lands.
    assert eventually(
        lambda: any(item["type"] == f"welcome.{role}" for item in inbox.items()), timeout=45
    ), "user.registered did not reach the notifications service"
    return person


@pytest.fixture
def patient(platform: Any) -> Person:
    return welcomed(platform, sign_up(platform, full_name="Awa Traoré"), "patient")


@pytest.fixture
def doctor(platform: Any) -> Person:
    return welcomed(platform, sign_up(platform, role="doctor", full_name="Moussa Sidibé"), "doctor")
