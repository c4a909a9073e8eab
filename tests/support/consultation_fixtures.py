"""Fixtures of the consultations service's tests over HTTP: the whole platform (the session's
`platform`), people with real accounts, bookable doctors, the events the service publishes, and
a way to publish the users and payments services' events as they would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from keneya.correlation import new_id
from tests.support.consultations import Consultations, Table, Topic, sign_up
from tests.support.people import Person, eventually

CONSULTATION_EVENTS = [
    "consultation.booked",
    "consultation.confirmed",
    "consultation.started",
    "consultation.completed",
    "consultation.cancelled",
    "consultation.expired",
    "consultation.no_show",
    "consultation.reminder_due",
]


@pytest.fixture(scope="session")
def environment(platform: Any) -> dict[str, str]:
    return dict(platform.deployment.services["consultations"].environment)


@pytest.fixture(scope="session")
def aws(aws_endpoint: str) -> Callable[[str], Any]:
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=aws_endpoint, region_name="us-east-1")

    return client


@pytest.fixture(scope="session")
def published(environment: dict[str, str], aws: Callable[[str], Any]) -> Iterator[Any]:
    """Every consultation event the platform publishes, read from a queue of the test's own."""
    from tests.support.auth import published_events

    endpoint = aws("sqs").meta.endpoint_url
    topic_arn = environment["EVENTS_TOPIC_ARN"]
    with published_events(endpoint, topic_arn, CONSULTATION_EVENTS) as published:
        yield published


@pytest.fixture(scope="session")
def topic(environment: dict[str, str], aws: Callable[[str], Any]) -> Topic:
    return Topic(aws("sns"), environment["EVENTS_TOPIC_ARN"])


@pytest.fixture(scope="session")
def drained(environment: dict[str, str], aws: Callable[[str], Any]) -> Callable[[], None]:
    """Waits until the service's events queue holds nothing, visible or in flight: every event
    published before has been handled."""
    sqs = aws("sqs")
    queue_url = sqs.get_queue_url(QueueName=environment["EVENTS_QUEUE_NAME"])["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]

    def empty() -> bool:
        counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)
        return all(int(counts["Attributes"][name]) == 0 for name in names)

    def wait() -> None:
        assert eventually(lambda: empty() and empty(), timeout=20), "events still queued"

    return wait


@pytest.fixture(scope="session")
def table(environment: dict[str, str], aws_endpoint: str) -> Table:
    import boto3

    resource = boto3.resource("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    return Table(resource.Table(environment["TABLE_NAME"]))


@pytest.fixture
def api(platform: Any) -> Consultations:
    """The consultations API, anonymous until `api.as_(person)`."""
    return Consultations(platform)


@pytest.fixture
def new_patient(platform: Any) -> Callable[..., Person]:
    def create(full_name: str = "Awa Traoré") -> Person:
        return sign_up(platform, "patient", full_name)

    return create


@pytest.fixture
def new_doctor(platform: Any, topic: Topic, api: Consultations) -> Callable[..., Person]:
    """A doctor with an account, verified and with a schedule, as the users service announces
    them; returned once the consultations service lists their slots."""

    def create(
        fee_xof: int = 5000, slot_minutes: int = 30, account: bool = True, **schedule: Any
    ) -> Person:
        """`account=False`: a doctor known only from the users service's events (enough when
        the test never acts as the doctor; saves the account's password hashing)."""
        doctor = (
            sign_up(platform, "doctor", "Dr Moussa Keïta")
            if account
            else Person(new_id(), "doctor", "", "Dr Oumar Sangaré")
        )
        topic.doctor_bookable(doctor, fee_xof=fee_xof, slot_minutes=slot_minutes, **schedule)
        ready = eventually(lambda: api.slots(doctor).status_code == 200, timeout=20)
        assert ready, "the doctor never became bookable"
        return doctor

    return create


@pytest.fixture
def patient(new_patient: Callable[..., Person]) -> Person:
    return new_patient()


@pytest.fixture
def doctor(new_doctor: Callable[..., Person]) -> Person:
    return new_doctor()
