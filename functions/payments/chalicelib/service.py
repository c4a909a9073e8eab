"""What the payments service does: create intents, hear notifications, reconcile with the
providers, record the ledger, refund; and the ports it does so through.

`PaymentService` is driven by app.py and by the tests with the same parts: a `PaymentStore`
(`chalicelib.store.DynamoPaymentStore`, or the tests' in-memory one) and the provider adapters
(`chalicelib.credentials.adapter_for`, or fakes). Each state change commits with its event, in
one unit of work of the store (the outbox).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from ulid import ULID

from keneya.clock import utc_now
from keneya.events import Event, new_event
from keneya.logs import logger

from .errors import ConflictError, IdempotencyMismatch, NotFoundError
from .intents import (
    Intent,
    IntentStatus,
    first_check_at,
    next_check_after_trouble,
    next_check_while_pending,
    notification_matches,
    settlement_of,
)
from .ledger import (
    LedgerTransaction,
    PeriodEarnings,
    PostedEntry,
    earnings_by_period,
    payment_transaction,
    refund_transaction,
)
from .providers import (
    PaymentRequest,
    ProviderAdapter,
    ProviderRefused,
    ProviderUnavailable,
    RefundNotSupported,
)


@dataclass(frozen=True)
class Created:
    intent: Intent
    replayed: bool


# -- the store's port ---------------------------------------------------------------------------


class WriteConflict(Exception):
    """Another writer changed what a unit of work was conditioned on: nothing was written."""


@dataclass(frozen=True)
class Booking:
    """A consultation as its events described it to this service (`facts`, kept as they came,
    with `live_intent` once an intent is created), and the store's `version` of that copy (None
    before it is first kept): it is written back only if no one changed it since."""

    consultation_id: str
    facts: dict[str, Any]
    version: int | None = None


@dataclass(frozen=True)
class KeyedRequest:
    """A payment request made with an `Idempotency-Key`: the intent it created, and a digest of
    what was asked (the same key with another request is refused)."""

    payer_id: str
    key: str
    intent_id: str
    fingerprint: str


@dataclass(frozen=True)
class ScheduledCheck:
    """The reconciler's appointment to ask the provider about an intent at `at`."""

    intent_id: str
    at: datetime


class PaymentStore(Protocol):
    """Where the payments service keeps intents, bookings, the ledger and refunds.

    Each writing method is one unit of work: the state and the event it is given commit
    together or not at all. One that lost a race (a condition failed) raises `WriteConflict`
    and writes nothing. A pending intent's `next_check_at` is its `ScheduledCheck`."""

    def intent(self, intent_id: str) -> Intent | None: ...

    def intents_of_payer(self, payer_id: str) -> list[Intent]:
        """The payer's latest intents, newest first."""
        ...

    def booking(self, consultation_id: str) -> Booking | None: ...

    def keyed_request(self, payer_id: str, key: str) -> KeyedRequest | None: ...

    def save_booking(self, booking: Booking) -> None:
        """Keep a consultation's copy, unless it changed since `booking.version`."""
        ...

    def create(
        self, intent: Intent, booking: Booking, keyed: KeyedRequest | None, event: Event
    ) -> None:
        """A new intent, its first check, `booking` naming it live (unless the booking changed
        since it was read), and the request's key (unless already taken), with `event`."""
        ...

    def save_pending(self, intent: Intent) -> Intent:
        """Keep a live intent's new state and reschedule its check. Answers the intent as
        stored: `intent`, or the one that had ended it meanwhile (then nothing is written)."""
        ...

    def end(
        self, ended: Intent, event: Event, ledger: LedgerTransaction | None = None
    ) -> Intent | None:
        """Record that a live intent ended, its check cancelled, with `event` and the ledger's
        entries (a payment). None once recorded; the intent as stored if it had already ended
        (nothing is written), or `ended` itself if it is not stored at all."""
        ...

    def queue_refund(self, queued: Intent, at: datetime) -> None:
        """Keep `queued` (refund_status "queued") and put it on the administrators' list."""
        ...

    def record_refund(
        self, done: Intent, ledger: LedgerTransaction, event: Event, *, was_queued: bool
    ) -> None:
        """Keep a refunded intent with its ledger entries and `event`; off the administrators'
        list when it was on it."""
        ...

    def queued_refunds(self) -> list[dict[str, Any]]: ...

    def entries_of_account(self, account: str) -> list[PostedEntry]: ...

    def checks_due(self, now: datetime) -> list[ScheduledCheck]:
        """The checks due by `now`, the longest overdue first (a bounded batch)."""
        ...

    def forget_check(self, check: ScheduledCheck) -> None: ...


# -- the use cases ------------------------------------------------------------------------------


class PaymentService:
    def __init__(
        self,
        store: PaymentStore,
        adapters: Callable[[str], ProviderAdapter],
        commission_percent: int,
        web_app_url: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.adapters = adapters
        self.commission_percent = commission_percent
        self.web_app_url = web_app_url.rstrip("/")
        self.clock = clock

    # -- intents ----------------------------------------------------------------------------

    def create(
        self,
        *,
        payer_id: str,
        consultation_id: str,
        provider: str,
        payer_phone: str,
        language: str,
        idempotency_key: str | None,
        notification_base: str,
    ) -> Created:
        """`notification_base`: the public URL of this service's notification route, to
        which the provider's notifications for the intent are sent."""
        fingerprint = hashlib.sha256(
            f"{consultation_id}|{provider}|{payer_phone}".encode()
        ).hexdigest()
        if idempotency_key:
            replay = self._replay(payer_id, idempotency_key, fingerprint)
            if replay:
                return Created(replay, True)
        booking = self.store.booking(consultation_id)
        if booking is None or booking.facts["patient_id"] != payer_id:
            raise NotFoundError("No such consultation awaiting your payment.", "consultation_id")
        facts = booking.facts
        if facts["status"] != "pending_payment":
            raise ConflictError(
                f"This consultation is {facts['status']}: there is nothing to pay.",
                "consultation_id",
            )
        live_id = facts.get("live_intent")
        if live_id:
            live = self.find(live_id)
            if live and live.status in ("pending", "succeeded"):
                raise ConflictError(
                    f"Payment {live_id} of this consultation is already {live.status}.",
                    "consultation_id",
                )
        now = self.clock()
        intent_id = f"pay_{str(ULID()).lower()}"
        intent = Intent(
            id=intent_id,
            consultation_id=consultation_id,
            payer_id=payer_id,
            doctor_id=facts["doctor_id"],
            provider=provider,
            payer_phone=payer_phone,
            amount_xof=int(facts["fee_xof"]),
            language=language,
            status="pending",
            created_at=now,
            updated_at=now,
            next_check_at=first_check_at(now),
            due_at=_instant(facts.get("payment_due_at")),
            notification_url=f"{notification_base.rstrip('/')}/{provider}/{intent_id}",
        )
        keyed = (
            KeyedRequest(payer_id, idempotency_key, intent.id, fingerprint)
            if idempotency_key
            else None
        )
        try:
            self.store.create(
                intent,
                replace(booking, facts={**facts, "live_intent": intent.id}),
                keyed,
                self._event("payment.initiated", intent),
            )
        except WriteConflict:
            # The same keyed request, retried while the first was being saved, is a replay.
            replay = (
                self._replay(payer_id, idempotency_key, fingerprint) if idempotency_key else None
            )
            if replay:
                return Created(replay, True)
            raise ConflictError(
                "Another payment of this consultation was just created.", "consultation_id"
            ) from None
        return Created(self._start(intent, now), False)

    def _replay(self, payer_id: str, key: str, fingerprint: str) -> Intent | None:
        saved = self.store.keyed_request(payer_id, key)
        if saved is None:
            return None
        if saved.fingerprint != fingerprint:
            raise IdempotencyMismatch(
                "This Idempotency-Key was used for another payment request.", "Idempotency-Key"
            )
        return self.find(saved.intent_id)

    def _start(self, intent: Intent, now: datetime) -> Intent:
        """Ask the provider to collect the payment; on trouble the intent waits for the
        reconciler, which asks again with backoff."""
        web = f"{self.web_app_url}/consultations/{intent.consultation_id}/payment"
        request = PaymentRequest(
            order_id=intent.id,
            amount_xof=intent.amount_xof,
            payer_phone=intent.payer_phone,
            language="fr" if intent.language not in ("fr", "en") else intent.language,
            return_url=f"{web}?result=paid",
            cancel_url=f"{web}?result=cancelled",
            notification_url=intent.notification_url or "",
        )
        try:
            started = self.adapters(intent.provider).start(request)
        except ProviderUnavailable as trouble:
            logger.warning(
                "provider unreachable; the reconciler will retry",
                extra={"payment_id": intent.id, "provider": intent.provider, "why": str(trouble)},
            )
            return self._save_pending(
                replace(intent, attempts=intent.attempts + 1),
                next_check_after_trouble(intent, now),
            )
        except ProviderRefused as refusal:
            logger.warning(
                "provider refused the payment request",
                extra={"payment_id": intent.id, "provider": intent.provider, "why": str(refusal)},
            )
            return self._end(intent, "failed", "provider_refused", now)
        updated = replace(
            intent,
            action=started.action,
            payment_url=started.payment_url,
            references=started.references,
            attempts=0,
            updated_at=now,
        )
        return self._save_pending(updated, max(intent.next_check_at or now, now))

    def find(self, intent_id: str) -> Intent | None:
        return self.store.intent(intent_id)

    def of_payer(self, intent_id: str, payer_id: str) -> Intent:
        intent = self.find(intent_id)
        if intent is None or intent.payer_id != payer_id:
            raise NotFoundError("No such payment.")
        return intent

    def list_of_payer(self, payer_id: str) -> list[Intent]:
        return self.store.intents_of_payer(payer_id)

    # -- notifications and reconciliation -----------------------------------------------------

    def notified(self, provider: str, intent_id: str, body: dict[str, Any]) -> Intent:
        """A provider's notification: only a hint to ask the provider's status API."""
        intent = self.find(intent_id)
        if intent is None or intent.provider != provider:
            logger.warning(
                "notification for an unknown payment ignored",
                extra={"payment_id": intent_id[:40], "provider": provider},
            )
            raise NotFoundError("No such payment.")
        if not notification_matches(intent, body.get("notif_token")):
            logger.warning(
                "notification with a wrong token ignored",
                extra={"payment_id": intent.id, "provider": provider},
            )
            raise ConflictError("This notification does not belong to this payment.", "notif_token")
        if not intent.live:
            logger.info(
                "notification for an ended payment ignored",
                extra={"payment_id": intent.id, "status": intent.status},
            )
            return intent
        return self.check(intent, self.clock())

    def check(self, intent: Intent, now: datetime) -> Intent:
        """Ask the provider what became of a pending intent and record the answer."""
        adapter = self.adapters(intent.provider)
        if not intent.started:
            if now < intent.expires_at:
                return self._start(intent, now)
            return self._end(intent, "expired", "unpaid", now)
        try:
            answer = adapter.status(intent.id, intent.amount_xof, intent.references)
        except ProviderUnavailable as trouble:
            logger.warning(
                "provider status unavailable; retrying later",
                extra={"payment_id": intent.id, "why": str(trouble)},
            )
            return self._save_pending(
                replace(intent, attempts=intent.attempts + 1),
                next_check_after_trouble(intent, now),
            )
        except ProviderRefused as refusal:
            logger.warning(
                "provider refused the status request",
                extra={"payment_id": intent.id, "why": str(refusal)},
            )
            if now >= intent.expires_at:
                return self._end(intent, "expired", "unpaid", now)
            return self._save_pending(intent, next_check_while_pending(intent, now))
        settlement = settlement_of(intent, answer, now)
        if settlement.status is None:
            return self._save_pending(
                replace(intent, attempts=0), next_check_while_pending(intent, now)
            )
        if settlement.reason == "amount_mismatch":
            logger.error(
                "provider confirmed another amount; not recorded as paid",
                extra={
                    "payment_id": intent.id,
                    "asked": intent.amount_xof,
                    "confirmed": answer.amount_xof,
                },
            )
        return self._end(
            replace(intent, provider_transaction_id=answer.transaction_id),
            settlement.status,
            settlement.reason,
            now,
        )

    def reconcile(self, now: datetime) -> dict[str, int]:
        """Every intent whose check is due: ask the provider (or retry the request)."""
        counts = {"checked": 0, "succeeded": 0, "failed": 0, "expired": 0, "pending": 0}
        for due in self.store.checks_due(now):
            intent = self.find(due.intent_id)
            if intent is None or not intent.live or intent.next_check_at != due.at:
                self.store.forget_check(due)  # ended, or rescheduled (a leftover of a race)
                continue
            counts["checked"] += 1
            try:
                result = self.check(intent, now)
            except WriteConflict:
                continue  # a notification settled it meanwhile; the next run sees it
            except Exception:
                # One intent's trouble (say, a missing credential) must not stall the others;
                # it stays due and is tried again next run.
                logger.exception(
                    "reconciliation of a payment failed", extra={"payment_id": intent.id}
                )
                counts["errors"] = counts.get("errors", 0) + 1
                continue
            counts[result.status if result.status in counts else "pending"] += 1
        return counts

    def _save_pending(self, intent: Intent, next_check: datetime) -> Intent:
        return self.store.save_pending(replace(intent, next_check_at=next_check))

    def _end(
        self, intent: Intent, status: IntentStatus, reason: str | None, now: datetime
    ) -> Intent:
        ended = intent.moved_to(status, now, failure_reason=reason)
        ledger = None
        if status == "succeeded":
            ledger = payment_transaction(
                payment_id=intent.id,
                provider=intent.provider,
                doctor_id=intent.doctor_id,
                amount_xof=intent.amount_xof,
                commission_percent=self.commission_percent,
                posted_at=now,
            )
            event = self._event("payment.succeeded", ended)
        elif status == "failed":
            event = self._event("payment.failed", ended, reason=reason or "failed")
        else:
            event = self._event("payment.expired", ended)
        # Settled meanwhile (a notification and the reconciler raced): that outcome stands.
        settled_before = self.store.end(ended, event, ledger)
        if settled_before is not None:
            return settled_before
        logger.info("payment ended", extra={"payment_id": intent.id, "status": status})
        return ended

    @staticmethod
    def _event(event_type: str, intent: Intent, **extra: Any) -> Event:
        return new_event(
            event_type,
            {
                "payment_id": intent.id,
                "consultation_id": intent.consultation_id,
                "payer_id": intent.payer_id,
                "amount_xof": intent.amount_xof,
                "provider": intent.provider,
                **extra,
            },
        )

    # -- consultations' events --------------------------------------------------------------

    def on_booked(self, event: Event) -> None:
        data = event.data
        known = self.store.booking(data["consultation_id"])
        facts = known.facts if known else {}
        self.store.save_booking(
            Booking(
                data["consultation_id"],
                {
                    **facts,
                    "patient_id": data["patient_id"],
                    "doctor_id": data["doctor_id"],
                    "fee_xof": data["fee_xof"],
                    "payment_due_at": data.get("payment_due_at"),
                    # A cancellation or expiry that overtook the booking event keeps its word.
                    "status": facts.get("status", data["status"]),
                },
                known.version if known else None,
            )
        )

    def _set_consultation_status(self, data: dict[str, Any], status: str) -> Booking:
        known = self.store.booking(data["consultation_id"])
        facts = known.facts if known else {}
        booking = Booking(
            data["consultation_id"],
            {
                **facts,
                "patient_id": data["patient_id"],
                "doctor_id": data["doctor_id"],
                "fee_xof": facts.get("fee_xof", data.get("fee_xof", 0)),
                "status": status,
            },
            known.version if known else None,
        )
        self.store.save_booking(booking)
        return booking

    def on_expired(self, event: Event) -> None:
        self._set_consultation_status(event.data, "expired")

    def on_cancelled(self, event: Event) -> None:
        data = event.data
        booking = self._set_consultation_status(data, "cancelled")
        if not data.get("refund_due"):
            return
        payment_id = data.get("payment_id") or booking.facts.get("live_intent")
        intent = self.find(payment_id) if payment_id else None
        if intent is None or intent.consultation_id != data["consultation_id"]:
            logger.warning(
                "refund due for a payment this service does not know",
                extra={"consultation_id": data["consultation_id"]},
            )
            return
        self.refund(intent)

    # -- refunds ----------------------------------------------------------------------------

    def refund(self, intent: Intent) -> Intent:
        """Refund a succeeded payment through the provider, or queue it for an administrator."""
        if intent.status != "succeeded" or intent.refund_status is not None:
            return intent
        try:
            reference = self.adapters(intent.provider).refund(
                intent.id, intent.amount_xof, intent.payer_phone
            )
        except (RefundNotSupported, ProviderRefused, ProviderUnavailable) as why:
            logger.info(
                "refund queued for an administrator",
                extra={"payment_id": intent.id, "why": str(why)},
            )
            now = self.clock()
            queued = replace(intent, refund_status="queued", updated_at=now)
            self.store.queue_refund(queued, now)
            return queued
        return self.refunded(intent, reference)

    def refunded(self, intent: Intent, reference: str) -> Intent:
        """Record that the money went back to the payer (by the provider or by a person)."""
        if intent.status != "succeeded":
            raise ConflictError(f"This payment is {intent.status}: nothing to refund.")
        now = self.clock()
        done = intent.moved_to(
            "refunded", now, refund_status="refunded", refund_reference=reference or None
        )
        ledger = refund_transaction(
            payment_id=intent.id,
            provider=intent.provider,
            doctor_id=intent.doctor_id,
            payer_id=intent.payer_id,
            amount_xof=intent.amount_xof,
            commission_percent=self.commission_percent,
            posted_at=now,
        )
        self.store.record_refund(
            done,
            ledger,
            self._event("payment.refunded", done),
            was_queued=intent.refund_status == "queued",
        )
        return done

    def refund_paid_out(self, payment_id: str, reference: str) -> Intent:
        """An administrator sent a queued refund's money back by hand, under `reference`."""
        intent = self.find(payment_id)
        if intent is None:
            raise NotFoundError("No such payment.")
        if intent.refund_status != "queued":
            raise ConflictError("No refund of this payment is waiting.")
        return self.refunded(intent, reference)

    def queued_refunds(self) -> list[dict[str, Any]]:
        return self.store.queued_refunds()

    def earnings(self, doctor_id: str, period: str) -> list[PeriodEarnings]:
        return earnings_by_period(self.store.entries_of_account(f"doctor:{doctor_id}"), period)


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
