"""The local copy of a doctor follows the users service's events, whatever their order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.doctors import Doctor

T0 = datetime(2031, 3, 1, 8, 0, tzinfo=UTC)
SCHEDULE = {
    "time_zone": "Africa/Bamako",
    "slot_minutes": 30,
    "weekly": {"mon": [{"start": "08:00", "end": "12:00"}]},
    "exceptions": [],
}


def verified(**extra):
    return {
        "doctor_id": "d1",
        "full_name": "Dr Fatoumata Koné",
        "specialty": "general_practice",
        "fee_xof": 5000,
        "time_zone": "Africa/Bamako",
        **extra,
    }


def test_a_doctor_is_bookable_once_verified_with_a_schedule():
    doctor = Doctor("d1").apply("doctor.verified", verified(), T0)
    assert not doctor.bookable

    doctor = doctor.apply("doctor.availability_changed", {"doctor_id": "d1", **SCHEDULE}, T0)

    assert doctor.bookable
    assert (doctor.full_name, doctor.fee_xof) == ("Dr Fatoumata Koné", 5000)


def test_a_suspension_older_than_the_verification_is_ignored():
    doctor = Doctor("d1").apply("doctor.verified", verified(), T0 + timedelta(minutes=1))

    late = doctor.apply("doctor.suspended", {"doctor_id": "d1"}, T0)

    assert late.status == "verified"
    assert (
        doctor.apply("doctor.suspended", {"doctor_id": "d1"}, T0 + timedelta(minutes=2)).status
        == "suspended"
    )


def test_a_snapshot_with_a_higher_revision_replaces_the_copy_and_a_lower_one_is_ignored():
    doctor = Doctor("d1").apply(
        "doctor.availability_changed",
        {
            "doctor_id": "d1",
            "revision": 3,
            "status": "verified",
            "full_name": "Dr Koné",
            "specialty": "cardiology",
            "fee_xof": 7500,
            **SCHEDULE,
        },
        T0,
    )
    assert doctor.bookable and doctor.revision == 3

    older = doctor.apply(
        "doctor.suspended", {"doctor_id": "d1", "revision": 2, "status": "suspended"}, T0
    )
    newer = doctor.apply(
        "profile.updated",
        {
            "user_id": "d1",
            "role": "doctor",
            "changed": ["fee_xof"],
            "revision": 4,
            "status": "verified",
            "full_name": "Dr Koné",
            "specialty": "cardiology",
            "fee_xof": 10000,
            **SCHEDULE,
        },
        T0,
    )

    assert older == doctor
    assert (newer.fee_xof, newer.revision, newer.bookable) == (10000, 4, True)


def test_a_snapshot_without_a_schedule_leaves_the_doctor_unbookable():
    doctor = Doctor("d1").apply(
        "doctor.verified",
        {**verified(), "revision": 1, "status": "verified", "weekly": None, "slot_minutes": None},
        T0,
    )

    assert doctor.status == "verified" and not doctor.bookable


def test_the_stored_form_gives_the_same_copy_back():
    doctor = (
        Doctor("d1")
        .apply("doctor.verified", verified(), T0)
        .apply("doctor.availability_changed", {"doctor_id": "d1", **SCHEDULE}, T0)
    )

    assert Doctor.from_document(doctor.to_document(), version=0) == doctor
