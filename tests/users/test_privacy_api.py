"""Who sees what: each role against each resource, with access learnt from consultations.

A patient's profile is for the patient, administrators, and doctors who have a consultation
with the patient (booked or held); everyone else gets 404, as if it did not exist. A doctor's
whole profile is for the doctor and administrators; anyone sees a verified doctor's public card.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from keneya.correlation import new_id
from tests.support.people import eventually
from tests.support.users import listed_doctor, publish


def consultation(platform, kind: str, doctor, patient, consultation_id: str) -> None:
    """The consultations service's event of `kind` about a consultation of the two."""
    base = {
        "consultation_id": consultation_id,
        "patient_id": patient.user_id,
        "doctor_id": doctor.user_id,
    }
    extra = {
        "consultation.booked": {
            "starts_at": "2031-03-04T09:00:00Z",
            "ends_at": "2031-03-04T09:30:00Z",
            "mode": "video",
            "fee_xof": 10000,
            "status": "pending_payment",
        },
        "consultation.cancelled": {
            "cancelled_by": "patient",
            "refund_due": False,
            "fee_xof": 10000,
        },
        "consultation.completed": {"completed_at": "2031-03-04T09:31:00Z", "reason": "Fièvre"},
    }[kind]
    publish(platform, kind, {**base, **extra}, source="consultations")


@pytest.fixture(scope="module")
def cast(platform, people, users_api, admin):
    """A patient; another patient; doctors who booked, treated, cancelled, or never met them."""
    c = SimpleNamespace(
        patient=people.patient("Rokia Dembélé"),
        other_patient=people.patient("Assitan Koné"),
        booked_doctor=listed_doctor(people, users_api, admin, "Dr Booked"),
        treating_doctor=listed_doctor(people, users_api, admin, "Dr Treating"),
        cancelled_doctor=listed_doctor(people, users_api, admin, "Dr Cancelled"),
        stranger_doctor=listed_doctor(people, users_api, admin, "Dr Stranger"),
        pending_doctor=people.doctor("Dr Pending"),
        admin=admin,
        anonymous=None,
    )
    consultation(platform, "consultation.booked", c.booked_doctor, c.patient, new_id())
    treated = new_id()
    consultation(platform, "consultation.booked", c.treating_doctor, c.patient, treated)
    consultation(platform, "consultation.completed", c.treating_doctor, c.patient, treated)
    cancelled = new_id()
    consultation(platform, "consultation.booked", c.cancelled_doctor, c.patient, cancelled)
    path = f"/patients/{c.patient.user_id}"
    for doctor in (c.booked_doctor, c.treating_doctor, c.cancelled_doctor):
        assert eventually(lambda d=doctor: users_api.get(path, who=d).status_code == 200)
    consultation(platform, "consultation.cancelled", c.cancelled_doctor, c.patient, cancelled)
    # A booking arriving after its cancellation (redelivered, or late) must not reopen access.
    consultation(platform, "consultation.booked", c.cancelled_doctor, c.patient, cancelled)
    assert eventually(lambda: users_api.get(path, who=c.cancelled_doctor).status_code == 404)
    return c


PATIENT_PROFILE = {
    "patient": 200,
    "other_patient": 404,
    "booked_doctor": 200,
    "treating_doctor": 200,
    "cancelled_doctor": 404,
    "stranger_doctor": 404,
    "pending_doctor": 404,
    "admin": 200,
    "anonymous": 401,
}


@pytest.mark.parametrize(("role", "status"), PATIENT_PROFILE.items(), ids=PATIENT_PROFILE)
def test_a_patients_profile(cast, users_api, role, status):
    response = users_api.get(f"/patients/{cast.patient.user_id}", who=getattr(cast, role))

    assert response.status_code == status
    if status == 200:
        assert response.json()["full_name"] == "Rokia Dembélé"
        assert response.headers["Cache-Control"] == "no-store"
    else:
        assert "Rokia" not in response.text


def test_an_unknown_patient_looks_the_same_as_one_you_may_not_see(cast, users_api):
    unknown = users_api.get("/patients/01NOSUCHPATIENT00000000000", who=cast.stranger_doctor)
    hidden = users_api.get(f"/patients/{cast.patient.user_id}", who=cast.stranger_doctor)

    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json()["detail"] == hidden.json()["detail"]


def test_a_doctor_is_not_a_patient_even_to_an_administrator(cast, users_api):
    response = users_api.get(f"/patients/{cast.booked_doctor.user_id}", who=cast.admin)

    assert response.status_code == 404


WHOLE_DOCTOR = {
    "patient": 403,
    "booked_doctor": 403,
    "stranger_doctor": 403,
    "admin": 200,
    "anonymous": 401,
}


@pytest.mark.parametrize(("role", "status"), WHOLE_DOCTOR.items(), ids=WHOLE_DOCTOR)
def test_a_doctors_whole_profile_is_for_administrators(cast, users_api, role, status):
    response = users_api.get(
        f"/admin/doctors/{cast.booked_doctor.user_id}", who=getattr(cast, role)
    )

    assert response.status_code == status
    assert ("CNOM" in response.text) is (status == 200)


@pytest.mark.parametrize("role", ["patient", "stranger_doctor", "admin", "anonymous"])
def test_a_verified_doctors_public_card_is_for_everyone_a_pending_one_for_no_one(
    cast, users_api, role
):
    who = getattr(cast, role)

    listed = users_api.get(f"/doctors/{cast.booked_doctor.user_id}", who=who)
    pending = users_api.get(f"/doctors/{cast.pending_doctor.user_id}", who=who)

    assert (listed.status_code, pending.status_code) == (200, 404)


@pytest.mark.parametrize("role", ["patient", "booked_doctor", "pending_doctor"])
def test_review_actions_are_for_administrators_only(cast, users_api, role):
    who = getattr(cast, role)
    target = cast.pending_doctor.user_id

    verify = users_api.post(f"/admin/doctors/{target}/verify", who=who)
    suspend = users_api.post(f"/admin/doctors/{target}/suspend", {"reason": "test"}, who=who)
    queue = users_api.get("/admin/doctors", who=who)

    assert (verify.status_code, suspend.status_code, queue.status_code) == (403, 403, 403)
    assert users_api.get("/me", who=cast.pending_doctor).json()["status"] == "pending"


@pytest.mark.parametrize("role", ["patient", "booked_doctor", "admin"])
def test_me_is_always_ones_own_profile(cast, users_api, role):
    who = getattr(cast, role)

    assert users_api.get("/me", who=who).json()["id"] == who.user_id
