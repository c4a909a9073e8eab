"""Who was in a consultation's video call, and for how long, as the signaling service reports it
(`call.joined`, `call.left`).

For each role, the sessions of presence (joined_at, left_at, seconds, reason) and the total
seconds. Events may come twice or out of order, so a session is known by its role and its
`joined_at` (a `call.left` carries the `joined_at` of the session it ends): a `call.left` that
arrives before its `call.joined` makes one closed session, which the late `call.joined` leaves
as it is; the same event applied again changes nothing.

A phone that keeps losing its connection makes a session each time, so only the last
`MAX_SESSIONS` of a role are kept: the forgotten ones stay counted in the total, and an event
about a session older than those kept is ignored (it can no longer be paired). Nothing here does
I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

CallRole = Literal["patient", "doctor"]
LeaveReason = Literal["left", "disconnected", "room_closed"]

MAX_SESSIONS = 50


class CallSession(BaseModel):
    """One stay in the call; open (no `left_at`) until its `call.left` arrives."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    joined_at: datetime
    left_at: datetime | None = None
    seconds: int | None = None
    reason: LeaveReason | None = None

    @property
    def open(self) -> bool:
        return self.left_at is None


class Presence(BaseModel):
    """One participant's sessions, oldest first, and the seconds of all their closed ones."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    sessions: tuple[CallSession, ...] = ()
    seconds: int = 0
    forgotten: int = 0
    # The `joined_at` of the newest session dropped by the cap: anything up to it is forgotten.
    forgotten_until: datetime | None = None

    def _session(self, joined_at: datetime) -> CallSession | None:
        return next((s for s in self.sessions if s.joined_at == joined_at), None)

    def _too_old(self, joined_at: datetime) -> bool:
        return self.forgotten_until is not None and joined_at <= self.forgotten_until

    def joined(self, joined_at: datetime) -> Presence | None:
        """With a session opened at `joined_at`; None when it is known already (a repeat, or
        its `call.left` came first) or too old to keep."""
        if self._too_old(joined_at) or self._session(joined_at) is not None:
            return None
        return self._with((*self.sessions, CallSession(joined_at=joined_at)), added_seconds=0)

    def left(
        self, joined_at: datetime, left_at: datetime, seconds: int, reason: LeaveReason
    ) -> Presence | None:
        """With the session that began at `joined_at` closed (made closed if its `call.joined`
        has not come yet); None when it was closed already or is too old to keep."""
        if self._too_old(joined_at):
            return None
        closed = CallSession(joined_at=joined_at, left_at=left_at, seconds=seconds, reason=reason)
        known = self._session(joined_at)
        if known is not None and not known.open:
            return None
        others = tuple(s for s in self.sessions if s.joined_at != joined_at)
        return self._with((*others, closed), added_seconds=seconds)

    def _with(self, sessions: tuple[CallSession, ...], added_seconds: int) -> Presence:
        ordered = sorted(sessions, key=lambda s: s.joined_at)
        dropped, kept = ordered[:-MAX_SESSIONS], ordered[-MAX_SESSIONS:]
        return Presence(
            sessions=tuple(kept),
            seconds=self.seconds + added_seconds,
            forgotten=self.forgotten + len(dropped),
            forgotten_until=dropped[-1].joined_at if dropped else self.forgotten_until,
        )


class CallAttendance(BaseModel):
    """The call attendance of a consultation: the doctor's and the patient's."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    doctor: Presence = Presence()
    patient: Presence = Presence()

    def of(self, role: CallRole) -> Presence:
        return self.doctor if role == "doctor" else self.patient

    def joined(self, role: CallRole, joined_at: datetime) -> CallAttendance | None:
        """After `call.joined`; None when it changes nothing."""
        presence = self.of(role).joined(joined_at)
        return None if presence is None else self.model_copy(update={role: presence})

    def left(
        self,
        role: CallRole,
        *,
        joined_at: datetime,
        left_at: datetime,
        seconds: int,
        reason: LeaveReason,
    ) -> CallAttendance | None:
        """After `call.left`; None when it changes nothing."""
        presence = self.of(role).left(joined_at, left_at, seconds, reason)
        return None if presence is None else self.model_copy(update={role: presence})
