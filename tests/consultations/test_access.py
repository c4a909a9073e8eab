"""Who may see and do what: participants only, the doctor leads, strangers get a 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.access import authorize
from chalicelib.errors import ConsultationNotFound, NotYourAction
from chalicelib.lifecycle import Actor, Consultation, Status

NINE = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
CONSULTATION = Consultation(
    id="c1",
    patient_id="p1",
    doctor_id="d1",
    starts_at=NINE,
    ends_at=NINE + timedelta(minutes=30),
    time_zone="Africa/Bamako",
    mode="video",
    reason="fièvre",
    fee_xof=5000,
    status=Status.CONFIRMED,
    booked_at=NINE,
    updated_at=NINE,
)
PATIENT, DOCTOR = Actor("p1", "patient"), Actor("d1", "doctor")
OTHER_PATIENT, OTHER_DOCTOR, ADMIN = (
    Actor("p2", "patient"),
    Actor("d2", "doctor"),
    Actor("a1", "admin"),
)

ALLOWED = {
    "read": {PATIENT, DOCTOR},
    "cancel": {PATIENT, DOCTOR, ADMIN},
    "join": {PATIENT, DOCTOR},
    "start": {DOCTOR},
    "complete": {DOCTOR},
    "no_show": {DOCTOR},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("who", [PATIENT, DOCTOR, OTHER_PATIENT, OTHER_DOCTOR, ADMIN])
def test_each_role_may_do_exactly_what_the_matrix_says(who, action):
    if who in ALLOWED[action]:
        authorize(CONSULTATION, who, action)
    elif who in (PATIENT, DOCTOR):
        with pytest.raises(NotYourAction):
            authorize(CONSULTATION, who, action)
    else:
        with pytest.raises(ConsultationNotFound):
            authorize(CONSULTATION, who, action)
