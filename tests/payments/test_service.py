"""The payments use cases on the fakes of fakes.py, without a network: creating intents (with
idempotency and the one-live-intent rule), the providers' refusals and outages, notifications,
reconciliation with its retries and the booking's deadline, the ledger, refunds, and the
consultations' events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.errors import ConflictError, IdempotencyMismatch, NotFoundError
from chalicelib.intents import Intent
from chalicelib.providers import ProviderRefused, ProviderUnavailable, Status
from chalicelib.service import Created, ScheduledCheck, WriteConflict
from tests.payments.fakes import Payments, at, event, payments

T0 = at("2026-11-29T10:00:00")
# Not the 15 minutes intents were once given: the deadline is the booking's.
DEADLINE = T0 + timedelta(minutes=20)
PHONE = "+22376123456"


@pytest.fixture
def p() -> Payments:
    return payments(now=T0)


def booked(p: Payments, consultation_id: str = "c1", fee_xof: int = 7500) -> None:
    p.service.on_booked(
        event(
            "consultation.booked",
            {
                "consultation_id": consultation_id,
                "patient_id": "patient-1",
                "doctor_id": "doctor-1",
                "starts_at": "2026-11-30T09:00:00Z",
                "ends_at": "2026-11-30T09:30:00Z",
                "mode": "video",
                "fee_xof": fee_xof,
                "status": "pending_payment",
                "payment_due_at": DEADLINE.isoformat(),
            },
        )
    )


def cancelled(p: Payments, refund_due: bool, consultation_id: str = "c1") -> None:
    p.service.on_cancelled(
        event(
            "consultation.cancelled",
            {
                "consultation_id": consultation_id,
                "patient_id": "patient-1",
                "doctor_id": "doctor-1",
                "cancelled_by": "patient",
                "refund_due": refund_due,
                "fee_xof": 7500,
            },
        )
    )


def pay(
    p: Payments,
    provider: str = "orange_money",
    key: str | None = None,
    payer_id: str = "patient-1",
    consultation_id: str = "c1",
) -> Created:
    return p.service.create(
        payer_id=payer_id,
        consultation_id=consultation_id,
        provider=provider,
        payer_phone=PHONE,
        language="fr",
        idempotency_key=key,
        notification_base="https://api.keneya.test/api/v1/payments/notifications/",
    )


def its_token(intent: Intent) -> dict[str, str]:
    """A notification's body with the token the fake provider gave for `intent`."""
    return {"notif_token": f"token-{intent.id}"}


def paid(p: Payments, provider: str = "orange_money") -> Intent:
    """A booking paid: the provider confirms, and its notification says so."""
    booked(p)
    intent = pay(p, provider).intent
    p.providers[provider].pays(7500)
    return p.service.notified(provider, intent.id, its_token(intent))


# -- creating an intent ---------------------------------------------------------------------


def test_an_intent_charges_the_bookings_fee_until_its_deadline_and_is_announced(p):
    booked(p)

    created = pay(p)

    intent = created.intent
    assert (created.replayed, intent.status, intent.amount_xof) == (False, "pending", 7500)
    assert (intent.action, intent.payment_url) == ("redirect", f"https://pay.example/{intent.id}")
    assert intent.expires_at == DEADLINE
    [request] = p.providers["orange_money"].requests
    assert request.notification_url == (
        f"https://api.keneya.test/api/v1/payments/notifications/orange_money/{intent.id}"
    )
    assert request.return_url == "https://app.keneya.test/consultations/c1/payment?result=paid"
    assert p.store.check_of(intent.id) == [T0 + timedelta(minutes=2)]
    assert [e["payment_id"] for e in p.store.emitted("payment.initiated")] == [intent.id]


def test_a_retry_with_the_same_idempotency_key_answers_the_same_intent(p):
    booked(p)
    first = pay(p, key="retry-key-0001")

    again = pay(p, key="retry-key-0001")

    assert (again.replayed, again.intent.id) == (True, first.intent.id)
    assert len(p.store.intents) == 1
    assert len(p.store.emitted("payment.initiated")) == 1
    assert len(p.providers["orange_money"].requests) == 1


def test_the_same_idempotency_key_for_another_request_is_refused(p):
    booked(p)
    pay(p, key="retry-key-0001")

    with pytest.raises(IdempotencyMismatch) as refused:
        pay(p, provider="moov_money", key="retry-key-0001")

    assert refused.value.field == "Idempotency-Key"
    assert p.providers["moov_money"].requests == []


def test_a_keyed_request_beaten_by_its_own_retry_answers_the_retrys_intent(p):
    booked(p)
    raced: list[Created] = []
    # The retry arrives and commits while the first request is being written.
    p.store.meanwhile = lambda: raced.append(pay(p, key="retry-key-0001"))

    created = pay(p, key="retry-key-0001")

    assert (created.replayed, created.intent.id) == (True, raced[0].intent.id)
    assert list(p.store.intents) == [raced[0].intent.id]
    assert len(p.store.emitted("payment.initiated")) == 1


def test_a_consultation_never_has_two_live_intents(p):
    booked(p)
    first = pay(p)

    with pytest.raises(ConflictError) as refused:
        pay(p, provider="moov_money")

    assert refused.value.field == "consultation_id"
    assert first.intent.id in str(refused.value)
    assert list(p.store.intents) == [first.intent.id]


def test_two_creations_at_the_same_instant_make_one_intent(p):
    booked(p)
    raced: list[Created] = []
    p.store.meanwhile = lambda: raced.append(pay(p, provider="moov_money"))

    with pytest.raises(ConflictError, match="just created"):
        pay(p)

    assert list(p.store.intents) == [raced[0].intent.id]
    assert p.store.booking("c1").facts["live_intent"] == raced[0].intent.id


def test_only_the_patient_of_a_consultation_awaiting_payment_pays_for_it(p):
    with pytest.raises(NotFoundError):
        pay(p)  # no booking heard of
    booked(p)
    with pytest.raises(NotFoundError):
        pay(p, payer_id="someone-else")
    cancelled(p, refund_due=False)
    with pytest.raises(ConflictError, match="cancelled"):
        pay(p)
    assert p.store.intents == {}


# -- the provider's refusals and outages ----------------------------------------------------


def test_a_payment_request_the_provider_refuses_fails_and_frees_the_consultation(p):
    booked(p)
    p.providers["orange_money"].starting = ProviderRefused("payer barred")

    failed = pay(p).intent

    assert (failed.status, failed.failure_reason) == ("failed", "provider_refused")
    assert p.store.emitted("payment.failed")[0]["reason"] == "provider_refused"
    assert p.store.checks == set()
    # a failed intent is not live: the patient may try again with another provider
    assert pay(p, provider="moov_money").intent.status == "pending"


def test_an_unreachable_provider_keeps_the_intent_and_the_reconciler_asks_again(p):
    booked(p)
    orange = p.providers["orange_money"]
    orange.starting = ProviderUnavailable("timeout")

    waiting = pay(p).intent

    assert (waiting.status, waiting.action, waiting.attempts) == ("pending", None, 1)
    assert p.store.check_of(waiting.id) == [T0 + timedelta(seconds=30)]
    # still down at the first retry: the next one is further away
    p.service.reconcile(T0 + timedelta(seconds=30))
    assert p.store.check_of(waiting.id) == [T0 + timedelta(seconds=90)]
    # back up: the request is made again and the payer can pay
    orange.starting = None
    counts = p.service.reconcile(T0 + timedelta(seconds=90))
    started = p.store.intent(waiting.id)
    assert (started.action, started.attempts, counts["pending"]) == ("redirect", 0, 1)
    assert len(orange.requests) == 3


def test_an_intent_the_provider_never_accepted_expires_at_the_deadline(p):
    booked(p)
    orange = p.providers["orange_money"]
    orange.starting = ProviderUnavailable("down for the day")
    intent = pay(p).intent

    counts = p.service.reconcile(DEADLINE + timedelta(seconds=1))

    assert counts["expired"] == 1
    assert p.store.intent(intent.id).status == "expired"
    assert len(orange.requests) == 1  # not asked again once the window closed
    assert [e["payment_id"] for e in p.store.emitted("payment.expired")] == [intent.id]


# -- notifications ----------------------------------------------------------------------------


def test_a_notification_with_its_token_settles_the_payment_through_the_status_api(p):
    intent = paid(p)

    assert intent.status == "succeeded"
    assert intent.provider_transaction_id == "TX-1"
    assert p.providers["orange_money"].asked == [intent.id]
    assert [e["payment_id"] for e in p.store.emitted("payment.succeeded")] == [intent.id]
    assert p.store.checks == set()


def test_a_paid_intent_splits_the_fee_between_doctor_and_platform_in_a_balanced_ledger(p):
    paid(p)

    assert all(sum(e.amount_xof for e in txn.entries) == 0 for txn in p.store.ledger.values())
    assert p.store.balances() == {
        "provider:orange_money": 7500,
        "doctor:doctor-1": -6750,
        "platform:commission": -750,
    }
    [month] = p.service.earnings("doctor-1", "month")
    assert (month.earned_xof, month.net_xof, month.payments) == (6750, 6750, 1)


def test_forged_and_unknown_notifications_change_nothing(p):
    booked(p)
    intent = pay(p).intent
    orange = p.providers["orange_money"]
    orange.pays(7500)

    with pytest.raises(ConflictError) as forged:
        p.service.notified("orange_money", intent.id, {"notif_token": "guessed"})
    with pytest.raises(NotFoundError):
        p.service.notified("orange_money", "pay_unknown", its_token(intent))
    with pytest.raises(NotFoundError):
        p.service.notified("moov_money", intent.id, its_token(intent))

    assert forged.value.field == "notif_token"
    assert orange.asked == []
    assert p.store.intent(intent.id).status == "pending"


def test_a_notification_replayed_after_the_payment_ended_changes_nothing(p):
    intent = paid(p)

    again = p.service.notified("orange_money", intent.id, its_token(intent))

    assert again.status == "succeeded"
    assert p.providers["orange_money"].asked == [intent.id]
    assert len(p.store.emitted("payment.succeeded")) == 1


def test_another_amount_confirmed_is_not_recorded_as_paid(p):
    booked(p)
    intent = pay(p).intent
    p.providers["orange_money"].pays(500)

    failed = p.service.notified("orange_money", intent.id, its_token(intent))

    assert (failed.status, failed.failure_reason) == ("failed", "amount_mismatch")
    assert p.store.emitted("payment.failed")[0]["reason"] == "amount_mismatch"
    assert p.store.ledger == {}


# -- reconciliation ---------------------------------------------------------------------------


def test_a_pending_payment_is_asked_about_until_the_bookings_deadline_then_expires(p):
    booked(p)
    intent = pay(p, provider="moov_money").intent
    moov = p.providers["moov_money"]

    p.service.reconcile(T0 + timedelta(minutes=2))
    assert p.store.check_of(intent.id) == [T0 + timedelta(minutes=3)]
    # past the old 15-minute window, the booking's deadline still holds
    p.service.reconcile(T0 + timedelta(minutes=16))
    assert p.store.intent(intent.id).status == "pending"
    # the last check falls on the deadline itself
    p.service.reconcile(DEADLINE - timedelta(seconds=30))
    assert p.store.check_of(intent.id) == [DEADLINE]
    counts = p.service.reconcile(DEADLINE)

    assert counts == {"checked": 1, "succeeded": 0, "failed": 0, "expired": 1, "pending": 0}
    assert p.store.intent(intent.id).failure_reason == "unpaid"
    assert len(moov.asked) == 4
    assert p.store.checks == set()


def test_a_status_request_that_times_out_is_retried_with_backoff(p):
    booked(p)
    intent = pay(p).intent
    p.providers["orange_money"].outcome = ProviderUnavailable("503")
    check = T0 + timedelta(minutes=2)

    p.service.reconcile(check)

    assert p.store.intent(intent.id).attempts == 1
    assert p.store.check_of(intent.id) == [check + timedelta(seconds=30)]
    p.providers["orange_money"].outcome = Status("succeeded", 7500)
    p.service.reconcile(check + timedelta(seconds=30))
    assert p.store.intent(intent.id).status == "succeeded"


def test_a_check_left_behind_by_a_race_is_forgotten_without_asking(p):
    booked(p)
    intent = pay(p).intent
    stale = ScheduledCheck(intent.id, T0 + timedelta(seconds=5))
    p.store.checks.add(stale)

    counts = p.service.reconcile(T0 + timedelta(seconds=10))

    assert counts["checked"] == 0
    assert stale not in p.store.checks
    assert p.store.check_of(intent.id) == [T0 + timedelta(minutes=2)]
    assert p.providers["orange_money"].asked == []


def test_a_check_that_loses_to_a_notification_leaves_that_outcome(p):
    booked(p)
    intent = pay(p).intent
    orange = p.providers["orange_money"]
    orange.pays(7500)
    # the provider's notification is handled while the reconciler records the same answer
    p.store.meanwhile = lambda: p.service.notified("orange_money", intent.id, its_token(intent))

    counts = p.service.reconcile(T0 + timedelta(minutes=2))

    assert counts == {"checked": 1, "succeeded": 0, "failed": 0, "expired": 0, "pending": 0}
    assert p.store.intent(intent.id).status == "succeeded"
    assert len(p.store.emitted("payment.succeeded")) == 1
    assert len(p.store.ledger) == 1


def test_an_answer_about_a_payment_settled_meanwhile_keeps_the_first_outcome(p):
    booked(p)
    read_by_the_reconciler = pay(p).intent
    orange = p.providers["orange_money"]
    orange.pays(7500)
    p.service.notified(
        "orange_money",
        read_by_the_reconciler.id,
        its_token(read_by_the_reconciler),
    )
    orange.refuses()

    answer = p.service.check(read_by_the_reconciler, T0 + timedelta(minutes=2))

    assert answer.status == "succeeded"
    assert p.store.emitted("payment.failed") == []


def test_one_payments_trouble_does_not_stall_the_others(p):
    booked(p, "c1")
    booked(p, "c2")
    broken = pay(p, consultation_id="c1").intent
    fine = pay(p, provider="moov_money", consultation_id="c2").intent
    p.providers["orange_money"].outcome = KeyError("ORANGE_MONEY_SECRET_ARN")
    p.providers["moov_money"].pays(7500)

    counts = p.service.reconcile(T0 + timedelta(minutes=2))

    assert (counts["errors"], counts["succeeded"]) == (1, 1)
    assert p.store.intent(fine.id).status == "succeeded"
    assert p.store.check_of(broken.id) == [T0 + timedelta(minutes=2)]


# -- refunds ----------------------------------------------------------------------------------


def test_a_cancelled_paid_consultation_is_refunded_through_the_provider(p):
    intent = paid(p, "moov_money")

    cancelled(p, refund_due=True)

    refunded = p.store.intent(intent.id)
    assert (refunded.status, refunded.refund_status) == ("refunded", "refunded")
    assert refunded.refund_reference == f"REFUND-{intent.id}"
    assert p.providers["moov_money"].refunds == [(intent.id, 7500, PHONE)]
    assert [e["payment_id"] for e in p.store.emitted("payment.refunded")] == [intent.id]
    assert set(p.store.balances().values()) == {0}
    [month] = p.service.earnings("doctor-1", "month")
    assert (month.refunded_xof, month.net_xof) == (6750, 0)


def test_a_refund_without_a_provider_api_waits_for_an_administrator(p):
    intent = paid(p, "orange_money")
    with pytest.raises(ConflictError, match="No refund"):
        p.service.refund_paid_out(intent.id, "OM-REFUND-0000")

    cancelled(p, refund_due=True)

    assert p.store.intent(intent.id).refund_status == "queued"
    [waiting] = p.service.queued_refunds()
    assert (waiting["payment_id"], waiting["payer_phone"], waiting["amount_xof"]) == (
        intent.id,
        PHONE,
        7500,
    )
    assert p.store.emitted("payment.refunded") == []
    # a second cancellation event neither asks the provider again nor queues it twice
    cancelled(p, refund_due=True)
    assert len(p.providers["orange_money"].refunds) == 1
    assert len(p.service.queued_refunds()) == 1

    done = p.service.refund_paid_out(intent.id, "OM-REFUND-0001")

    assert (done.status, done.refund_reference) == ("refunded", "OM-REFUND-0001")
    assert p.service.queued_refunds() == []
    assert len(p.store.emitted("payment.refunded")) == 1
    assert set(p.store.balances().values()) == {0}
    with pytest.raises(ConflictError):
        p.service.refund_paid_out(intent.id, "OM-REFUND-0002")
    with pytest.raises(NotFoundError):
        p.service.refund_paid_out("pay_unknown", "OM-REFUND-0003")


# -- the consultations' events ----------------------------------------------------------------


def test_a_cancellation_without_a_refund_due_touches_no_payment(p):
    intent = paid(p, "moov_money")

    cancelled(p, refund_due=False)

    assert p.store.intent(intent.id).status == "succeeded"
    assert p.providers["moov_money"].refunds == []
    assert p.store.booking("c1").facts["status"] == "cancelled"


def test_an_expiry_that_overtook_the_booking_keeps_its_word(p):
    p.service.on_expired(
        event(
            "consultation.expired",
            {
                "consultation_id": "c1",
                "patient_id": "patient-1",
                "doctor_id": "doctor-1",
                "starts_at": "2026-11-30T09:00:00Z",
            },
        )
    )

    booked(p)

    facts = p.store.booking("c1").facts
    assert (facts["status"], facts["fee_xof"]) == ("expired", 7500)
    with pytest.raises(ConflictError, match="expired"):
        pay(p)


def test_a_booking_changed_meanwhile_is_not_overwritten(p):
    booked(p)
    p.store.meanwhile = lambda: cancelled(p, refund_due=False)

    with pytest.raises(WriteConflict):
        booked(p)  # the consumer hands the event back; the next try sees the cancellation

    assert p.store.booking("c1").facts["status"] == "cancelled"
