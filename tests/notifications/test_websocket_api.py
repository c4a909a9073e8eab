"""The WebSocket API, with a real client against the local stack."""

from __future__ import annotations

import base64
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from websockets.exceptions import InvalidStatus

from tests.support.notifications import Inbox, notification_for, open_socket, sign_up
from tests.support.people import eventually

pytestmark = pytest.mark.slow


def confirmed(topic, patient, doctor, consultation_id=None):
    consultation_id = consultation_id or f"c-{uuid.uuid4().hex[:12]}"
    topic.publish(
        "consultation.confirmed",
        {
            "consultation_id": consultation_id,
            "patient_id": patient.user_id,
            "doctor_id": doctor.user_id,
            "starts_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        },
        source="consultations",
    )
    return consultation_id


def forged(token: str) -> str:
    """The same claims and key id, signed with a key that is not the auth service's."""
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    return jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": header["kid"]},
    )


def test_a_valid_access_token_opens_a_socket(platform, patient):
    with open_socket(platform, patient.token) as socket:
        socket.send({"action": "ping"})

        assert socket.wait_for(lambda f: f.get("type") == "pong", timeout=10)


@pytest.mark.parametrize("token", [None, "not-a-jwt", "forged"])
def test_a_socket_without_a_valid_token_is_refused(platform, patient, token):
    if token == "forged":
        token = forged(patient.token)

    with pytest.raises(InvalidStatus) as refused:
        open_socket(platform, token)

    assert refused.value.response.status_code == 401


def test_an_event_reaches_the_persons_socket_and_no_one_elses(platform, topic, patient, doctor):
    bystander = sign_up(platform, full_name="Fanta Diarra")
    with (
        open_socket(platform, patient.token) as mine,
        open_socket(platform, bystander.token) as theirs,
    ):
        consultation_id = confirmed(topic, patient, doctor)

        frame = mine.wait_for(notification_for("consultation.confirmed", consultation_id))
        assert frame["notification"]["body"].startswith(
            "Votre consultation avec Dr Moussa Sidibé le "
        )
        assert frame["unread"] >= 1
        assert not [
            f
            for f in theirs.quiet_for(1.5)
            if f.get("type") == "notification" and f["notification"]["type"] != "welcome.patient"
        ]


def test_every_socket_of_a_person_receives(platform, topic, patient, doctor):
    with (
        open_socket(platform, patient.token) as phone,
        open_socket(platform, patient.token) as browser,
    ):
        consultation_id = confirmed(topic, patient, doctor)

        for socket in (phone, browser):
            socket.wait_for(notification_for("consultation.confirmed", consultation_id))


def test_a_connection_whose_disconnect_was_lost_is_forgotten_at_the_next_send(
    platform, topic, notifications_table, patient, doctor
):
    # Given a connection the service believes open but the gateway no longer has
    lost = base64.urlsafe_b64encode(os.urandom(10)).decode()
    platform.invoke(
        "notifications",
        "connect",
        {
            "requestContext": {
                "routeKey": "$connect",
                "eventType": "CONNECT",
                "connectionId": lost,
                "domainName": "127.0.0.1",
                "stage": "local",
                "apiId": "notifications",
                "requestId": "r-1",
                "connectedAt": int(time.time() * 1000),
            },
            "queryStringParameters": {"token": patient.token},
            "headers": {},
            "isBase64Encoded": False,
        },
    )
    assert _stored(notifications_table, patient.user_id, lost)
    with open_socket(platform, patient.token) as live:
        # When a notification is sent to the person
        consultation_id = confirmed(topic, patient, doctor)

        # Then the live socket has it and the lost connection is forgotten
        live.wait_for(notification_for("consultation.confirmed", consultation_id))
    assert eventually(lambda: not _stored(notifications_table, patient.user_id, lost))


def test_a_connection_past_its_lifetime_is_not_sent_to(
    platform, topic, notifications_table, patient, doctor
):
    # Given a connection whose two hours are over, not yet removed by DynamoDB's TTL
    expired = int(time.time()) - 60
    notifications_table.put_item(
        Item={
            "pk": f"USER#{patient.user_id}",
            "sk": "CONN#b2xkLWNvbm5lY3Rpb24=",
            "connection_id": "b2xkLWNvbm5lY3Rpb24=",
            "connected_at": "2020-01-01T00:00:00.000000+0000",
            "expires_at": expired,
        }
    )

    # When a notification is sent to the person
    consultation_id = confirmed(topic, patient, doctor)

    # Then it is kept in the inbox, reaching no socket
    inbox = Inbox(platform, patient)

    def in_app_outcome():
        for item in inbox.items():
            if item["link"].get("consultation_id") == consultation_id:
                deliveries = inbox.get(f"/{item['id']}").json()["deliveries"]
                return next((d["status"] for d in deliveries if d["channel"] == "in_app"), None)
        return None

    assert eventually(in_app_outcome) == "stored"


def test_a_closed_socket_is_forgotten(platform, notifications_table, patient):
    with open_socket(platform, patient.token) as socket:
        socket.send({"action": "ping"})
        socket.wait_for(lambda f: f.get("type") == "pong")
        [connection_id] = _connections(notifications_table, patient.user_id)

    assert eventually(lambda: not _stored(notifications_table, patient.user_id, connection_id))


def test_a_client_that_reconnects_catches_up_with_what_it_missed(platform, topic, patient, doctor):
    with open_socket(platform, patient.token) as first:
        consultation_id = confirmed(topic, patient, doctor)
        seen = first.wait_for(notification_for("consultation.confirmed", consultation_id))
    missed = [confirmed(topic, patient, doctor) for _ in range(2)]
    assert eventually(lambda: len(_inbox(platform, patient, "consultation.confirmed")) == 3)

    with open_socket(platform, patient.token) as again:
        again.send({"action": "sync", "after": seen["notification"]["id"]})
        caught_up = again.wait_for(lambda f: f.get("type") == "sync")

    assert sorted(n["link"]["consultation_id"] for n in caught_up["notifications"]) == sorted(
        missed
    )
    assert caught_up["more"] is False
    assert caught_up["unread"] == len(_inbox(platform, patient))


def test_reading_on_one_socket_updates_the_count_on_every_socket(platform, topic, patient, doctor):
    with (
        open_socket(platform, patient.token) as phone,
        open_socket(platform, patient.token) as browser,
    ):
        consultation_id = confirmed(topic, patient, doctor)
        frame = phone.wait_for(notification_for("consultation.confirmed", consultation_id))
        browser.wait_for(notification_for("consultation.confirmed", consultation_id))

        phone.send({"action": "read", "id": frame["notification"]["id"]})

        for socket in (phone, browser):
            count = socket.wait_for(lambda f: f.get("type") == "unread_count")
            assert count["unread"] == len(_inbox(platform, patient, unread="true"))


def test_a_frame_the_service_does_not_understand_gets_an_error_frame(platform, patient):
    with open_socket(platform, patient.token) as socket:
        socket.send({"action": "read", "id": "../../etc"})
        socket.send({"action": "subscribe"})

        assert socket.wait_for(lambda f: f.get("type") == "error")["code"] == "bad_frame"
        assert socket.wait_for(lambda f: f.get("code") == "unknown_action")


def _stored(table, user_id: str, connection_id: str) -> bool:
    by_person = table.get_item(Key={"pk": f"USER#{user_id}", "sk": f"CONN#{connection_id}"})
    by_id = table.get_item(Key={"pk": f"CONN#{connection_id}", "sk": "CONN"})
    return "Item" in by_person or "Item" in by_id


def _connections(table, user_id: str) -> list[str]:
    from boto3.dynamodb.conditions import Key

    found = table.query(
        KeyConditionExpression=Key("pk").eq(f"USER#{user_id}") & Key("sk").begins_with("CONN#")
    )
    return [item["connection_id"] for item in found["Items"]]


def _inbox(platform, person, kind: str | None = None, **params) -> list[dict]:
    items = Inbox(platform, person).items(**params)
    return [item for item in items if kind is None or item["type"] == kind]
