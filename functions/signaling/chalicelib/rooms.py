"""The rules of a consultation's video room: who may enter, and what each join, leave or lost
connection means for the other side and for the consultation's history.

A room belongs to one consultation and has two seats, the doctor's and the patient's. A seat is
held by at most one WebSocket connection: the participant's presence in the call. A newer
connection of the same person takes the seat over (a phone that changed network comes back
before the old socket is known to be dead), and the other side is told to restart the call.
These are plain objects; `chalicelib.store` keeps them and `chalicelib.service` drives them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

Role = Literal["doctor", "patient"]
LeftReason = Literal["left", "disconnected", "room_closed"]
ClosedReason = Literal["completed", "cancelled", "no_show"]

# A consultation that is started and never ended must not keep a room open for ever.
OPEN_ROOM_LIFETIME = timedelta(hours=24)
# Closed rooms are kept a while so a late `consultation.started` cannot reopen them.
CLOSED_ROOM_KEPT = timedelta(days=30)


class NotAdmitted(Exception):
    """The caller may not enter this room (not a participant, or no such room)."""


class RoomClosed(Exception):
    """The room existed and is closed now."""


def other(role: Role) -> Role:
    return "patient" if role == "doctor" else "doctor"


@dataclass(frozen=True)
class Seat:
    role: Role
    user_id: str
    connection_id: str | None = None
    joined_at: datetime | None = None
    # How the last presence ended; a join after a lost connection is a reconnect.
    last_left_reason: LeftReason | None = None
    version: int = 0

    @property
    def present(self) -> bool:
        return self.connection_id is not None

    def taken_by(self, connection_id: str, now: datetime) -> Seat:
        joined_at = self.joined_at if self.present else now
        return replace(
            self, connection_id=connection_id, joined_at=joined_at, version=self.version + 1
        )

    def vacated(self, reason: LeftReason) -> Seat:
        return replace(
            self,
            connection_id=None,
            joined_at=None,
            last_left_reason=reason,
            version=self.version + 1,
        )


@dataclass(frozen=True)
class Room:
    consultation_id: str
    doctor_id: str
    patient_id: str
    opened_at: datetime
    closed_at: datetime | None = None
    closed_reason: ClosedReason | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def role_of(self, user_id: str) -> Role | None:
        if user_id == self.doctor_id:
            return "doctor"
        if user_id == self.patient_id:
            return "patient"
        return None

    def admit(self, user_id: str) -> Role:
        """The role of `user_id` in this room; NotAdmitted for anyone else, RoomClosed once it
        is closed (only said to a participant)."""
        role = self.role_of(user_id)
        if role is None:
            raise NotAdmitted(self.consultation_id)
        if not self.is_open:
            raise RoomClosed(self.consultation_id)
        return role

    def empty_seat(self, role: Role) -> Seat:
        return Seat(role=role, user_id=self.doctor_id if role == "doctor" else self.patient_id)

    def expires_at(self) -> datetime:
        if self.closed_at is not None:
            return self.closed_at + CLOSED_ROOM_KEPT
        return self.opened_at + OPEN_ROOM_LIFETIME


def admit(room: Room | None, user_id: str) -> Role:
    if room is None:
        raise NotAdmitted("no such room")
    return room.admit(user_id)


@dataclass(frozen=True)
class Join:
    """What a `join` changes: the seat after it, who is to be told what, and what is recorded."""

    seat: Seat
    peer_present: bool
    # What the other participant is told: `peer_joined`, `peer_reconnected`, or nothing when the
    # same connection joins twice.
    peer_notice: Literal["peer_joined", "peer_reconnected"] | None
    replaced_connection: str | None
    # True when a new stretch of presence begins (`call.joined` is recorded).
    presence_began: bool


def join(seat: Seat, peer: Seat, connection_id: str, now: datetime) -> Join:
    if seat.connection_id == connection_id:
        return Join(seat, peer.present, None, None, presence_began=False)
    replaced = seat.connection_id
    reconnect = replaced is not None or seat.last_left_reason == "disconnected"
    return Join(
        seat=seat.taken_by(connection_id, now),
        peer_present=peer.present,
        peer_notice="peer_reconnected" if reconnect else "peer_joined",
        replaced_connection=replaced,
        presence_began=replaced is None,
    )


@dataclass(frozen=True)
class Departure:
    """A presence that ended: the vacated seat and the history line it leaves."""

    seat: Seat
    user_id: str
    role: Role
    joined_at: datetime
    left_at: datetime
    reason: LeftReason

    @property
    def duration_seconds(self) -> int:
        return max(0, int((self.left_at - self.joined_at).total_seconds()))

    def call_left(self, consultation_id: str) -> dict[str, Any]:
        """The `call.left` payload."""
        return {
            "consultation_id": consultation_id,
            "user_id": self.user_id,
            "role": self.role,
            "joined_at": self.joined_at,
            "left_at": self.left_at,
            "duration_seconds": self.duration_seconds,
            "reason": self.reason,
        }


def depart(
    seat: Seat, connection_id: str | None, reason: LeftReason, now: datetime
) -> Departure | None:
    """The seat's presence ends, if `connection_id` holds it (None: whoever holds it, as when the
    room closes). A connection that was already taken over leaves nothing behind."""
    if not seat.present or seat.joined_at is None:
        return None
    if connection_id is not None and seat.connection_id != connection_id:
        return None
    return Departure(
        seat=seat.vacated(reason),
        user_id=seat.user_id,
        role=seat.role,
        joined_at=seat.joined_at,
        left_at=max(now, seat.joined_at),
        reason=reason,
    )


def call_joined(consultation_id: str, seat: Seat) -> dict[str, Any]:
    """The `call.joined` payload of a seat just taken."""
    assert seat.joined_at is not None
    return {
        "consultation_id": consultation_id,
        "user_id": seat.user_id,
        "role": seat.role,
        "joined_at": seat.joined_at,
    }
