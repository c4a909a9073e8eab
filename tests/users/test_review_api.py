"""/admin/doctors: administrators verify and suspend doctors; only verified ones are listed."""

from __future__ import annotations

import uuid

import pytest

from tests.support.users import COMPLETE_DOCTOR


def unique_city() -> str:
    return f"Kita {uuid.uuid4().hex[:8]}"


def listed_in(users_api, city: str) -> list[str]:
    return [card["id"] for card in users_api.get("/doctors", params={"city": city}).json()["items"]]


@pytest.fixture(scope="module")
def patient(people):
    return people.patient()


def in_queue(users_api, admin, status: str, doctor_id: str) -> dict | None:
    """The doctor's entry in the review queue of `status`, reading it page after page."""
    params = {"status": status, "limit": 50}
    while True:
        page = users_api.get("/admin/doctors", params=params, who=admin).json()
        found = [entry for entry in page["items"] if entry["id"] == doctor_id]
        if found or not page["next_cursor"]:
            return found[0] if found else None
        params = {**params, "cursor": page["next_cursor"]}


def test_a_new_doctor_waits_in_the_review_queue_with_their_whole_profile(people, users_api, admin):
    doctor = people.doctor("Dr Salif Touré")
    users_api.patch("/me", COMPLETE_DOCTOR, who=doctor)

    entry = in_queue(users_api, admin, "pending", doctor.user_id)

    assert entry is not None
    assert (entry["status"], entry["licence_number"], entry["phone"]) == (
        "pending",
        "CNOM-10001",
        doctor.phone,
    )
    whole = users_api.get(f"/admin/doctors/{doctor.user_id}", who=admin)
    assert whole.status_code == 200 and whole.json() == entry


def test_verification_lists_the_doctor_and_tells_the_consultations_service(
    people, users_api, admin, published
):
    city = unique_city()
    doctor = people.doctor("Dr Mariam Cissé")
    users_api.patch("/me", {**COMPLETE_DOCTOR, "city": city, "fee_xof": 9000}, who=doctor)
    users_api.put(
        "/me/availability", {"weekly": {"wed": [{"start": "08:00", "end": "09:00"}]}}, who=doctor
    )
    assert listed_in(users_api, city) == []
    assert users_api.get(f"/doctors/{doctor.user_id}").status_code == 404

    response = users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin)

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["verified_at"] is not None) == (
        "verified",
        True,
    )
    assert listed_in(users_api, city) == [doctor.user_id]
    assert users_api.get(f"/doctors/{doctor.user_id}").status_code == 200
    event = published.wait_for("doctor.verified", doctor_id=doctor.user_id)
    assert (event.data["fee_xof"], event.data["specialty"], event.data["slot_minutes"]) == (
        9000,
        "general-practice",
        30,
    )
    assert event.data["weekly"] == {"wed": [{"start": "08:00", "end": "09:00"}]}
    assert in_queue(users_api, admin, "pending", doctor.user_id) is None
    assert in_queue(users_api, admin, "verified", doctor.user_id)["licence_number"] == "CNOM-10001"


def test_suspension_unlists_the_doctor_and_reinstatement_lists_them_again(
    listed_doctor, users_api, admin, published
):
    city = unique_city()
    doctor = listed_doctor(city=city)
    assert listed_in(users_api, city) == [doctor.user_id]

    suspended = users_api.post(
        f"/admin/doctors/{doctor.user_id}/suspend",
        {"reason": "Numéro d'ordre non reconnu par le CNOM"},
        who=admin,
    )

    assert suspended.status_code == 200
    assert (suspended.json()["status"], suspended.json()["status_reason"]) == (
        "suspended",
        "Numéro d'ordre non reconnu par le CNOM",
    )
    assert listed_in(users_api, city) == []
    assert users_api.get(f"/doctors/{doctor.user_id}").status_code == 404
    event = published.wait_for("doctor.suspended", doctor_id=doctor.user_id)
    assert event.data["status"] == "suspended"
    assert users_api.get("/me", who=doctor).json()["status"] == "suspended"

    reinstated = users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin)

    assert (reinstated.status_code, reinstated.json()["status_reason"]) == (200, None)
    assert listed_in(users_api, city) == [doctor.user_id]
    again = published.wait_for(
        "doctor.verified", doctor_id=doctor.user_id, revision=event.data["revision"] + 1
    )
    assert again.data["status"] == "verified"


def test_each_decision_is_kept_newest_first_with_the_administrator_and_the_reason(
    people, users_api, admin
):
    doctor = people.doctor("Dr Adama Konaté")
    users_api.patch("/me", COMPLETE_DOCTOR, who=doctor)
    history = f"/admin/doctors/{doctor.user_id}/history"
    assert users_api.get(history, who=admin).json() == {"items": []}

    users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin)
    users_api.post(
        f"/admin/doctors/{doctor.user_id}/suspend", {"reason": "Plainte d'un patient"}, who=admin
    )
    users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin)
    # a refused action decides nothing
    assert users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin).status_code == 409

    answer = users_api.get(history, who=admin)

    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    items = answer.json()["items"]
    assert [(i["action"], i["status_before"], i["status_after"], i["reason"]) for i in items] == [
        ("verify", "suspended", "verified", None),
        ("suspend", "verified", "suspended", "Plainte d'un patient"),
        ("verify", "pending", "verified", None),
    ]
    assert {(i["decided_by"]["id"], i["decided_by"]["full_name"]) for i in items} == {
        (admin.user_id, "Fanta Keita")
    }
    times = [i["decided_at"] for i in items]
    assert times == sorted(times, reverse=True)
    assert users_api.get(history, who=doctor).status_code == 403


def test_only_a_doctor_has_a_review_history(patient, users_api, admin):
    for who in (patient.user_id, "01NOSUCHDOCTOR000000000000"):
        assert users_api.get(f"/admin/doctors/{who}/history", who=admin).status_code == 404


def test_an_incomplete_doctor_cannot_be_verified_and_the_missing_fields_are_named(
    people, users_api, admin
):
    doctor = people.doctor()
    users_api.patch("/me", {"specialty": "dermatology"}, who=doctor)

    response = users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin, language="en")

    assert response.status_code == 409
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("licence_number", "required_to_verify"),
        ("fee_xof", "required_to_verify"),
        ("city", "required_to_verify"),
    ]
    assert users_api.get("/me", who=doctor).json()["status"] == "pending"


def test_verifying_a_verified_doctor_is_a_conflict(listed_doctor, users_api, admin):
    doctor = listed_doctor()

    response = users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin)

    assert (response.status_code, response.json()["status"]) == (409, "verified")


def test_a_suspension_needs_a_reason(listed_doctor, users_api, admin):
    doctor = listed_doctor()

    response = users_api.post(f"/admin/doctors/{doctor.user_id}/suspend", {}, who=admin)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]


def test_only_doctors_can_be_reviewed(patient, users_api, admin):
    for path in (f"/admin/doctors/{patient.user_id}", "/admin/doctors/01NOSUCHDOCTOR000000000000"):
        assert users_api.get(path, who=admin).status_code == 404
    assert users_api.post(f"/admin/doctors/{patient.user_id}/verify", who=admin).status_code == 404


def test_the_review_queue_pages_with_a_cursor_of_its_own(users_api, admin):
    first = users_api.get("/admin/doctors", params={"limit": 1}, who=admin).json()
    assert len(first["items"]) == 1 and first["next_cursor"]

    second = users_api.get(
        "/admin/doctors", params={"limit": 1, "cursor": first["next_cursor"]}, who=admin
    ).json()
    wrong = users_api.get(
        "/admin/doctors",
        params={"status": "suspended", "cursor": first["next_cursor"]},
        who=admin,
    )

    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["cursor"]
