"""How the signaling service's refusals are answered: one table, installed on the app
(`keneya.http.install(app, problems=problem_of)`)."""

from __future__ import annotations

from typing import Any

from chalicelib.rooms import NotAdmitted, RoomClosed
from keneya.http import Conflict, NotFound, Problem


def problem_of(error: Exception, request: Any) -> Problem | None:
    # Not one of the room's two participants, or no such room: the same answer, as for any
    # resource of someone else's.
    if isinstance(error, NotAdmitted):
        return NotFound("No such consultation room.")
    if isinstance(error, RoomClosed):
        return Conflict("This consultation's room is closed.")
    return None
