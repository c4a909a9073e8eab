"""Fixtures of the payments service's tests over HTTP: the platform with its providers'
simulators, people and bookings through the real auth and consultations services, the payment
events published, and the ledger checked after every test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.auth.over_http import PublishedEvents, published_events

# People, bookable doctors and the consultations API, as the consultations tests make them.
from tests.consultations.conftest import (  # noqa: F401
    api,
    aws,
    environment,
    new_doctor,
    new_patient,
    patient,
    published,
    topic,
)

from .over_http import Payments, ledger_sums
from .provider_simulators import MoovMoneySimulator, OrangeMoneySimulator

# Short, so a test of a provider timeout waits seconds, not the deployed ten.
PROVIDER_TIMEOUT_SECONDS = 2
ORANGE = {"client_id": "keneya-client", "client_secret": "om-s3cret", "merchant_key": "mk-ml-01"}
PAYMENT_EVENTS = [
    "payment.initiated",
    "payment.succeeded",
    "payment.failed",
    "payment.expired",
    "payment.refunded",
]
MOOV = {"username": "keneya", "password": "moov-s3cret", "merchant_id": "MALITEL-KENEYA"}


@pytest.fixture(scope="session")
def payments_environment(platform: Any) -> dict[str, str]:
    return dict(platform.deployment.services["payments"].environment)


@pytest.fixture(scope="session")
def providers(
    payments_environment: dict[str, str],
    aws: Callable[[str], Any],  # noqa: F811 (the fixture imported above)
) -> Iterator[tuple[OrangeMoneySimulator, MoovMoneySimulator]]:
    """Both providers' simulators, and the platform's provider secrets pointing at them."""
    secrets = aws("secretsmanager")
    with (
        OrangeMoneySimulator(**ORANGE) as orange,
        MoovMoneySimulator(**MOOV) as moov,
    ):
        for arn, sim, credentials in (
            (payments_environment["ORANGE_MONEY_SECRET_ARN"], orange, ORANGE),
            (payments_environment["MOOV_MONEY_SECRET_ARN"], moov, MOOV),
        ):
            value = {
                **credentials,
                "base_url": sim.url,
                "timeout_seconds": PROVIDER_TIMEOUT_SECONDS,
            }
            secrets.put_secret_value(SecretId=arn, SecretString=json.dumps(value))
        yield orange, moov


@pytest.fixture
def orange(providers: tuple[OrangeMoneySimulator, MoovMoneySimulator]) -> OrangeMoneySimulator:
    return providers[0]


@pytest.fixture
def moov(providers: tuple[OrangeMoneySimulator, MoovMoneySimulator]) -> MoovMoneySimulator:
    return providers[1]


@pytest.fixture
def payments(platform: Any, providers: Any) -> Payments:
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
