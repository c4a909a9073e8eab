"""Who may see and do what with a consultation: the one function that decides.

Deny by default. A consultation exists, for a caller, only if they are one of its two
participants: anyone else is told it does not exist (404), never that it is someone else's.
Administrators may cancel any consultation (a clinic's front desk does) but read none of them
(clinical content). Between the participants, the doctor starts, completes and records a
no-show; either may cancel or join.
"""

from __future__ import annotations

from typing import Literal

from chalicelib.errors import ConsultationNotFound, NotYourAction
from chalicelib.lifecycle import Actor, Consultation

Action = Literal["read", "cancel", "start", "join", "complete", "no_show"]

_ONLY: dict[Action, Literal["patient", "doctor"]] = {
    "start": "doctor",
    "complete": "doctor",
    "no_show": "doctor",
}


def authorize(consultation: Consultation, who: Actor, action: Action) -> None:
    """Return if `who` may do `action` on `consultation`; raise `ConsultationNotFound` for a
    stranger, `NotYourAction` for the participant the action is not for."""
    if action == "cancel" and who.role == "admin":
        return
    role = consultation.participant_role(who.user_id)
    if role is None:
        raise ConsultationNotFound()
    needed = _ONLY.get(action)
    if needed is not None and role != needed:
        raise NotYourAction(action, needed)
