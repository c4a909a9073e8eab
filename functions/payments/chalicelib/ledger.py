"""The double-entry ledger: every movement of money is a transaction whose entries sum to zero.

Signs: a debit is positive, a credit negative, amounts integer XOF. Accounts:
- `provider:<provider>` money held for Keneya by the mobile-money provider (an asset);
- `doctor:<id>` what Keneya owes a doctor for their consultations (their earnings);
- `platform:commission` Keneya's commission;
- `payer:<id>` money owed back to a patient (a refund due, until paid out).
A payment is split at once into the doctor's earnings and the commission; a refund reverses the
split into what is owed to the payer, then pays it out from the provider account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

PLATFORM_COMMISSION = "platform:commission"
BAMAKO = ZoneInfo("Africa/Bamako")


class Unbalanced(ValueError):
    """A transaction whose entries do not sum to zero: a bug, never written."""


@dataclass(frozen=True)
class Entry:
    account: str
    amount_xof: int  # debit > 0, credit < 0


@dataclass(frozen=True)
class LedgerTransaction:
    id: str
    kind: str  # payment / refund
    payment_id: str
    posted_at: datetime
    entries: tuple[Entry, ...]

    def __post_init__(self) -> None:
        if sum(e.amount_xof for e in self.entries) != 0:
            raise Unbalanced(f"ledger transaction {self.id} does not balance")
        if any(not isinstance(e.amount_xof, int) for e in self.entries):
            raise Unbalanced("ledger amounts are integer XOF")


def commission_of(amount_xof: int, percent: int) -> int:
    """The platform's share, rounded down to the franc: the doctor never loses to rounding."""
    if not 0 <= percent <= 100:
        raise ValueError("commission percent must be between 0 and 100")
    return amount_xof * percent // 100


def payment_transaction(
    *,
    payment_id: str,
    provider: str,
    doctor_id: str,
    amount_xof: int,
    commission_percent: int,
    posted_at: datetime,
) -> LedgerTransaction:
    commission = commission_of(amount_xof, commission_percent)
    return LedgerTransaction(
        id=f"{payment_id}-payment",
        kind="payment",
        payment_id=payment_id,
        posted_at=posted_at,
        entries=(
            Entry(f"provider:{provider}", amount_xof),
            Entry(f"doctor:{doctor_id}", -(amount_xof - commission)),
            Entry(PLATFORM_COMMISSION, -commission),
        ),
    )


def refund_transaction(
    *,
    payment_id: str,
    provider: str,
    doctor_id: str,
    payer_id: str,
    amount_xof: int,
    commission_percent: int,
    posted_at: datetime,
) -> LedgerTransaction:
    """The whole fee back to the payer: the doctor's share and the commission are reversed."""
    commission = commission_of(amount_xof, commission_percent)
    return LedgerTransaction(
        id=f"{payment_id}-refund",
        kind="refund",
        payment_id=payment_id,
        posted_at=posted_at,
        entries=(
            Entry(f"doctor:{doctor_id}", amount_xof - commission),
            Entry(PLATFORM_COMMISSION, commission),
            Entry(f"payer:{payer_id}", -amount_xof),
            Entry(f"payer:{payer_id}", amount_xof),
            Entry(f"provider:{provider}", -amount_xof),
        ),
    )


@dataclass(frozen=True)
class PostedEntry:
    """An entry as read back from the ledger, for reports."""

    account: str
    amount_xof: int
    kind: str
    posted_at: datetime


@dataclass(frozen=True)
class PeriodEarnings:
    period: str  # "2026-11" (month) or "2026-11-29" (day), in Africa/Bamako
    earned_xof: int
    refunded_xof: int
    net_xof: int
    payments: int


def earnings_by_period(
    entries: Iterable[PostedEntry], period: str = "month"
) -> list[PeriodEarnings]:
    """A doctor's earnings per calendar month (or day) in Bamako, newest first."""
    fmt = "%Y-%m" if period == "month" else "%Y-%m-%d"
    earned: dict[str, int] = defaultdict(int)
    refunded: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for entry in entries:
        key = entry.posted_at.astimezone(BAMAKO).strftime(fmt)
        if entry.kind == "payment":
            earned[key] += -entry.amount_xof
            count[key] += 1
        else:
            refunded[key] += entry.amount_xof
    keys = sorted(set(earned) | set(refunded), reverse=True)
    return [
        PeriodEarnings(k, earned[k], refunded[k], earned[k] - refunded[k], count[k]) for k in keys
    ]
