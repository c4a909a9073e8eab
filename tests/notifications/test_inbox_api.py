"""The inbox over HTTP: listing, pages, unread, reading, and what belongs to whom."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.notifications import Inbox, notification_for, open_socket
from tests.support.people import eventually

pytestmark = pytest.mark.slow


def paid(topic, person, amount: int = 15000) -> str:
    consultation_id = f"c-{uuid.uuid4().hex[:12]}"
    topic.publish(
        "payment.succeeded",
        {
            "payment_id": f"pay-{uuid.uuid4().hex[:8]}",
            "consultation_id": consultation_id,
            "payer_id": person.user_id,
            "amount_xof": amount,
            "provider": "orange_money",
        },
        source="payments",
    )
    return consultation_id


def received(platform, person, count: int, kind: str = "payment.succeeded") -> list[dict]:
    inbox = Inbox(platform, person)

    def listed():
        items = [i for i in inbox.items(limit=100) if i["type"] == kind]
        return items if len(items) >= count else None

    found = eventually(listed)
    assert found, f"{count} {kind} notifications did not arrive"
    return found


def test_the_inbox_lists_newest_first_in_pages(platform, topic, patient):
    sent = [paid(topic, patient) for _ in range(3)]
    received(platform, patient, 3)
    inbox = Inbox(platform, patient)

    first = inbox.get("", limit=2).json()
    second = inbox.get("", limit=2, cursor=first["next_cursor"]).json()

    listed = [
        i["link"]["consultation_id"]
        for i in first["items"] + second["items"]
        if i["type"] == "payment.succeeded"
    ]
    assert sorted(listed) == sorted(sent)
    stamps = [i["created_at"] for i in first["items"] + second["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert second["next_cursor"] is None  # 3 payments + the welcome: exactly two pages
    assert first["items"][0]["body"] == (
        "Nous avons reçu votre paiement de 15\u202f000 FCFA par Orange Money."
    )


def test_reading_one_notification_takes_it_out_of_the_unread_ones_and_tells_the_sockets(
    platform, topic, patient
):
    paid(topic, patient)
    paid(topic, patient)
    first, _ = received(platform, patient, 2)
    inbox = Inbox(platform, patient)
    before = inbox.get("/unread-count").json()["unread"]

    with open_socket(platform, patient.token) as socket:
        answer = inbox.call("POST", f"/{first['id']}/read")
        count = socket.wait_for(lambda f: f.get("type") == "unread_count")

    assert answer.status_code == 200 and answer.json()["read"] is True
    assert count["unread"] == before - 1
    assert first["id"] not in [i["id"] for i in inbox.items(unread="true")]
    assert inbox.call("POST", f"/{first['id']}/read").status_code == 200  # again: harmless
    assert inbox.get("/unread-count").json()["unread"] == before - 1


def test_read_all_leaves_nothing_unread(platform, topic, patient):
    for _ in range(3):
        paid(topic, patient)
    received(platform, patient, 3)
    inbox = Inbox(platform, patient)

    answer = inbox.call("POST", "/read-all")

    assert answer.status_code == 200
    assert answer.json() == {"marked": 4, "unread": 0}  # with the welcome
    assert inbox.items(unread="true") == []
    items = inbox.items()
    assert len(items) == 4 and all(item["read"] for item in items)


def test_a_notification_shows_how_it_was_delivered_on_each_channel(platform, topic, patient):
    paid(topic, patient)
    [item] = received(platform, patient, 1)
    inbox = Inbox(platform, patient)

    def finished():
        deliveries = inbox.get(f"/{item['id']}").json()["deliveries"]
        return deliveries if len(deliveries) == 4 else None

    deliveries = {d["channel"]: d for d in eventually(finished)}
    assert deliveries["sms"]["status"] == "skipped"  # the number is not verified
    assert deliveries["sms"]["reason"] == "no_verified_phone"
    assert deliveries["push"]["reason"] == "no_device"
    assert deliveries["in_app"]["status"] in ("stored", "delivered")


def test_another_persons_notification_is_not_found(platform, topic, patient, doctor):
    paid(topic, patient)
    [item] = received(platform, patient, 1)
    someone_else = Inbox(platform, doctor)

    assert someone_else.get(f"/{item['id']}").status_code == 404
    assert someone_else.call("POST", f"/{item['id']}/read").status_code == 404
    assert Inbox(platform, patient).get(f"/{item['id']}").json()["read"] is False


def test_a_cursor_from_another_listing_is_refused_naming_it(platform, topic, patient, doctor):
    for _ in range(2):
        paid(topic, patient)
    received(platform, patient, 2)
    cursor = Inbox(platform, patient).get("", limit=1).json()["next_cursor"]

    answer = Inbox(platform, doctor).get("", cursor=cursor)
    unread_listing = Inbox(platform, patient).get("", cursor=cursor, unread="true")

    for refused in (answer, unread_listing):
        assert refused.status_code == 400
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == "cursor"


def test_a_bad_page_size_is_refused_naming_it(platform, patient):
    answer = Inbox(platform, patient).get("", limit=1000)

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "limit"


def test_the_inbox_needs_an_access_token(platform):
    answer = requests.get(platform.url("notifications", ""), timeout=10)

    assert answer.status_code == 401


def test_an_event_seen_on_the_socket_is_the_one_in_the_inbox(platform, topic, patient, doctor):
    with open_socket(platform, patient.token) as socket:
        topic.publish(
            "consultation.reminder_due",
            {
                "consultation_id": "c-remind",
                "patient_id": patient.user_id,
                "doctor_id": doctor.user_id,
                "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                "minutes_before": 60,
            },
            source="consultations",
        )
        frame = socket.wait_for(notification_for("consultation.reminder", "c-remind"))

    [item] = [i for i in Inbox(platform, patient).items() if i["id"] == frame["notification"]["id"]]
    assert item == frame["notification"]
    assert "commence dans 1 h" in item["body"]
