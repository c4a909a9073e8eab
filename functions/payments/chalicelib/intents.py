"""Payment intents: their states, the one table of transitions, and what a provider's answer
means for an intent. Plain rules, no I/O.

    pending --(provider confirms, same amount)--> succeeded --(refund paid out)--> refunded
    pending --(provider says failed / amount differs)--> failed
    pending --(unpaid at the booking's deadline, provider agrees)--> expired
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from .providers import Status

IntentStatus = Literal["pending", "succeeded", "failed", "expired", "refunded"]
RefundStatus = Literal["queued", "refunded"]

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"succeeded", "failed", "expired"}),
    "succeeded": frozenset({"refunded"}),
    "failed": frozenset(),
    "expired": frozenset(),
    "refunded": frozenset(),
}
LIVE = frozenset({"pending"})

# Intents written before the booking's deadline was kept (`due_at`) were given this window.
LEGACY_PAYMENT_WINDOW = timedelta(minutes=15)
FIRST_CHECK_AFTER = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=10)


class InvalidTransition(ValueError):
    pass


@dataclass(frozen=True)
class Intent:
    id: str
    consultation_id: str
    payer_id: str
    doctor_id: str
    provider: str
    payer_phone: str
    amount_xof: int
    language: str
    status: IntentStatus
    created_at: datetime
    updated_at: datetime
    references: dict[str, str] = field(default_factory=dict)
    notification_url: str | None = None
    action: str | None = None  # redirect / confirm_on_phone, once the provider accepted
    payment_url: str | None = None
    failure_reason: str | None = None
    provider_transaction_id: str | None = None
    attempts: int = 0  # provider exchanges that failed in a row
    next_check_at: datetime | None = None
    refund_status: RefundStatus | None = None
    refund_reference: str | None = None
    # The consultation's payment deadline: the `payment_due_at` of `consultation.booked`, the
    # consultations service's one rule (its slot is released then).
    due_at: datetime | None = None

    @property
    def started(self) -> bool:
        """Whether the provider accepted the payment request (it knows this order)."""
        return self.action is not None

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def expires_at(self) -> datetime:
        return self.due_at or self.created_at + LEGACY_PAYMENT_WINDOW

    def moved_to(self, status: IntentStatus, at: datetime, **changes: object) -> Intent:
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransition(f"{self.status} -> {status}")
        return replace(self, status=status, updated_at=at, next_check_at=None, **changes)


def notification_matches(intent: Intent, notif_token: str | None) -> bool:
    """A notification belongs to this intent only if it carries the token the provider gave
    us for it (compared in constant time)."""
    expected = intent.references.get("notif_token")
    return bool(expected and notif_token) and hmac.compare_digest(expected, str(notif_token))


@dataclass(frozen=True)
class Settlement:
    status: IntentStatus | None  # None: still pending
    reason: str | None = None


def settlement_of(intent: Intent, answer: Status, now: datetime) -> Settlement:
    """What the provider's status answer means for a pending intent."""
    if answer.outcome == "succeeded":
        if answer.amount_xof is not None and answer.amount_xof != intent.amount_xof:
            return Settlement("failed", "amount_mismatch")
        return Settlement("succeeded")
    if answer.outcome == "failed":
        return Settlement("failed", (answer.detail or "refused").lower())
    if now >= intent.expires_at:
        return Settlement("expired", "unpaid")
    return Settlement(None)


def first_check_at(created_at: datetime) -> datetime:
    return created_at + FIRST_CHECK_AFTER


def next_check_after_trouble(intent: Intent, now: datetime) -> datetime:
    """Backoff after the provider could not be reached: 30 s, 1, 2, 4, 8, then every 10 min."""
    delay = timedelta(seconds=30) * (2 ** min(intent.attempts, 5))
    return now + min(delay, MAX_BACKOFF)


def next_check_while_pending(intent: Intent, now: datetime) -> datetime:
    """The provider said "pending": ask again in a minute, and right at the window's end."""
    return min(now + timedelta(minutes=1), max(intent.expires_at, now + timedelta(seconds=1)))
