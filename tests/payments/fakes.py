"""Fakes of the payments service's ports, kept by the tests: a store in memory that keeps the
same promises as `chalicelib.store.DynamoPaymentStore` (conditions checked, a unit of work
written whole or not at all, events recorded only with the change they announce) and mobile-
money providers whose answers a test sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.intents import Intent
from chalicelib.ledger import LedgerTransaction, PostedEntry
from chalicelib.providers import PaymentRequest, RefundNotSupported, Started, Status
from chalicelib.service import (
    Booking,
    KeyedRequest,
    PaymentService,
    ScheduledCheck,
    WriteConflict,
)
from keneya.events import Event, new_event


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(event_type: str, data: dict[str, Any]) -> Event:
    """A valid envelope, as the consultations service would publish it."""
    return new_event(event_type, data, source="tests")


class InMemoryPaymentStore:
    def __init__(self) -> None:
        self.intents: dict[str, Intent] = {}
        self.intent_versions: dict[str, int] = {}
        self.bookings: dict[str, tuple[dict[str, Any], int]] = {}
        self.keys: dict[tuple[str, str], KeyedRequest] = {}
        self.checks: set[ScheduledCheck] = set()
        self.refunds: dict[str, dict[str, Any]] = {}
        self.ledger: dict[str, LedgerTransaction] = {}
        self.events: list[Event] = []
        # Runs once, between a unit of work's reads and its commit: another writer's move.
        self.meanwhile: Callable[[], None] | None = None

    # -- what the tests look at -----------------------------------------------------------

    def emitted(self, event_type: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events if e.type == event_type]

    def balances(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for txn in self.ledger.values():
            for entry in txn.entries:
                totals[entry.account] = totals.get(entry.account, 0) + entry.amount_xof
        return totals

    def check_of(self, intent_id: str) -> list[datetime]:
        return sorted(c.at for c in self.checks if c.intent_id == intent_id)

    # -- reads ----------------------------------------------------------------------------

    def intent(self, intent_id: str) -> Intent | None:
        return self.intents.get(intent_id)

    def intents_of_payer(self, payer_id: str) -> list[Intent]:
        mine = [i for i in self.intents.values() if i.payer_id == payer_id]
        return sorted(mine, key=lambda i: (i.created_at, i.id), reverse=True)[:50]

    def booking(self, consultation_id: str) -> Booking | None:
        kept = self.bookings.get(consultation_id)
        if kept is None:
            return None
        facts, version = kept
        return Booking(consultation_id, json.loads(json.dumps(facts)), version)

    def keyed_request(self, payer_id: str, key: str) -> KeyedRequest | None:
        return self.keys.get((payer_id, key))

    def queued_refunds(self) -> list[dict[str, Any]]:
        return [json.loads(json.dumps(r, default=str)) for r in self.refunds.values()]

    def entries_of_account(self, account: str) -> list[PostedEntry]:
        return [
            PostedEntry(account, entry.amount_xof, txn.kind, txn.posted_at)
            for txn in self.ledger.values()
            for entry in txn.entries
            if entry.account == account
        ]

    def checks_due(self, now: datetime) -> list[ScheduledCheck]:
        return sorted((c for c in self.checks if c.at <= now), key=lambda c: c.at)[:100]

    # -- units of work --------------------------------------------------------------------

    def save_booking(self, booking: Booking) -> None:
        self._another_writer()
        self._require_booking_version(booking)
        self._keep_booking(booking)

    def create(
        self, intent: Intent, booking: Booking, keyed: KeyedRequest | None, event: Event
    ) -> None:
        self._another_writer()
        if intent.id in self.intents:
            raise WriteConflict(f"intent {intent.id} exists")
        self._require_booking_version(booking)
        if keyed and (keyed.payer_id, keyed.key) in self.keys:
            raise WriteConflict(f"key {keyed.key} taken")
        self._keep_intent(intent)
        self._keep_booking(booking)
        self._schedule(None, intent)
        if keyed:
            self.keys[(keyed.payer_id, keyed.key)] = keyed
        self.events.append(event)

    def save_pending(self, intent: Intent) -> Intent:
        stored = self.intents.get(intent.id)
        if stored is None:
            return intent
        if not stored.live:
            return stored
        version = self.intent_versions[intent.id]
        self._another_writer()
        self._require_intent_version(intent.id, version)
        self._keep_intent(intent)
        self._schedule(stored, intent)
        return intent

    def end(
        self, ended: Intent, event: Event, ledger: LedgerTransaction | None = None
    ) -> Intent | None:
        stored = self.intents.get(ended.id)
        if stored is None:
            return ended
        if not stored.live:
            return stored
        version = self.intent_versions[ended.id]
        self._another_writer()
        self._require_intent_version(ended.id, version)
        if ledger:
            self._require_new_ledger(ledger)
        self._keep_intent(ended)
        self._schedule(stored, None)
        if ledger:
            self.ledger[ledger.id] = ledger
        self.events.append(event)
        return None

    def queue_refund(self, queued: Intent, at: datetime) -> None:
        self._another_writer()
        self._keep_intent(queued)
        self.refunds[queued.id] = {
            "payment_id": queued.id,
            "payer_id": queued.payer_id,
            "payer_phone": queued.payer_phone,
            "provider": queued.provider,
            "amount_xof": queued.amount_xof,
            "consultation_id": queued.consultation_id,
            "queued_at": at.isoformat(),
        }

    def record_refund(
        self, done: Intent, ledger: LedgerTransaction, event: Event, *, was_queued: bool
    ) -> None:
        self._another_writer()
        self._require_new_ledger(ledger)
        self._keep_intent(done)
        if was_queued:
            self.refunds.pop(done.id, None)
        self.ledger[ledger.id] = ledger
        self.events.append(event)

    def forget_check(self, check: ScheduledCheck) -> None:
        self.checks.discard(check)

    # -- the conditions -------------------------------------------------------------------

    def _another_writer(self) -> None:
        move, self.meanwhile = self.meanwhile, None
        if move:
            move()

    def _require_booking_version(self, booking: Booking) -> None:
        kept = self.bookings.get(booking.consultation_id)
        if (kept[1] if kept else None) != booking.version:
            raise WriteConflict(f"booking {booking.consultation_id} changed")

    def _require_intent_version(self, intent_id: str, version: int) -> None:
        if self.intent_versions.get(intent_id) != version:
            raise WriteConflict(f"intent {intent_id} changed")

    def _require_new_ledger(self, ledger: LedgerTransaction) -> None:
        if ledger.id in self.ledger:
            raise WriteConflict(f"ledger transaction {ledger.id} exists")

    def _keep_booking(self, booking: Booking) -> None:
        self.bookings[booking.consultation_id] = (
            json.loads(json.dumps(booking.facts)),
            (booking.version or 0) + 1,
        )

    def _keep_intent(self, intent: Intent) -> None:
        self.intents[intent.id] = intent
        self.intent_versions[intent.id] = self.intent_versions.get(intent.id, 0) + 1

    def _schedule(self, before: Intent | None, after: Intent | None) -> None:
        if before is not None and before.next_check_at is not None:
            self.checks.discard(ScheduledCheck(before.id, before.next_check_at))
        if after is not None and after.next_check_at is not None:
            self.checks.add(ScheduledCheck(after.id, after.next_check_at))


@dataclass
class FakeProvider:
    """A provider whose next answers the test sets: `starting` (what a payment request gets),
    `outcome` (what the status API says), `refunding` (what a refund gets)."""

    name: str
    action: str = "redirect"
    starting: Exception | None = None
    outcome: Status | Exception = field(default_factory=lambda: Status("pending"))
    refunding: Exception | None = None
    requests: list[PaymentRequest] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    refunds: list[tuple[str, int, str]] = field(default_factory=list)

    def start(self, request: PaymentRequest) -> Started:
        self.requests.append(request)
        if self.starting is not None:
            raise self.starting
        return Started(
            action=self.action,  # type: ignore[arg-type]
            references={"notif_token": f"token-{request.order_id}"},
            payment_url=f"https://pay.example/{request.order_id}"
            if self.action == "redirect"
            else None,
        )

    def status(self, order_id: str, amount_xof: int, references: dict[str, str]) -> Status:
        self.asked.append(order_id)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def refund(self, order_id: str, amount_xof: int, payer_phone: str) -> str:
        self.refunds.append((order_id, amount_xof, payer_phone))
        if self.refunding is not None:
            raise self.refunding
        return f"REFUND-{order_id}"

    def pays(self, amount_xof: int) -> None:
        self.outcome = Status("succeeded", amount_xof, transaction_id="TX-1")

    def refuses(self) -> None:
        self.outcome = Status("failed", detail="REFUSED")


def orange_money() -> FakeProvider:
    """Redirects to a hosted page; has no refund API (a person pays refunds out)."""
    return FakeProvider("orange_money", refunding=RefundNotSupported("no disbursement API"))


def moov_money() -> FakeProvider:
    return FakeProvider("moov_money", action="confirm_on_phone")


@dataclass
class Payments:
    """The service with the fakes it runs on, and a clock the test moves."""

    store: InMemoryPaymentStore
    providers: dict[str, FakeProvider]
    now: list[datetime]
    service: PaymentService

    def move_to(self, when: datetime) -> None:
        self.now[0] = when


def payments(now: datetime, commission_percent: int = 10) -> Payments:
    store = InMemoryPaymentStore()
    providers = {"orange_money": orange_money(), "moov_money": moov_money()}
    clock = [now]
    service = PaymentService(
        store=store,
        adapters=providers.__getitem__,
        commission_percent=commission_percent,
        web_app_url="https://app.keneya.test/",
        clock=lambda: clock[0],
    )
    return Payments(store, providers, clock, service)
