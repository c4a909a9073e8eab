"""SMS, e-mail and push, seen in the local message catcher; and nothing sent twice."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from tests.support.auth import Api
from tests.support.notifications import (
    Inbox,
    messages_to,
    notification_for,
    open_socket,
    sent_messages,
    sign_up,
)
from tests.support.people import Person, eventually

pytestmark = pytest.mark.slow


def verify_phone(platform, person: Person) -> None:
    """The way a person does it: ask for a code, read it in the SMS, type it in."""
    api = Api(platform.url("auth"))
    assert api.post("/otp/send", {"phone": person.phone}).status_code == 202
    sms = eventually(lambda: messages_to(platform, person.phone, "sms"))
    assert sms, "no code arrived by SMS"
    code = re.search(r"\b(\d{6})\b", sms[0]["body"]).group(1)
    answer = api.post("/otp/verify", {"phone": person.phone, "code": code})
    assert answer.status_code == 200, answer.text
    # user.phone_verified travels the topic too: wait until SMS can reach the person.
    inbox = Inbox(platform, person)
    assert eventually(lambda: inbox.get("/preferences").json()["reachable"]["sms"])


def test_a_code_asked_for_arrives_by_sms_works_and_never_enters_the_inbox(platform, patient):
    # When the person asks the auth service for a code and types in what the SMS says
    verify_phone(platform, patient)

    # Then the SMS said it the way a person reads it, and the code was the right one
    [sms] = messages_to(platform, patient.phone, "sms")
    assert re.fullmatch(
        r"\d{6} est votre code Keneya\. Il expire dans \d+ min\. Ne le communiquez à personne\.",
        sms["body"],
    )
    # And no inbox holds it, and the service never wrote it to its log
    assert not [item for item in Inbox(platform, patient).items() if item["type"].startswith("otp")]
    code = sms["body"][:6]
    assert code not in platform.console.log_path("notifications").read_text()


def test_a_redelivered_event_sends_nothing_twice(platform, topic, patient):
    verify_phone(platform, patient)
    paid = topic.publish(
        "payment.succeeded",
        {
            "payment_id": f"pay-{uuid.uuid4().hex[:8]}",
            "consultation_id": "c-once",
            "payer_id": patient.user_id,
            "amount_xof": 7500,
            "provider": "moov_money",
        },
        source="payments",
    )
    assert eventually(lambda: _payment_sms(platform, patient))

    # When the relay publishes the very same envelope again, twice
    topic.republish(paid)
    topic.republish(paid)
    # ... and an event published after them has been handled (the queue hands them over in
    # order, and the handler applies a batch in order)
    with open_socket(platform, patient.token) as socket:
        topic.publish(
            "consultation.started",
            {
                "consultation_id": "c-marker",
                "patient_id": patient.user_id,
                "doctor_id": "d-1",
                "room_id": "r-1",
                "mode": "video",
                "started_at": datetime.now(UTC).isoformat(),
            },
            source="consultations",
        )
        socket.wait_for(notification_for("consultation.started", "c-marker"))

    # Then the payment was told once, on every channel
    assert len(_payment_sms(platform, patient)) == 1
    payments = [i for i in Inbox(platform, patient).items() if i["type"] == "payment.succeeded"]
    assert len(payments) == 1


def test_a_verified_phone_gets_appointments_by_sms_in_local_time(platform, topic, patient):
    verify_phone(platform, patient)
    starts_at = datetime(2031, 1, 6, 15, 0, tzinfo=UTC)

    topic.publish(
        "consultation.confirmed",
        {
            "consultation_id": "c-sms",
            "patient_id": patient.user_id,
            "doctor_id": "d-1",
            "doctor_name": "Aminata Koné",
            "starts_at": starts_at.isoformat(),
        },
        source="consultations",
    )

    def confirmation():
        return [m for m in messages_to(platform, patient.phone, "sms") if "confirmée" in m["body"]]

    [sms] = eventually(confirmation)
    assert sms["body"].startswith(
        "Keneya : Votre consultation avec Dr Aminata Koné le lundi 6 janvier à 15h00 est confirmée."
    )


def test_a_person_with_an_email_is_welcomed_by_email_in_their_language(platform):
    person = sign_up(platform, full_name="John Mensah", email=True, language="en")

    mails = eventually(lambda: messages_to(platform, person.email, "email"))

    [mail] = mails
    assert mail["subject"] == "Welcome to Keneya"
    assert mail["sender"] == "Keneya <no-reply@keneya.ml>"
    assert mail["body"].startswith(
        "Hello John Mensah,\n\nHello John Mensah, your account is ready."
    )


def test_a_registered_device_gets_the_push_and_its_owner_can_remove_it(platform, topic, patient):
    inbox = Inbox(platform, patient)
    token = f"fcm-{uuid.uuid4().hex}{uuid.uuid4().hex}"

    registered = inbox.call("POST", "/devices", {"token": token, "platform": "android"})
    topic.publish(
        "consultation.started",
        {
            "consultation_id": "c-push",
            "patient_id": patient.user_id,
            "doctor_id": "d-1",
            "doctor_name": f"Seydou {token[-6:]}",
            "room_id": "r-1",
            "mode": "video",
            "started_at": datetime.now(UTC).isoformat(),
        },
        source="consultations",
    )

    assert registered.status_code == 201
    device = registered.json()
    assert device["platform"] == "android" and token not in str(device)
    pushes = eventually(
        lambda: [
            m
            for m in sent_messages(platform)
            if m["channel"] == "push" and f"Seydou {token[-6:]}" in m["body"]
        ]
    )
    assert pushes[0]["body"].startswith(f"Dr Seydou {token[-6:]} a commencé la consultation.")
    assert [d["id"] for d in inbox.get("/devices").json()["items"]] == [device["id"]]
    assert inbox.call("DELETE", f"/devices/{device['id']}").status_code == 204
    assert inbox.get("/devices").json()["items"] == []


def test_another_persons_device_cannot_be_removed(platform, patient, doctor):
    mine = (
        Inbox(platform, patient)
        .call("POST", "/devices", {"token": f"apns-{uuid.uuid4().hex}", "platform": "ios"})
        .json()
    )

    answer = Inbox(platform, doctor).call("DELETE", f"/devices/{mine['id']}")

    assert answer.status_code == 404
    assert Inbox(platform, patient).get("/devices").json()["items"] == [mine]


def test_a_device_registration_must_name_its_platform(platform, patient):
    answer = Inbox(platform, patient).call(
        "POST", "/devices", {"token": "x" * 40, "platform": "windows-phone"}
    )

    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["platform"]


def _payment_sms(platform, person: Person) -> list[dict]:
    return [m for m in messages_to(platform, person.phone, "sms") if "7\u202f500 FCFA" in m["body"]]
