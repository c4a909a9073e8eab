"""Fixtures of the payments service's tests over HTTP: the platform with its mobile-money
sandboxes, people and bookings through the real auth and consultations services, the payment
events published, and the ledger checked after every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from keneya_local.mobile_money.client import SandboxControl
from tests.support.auth import PublishedEvents, published_events

# People, bookable doctors and the consultations API, as the consultations tests make them.
from tests.support.consultation_fixtures import (  # noqa: F401
    api,
    aws,
    environment,
    new_doctor,
    new_patient,
    patient,
    published,
    topic,
)
from tests.support.payments import Payments, ledger_sums

PAYMENT_EVENTS = [
    "payment.initiated",
    "payment.succeeded",
    "payment.failed",
    "payment.expired",
    "payment.refunded",
]


@pytest.fixture(scope="session")
def payments_environment(platform: Any) -> dict[str, str]:
    return dict(platform.deployment.services["payments"].environment)


@pytest.fixture
def orange(platform: Any) -> Iterator[SandboxControl]:
    """The platform's Orange Money sandbox (the one `make up` serves), through its control API;
    the faults a test leaves behind are forgotten after it."""
    control = SandboxControl(platform.sandboxes.orange_money.base_url)
    yield control
    control.clear_faults()


@pytest.fixture
def moov(platform: Any) -> Iterator[SandboxControl]:
    """The platform's Moov Money sandbox, through its control API."""
    control = SandboxControl(platform.sandboxes.moov_money.base_url)
    yield control
    control.clear_faults()


@pytest.fixture
def payments(platform: Any) -> Payments:
    return Payments(platform)


@pytest.fixture(scope="session")
def payment_table(payments_environment: dict[str, str], aws_endpoint: str) -> Any:
    import boto3

    resource = boto3.resource("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    return resource.Table(payments_environment["TABLE_NAME"])


@pytest.fixture
def ledger_balances(payment_table: Any) -> Iterator[None]:
    """After the test, every transaction of the ledger sums to zero."""
    yield
    unbalanced = {txn: total for txn, total in ledger_sums(payment_table).items() if total}
    assert not unbalanced, f"ledger transactions that do not balance: {unbalanced}"


@pytest.fixture(scope="session")
def payment_events(
    payments_environment: dict[str, str],
    aws: Callable[[str], Any],  # noqa: F811 (the fixture imported above)
) -> Iterator[PublishedEvents]:
    """Every payment event the platform publishes, read from a queue of the tests' own."""
    endpoint = aws("sqs").meta.endpoint_url
    topic_arn = payments_environment["EVENTS_TOPIC_ARN"]
    with published_events(endpoint, topic_arn, PAYMENT_EVENTS) as events:
        yield events
