"""Request and response bodies of the consultations API (pydantic; documented in OpenAPI).

Times are UTC ISO-8601 (`2025-03-01T09:00:00Z`); a time without its offset is refused rather
than guessed. Slots also give the doctor's local date and time, as people read them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from chalicelib.attendance import MAX_SESSIONS, Presence
from chalicelib.clinical import ClinicalSummary
from chalicelib.lifecycle import Consultation, Status, patient_refund_deadline
from chalicelib.policy import Policy
from chalicelib.schedule import Slot
from keneya.openapi import example

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Mode = Literal["video", "audio"]


class View(BaseModel):
    """A response body; validators are built on first use, not on a cold start."""

    model_config = ConfigDict(defer_build=True)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# -- requests --------------------------------------------------------------------------------


class BookingRequest(Body):
    model_config = example(
        {
            "doctor_id": "01JB8X7Q5M3ZK2V4W6Y8N0P1R3",
            "starts_at": "2027-01-18T09:30:00Z",
            "reason": "Fièvre et maux de tête depuis deux jours",
            "mode": "video",
        }
    )

    doctor_id: Id
    starts_at: AwareDatetime = Field(description="A free slot's start, from GET /slots")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
    mode: Mode = "video"


class CancelRequest(Body):
    model_config = example({"note": "Empêchement, je reprendrai rendez-vous."})

    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class SlotsQuery(Body):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    doctor_id: Id
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None


class ListQuery(Body):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    status: str | None = Field(
        default=None, description="Comma-separated statuses, e.g. confirmed,in_progress"
    )
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None
    order: Literal["asc", "desc"] = "asc"

    @field_validator("status")
    @classmethod
    def _known_statuses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        unknown = [s for s in value.split(",") if s.strip() not in Status.__members__.values()]
        if unknown:
            raise ValueError(f"unknown status {unknown[0]!r}")
        return value

    @property
    def statuses(self) -> list[Status]:
        return [Status(s.strip()) for s in self.status.split(",")] if self.status else []


# -- responses -------------------------------------------------------------------------------


class SlotView(View):
    starts_at: datetime
    ends_at: datetime
    local_date: date = Field(description="The day in the doctor's time zone")
    local_time: str = Field(description="The start in the doctor's time zone, HH:MM")


class SlotsView(View):
    doctor_id: str
    doctor_name: str | None
    time_zone: str
    slot_minutes: int
    fee_xof: int
    slots: list[SlotView]


class Participant(View):
    user_id: str
    role: Literal["patient", "doctor"]


class SessionView(View):
    """What the signaling service needs to connect the two participants."""

    room_id: str
    consultation_id: str
    mode: Mode
    participants: list[Participant]
    started_at: datetime
    patient_joined_at: datetime | None


class CancellationView(View):
    cancelled_at: datetime
    cancelled_by: Literal["patient", "doctor", "admin", "system"]
    reason: str | None
    note: str | None
    refund_due: bool
    refunded_at: datetime | None


class CallSessionView(View):
    joined_at: datetime
    left_at: datetime | None = Field(description="Null while the participant is in the call")
    seconds: int | None = Field(description="How long the stay lasted; null while it lasts")
    reason: Literal["left", "disconnected", "room_closed"] | None = Field(
        description="How it ended: hung up, connection lost, consultation ended"
    )


class PresenceView(View):
    seconds: int = Field(description="Seconds in the call, all closed stays together")
    sessions: list[CallSessionView] = Field(
        description=f"The stays in the call, oldest first; the last {MAX_SESSIONS} at most"
    )
    earlier_sessions: int = Field(
        description="Older stays no longer listed (their seconds are still counted)"
    )


class CallView(View):
    """Who was in the video call, and how long, as the signaling service reported it."""

    doctor: PresenceView
    patient: PresenceView


class ConsultationView(View):
    id: str
    status: Status
    patient_id: str
    doctor_id: str
    doctor_name: str | None
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    mode: Mode
    reason: str
    fee_xof: int
    booked_at: datetime
    payment_due_at: datetime | None
    confirmed_at: datetime | None
    session: SessionView | None
    completed_at: datetime | None
    summary: ClinicalSummary | None
    cancellation: CancellationView | None
    expired_at: datetime | None
    no_show_at: datetime | None
    call: CallView
    updated_at: datetime
    refund_until: datetime | None = Field(
        None,
        description="Cancelled by the patient until then, a paid consultation is refunded in "
        "full; after, only if the doctor does not come. Null: nothing paid, or it can no longer "
        "be cancelled.",
    )


class ConsultationPage(View):
    items: list[ConsultationView]
    next_cursor: str | None


# -- shaping ---------------------------------------------------------------------------------


def slot_view(slot: Slot, time_zone: str) -> SlotView:
    from zoneinfo import ZoneInfo

    local = slot.starts_at.astimezone(ZoneInfo(time_zone))
    return SlotView(
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        local_date=local.date(),
        local_time=local.strftime("%H:%M"),
    )


def session_view(c: Consultation) -> SessionView | None:
    if c.room_id is None or c.started_at is None:
        return None
    return SessionView(
        room_id=c.room_id,
        consultation_id=c.id,
        mode=c.mode,
        participants=[
            Participant(user_id=c.doctor_id, role="doctor"),
            Participant(user_id=c.patient_id, role="patient"),
        ],
        started_at=c.started_at,
        patient_joined_at=c.patient_joined_at,
    )


def presence_view(presence: Presence) -> PresenceView:
    return PresenceView(
        seconds=presence.seconds,
        sessions=[
            CallSessionView(
                joined_at=s.joined_at, left_at=s.left_at, seconds=s.seconds, reason=s.reason
            )
            for s in presence.sessions
        ],
        earlier_sessions=presence.forgotten,
    )


def consultation_view(c: Consultation, policy: Policy | None = None) -> ConsultationView:
    cancellation = None
    if c.cancelled_at is not None and c.cancelled_by is not None:
        cancellation = CancellationView(
            cancelled_at=c.cancelled_at,
            cancelled_by=c.cancelled_by,
            reason=c.cancellation_reason,
            note=c.cancellation_note,
            refund_due=bool(c.refund_due),
            refunded_at=c.refunded_at,
        )
    return ConsultationView(
        id=c.id,
        status=c.status,
        patient_id=c.patient_id,
        doctor_id=c.doctor_id,
        doctor_name=c.doctor_name,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        time_zone=c.time_zone,
        mode=c.mode,
        reason=c.reason,
        fee_xof=c.fee_xof,
        booked_at=c.booked_at,
        payment_due_at=c.payment_due_at,
        confirmed_at=c.confirmed_at,
        session=session_view(c),
        completed_at=c.completed_at,
        summary=c.summary,
        cancellation=cancellation,
        expired_at=c.expired_at,
        no_show_at=c.no_show_at,
        call=CallView(doctor=presence_view(c.call.doctor), patient=presence_view(c.call.patient)),
        updated_at=c.updated_at,
        refund_until=patient_refund_deadline(c, policy or Policy()),
    )
