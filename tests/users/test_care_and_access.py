"""Who may read a patient's profile, and how consultation events grant and end that."""

from __future__ import annotations

import pytest

from chalicelib.access import may_view_patient
from chalicelib.care import GRANTS_ACCESS, next_status
from keneya.tokens import Principal

PATIENT = "01PATIENT"


def treats_nobody(doctor_id: str, patient_id: str) -> bool:
    return False


def treats_everyone(doctor_id: str, patient_id: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("who", "treats", "allowed"),
    [
        (Principal(PATIENT, "patient", "t"), treats_nobody, True),
        (Principal("01OTHER", "patient", "t"), treats_everyone, False),
        (Principal("01DOC", "doctor", "t"), treats_everyone, True),
        (Principal("01DOC", "doctor", "t"), treats_nobody, False),
        (Principal("01ADMIN", "admin", "t"), treats_nobody, True),
    ],
    ids=["the-patient", "another-patient", "their-doctor", "another-doctor", "an-admin"],
)
def test_the_patient_their_doctors_and_administrators_may_read_a_patients_profile(
    who, treats, allowed
):
    assert may_view_patient(who, PATIENT, treats) is allowed


def test_a_booking_grants_access_and_a_cancellation_ends_it():
    booked = next_status(None, "booked")
    cancelled = next_status(booked, "cancelled")

    assert booked in GRANTS_ACCESS
    assert cancelled == "cancelled" and cancelled not in GRANTS_ACCESS


def test_a_late_or_repeated_booking_does_not_reopen_a_closed_consultation():
    assert next_status("cancelled", "booked") is None
    assert next_status("expired", "booked") is None
    assert next_status("booked", "booked") is None


def test_a_completed_consultation_keeps_access_whatever_arrives_late():
    assert next_status("booked", "completed") == "completed"
    assert next_status("completed", "cancelled") is None
    assert "completed" in GRANTS_ACCESS


def test_news_that_arrives_before_the_booking_is_kept():
    assert next_status(None, "cancelled") == "cancelled"
