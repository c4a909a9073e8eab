"""What the payments service does: create intents, hear notifications, reconcile with the
providers, record the ledger, refund. Each state change commits with its event (outbox)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from ulid import ULID

from keneya.clock import utc_now
from keneya.events import Event, new_event
from keneya.logs import logger
from keneya.outbox import OutboxTransaction

from . import store
from .errors import ConflictError, IdempotencyMismatch, NotFoundError
from .intents import (
    Intent,
    first_check_at,
    next_check_after_trouble,
    next_check_while_pending,
    notification_matches,
    settlement_of,
)
from .ledger import earnings_by_period, payment_transaction, refund_transaction
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


class PaymentService:
    def __init__(
        self,
        adapters: Callable[[str], ProviderAdapter],
        commission_percent: int,
        web_app_url: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
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
        key_pk = f"IDEMPOTENCY#{payer_id}#{idempotency_key}"
        if idempotency_key:
            replay = self._replay(key_pk, fingerprint)
            if replay:
                return Created(replay, True)
        copy = store.get(f"CONSULTATION#{consultation_id}", "COPY")
        booking = store.body_of(copy) if copy else None
        if booking is None or booking["patient_id"] != payer_id:
            raise NotFoundError("No such consultation awaiting your payment.", "consultation_id")
        if booking["status"] != "pending_payment":
            raise ConflictError(
                f"This consultation is {booking['status']}: there is nothing to pay.",
                "consultation_id",
            )
        live_id = booking.get("live_intent")
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
            doctor_id=booking["doctor_id"],
            provider=provider,
            payer_phone=payer_phone,
            amount_xof=int(booking["fee_xof"]),
            language=language,
            status="pending",
            created_at=now,
            updated_at=now,
            next_check_at=first_check_at(now),
            due_at=_instant(booking.get("payment_due_at")),
            notification_url=f"{notification_base.rstrip('/')}/{provider}/{intent_id}",
        )
        Item = store.item_model()
        copy.body = store.dump({**booking, "live_intent": intent.id})
        try:
            with OutboxTransaction() as tx:
                tx.save(store.intent_item(intent), condition=Item.pk.does_not_exist())
                tx.save(copy)
                tx.save(self._due(intent))
                if idempotency_key:
                    saved = {"intent_id": intent.id, "fingerprint": fingerprint}
                    tx.save(
                        Item(key_pk, "KEY", body=store.dump(saved)),
                        condition=Item.pk.does_not_exist(),
                    )
                tx.emit(self._event("payment.initiated", intent))
        except TransactWriteError:
            replay = self._replay(key_pk, fingerprint) if idempotency_key else None
            if replay:
                return Created(replay, True)
            raise ConflictError(
                "Another payment of this consultation was just created.", "consultation_id"
            ) from None
        return Created(self._start(intent, now), False)

    def _replay(self, key_pk: str, fingerprint: str) -> Intent | None:
        key = store.get(key_pk, "KEY")
        if key is None:
            return None
        saved = store.body_of(key)
        if saved["fingerprint"] != fingerprint:
            raise IdempotencyMismatch(
                "This Idempotency-Key was used for another payment request.", "Idempotency-Key"
            )
        return self.find(saved["intent_id"])

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
        item = store.get(f"PAYMENT#{intent_id}", "INTENT")
        return store.intent_of(item) if item else None

    def of_payer(self, intent_id: str, payer_id: str) -> Intent:
        intent = self.find(intent_id)
        if intent is None or intent.payer_id != payer_id:
            raise NotFoundError("No such payment.")
        return intent

    def list_of_payer(self, payer_id: str) -> list[Intent]:
        return [store.intent_of(item) for item in store.intent_items_of_payer(payer_id)]

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
        for due in store.due_items(now):
            intent = self.find(due.sk.rsplit("#", 1)[1])
            if intent is None or not intent.live or store.due_key(intent) != due.sk:
                due.delete()  # ended, or rescheduled (a leftover of a race)
                continue
            counts["checked"] += 1
            try:
                result = self.check(intent, now)
            except TransactWriteError:
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

    @staticmethod
    def _due(intent: Intent) -> Any:
        return store.item_model()("DUE", store.due_key(intent))

    @staticmethod
    def _not_due(stored: Intent, tx: OutboxTransaction) -> None:
        if stored.next_check_at is not None:
            tx.delete(store.item_model()("DUE", store.due_key(stored)), add_version_condition=False)

    def _save_pending(self, intent: Intent, next_check: datetime) -> Intent:
        intent = replace(intent, next_check_at=next_check)
        item = store.get(f"PAYMENT#{intent.id}", "INTENT")
        if item is None or not store.intent_of(item).live:
            # Settled meanwhile (a notification and the reconciler raced): keep that outcome.
            return store.intent_of(item) if item else intent
        stored = store.intent_of(item)
        with OutboxTransaction() as tx:
            tx.save(store.intent_item(intent, item))
            if store.due_key(intent) != (stored.next_check_at and store.due_key(stored)):
                self._not_due(stored, tx)
                tx.save(self._due(intent))
        return intent

    def _end(self, intent: Intent, status: str, reason: str | None, now: datetime) -> Intent:
        ended = intent.moved_to(status, now, failure_reason=reason)  # type: ignore[arg-type]
        item = store.get(f"PAYMENT#{intent.id}", "INTENT")
        if item is None or not store.intent_of(item).live:
            return store.intent_of(item) if item else ended
        with OutboxTransaction() as tx:
            tx.save(store.intent_item(ended, item))
            self._not_due(store.intent_of(item), tx)
            if status == "succeeded":
                for entry in store.ledger_items(
                    payment_transaction(
                        payment_id=intent.id,
                        provider=intent.provider,
                        doctor_id=intent.doctor_id,
                        amount_xof=intent.amount_xof,
                        commission_percent=self.commission_percent,
                        posted_at=now,
                    )
                ):
                    tx.save(entry, condition=store.item_model().pk.does_not_exist())
                tx.emit(self._event("payment.succeeded", ended))
            elif status == "failed":
                tx.emit(self._event("payment.failed", ended, reason=reason or "failed"))
            else:
                tx.emit(self._event("payment.expired", ended))
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
        copy = store.get(f"CONSULTATION#{data['consultation_id']}", "COPY")
        known = store.body_of(copy) if copy else {}
        item = copy or store.item_model()(f"CONSULTATION#{data['consultation_id']}", "COPY")
        item.body = store.dump(
            {
                **known,
                "patient_id": data["patient_id"],
                "doctor_id": data["doctor_id"],
                "fee_xof": data["fee_xof"],
                "payment_due_at": data.get("payment_due_at"),
                # A cancellation or expiry that overtook the booking event keeps its word.
                "status": known.get("status", data["status"]),
            }
        )
        item.save()

    def _set_consultation_status(self, data: dict[str, Any], status: str) -> None:
        copy = store.get(f"CONSULTATION#{data['consultation_id']}", "COPY")
        item = copy or store.item_model()(f"CONSULTATION#{data['consultation_id']}", "COPY")
        known = store.body_of(item)
        item.body = store.dump(
            {
                **known,
                "patient_id": data["patient_id"],
                "doctor_id": data["doctor_id"],
                "fee_xof": known.get("fee_xof", data.get("fee_xof", 0)),
                "status": status,
            }
        )
        item.save()

    def on_expired(self, event: Event) -> None:
        self._set_consultation_status(event.data, "expired")

    def on_cancelled(self, event: Event) -> None:
        data = event.data
        self._set_consultation_status(data, "cancelled")
        if not data.get("refund_due"):
            return
        payment_id = data.get("payment_id")
        if not payment_id:
            copy = store.get(f"CONSULTATION#{data['consultation_id']}", "COPY")
            payment_id = store.body_of(copy).get("live_intent") if copy else None
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
            queued = replace(intent, refund_status="queued", updated_at=self.clock())
            item = store.get(f"PAYMENT#{intent.id}", "INTENT")
            with OutboxTransaction() as tx:
                tx.save(store.intent_item(queued, item))
                tx.save(
                    store.item_model()(
                        "REFUNDS",
                        intent.id,
                        body=store.dump(
                            {
                                "payment_id": intent.id,
                                "payer_id": intent.payer_id,
                                "payer_phone": intent.payer_phone,
                                "provider": intent.provider,
                                "amount_xof": intent.amount_xof,
                                "consultation_id": intent.consultation_id,
                                "queued_at": self.clock(),
                            }
                        ),
                    )
                )
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
        item = store.get(f"PAYMENT#{intent.id}", "INTENT")
        with OutboxTransaction() as tx:
            tx.save(store.intent_item(done, item))
            if intent.refund_status == "queued":
                tx.delete(store.item_model()("REFUNDS", intent.id), add_version_condition=False)
            for entry in store.ledger_items(
                refund_transaction(
                    payment_id=intent.id,
                    provider=intent.provider,
                    doctor_id=intent.doctor_id,
                    payer_id=intent.payer_id,
                    amount_xof=intent.amount_xof,
                    commission_percent=self.commission_percent,
                    posted_at=now,
                )
            ):
                tx.save(entry, condition=store.item_model().pk.does_not_exist())
            tx.emit(self._event("payment.refunded", done))
        return done

    def queued_refunds(self) -> list[dict[str, Any]]:
        return [store.body_of(item) for item in store.item_model().query("REFUNDS")]

    def earnings(self, doctor_id: str, period: str) -> list[Any]:
        return earnings_by_period(store.entries_of_account(f"doctor:{doctor_id}"), period)


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
