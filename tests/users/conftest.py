"""Fixtures of the users service's tests: a clock to set, profiles to start from, and (for the
tests over HTTP) people with real accounts on the whole platform."""

from __future__ import annotations

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
    from tests.support.users import UsersApi

    return UsersApi(platform)


@pytest.fixture(scope="session")
def people(platform: Any, users_api: Any) -> Any:
    from tests.support.users import People

    return People(platform, users_api)


@pytest.fixture(scope="session")
def admin(people: Any) -> Any:
    """One administrator for the session (creating one runs the auth service's command)."""
    return people.admin()


@pytest.fixture
def listed_doctor(people: Any, users_api: Any, admin: Any) -> Callable[..., Any]:
    """A doctor with a complete profile (`fields` override it), verified by an administrator."""
    from tests.support.users import listed_doctor as make

    return lambda full_name="Moussa Diarra", **fields: make(
        people, users_api, admin, full_name, **fields
    )


@pytest.fixture(scope="session")
def published(platform: Any) -> Iterator[Any]:
    """Every event published on the platform from now on, read from a queue of the tests'
    own subscribed to the events topic (each checked against the catalogue when read)."""
    from tests.support.auth import published_events

    topic_arn = platform.deployment.services["users"].environment["EVENTS_TOPIC_ARN"]
    with published_events(platform.aws_endpoint, topic_arn) as published:
        yield published
