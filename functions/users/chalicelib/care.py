"""Which doctors take care of which patients, learnt from the consultations service's events.

A doctor may read the profile of a patient they have a consultation with: booked (paid or
not), or held. A booking cancelled or left unpaid until it expired grants nothing. Events can
arrive out of order and more than once: a consultation's status only moves forward
(`booked` -> one of the final ones), so a late `consultation.booked` never reopens access that a
cancellation closed.
"""

from __future__ import annotations

from typing import Literal

CareStatus = Literal["booked", "completed", "cancelled", "expired"]

STATUS_OF_EVENT: dict[str, CareStatus] = {
    "consultation.booked": "booked",
    "consultation.completed": "completed",
    "consultation.cancelled": "cancelled",
    "consultation.expired": "expired",
}
FINAL: frozenset[CareStatus] = frozenset({"completed", "cancelled", "expired"})
GRANTS_ACCESS: frozenset[CareStatus] = frozenset({"booked", "completed"})


def next_status(current: CareStatus | None, arriving: CareStatus) -> CareStatus | None:
    """The consultation's status after an event saying `arriving`, or None to keep `current`."""
    if current is None:
        return arriving
    if current in FINAL or arriving == current or arriving == "booked":
        return None
    return arriving
