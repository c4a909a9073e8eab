"""What this service knows of a doctor, kept from the users service's events.

No synchronous call to the users service: `doctor.verified`, `doctor.suspended`,
`doctor.availability_changed` and `profile.updated` keep a local copy of what booking needs
(verification status, name, fee, schedule). Events may arrive out of order or twice. An event
carrying the doctor's `revision` (the whole snapshot, see the catalogue) replaces the copy when
its revision is higher; one without it updates only the parts it carries, each part remembering
the time of the event it came from so that an older event never overwrites a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from chalicelib.schedule import Schedule

DoctorStatus = Literal["pending", "verified", "suspended"]
_IMPLIED_STATUS: dict[str, DoctorStatus] = {
    "doctor.verified": "verified",
    "doctor.suspended": "suspended",
}


def _newer(at: datetime, than: datetime | None) -> bool:
    return than is None or at >= than


@dataclass(frozen=True)
class Doctor:
    doctor_id: str
    status: DoctorStatus = "pending"
    status_as_of: datetime | None = None
    full_name: str | None = None
    specialty: str | None = None
    name_as_of: datetime | None = None
    fee_xof: int | None = None
    fee_as_of: datetime | None = None
    schedule: Schedule | None = None
    schedule_as_of: datetime | None = None
    revision: int | None = None
    version: int = 0

    @property
    def bookable(self) -> bool:
        """Verified, with a schedule and a fee: patients may see its slots and book them."""
        return self.status == "verified" and self.schedule is not None and self.fee_xof is not None

    # -- applying the users service's events ------------------------------------------------

    def apply(self, event_type: str, data: dict[str, Any], at: datetime) -> Doctor:
        """The copy after one of the users service's events (`at`: when it occurred)."""
        revision = data.get("revision")
        if revision is not None:
            if self.revision is not None and revision <= self.revision:
                return self
            return self._snapshot(event_type, data, at, int(revision))
        if event_type == "doctor.verified":
            return self.verified(data, at)
        if event_type == "doctor.suspended":
            return self.suspended(at)
        if event_type == "doctor.availability_changed":
            return self.availability_changed(data, at)
        return self.profile_updated(data, at)

    def _snapshot(
        self, event_type: str, data: dict[str, Any], at: datetime, revision: int
    ) -> Doctor:
        has_schedule = data.get("weekly") is not None and data.get("slot_minutes") is not None
        return replace(
            self,
            status=data.get("status") or _IMPLIED_STATUS.get(event_type) or self.status,
            status_as_of=at,
            full_name=data.get("full_name") or self.full_name,
            specialty=data.get("specialty") or self.specialty,
            name_as_of=at,
            fee_xof=data["fee_xof"] if data.get("fee_xof") is not None else self.fee_xof,
            fee_as_of=at,
            schedule=Schedule.from_payload(data) if has_schedule else None,
            schedule_as_of=at,
            revision=revision,
        )

    def verified(self, data: dict[str, Any], at: datetime) -> Doctor:
        doctor = self
        if _newer(at, self.status_as_of):
            doctor = replace(doctor, status="verified", status_as_of=at)
        if _newer(at, self.name_as_of):
            doctor = replace(
                doctor, full_name=data["full_name"], specialty=data["specialty"], name_as_of=at
            )
        if _newer(at, self.fee_as_of):
            doctor = replace(doctor, fee_xof=int(data["fee_xof"]), fee_as_of=at)
        return doctor

    def suspended(self, at: datetime) -> Doctor:
        if not _newer(at, self.status_as_of):
            return self
        return replace(self, status="suspended", status_as_of=at)

    def availability_changed(self, data: dict[str, Any], at: datetime) -> Doctor:
        doctor = self
        if _newer(at, self.schedule_as_of):
            doctor = replace(doctor, schedule=Schedule.from_payload(data), schedule_as_of=at)
        if data.get("fee_xof") is not None and _newer(at, self.fee_as_of):
            doctor = replace(doctor, fee_xof=int(data["fee_xof"]), fee_as_of=at)
        return doctor

    def profile_updated(self, data: dict[str, Any], at: datetime) -> Doctor:
        """`profile.updated` may carry the new name and fee (older producers send only the
        names of the changed fields, which leaves the copy as it is)."""
        doctor = self
        if data.get("full_name") and _newer(at, self.name_as_of):
            doctor = replace(doctor, full_name=data["full_name"], name_as_of=at)
        if data.get("fee_xof") is not None and _newer(at, self.fee_as_of):
            doctor = replace(doctor, fee_xof=int(data["fee_xof"]), fee_as_of=at)
        return doctor

    # -- stored form ------------------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "doctor_id": self.doctor_id,
            "status": self.status,
            "status_as_of": iso(self.status_as_of),
            "full_name": self.full_name,
            "specialty": self.specialty,
            "name_as_of": iso(self.name_as_of),
            "fee_xof": self.fee_xof,
            "fee_as_of": iso(self.fee_as_of),
            "schedule": self.schedule.to_payload() if self.schedule else None,
            "schedule_as_of": iso(self.schedule_as_of),
            "revision": self.revision,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any], version: int) -> Doctor:
        def moment(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        schedule = document.get("schedule")
        return cls(
            doctor_id=document["doctor_id"],
            status=document.get("status", "pending"),
            status_as_of=moment(document.get("status_as_of")),
            full_name=document.get("full_name"),
            specialty=document.get("specialty"),
            name_as_of=moment(document.get("name_as_of")),
            fee_xof=document.get("fee_xof"),
            fee_as_of=moment(document.get("fee_as_of")),
            schedule=Schedule.from_payload(schedule) if schedule else None,
            schedule_as_of=moment(document.get("schedule_as_of")),
            revision=document.get("revision"),
            version=version,
        )
