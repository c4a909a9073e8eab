"""GET and PATCH /me: profiles opened from registration, changed by their owner."""

from __future__ import annotations

import pytest

from keneya.events import new_event
from tests.support.people import eventually
from tests.support.users import sqs_event


@pytest.fixture(scope="module")
def patient(people):
    """A patient whose requests below are all refused: nothing of theirs changes."""
    return people.patient()


@pytest.fixture(scope="module")
def doctor(people):
    """A doctor whose requests below are all refused: nothing of theirs changes."""
    return people.doctor()


def test_a_patients_profile_is_opened_from_their_registration(people, users_api):
    patient = people.patient("Aminata Sangaré", ready=False, language="en")

    profile = users_api.profile_of(patient)

    assert profile["id"] == patient.user_id
    assert (profile["role"], profile["full_name"], profile["language"]) == (
        "patient",
        "Aminata Sangaré",
        "en",
    )
    assert (profile["phone"], profile["phone_verified"]) == (patient.phone, False)
    assert profile["emergency_contact"] is None
    assert "specialty" not in profile and "fee_xof" not in profile


def test_a_doctors_profile_starts_pending_review(people, users_api):
    doctor = people.doctor("Dr Oumar Keita")

    profile = users_api.get("/me", who=doctor, language="en").json()

    assert (profile["role"], profile["status"], profile["has_schedule"]) == (
        "doctor",
        "pending",
        False,
    )
    assert profile["languages"] == [{"code": "fr", "label": "French"}]


def test_a_patient_fills_in_their_profile_and_others_are_told_what_changed(
    people, users_api, published
):
    patient = people.patient()

    response = users_api.patch(
        "/me",
        {
            "date_of_birth": "1992-07-14",
            "sex": "female",
            "city": "Sikasso",
            "emergency_contact": {
                "name": "Seydou Traoré",
                "phone": "66 12 34 56",
                "relationship": "frère",
            },
        },
        who=patient,
    )

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    profile = response.json()
    assert (profile["date_of_birth"], profile["sex"], profile["city"]) == (
        "1992-07-14",
        "female",
        "Sikasso",
    )
    assert profile["emergency_contact"] == {
        "name": "Seydou Traoré",
        "phone": "+22366123456",
        "relationship": "frère",
    }
    assert users_api.get("/me", who=patient).json() == profile
    event = published.wait_for("profile.updated", user_id=patient.user_id)
    assert event.data["changed"] == ["city", "date_of_birth", "emergency_contact", "sex"]
    assert event.data["role"] == "patient" and event.data["fee_xof"] is None
    assert "1992-07-14" not in event.to_json()


def test_clearing_an_optional_field_and_changing_nothing_else(people, users_api):
    patient = people.patient()
    users_api.patch("/me", {"city": "Kayes", "sex": "male"}, who=patient)

    profile = users_api.patch("/me", {"city": None}, who=patient).json()

    assert (profile["city"], profile["sex"]) == (None, "male")


def test_invalid_fields_are_named_in_the_callers_language(patient, users_api):
    response = users_api.patch(
        "/me",
        {
            "full_name": None,
            "phone": "+22370000000",
            "sex": "other",
            "emergency_contact": {"name": "Ba", "phone": "12"},
        },
        who=patient,
        language="en",
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    errors = {error["field"]: error for error in problem["errors"]}
    assert set(errors) == {"full_name", "phone", "sex", "emergency_contact.phone"}
    assert errors["phone"]["code"] == "read_only"
    assert errors["phone"]["message"] == "Change it in your account settings, not in the profile."
    assert problem["detail"] == "Some fields are missing or invalid."
    french = users_api.patch("/me", {"sex": "other"}, who=patient).json()
    assert french["detail"] == "Certains champs sont absents ou invalides."


def test_a_patient_cannot_give_themselves_doctor_fields(patient, users_api):
    response = users_api.patch("/me", {"fee_xof": 5000, "specialty": "cardiology"}, who=patient)

    assert response.status_code == 422
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("fee_xof", "not_for_role"),
        ("specialty", "not_for_role"),
    }


def test_null_cannot_clear_a_required_field(doctor, users_api):
    response = users_api.patch("/me", {"languages": None}, who=doctor)

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("languages", "field_required")
    ]


def test_a_doctor_describes_their_practice_and_consultations_learn_the_fee(
    people, users_api, published
):
    doctor = people.doctor()

    response = users_api.patch(
        "/me",
        {
            "specialty": "paediatrics",
            "languages": ["bm", "fr", "ff"],
            "licence_number": " cnom  2024-118 ",
            "facility": "Centre de santé de Kalaban Coura",
            "biography": "Pédiatre, 12 ans au CHU Gabriel Touré.",
            "fee_xof": 12500,
            "city": "Bamako",
        },
        who=doctor,
        language="fr",
    )

    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["specialty"] == {"code": "paediatrics", "label": "Pédiatrie"}
    assert [lang["code"] for lang in profile["languages"]] == ["bm", "fr", "ff"]
    assert (profile["licence_number"], profile["fee_xof"], profile["status"]) == (
        "CNOM 2024-118",
        12500,
        "pending",
    )
    event = published.wait_for("profile.updated", user_id=doctor.user_id)
    assert (event.data["fee_xof"], event.data["status"], event.data["specialty"]) == (
        12500,
        "pending",
        "paediatrics",
    )
    assert event.data["revision"] >= 2


@pytest.mark.parametrize("fee", [499, 500_001, 12.5, "12000"])
def test_a_fee_is_a_whole_number_of_xof_within_bounds(doctor, users_api, fee):
    response = users_api.patch("/me", {"fee_xof": fee}, who=doctor, language="en")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "fee_xof"


def test_a_verified_doctors_specialty_is_locked_but_their_fee_is_not(listed_doctor, users_api):
    doctor = listed_doctor()

    locked = users_api.patch("/me", {"specialty": "dermatology"}, who=doctor, language="en")
    fee = users_api.patch("/me", {"fee_xof": 18000}, who=doctor)

    assert locked.status_code == 409
    assert [(e["field"], e["code"]) for e in locked.json()["errors"]] == [("specialty", "locked")]
    assert (fee.status_code, fee.json()["fee_xof"]) == (200, 18000)


def test_an_administrator_has_a_profile_too(admin, users_api):
    profile = users_api.patch("/me", {"language": "en"}, who=admin).json()

    assert (profile["role"], profile["language"]) == ("admin", "en")


def test_without_a_valid_token_me_is_401(users_api):
    assert users_api.get("/me").status_code == 401


def test_a_verified_phone_number_shows_on_the_profile(platform, people, users_api, published):
    from tests.support.auth import Api

    patient = people.patient()
    auth = Api(platform.url("auth"))
    assert auth.post("/otp/send", {"phone": patient.phone, "purpose": "verify_phone"}).ok
    code = published.code_sent_to(patient.phone)

    assert auth.post("/otp/verify", {"phone": patient.phone, "code": code}).ok

    assert eventually(lambda: users_api.get("/me", who=patient).json()["phone_verified"])


def test_a_repeated_or_late_registration_event_changes_nothing(platform, people, users_api):
    patient = people.patient("Kadiatou Coulibaly")
    users_api.patch("/me", {"full_name": "Kadiatou Coulibaly-Diallo"}, who=patient)
    late = new_event(
        "user.registered",
        {"user_id": patient.user_id, "role": "doctor", "full_name": "Someone Else"},
        source="auth",
    )

    first = platform.invoke("users", "consume_events", sqs_event(late))
    again = platform.invoke("users", "consume_events", sqs_event(late))

    assert first == again == {"batchItemFailures": []}
    profile = users_api.get("/me", who=patient).json()
    assert (profile["full_name"], profile["role"]) == ("Kadiatou Coulibaly-Diallo", "patient")
