"""Preferences over HTTP, and what they change in what is sent."""

from __future__ import annotations

import pytest

from tests.support.notifications import Inbox
from tests.support.people import eventually

from .test_inbox_api import paid, received

pytestmark = pytest.mark.slow


def test_a_new_person_has_the_defaults(platform, patient):
    answer = Inbox(platform, patient).get("/preferences")

    assert answer.status_code == 200
    body = answer.json()
    assert body["language"] == "fr"
    assert body["categories"]["appointments"] == {
        "in_app": True,
        "push": True,
        "sms": True,
        "email": True,
    }
    assert body["categories"]["records"]["sms"] is False
    assert body["locked"] == ["security"]
    assert body["reachable"] == {"in_app": True, "push": False, "sms": False, "email": False}


def test_a_choice_is_kept_and_leaves_the_others_alone(platform, patient):
    inbox = Inbox(platform, patient)

    inbox.call("PUT", "/preferences", {"categories": {"payments": {"email": False}}})
    answer = inbox.call(
        "PUT", "/preferences", {"categories": {"records": {"sms": True}}, "language": "en"}
    )

    assert answer.status_code == 200
    stored = inbox.get("/preferences").json()
    assert stored == answer.json()
    assert stored["categories"]["payments"]["email"] is False
    assert stored["categories"]["records"]["sms"] is True
    assert stored["language"] == "en"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"categories": {"security": {"sms": False}}}, 422, "categories.security.sms"),
        ({"categories": {"appointments": {"fax": True}}}, 422, "categories.appointments.fax"),
        ({"categories": {"appointments": {"sms": "no"}}}, 422, "categories.appointments.sms"),
        ({"language": "de"}, 422, "language"),
        ({"colour": "blue"}, 422, "colour"),
    ],
)
def test_a_choice_that_cannot_be_made_is_refused_naming_it(platform, patient, body, status, field):
    answer = Inbox(platform, patient).call("PUT", "/preferences", body)

    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_the_chosen_language_is_the_language_of_later_notifications(platform, topic, patient):
    Inbox(platform, patient).call("PUT", "/preferences", {"language": "en"})

    paid(topic, patient, amount=2500)

    [item] = received(platform, patient, 1)
    assert item["body"] == "We received your payment of 2,500 FCFA by Orange Money."


def test_a_channel_turned_off_is_not_used_but_the_inbox_still_has_the_notification(
    platform, topic, patient
):
    inbox = Inbox(platform, patient)
    inbox.call("PUT", "/preferences", {"categories": {"payments": {"email": False}}})

    paid(topic, patient)

    [item] = received(platform, patient, 1)

    def email_outcome():
        deliveries = inbox.get(f"/{item['id']}").json()["deliveries"]
        return next((d for d in deliveries if d["channel"] == "email"), None)

    assert eventually(email_outcome) == {
        **email_outcome(),
        "status": "skipped",
        "reason": "preference",
    }
