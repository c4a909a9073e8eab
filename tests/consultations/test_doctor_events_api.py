"""The users service's events keep this service's copy of a doctor: a suspension stops bookings
and cancels what was booked; an older event never undoes a newer one."""

from __future__ import annotations

from datetime import timedelta

from tests.support.consultations import next_slot
from tests.support.people import eventually

DAY = timedelta(days=1)


def test_a_suspended_doctor_is_unbookable_and_their_upcoming_consultations_are_refunded(
    api, new_patient, new_doctor, topic, published
):
    doctor = new_doctor(account=False)
    patient = new_patient()
    booking = api.as_(patient).book(doctor, next_slot(api, doctor, DAY)).json()
    topic.payment("succeeded", booking)
    api.as_(patient).wait_for_status(booking["id"], "confirmed")
    slot = next_slot(api, doctor, 2 * DAY)

    topic.doctor_bookable(doctor, status="suspended", revision=1)

    cancelled = api.as_(patient).wait_for_status(booking["id"], "cancelled")
    assert cancelled["cancellation"]["cancelled_by"] == "system"
    assert cancelled["cancellation"]["refund_due"] is True
    event = published.wait_for("consultation.cancelled", consultation_id=booking["id"])
    assert event.data["reason"] == "doctor_suspended"
    assert api.slots(doctor).status_code == 404
    refused = api.as_(new_patient()).book(doctor, slot)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "doctor_id"


def test_an_older_event_arriving_late_changes_nothing(api, new_doctor, topic, drained):
    doctor = new_doctor(account=False)
    topic.doctor_bookable(doctor, fee_xof=6000, revision=5)
    assert eventually(lambda: api.slots(doctor).json().get("fee_xof") == 6000)

    topic.doctor_bookable(doctor, status="suspended", revision=3)
    drained()

    found = api.slots(doctor)
    assert found.status_code == 200 and found.json()["fee_xof"] == 6000
