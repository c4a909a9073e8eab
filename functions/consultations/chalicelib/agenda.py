"""A patient's agenda: the consultations they hold, so no two of them overlap.

One item per patient lists the times they hold; every booking rewrites it on condition that it
has not changed since it was read (its version). Two bookings by the same patient at the same
moment therefore cannot both pass the overlap check: the second one's write fails, is read again
and refused. Consultations that are over are dropped from the list as it is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Hold:
    consultation_id: str
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class PatientAgenda:
    patient_id: str
    holds: tuple[Hold, ...] = ()
    version: int = 0

    def conflict(self, starts_at: datetime, ends_at: datetime, now: datetime) -> Hold | None:
        """The consultation the patient already holds at that time, if any."""
        for hold in self.holds:
            if hold.ends_at > now and hold.overlaps(starts_at, ends_at):
                return hold
        return None

    def holding(self, hold: Hold, now: datetime) -> PatientAgenda:
        kept = tuple(
            h for h in self.holds if h.ends_at > now and h.consultation_id != hold.consultation_id
        )
        return PatientAgenda(self.patient_id, (*kept, hold), self.version)

    def releasing(self, consultation_id: str, now: datetime) -> PatientAgenda:
        kept = tuple(
            h for h in self.holds if h.ends_at > now and h.consultation_id != consultation_id
        )
        return PatientAgenda(self.patient_id, kept, self.version)

    def holds_consultation(self, consultation_id: str) -> bool:
        return any(h.consultation_id == consultation_id for h in self.holds)

    def to_document(self) -> list[dict[str, Any]]:
        return [
            {
                "consultation_id": h.consultation_id,
                "starts_at": h.starts_at.isoformat(),
                "ends_at": h.ends_at.isoformat(),
            }
            for h in self.holds
        ]

    @classmethod
    def from_document(
        cls, patient_id: str, holds: list[dict[str, Any]], version: int
    ) -> PatientAgenda:
        return cls(
            patient_id,
            tuple(
                Hold(
                    h["consultation_id"],
                    datetime.fromisoformat(h["starts_at"]),
                    datetime.fromisoformat(h["ends_at"]),
                )
                for h in holds
            ),
            version,
        )
