"""Payments confirm or release a booking; an unpaid booking expires after 15 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.consultations import next_slot, scheduled_event

DAY = timedelta(days=1)


def sweep(platform, at: datetime) -> dict:
    return platform.invoke("consultations", "sweep_due_work", scheduled_event(at))


def a_pending_booking(api, patient, doctor) -> dict:
    response = api.as_(patient).book(doctor, next_slot(api, doctor, DAY))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending_payment"
    return response.json()


def test_a_successful_payment_confirms_the_booking_once(
    api, patient, new_doctor, topic, published, drained
):
    booking = a_pending_booking(api, patient, new_doctor(account=False))

    paid = topic.payment("succeeded", booking)
    confirmed = api.as_(patient).wait_for_status(booking["id"], "confirmed")
    topic.send(paid)  # the same event, delivered again
    drained()

    assert confirmed["confirmed_at"] is not None
    assert api.as_(patient).get(booking["id"]).json() == confirmed
    published.wait_for("consultation.confirmed", consultation_id=booking["id"])
    assert len(published.all_of("consultation.confirmed", consultation_id=booking["id"])) == 1


def test_a_payment_of_another_amount_or_payer_confirms_nothing(
    api, patient, new_doctor, topic, drained
):
    booking = a_pending_booking(api, patient, new_doctor(account=False))

    topic.payment("succeeded", booking, amount_xof=booking["fee_xof"] - 1000)
    topic.payment("succeeded", {**booking, "patient_id": "someone-else"})
    drained()

    assert api.as_(patient).get(booking["id"]).json() == booking


def test_a_failed_payment_expires_the_booking_and_frees_the_slot(
    api, new_patient, new_doctor, topic, published
):
    doctor = new_doctor(account=False)
    patient = new_patient()
    booking = a_pending_booking(api, patient, doctor)

    topic.payment("failed", booking)

    expired = api.as_(patient).wait_for_status(booking["id"], "expired")
    assert expired["expired_at"] is not None
    published.wait_for("consultation.expired", consultation_id=booking["id"])
    assert booking["starts_at"] in [s["starts_at"] for s in api.slots(doctor).json()["slots"]]
    again = api.as_(new_patient()).book(doctor, booking["starts_at"])
    assert again.status_code == 201


def test_an_unpaid_booking_expires_after_fifteen_minutes_and_frees_the_slot(
    platform, api, patient, new_doctor, published
):
    doctor = new_doctor(account=False)
    booking = a_pending_booking(api, patient, doctor)
    booked_at = datetime.fromisoformat(booking["booked_at"])

    sweep(platform, booked_at + timedelta(minutes=14))
    still = api.as_(patient).status_of(booking["id"])
    counts = sweep(platform, booked_at + timedelta(minutes=15, seconds=1))

    assert still == "pending_payment"
    assert counts["expired"] >= 1
    assert api.as_(patient).status_of(booking["id"]) == "expired"
    published.wait_for("consultation.expired", consultation_id=booking["id"])
    assert booking["starts_at"] in [s["starts_at"] for s in api.slots(doctor).json()["slots"]]


def test_a_payment_after_expiry_confirms_when_the_slot_is_still_free(
    platform, api, patient, new_doctor, topic
):
    booking = a_pending_booking(api, patient, new_doctor(account=False))
    sweep(platform, datetime.now(UTC) + timedelta(minutes=16))
    assert api.as_(patient).status_of(booking["id"]) == "expired"

    topic.payment("succeeded", booking)

    confirmed = api.as_(patient).wait_for_status(booking["id"], "confirmed")
    assert confirmed["cancellation"] is None


def test_a_payment_after_expiry_is_refunded_when_the_slot_was_taken(
    platform, api, new_patient, new_doctor, topic, published
):
    doctor = new_doctor(account=False)
    late_payer = new_patient()
    booking = a_pending_booking(api, late_payer, doctor)
    topic.payment("failed", booking)
    api.as_(late_payer).wait_for_status(booking["id"], "expired")
    assert api.as_(new_patient()).book(doctor, booking["starts_at"]).status_code == 201

    payment = topic.payment("succeeded", booking)

    cancelled = api.as_(late_payer).wait_for_status(booking["id"], "cancelled")
    assert cancelled["cancellation"]["cancelled_by"] == "system"
    assert cancelled["cancellation"]["refund_due"] is True
    event = published.wait_for("consultation.cancelled", consultation_id=booking["id"])
    assert (event.data["refund_due"], event.data["reason"], event.data["payment_id"]) == (
        True,
        "paid_after_expiry",
        payment.data["payment_id"],
    )
