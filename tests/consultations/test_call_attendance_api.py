"""Who was in the video call, over HTTP: the signaling service's `call.joined` / `call.left`
published on the platform's topic, read back from the consultation by its doctor and patient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.consultations import iso, next_slot
from tests.support.people import eventually


@pytest.fixture
def started(api, patient, doctor, table):
    """A free consultation (confirmed at booking) that the doctor has started."""
    booking = api.as_(patient).book(doctor, next_slot(api, doctor, timedelta(days=1))).json()
    table.move_start(booking["id"], datetime.now(UTC))
    response = api.as_(doctor).act(booking["id"], "start")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def doctor(new_doctor):
    """Free of charge: the booking is confirmed at once, no payment to wait for."""
    return new_doctor(fee_xof=0)


def test_each_side_sees_when_both_were_in_the_call_whatever_the_order_of_the_events(
    api, patient, doctor, started, topic, drained
):
    t0 = datetime.now(UTC).replace(microsecond=0)
    # Given the signaling service's events, the patient's leave published before its join,
    # and the doctor's leave published twice by an at-least-once relay
    topic.call_joined(started, "doctor", t0)
    topic.call_left(
        started,
        "patient",
        t0 + timedelta(seconds=20),
        t0 + timedelta(seconds=80),
        reason="disconnected",
    )
    topic.call_joined(started, "patient", t0 + timedelta(seconds=20))
    topic.call_joined(started, "patient", t0 + timedelta(seconds=95))
    doctor_left = topic.call_left(started, "doctor", t0, t0 + timedelta(seconds=754))
    topic.send(doctor_left)

    # When the doctor and the patient read the consultation once the events were handled
    def attendance_seen_by(person):
        return api.as_(person).get(started["id"]).json()["call"]

    assert eventually(lambda: attendance_seen_by(doctor)["doctor"]["seconds"] == 754, timeout=20)
    drained()
    by_doctor, by_patient = attendance_seen_by(doctor), attendance_seen_by(patient)

    # Then both see the same: each stay, its end, and the seconds counted once
    assert by_doctor == by_patient
    assert by_doctor["doctor"] == {
        "seconds": 754,
        "sessions": [
            {
                "joined_at": iso(t0),
                "left_at": iso(t0 + timedelta(seconds=754)),
                "seconds": 754,
                "reason": "left",
            }
        ],
        "earlier_sessions": 0,
    }
    assert by_doctor["patient"]["seconds"] == 60
    assert [
        (s["joined_at"], s["left_at"], s["reason"]) for s in by_doctor["patient"]["sessions"]
    ] == [
        (iso(t0 + timedelta(seconds=20)), iso(t0 + timedelta(seconds=80)), "disconnected"),
        (iso(t0 + timedelta(seconds=95)), None, None),
    ]
    # And the patient's list shows it too
    [listed] = [
        c for c in api.as_(patient).call("GET", "").json()["items"] if c["id"] == started["id"]
    ]
    assert listed["call"] == by_patient


def test_a_call_event_naming_someone_else_leaves_the_attendance_empty(
    api, patient, doctor, started, topic, drained
):
    stranger = {**started, "doctor_id": patient.user_id}  # the patient posing as the doctor

    topic.call_joined(stranger, "doctor", datetime.now(UTC))
    drained()

    call = api.as_(doctor).get(started["id"]).json()["call"]
    assert call["doctor"] == {"seconds": 0, "sessions": [], "earlier_sessions": 0}
    assert call["patient"]["sessions"] == []
