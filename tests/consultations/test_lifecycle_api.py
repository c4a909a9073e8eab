"""The lifecycle over HTTP: cancel, start, join, complete, no-show; every illegal step is a 409
naming the current status; strangers get 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.consultations import next_slot, parse, sign_up_admin

DAY = timedelta(days=1)
SUMMARY = {
    "notes": "Fièvre à 39 °C, TDR paludisme positif.",
    "diagnoses": [{"code": "b54", "label": "Paludisme, sans précision"}],
    "prescriptions": [
        {
            "medicine": "Artéméther-luméfantrine 20/120 mg",
            "dose": "4 comprimés",
            "route": "orale",
            "frequency": "2 fois par jour",
            "duration": "3 jours",
            "instructions": "Pendant un repas",
        }
    ],
    "follow_up": "Revenir si la fièvre persiste après 3 jours",
}


@pytest.fixture
def confirmed(api, patient, topic):
    """A paid consultation, confirmed by the payments service, of a doctor given by the test."""

    def book(doctor, after: timedelta = DAY) -> dict:
        booking = api.as_(patient).book(doctor, next_slot(api, doctor, after)).json()
        topic.payment("succeeded", booking)
        return api.as_(patient).wait_for_status(booking["id"], "confirmed")

    return book


def test_a_patient_cancelling_well_ahead_is_refunded_and_the_slot_is_freed(
    api, patient, new_doctor, confirmed, published
):
    doctor = new_doctor(account=False)
    consultation = confirmed(doctor)

    response = api.as_(patient).act(consultation["id"], "cancel", {"note": "Empêchement"})

    assert response.status_code == 200, response.text
    cancellation = response.json()["cancellation"]
    assert response.json()["status"] == "cancelled"
    assert (cancellation["cancelled_by"], cancellation["refund_due"]) == ("patient", True)
    assert cancellation["note"] == "Empêchement"
    event = published.wait_for("consultation.cancelled", consultation_id=consultation["id"])
    assert (event.data["refund_due"], event.data["fee_xof"]) == (True, consultation["fee_xof"])
    assert "note" not in event.data
    free = [s["starts_at"] for s in api.slots(doctor).json()["slots"]]
    assert consultation["starts_at"] in free


def test_cancelling_twice_is_a_409_naming_the_current_status(api, patient, new_doctor, confirmed):
    consultation = confirmed(new_doctor(account=False))
    api.as_(patient).act(consultation["id"], "cancel")

    again = api.as_(patient).act(consultation["id"], "cancel")

    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert (again.json()["current_status"], again.json()["action"]) == ("cancelled", "cancel")


def test_a_patient_cancelling_an_hour_before_is_not_refunded(
    api, patient, new_doctor, confirmed, table
):
    consultation = confirmed(new_doctor(account=False))
    table.move_start(consultation["id"], datetime.now(UTC) + timedelta(hours=1))

    response = api.as_(patient).act(consultation["id"], "cancel")

    assert response.json()["cancellation"]["refund_due"] is False


def test_a_doctor_who_cancels_refunds_the_patient(api, doctor, confirmed, published):
    consultation = confirmed(doctor)

    response = api.as_(doctor).act(consultation["id"], "cancel")

    assert response.status_code == 200
    event = published.wait_for("consultation.cancelled", consultation_id=consultation["id"])
    assert (event.data["cancelled_by"], event.data["refund_due"]) == ("doctor", True)


def test_a_teleconsultation_from_start_to_completion(
    api, patient, doctor, confirmed, table, published
):
    consultation = confirmed(doctor)
    cid = consultation["id"]
    table.move_start(cid, datetime.now(UTC) + timedelta(minutes=5))
    me, dr = api.as_(patient), api.as_(doctor)

    assert me.act(cid, "start").status_code == 403
    early_join = me.act(cid, "join")
    early_complete = dr.act(cid, "complete", SUMMARY)
    started = dr.act(cid, "start")
    twice = dr.act(cid, "start")
    joined = me.act(cid, "join")
    rejoined = me.act(cid, "join")
    no_show_after_join = dr.act(cid, "no-show")
    completed = dr.act(cid, "complete", SUMMARY)
    cancel_after = me.act(cid, "cancel")

    assert (early_join.status_code, early_join.json()["current_status"]) == (409, "confirmed")
    assert (early_complete.status_code, early_complete.json()["current_status"]) == (
        409,
        "confirmed",
    )
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    session = started.json()["session"]
    assert {(p["user_id"], p["role"]) for p in session["participants"]} == {
        (doctor.user_id, "doctor"),
        (patient.user_id, "patient"),
    }
    assert (twice.status_code, twice.json()["current_status"]) == (409, "in_progress")
    assert joined.json()["session"]["room_id"] == session["room_id"]
    assert joined.json()["session"]["patient_joined_at"] is not None
    assert (
        rejoined.json()["session"]["patient_joined_at"]
        == (joined.json()["session"]["patient_joined_at"])
    )
    assert (no_show_after_join.status_code, no_show_after_join.json()["current_status"]) == (
        409,
        "in_progress",
    )
    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    assert (cancel_after.status_code, cancel_after.json()["current_status"]) == (409, "completed")

    event = published.wait_for("consultation.started", consultation_id=cid)
    assert (event.data["room_id"], event.data["mode"]) == (session["room_id"], "video")
    done = published.wait_for("consultation.completed", consultation_id=cid)
    assert done.data["reason"] == consultation["reason"]
    assert done.data["diagnoses"] == [{"code": "B54", "label": "Paludisme, sans précision"}]
    assert done.data["prescriptions"][0]["duration"] == "3 jours"
    assert done.data["follow_up"] == SUMMARY["follow_up"]
    seen_by_patient = me.get(cid).json()
    assert seen_by_patient["summary"]["notes"] == SUMMARY["notes"]


def test_the_doctor_cannot_start_long_before_the_time(api, doctor, confirmed):
    consultation = confirmed(doctor)

    response = api.as_(doctor).act(consultation["id"], "start", None)

    assert response.status_code == 409
    problem = response.json()
    assert problem["current_status"] == "confirmed"
    assert parse(problem["window_opens_at"]) == parse(consultation["starts_at"]) - timedelta(
        minutes=10
    )


def test_a_summary_with_a_malformed_diagnosis_is_refused_naming_the_field(
    api, doctor, confirmed, table
):
    consultation = confirmed(doctor)
    table.move_start(consultation["id"], datetime.now(UTC))
    api.as_(doctor).act(consultation["id"], "start")

    response = api.as_(doctor).act(
        consultation["id"], "complete", {**SUMMARY, "diagnoses": [{"code": "fever", "label": "x"}]}
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["diagnoses.0.code"]
    assert api.as_(doctor).status_of(consultation["id"]) == "in_progress"


def test_the_doctor_records_a_no_show_only_after_the_start_time(
    api, doctor, confirmed, table, published
):
    consultation = confirmed(doctor)
    before = api.as_(doctor).act(consultation["id"], "no-show")
    table.move_start(consultation["id"], datetime.now(UTC) - timedelta(minutes=5))

    after = api.as_(doctor).act(consultation["id"], "no-show")

    assert (before.status_code, before.json()["current_status"]) == (409, "confirmed")
    assert after.status_code == 200 and after.json()["status"] == "no_show"
    published.wait_for("consultation.no_show", consultation_id=consultation["id"])


def test_a_patient_whose_doctor_never_came_cancels_and_is_refunded(
    api, patient, new_doctor, confirmed, table
):
    consultation = confirmed(new_doctor(account=False))
    table.move_start(consultation["id"], datetime.now(UTC) - timedelta(minutes=5))
    too_early = api.as_(patient).act(consultation["id"], "cancel")
    table.move_start(consultation["id"], datetime.now(UTC) - timedelta(minutes=20))

    response = api.as_(patient).act(consultation["id"], "cancel")

    assert too_early.status_code == 409
    assert response.status_code == 200
    assert response.json()["cancellation"]["reason"] == "doctor_absent"
    assert response.json()["cancellation"]["refund_due"] is True


def test_a_stranger_gets_404_for_someone_else_s_consultation(
    api, patient, doctor, new_patient, confirmed
):
    consultation = confirmed(doctor)
    stranger = new_patient("Seydou Dembélé")

    assert api.as_(stranger).get(consultation["id"]).status_code == 404
    assert api.as_(stranger).act(consultation["id"], "cancel").status_code == 404
    assert api.as_(stranger).get("01JUNKNOWNCONSULTATION00000").status_code == 404
    assert api.as_(patient).get("x" * 300).status_code == 404
    assert api.as_(doctor).get(consultation["id"]).status_code == 200
    assert (
        api.as_(patient).get(consultation["id"]).json()
        == api.as_(doctor).get(consultation["id"]).json()
    )
    assert api.as_(patient).get(consultation["id"]).headers["Cache-Control"] == "no-store"


def test_an_administrator_may_cancel_any_consultation_but_not_read_it(
    platform, aws_endpoint, api, new_doctor, confirmed, published
):
    consultation = confirmed(new_doctor(account=False))
    admin = sign_up_admin(platform, aws_endpoint)

    read = api.as_(admin).get(consultation["id"])
    listed = api.as_(admin).call("GET", "")
    cancelled = api.as_(admin).act(consultation["id"], "cancel")

    assert read.status_code == 404
    assert listed.status_code == 403
    assert cancelled.status_code == 200
    event = published.wait_for("consultation.cancelled", consultation_id=consultation["id"])
    assert (event.data["cancelled_by"], event.data["refund_due"]) == ("admin", True)
