"""The clinic's rules of time: how long a booking waits for payment, when reminders go out, when a
session may open, and what a late cancellation costs. One place, read once per process.

Every duration has a default a clinic would expect; a few can be set from the environment
(template parameters) so a deployment can adjust them without a code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from keneya.config import Settings


@dataclass(frozen=True)
class Policy:
    # An unpaid booking holds its slot this long, then expires and frees it.
    payment_window: timedelta = timedelta(minutes=15)
    # Reminders before a confirmed consultation, each sent once.
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    # The doctor may open the session this long before the start time.
    start_early: timedelta = timedelta(minutes=10)
    # A doctor who has not started this long after the start time is absent: the patient may
    # cancel and is refunded.
    doctor_late_grace: timedelta = timedelta(minutes=15)
    # A patient who cancels a paid consultation at least this long before it is refunded.
    patient_refund_notice: timedelta = timedelta(hours=2)
    # A slot starting sooner than this cannot be booked (nobody could pay and get ready).
    min_notice: timedelta = timedelta(minutes=5)
    # How far ahead a slot can be booked.
    horizon: timedelta = timedelta(days=90)
    # The longest window of free slots one request may ask for, and the default one.
    max_slots_window: timedelta = timedelta(days=31)
    default_slots_window: timedelta = timedelta(days=7)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            payment_window=timedelta(
                minutes=settings.get_int("PAYMENT_WINDOW_MINUTES", 15),
            ),
            patient_refund_notice=timedelta(
                hours=settings.get_int("PATIENT_REFUND_NOTICE_HOURS", 2),
            ),
        )

    @property
    def reminder_minutes(self) -> tuple[int, ...]:
        """The reminders as minutes before the start, earliest reminder first (1440, 60)."""
        return tuple(sorted((int(r.total_seconds() // 60) for r in self.reminders), reverse=True))
