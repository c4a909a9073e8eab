"""Fixtures of the signaling service's tests over the whole platform."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.support.consultations import Topic, sign_up
from tests.support.people import Person
from tests.support.signaling import Room


@pytest.fixture(scope="session")
def topic(platform: Any) -> Topic:
    sns = boto3.client("sns", endpoint_url=platform.aws_endpoint, region_name="us-east-1")
    return Topic(sns, platform.deployment.resources["EventsTopic"].physical_id)


@pytest.fixture
def doctor(platform: Any) -> Person:
    return sign_up(platform, "doctor", "Dr Aminata Diallo")


@pytest.fixture
def patient(platform: Any) -> Person:
    return sign_up(platform, "patient", "Moussa Coulibaly")


@pytest.fixture
def stranger(platform: Any) -> Person:
    return sign_up(platform, "patient", "Oumar Sidibé")


@pytest.fixture
def room(platform: Any, topic: Topic, doctor: Person, patient: Person) -> Room:
    """An open room of a started consultation between `doctor` and `patient`."""
    return Room(topic, doctor, patient).open(platform)
