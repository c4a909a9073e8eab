"""Who may open a patient's record, and through what: the one function that decides.

Deny by default. The patient sees and manages their whole record. A doctor reads it while they
have a confirmed or in-progress consultation with the patient, or one completed in the last
`RECENT_CARE` days, or an active share the patient granted them. Administrators have no
clinical access. Whoever is refused gets the same answer as for a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

RECENT_CARE = timedelta(days=30)

# A consultation's care status, in the order it can only move forward (events may arrive out of
# order: a late `confirmed` must not reopen a completed consultation).
CARE_RANK = {"pending": 0, "confirmed": 1, "in_progress": 2, "completed": 3, "closed": 3}
EVENT_STATUS = {
    "consultation.confirmed": "confirmed",
    "consultation.started": "in_progress",
    "consultation.completed": "completed",
    "consultation.cancelled": "closed",
    "consultation.expired": "closed",
    "consultation.no_show": "closed",
}


def care_status(event_type: str, data: dict[str, Any]) -> str:
    """The care status a consultation event puts the consultation in."""
    if event_type == "consultation.booked":
        return "confirmed" if data.get("status") == "confirmed" else "pending"
    return EVENT_STATUS[event_type]


def moves_forward(current: str | None, new: str) -> bool:
    return current is None or CARE_RANK[new] > CARE_RANK[current]


@dataclass(frozen=True)
class CareLink:
    consultation_id: str
    doctor_id: str
    status: str
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Share:
    share_id: str
    doctor_id: str
    until: datetime
    revoked_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.until


@dataclass(frozen=True)
class Access:
    """Why access was granted: `owner`, or the `consultation` / `share` with its id."""

    via: Literal["owner", "consultation", "share"]
    ref: str | None = None

    @property
    def can_write(self) -> bool:
        return self.via == "owner"


def decide(
    user_id: str,
    role: str,
    patient_id: str,
    now: datetime,
    care: Iterable[CareLink] = (),
    shares: Iterable[Share] = (),
) -> Access | None:
    """The access `user_id` (with `role`) has to `patient_id`'s record, or None."""
    if role == "patient":
        return Access("owner") if user_id == patient_id else None
    if role != "doctor":
        return None
    for link in care:
        if link.doctor_id != user_id:
            continue
        if link.status in ("confirmed", "in_progress"):
            return Access("consultation", link.consultation_id)
        if (
            link.status == "completed"
            and link.completed_at is not None
            and now - link.completed_at <= RECENT_CARE
        ):
            return Access("consultation", link.consultation_id)
    for share in shares:
        if share.doctor_id == user_id and share.active(now):
            return Access("share", share.share_id)
    return None
