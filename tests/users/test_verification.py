"""The review of doctors: which action is allowed from which status, and what it checks."""

from __future__ import annotations

import pytest

from chalicelib.errors import IncompleteProfile, TransitionRefused
from chalicelib.verification import Decision, Reviewer, decision_of, newest_first, review

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


# -- the history of the review ------------------------------------------------------------

ADMIN = Reviewer("01ADMIN000000000000000000A", "Fanta Coulibaly")


def test_a_verification_is_kept_as_a_decision_of_the_administrator_without_a_reason(clock):
    before = doctor()
    after = review(before, "verify", clock.now())

    decision = decision_of(before, after, "verify", ADMIN)

    assert decision == Decision(
        doctor_id=before.user_id,
        action="verify",
        status_before="pending",
        status_after="verified",
        decided_at=clock.now(),
        by=ADMIN,
        reason=None,
    )


def test_a_suspension_is_kept_with_its_reason(clock):
    before = doctor(status="verified")
    after = review(before, "suspend", clock.now(), "Licence expirée")

    decision = decision_of(before, after, "suspend", Reviewer("01ADMIN000000000000000000B"))

    assert (decision.status_before, decision.status_after, decision.reason) == (
        "verified",
        "suspended",
        "Licence expirée",
    )
    assert decision.by.full_name is None


def test_nothing_is_a_decision_when_the_status_did_not_change(clock):
    with pytest.raises(TransitionRefused):
        decision_of(doctor(), doctor(), "verify", ADMIN)


def test_the_history_reads_newest_first(clock):
    pending = doctor()
    verified = review(pending, "verify", clock.now())
    first = decision_of(pending, verified, "verify", ADMIN)
    clock.advance(days=2)
    suspended = review(verified, "suspend", clock.now(), "Plainte de patients")
    second = decision_of(verified, suspended, "suspend", ADMIN)
    clock.advance(hours=1)
    reinstated = review(suspended, "verify", clock.now())
    third = decision_of(suspended, reinstated, "verify", ADMIN)

    assert newest_first([first, third, second]) == [third, second, first]
