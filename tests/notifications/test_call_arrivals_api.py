"""Someone comes into a consultation's call, on the whole platform: the signaling service's
`call.joined` on the topic, the other participant told on their socket, inbox and phone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.notifications import Inbox, notification_for, open_socket, sent_messages, sign_up
from tests.support.people import eventually

from .conftest import welcomed

pytestmark = pytest.mark.slow
# Generous: on a loaded machine an event crosses three pollers before it lands.
ARRIVES_WITHIN = 45


def joined(topic, consultation_id: str, person, role: str, at: datetime):
    return topic.publish(
        "call.joined",
        {
            "consultation_id": consultation_id,
            "user_id": person.user_id,
            "role": role,
            "joined_at": at.isoformat(),
        },
        source="signaling",
    )


def test_each_side_is_told_when_the_other_comes_in_once_for_a_reconnection(
    platform, topic, patient
):
    surname = uuid.uuid4().hex[:8]
    doctor = welcomed(
        platform, sign_up(platform, role="doctor", full_name=f"Oumar {surname}"), "doctor"
    )
    cid = f"c-{uuid.uuid4().hex[:12]}"
    token = f"fcm-{uuid.uuid4().hex}{uuid.uuid4().hex}"
    assert (
        Inbox(platform, patient)
        .call("POST", "/devices", {"token": token, "platform": "android"})
        .status_code
        == 201
    )

    with (
        open_socket(platform, patient.token) as patients,
        open_socket(platform, doctor.token) as doctors,
    ):
        # Given a consultation the doctor started (the service learns its participants)
        topic.publish(
            "consultation.started",
            {
                "consultation_id": cid,
                "patient_id": patient.user_id,
                "doctor_id": doctor.user_id,
                "room_id": "r-1",
                "mode": "video",
                "started_at": datetime.now(UTC).isoformat(),
            },
            source="consultations",
        )
        patients.wait_for(notification_for("consultation.started", cid), ARRIVES_WITHIN)
        now = datetime.now(UTC)
        # When the doctor comes into the call, drops and comes back 40 seconds later
        joined(topic, cid, doctor, "doctor", now)
        told_patient = patients.wait_for(notification_for("call.joined", cid), ARRIVES_WITHIN)
        joined(topic, cid, doctor, "doctor", now + timedelta(seconds=40))
        # ... and the patient comes in (the queue hands events over in order, and the handler
        # applies a batch in order: once the doctor is told, the reconnection was handled)
        joined(topic, cid, patient, "patient", now + timedelta(seconds=60))
        told_doctor = doctors.wait_for(notification_for("call.joined.doctor", cid), ARRIVES_WITHIN)

    # Then the patient was told once, on the socket, in the inbox and by push, with the room
    notification = told_patient["notification"]
    assert notification["body"] == f"Le Dr Oumar {surname} a rejoint la consultation."
    assert notification["link"] == {"consultation_id": cid, "url": f"/consultations/{cid}/call"}
    inbox = Inbox(platform, patient)
    assert [i["id"] for i in inbox.items() if i["type"] == "call.joined"] == [notification["id"]]
    pushes = eventually(
        lambda: [
            m
            for m in sent_messages(platform)
            if m["channel"] == "push" and f"Oumar {surname} a rejoint" in m["body"]
        ],
        timeout=ARRIVES_WITHIN,
    )
    assert len(pushes) == 1
    deliveries = inbox.get(f"/{notification['id']}").json()["deliveries"]
    assert {d["channel"] for d in deliveries} == {"in_app", "push"}  # no SMS, no e-mail
    # And the doctor was told the patient is waiting
    assert told_doctor["notification"]["body"] == (
        "Votre patient(e) Awa Traoré est dans la salle d'attente de la consultation."
    )
