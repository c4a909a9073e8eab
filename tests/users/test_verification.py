"""The review of doctors: which action is allowed from which status, and what it checks."""

from __future__ import annotations

import pytest

from chalicelib.errors import IncompleteProfile, TransitionRefused
from chalicelib.verification import review

from .profiles_to_start_from import doctor, patient


def test_a_complete_pending_doctor_is_verified_and_becomes_listed(clock):
    verified = review(doctor(), "verify", clock.now())

    assert (verified.status, verified.listed) == ("verified", True)
    assert verified.verified_at == verified.status_changed_at == clock.now()


def test_a_doctor_missing_what_verification_checks_is_refused_naming_the_fields(clock):
    with pytest.raises(IncompleteProfile) as caught:
        review(doctor(licence_number=None, fee_xof=None), "verify", clock.now())

    assert caught.value.missing == ["licence_number", "fee_xof"]


def test_a_suspended_doctor_keeps_the_reason_and_leaves_the_directory(clock):
    suspended = review(doctor(status="verified"), "suspend", clock.now(), "licence revoked")

    assert (suspended.status, suspended.status_reason, suspended.listed) == (
        "suspended",
        "licence revoked",
        False,
    )


def test_a_suspended_doctor_can_be_reinstated_and_the_reason_is_cleared(clock):
    suspended = doctor(status="suspended", status_reason="licence revoked")

    reinstated = review(suspended, "verify", clock.now())

    assert (reinstated.status, reinstated.status_reason) == ("verified", None)


@pytest.mark.parametrize(("status", "action"), [("verified", "verify"), ("suspended", "suspend")])
def test_repeating_an_action_is_refused_with_the_current_status(clock, status, action):
    with pytest.raises(TransitionRefused) as caught:
        review(doctor(status=status), action, clock.now())

    assert caught.value.status == status


def test_a_patient_cannot_be_reviewed(clock):
    with pytest.raises(TransitionRefused):
        review(patient(), "verify", clock.now())
