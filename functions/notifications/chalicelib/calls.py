"""Telling one participant of a video consultation that the other has come into the call.

The service knows each consultation's two participants from `consultation.booked` and
`consultation.started` (`Participants`). A `call.joined` (an `Arrival`) is announced to the
other participant, but a phone that drops and takes its connection again makes a new
`call.joined` each time: an arrival is announced only if the same person's last announced
arrival in that consultation is at least `QUIET_AFTER_ANNOUNCING` older (or there is none).
The consultation's copy remembers the last announced arrival of each participant
(`Announced`); an arrival older than it (events out of order) is never announced. Handling the
same event again announces it again, so a delivery that failed halfway is finished (the notice
itself is idempotent). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

CallRole = Literal["patient", "doctor"]

QUIET_AFTER_ANNOUNCING = timedelta(minutes=5)


@dataclass(frozen=True)
class Announced:
    """The last arrival of a participant that was announced: when they joined, which event."""

    joined_at: datetime
    event_id: str


@dataclass(frozen=True)
class Participants:
    """A consultation's two participants, and the last arrival of each that was announced."""

    consultation_id: str
    patient_id: str
    doctor_id: str
    # When the consultation takes place (its end as booked, or its start): the copy is kept
    # a while after it, then forgotten.
    happens_at: datetime | None = None
    announced: Mapping[str, Announced] = field(default_factory=dict)

    def other(self, user_id: str, role: CallRole) -> tuple[str, CallRole] | None:
        """Who to tell that `user_id` came in as `role`; None when that is not who holds the
        role in this consultation."""
        if role == "doctor" and user_id == self.doctor_id:
            return self.patient_id, "patient"
        if role == "patient" and user_id == self.patient_id:
            return self.doctor_id, "doctor"
        return None


@dataclass(frozen=True)
class Arrival:
    """`call.joined`: `user_id` came into the consultation's call as `role`."""

    consultation_id: str
    user_id: str
    role: CallRole
    joined_at: datetime


class ConsultationUnknown(Exception):
    """An arrival in a consultation the service has not learned of yet (its
    `consultation.started` is still on the way): handling the event later will know it."""


def announcement(
    previous: Announced | None, arrival: Arrival, event_id: str
) -> Announced | None:
    """What to remember when `arrival` (of event `event_id`) is to be announced, or None when
    it is to be kept quiet: a reconnection soon after the last announced arrival, or an older
    arrival arriving late."""
    if previous is None or previous.event_id == event_id:
        return Announced(arrival.joined_at, event_id)
    if arrival.joined_at - previous.joined_at >= QUIET_AFTER_ANNOUNCING:
        return Announced(arrival.joined_at, event_id)
    return None
