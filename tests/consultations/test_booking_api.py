"""POST /api/v1/consultations: a patient books a free slot; a slot is never held twice."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from tests.support.consultations import Consultations, iso, next_slot, parse

DAY = timedelta(days=1)


def test_a_paid_booking_holds_the_slot_for_fifteen_minutes_at_the_doctor_s_fee(
    api, patient, new_doctor, published
):
    doctor = new_doctor(fee_xof=7500, account=False)
    starts_at = next_slot(api, doctor, DAY)
    before = datetime.now(UTC)

    response = api.as_(patient).book(doctor, starts_at, body={"mode": "audio"})

    assert response.status_code == 201, response.text
    booked = response.json()
    assert response.headers["Location"] == f"/api/v1/consultations/{booked['id']}"
    assert (booked["status"], booked["fee_xof"], booked["mode"]) == (
        "pending_payment",
        7500,
        "audio",
    )
    assert (booked["patient_id"], booked["doctor_id"]) == (patient.user_id, doctor.user_id)
    assert parse(booked["starts_at"]) == parse(starts_at)
    due = parse(booked["payment_due_at"]) - before
    assert timedelta(minutes=14) < due <= timedelta(minutes=15, seconds=5)
    event = published.wait_for("consultation.booked", consultation_id=booked["id"])
    assert event.data["status"] == "pending_payment"
    assert event.data["fee_xof"] == 7500
    assert "reason" not in event.data
    assert starts_at not in [s["starts_at"] for s in api.slots(doctor).json()["slots"]]


def test_a_free_consultation_is_confirmed_at_once(api, patient, new_doctor, published):
    doctor = new_doctor(fee_xof=0, account=False)

    response = api.as_(patient).book(doctor, next_slot(api, doctor, DAY))

    assert response.status_code == 201, response.text
    booked = response.json()
    assert (booked["status"], booked["payment_due_at"]) == ("confirmed", None)
    published.wait_for("consultation.booked", consultation_id=booked["id"], status="confirmed")
    published.wait_for("consultation.confirmed", consultation_id=booked["id"])


def test_the_fee_is_the_one_the_doctor_had_when_booking(api, new_patient, new_doctor, topic):
    doctor = new_doctor(fee_xof=5000, account=False)
    first = api.as_(new_patient()).book(doctor, next_slot(api, doctor, DAY)).json()

    topic.doctor_bookable(doctor, fee_xof=9000, revision=1)
    api.as_(None).slots(doctor)
    assert _eventually_fee(api, doctor, 9000)
    second = api.as_(new_patient()).book(doctor, next_slot(api, doctor, DAY)).json()

    assert (first["fee_xof"], second["fee_xof"]) == (5000, 9000)
    assert api.as_(None).get(first["id"]).status_code == 401


def _eventually_fee(api: Consultations, doctor, fee: int) -> bool:
    from tests.support.people import eventually

    return eventually(lambda: api.slots(doctor).json().get("fee_xof") == fee)


def test_a_time_that_is_not_a_slot_is_refused_naming_the_field(api, patient, new_doctor):
    doctor = new_doctor(account=False)
    slot = parse(next_slot(api, doctor, DAY))

    off_grid = api.as_(patient).book(doctor, iso(slot + timedelta(minutes=10)))
    past = api.as_(patient).book(doctor, iso(slot - timedelta(days=3)))
    naive = api.as_(patient).book(doctor, slot.replace(tzinfo=None).isoformat())

    assert off_grid.status_code == 422
    assert off_grid.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in off_grid.json()["errors"]] == [
        ("starts_at", "not_in_schedule")
    ]
    assert [(e["field"], e["code"]) for e in past.json()["errors"]] == [("starts_at", "too_soon")]
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "starts_at"


def test_an_unknown_doctor_or_a_missing_reason_is_refused(api, patient, new_doctor):
    doctor = new_doctor(account=False)
    slot = next_slot(api, doctor, DAY)

    unknown = api.as_(patient).book(doctor, slot, body={"doctor_id": uuid.uuid4().hex})
    no_reason = api.as_(patient).call(
        "POST",
        "",
        {"doctor_id": doctor.user_id, "starts_at": slot, "mode": "video"},
        headers={"Accept-Language": "en"},
    )

    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "doctor_id"
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]


def test_a_doctor_cannot_book_and_a_stranger_without_a_token_is_refused(api, doctor):
    slot = next_slot(api, doctor, DAY)

    as_doctor = api.as_(doctor).book(doctor, slot)
    anonymous = api.as_(None).book(doctor, slot)

    assert as_doctor.status_code == 403
    assert anonymous.status_code == 401


def test_a_patient_cannot_hold_two_overlapping_consultations(api, patient, new_doctor):
    first_doctor, second_doctor = new_doctor(account=False), new_doctor(account=False)
    slot = next_slot(api, first_doctor, DAY)
    held = api.as_(patient).book(first_doctor, slot).json()

    clash = api.as_(patient).book(second_doctor, slot, headers={"Accept-Language": "en"})

    assert clash.status_code == 409
    problem = clash.json()
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("starts_at", "patient_busy")]
    assert problem["conflicting_consultation_id"] == held["id"]
    assert problem["detail"] == "You already have a consultation at that time."


def test_a_slot_taken_by_someone_else_is_refused_with_409(api, new_patient, new_doctor):
    doctor = new_doctor(account=False)
    slot = next_slot(api, doctor, DAY)
    assert api.as_(new_patient()).book(doctor, slot).status_code == 201

    second = api.as_(new_patient()).book(doctor, slot)

    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "slot_taken"
    assert second.headers["Content-Language"] == "fr"


def test_one_hundred_concurrent_bookings_of_one_slot_give_exactly_one_consultation(
    api, new_patient, new_doctor, published
):
    doctor = new_doctor(account=False)
    slot = next_slot(api, doctor, DAY)
    # Ten patients, ten requests each, all released at the same instant.
    patients = [new_patient() for _ in range(10)]
    senders = [patients[i % 10] for i in range(100)]
    start = threading.Barrier(100)

    def attempt(who) -> tuple[str, int, dict]:
        session = requests.Session()
        start.wait()
        response = session.post(
            api.platform.url("consultations", ""),
            json={
                "doctor_id": doctor.user_id,
                "starts_at": slot,
                "reason": "Toux sèche",
                "mode": "video",
            },
            headers={"Authorization": f"Bearer {who.token}"},
            timeout=120,
        )
        return who.user_id, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(attempt, senders))

    statuses = sorted(status for _, status, _ in results)
    assert statuses == [201] + [409] * 99
    (winner,) = [(who, body) for who, status, body in results if status == 201]
    refused_others = [
        body["errors"][0]["code"] for who, status, body in results if who != winner[0]
    ]
    assert set(refused_others) == {"slot_taken"} and len(refused_others) == 90
    published.wait_for("consultation.booked", consultation_id=winner[1]["id"])
    booked_at_slot = [e for e in published.all_of("consultation.booked", doctor_id=doctor.user_id)]
    # Events are delivered at least once: the same event may arrive twice, never two events.
    assert len({e.id for e in booked_at_slot}) == 1
    assert slot not in [s["starts_at"] for s in api.slots(doctor).json()["slots"]]


def test_a_retried_booking_with_its_idempotency_key_answers_the_first_result(
    api, patient, new_doctor, published
):
    doctor = new_doctor(account=False)
    slot = next_slot(api, doctor, DAY)
    key = str(uuid.uuid4())
    me = api.as_(patient)

    first = me.book(doctor, slot, headers={"Idempotency-Key": key})
    again = me.book(doctor, slot, headers={"Idempotency-Key": key})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    published.wait_for("consultation.booked", consultation_id=first.json()["id"])
    assert len(published.all_of("consultation.booked", patient_id=patient.user_id)) == 1


def test_concurrent_retries_with_one_idempotency_key_make_one_booking(api, patient, new_doctor):
    doctor = new_doctor(account=False)
    slot = next_slot(api, doctor, DAY)
    key = str(uuid.uuid4())
    start = threading.Barrier(8)

    def attempt(_: int) -> requests.Response:
        start.wait()
        return Consultations(api.platform, patient).book(
            doctor, slot, headers={"Idempotency-Key": key}
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(attempt, range(8)))

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    listed = api.as_(patient).call("GET", "").json()["items"]
    assert [c["id"] for c in listed] == [responses[0].json()["id"]]


def test_an_idempotency_key_reused_for_another_request_is_refused(api, patient, new_doctor):
    doctor = new_doctor(account=False)
    key = str(uuid.uuid4())
    me = api.as_(patient)
    me.book(doctor, next_slot(api, doctor, DAY), headers={"Idempotency-Key": key})

    other = me.book(doctor, next_slot(api, doctor, 2 * DAY), headers={"Idempotency-Key": key})
    malformed = me.book(
        doctor, next_slot(api, doctor, 3 * DAY), headers={"Idempotency-Key": "bad key!"}
    )

    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["field"] == "Idempotency-Key"
