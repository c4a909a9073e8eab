"""The rules of a payment intent: transitions, notifications, what a provider's answer means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.intents import (
    Intent,
    InvalidTransition,
    next_check_after_trouble,
    notification_matches,
    settlement_of,
)
from chalicelib.providers import Status

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def an_intent(**changes) -> Intent:
    fields = dict(
        id="pay_1",
        consultation_id="c1",
        payer_id="p1",
        doctor_id="d1",
        provider="orange_money",
        payer_phone="+22376000000",
        amount_xof=5000,
        language="fr",
        status="pending",
        created_at=T0,
        updated_at=T0,
        references={"pay_token": "pt", "notif_token": "secret-token"},
        action="redirect",
    )
    return Intent(**{**fields, **changes})


def test_a_notification_is_accepted_only_with_the_intents_token():
    intent = an_intent()
    assert notification_matches(intent, "secret-token")
    assert not notification_matches(intent, "forged")
    assert not notification_matches(intent, None)
    assert not notification_matches(an_intent(references={}), "")


def test_success_is_recorded_only_for_the_same_amount():
    intent = an_intent()
    assert settlement_of(intent, Status("succeeded", 5000), T0).status == "succeeded"
    mismatch = settlement_of(intent, Status("succeeded", 4000), T0)
    assert (mismatch.status, mismatch.reason) == ("failed", "amount_mismatch")


def test_an_intent_kept_before_deadlines_were_stays_pending_fifteen_minutes_then_expires():
    intent = an_intent()
    assert settlement_of(intent, Status("pending"), T0 + timedelta(minutes=14)).status is None
    late = settlement_of(intent, Status("pending"), T0 + timedelta(minutes=15))
    assert late.status == "expired"


def test_an_intent_expires_at_its_bookings_deadline_whatever_the_window_was():
    intent = an_intent(due_at=T0 + timedelta(minutes=5))
    assert intent.expires_at == T0 + timedelta(minutes=5)
    assert settlement_of(intent, Status("pending"), T0 + timedelta(minutes=4)).status is None
    assert settlement_of(intent, Status("pending"), T0 + timedelta(minutes=5)).status == "expired"


def test_a_refusal_fails_the_intent_with_the_providers_word():
    answer = settlement_of(an_intent(), Status("failed", detail="FAILED"), T0)
    assert (answer.status, answer.reason) == ("failed", "failed")


def test_an_ended_intent_cannot_change_again():
    paid = an_intent().moved_to("succeeded", T0)
    with pytest.raises(InvalidTransition):
        paid.moved_to("failed", T0)
    assert paid.moved_to("refunded", T0).status == "refunded"


def test_provider_trouble_backs_off_up_to_ten_minutes():
    delays = [next_check_after_trouble(an_intent(attempts=n), T0) - T0 for n in (0, 1, 2, 3, 6, 20)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=10),
        timedelta(minutes=10),
    ]
