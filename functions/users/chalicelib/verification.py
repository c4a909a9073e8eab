"""Review of doctors by administrators: `pending -> verified -> suspended`, and back.

The one table of what an action does from each status. Only a verified doctor is listed in the
directory and bookable; a suspended one can be reinstated (verified again) after review.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from chalicelib.errors import IncompleteProfile, TransitionRefused
from chalicelib.profiles import Profile, Status

Action = Literal["verify", "suspend"]

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    ("pending", "verify"): "verified",
    ("suspended", "verify"): "verified",
    ("verified", "suspend"): "suspended",
    # A licence found false before verification: the account is refused, not left pending.
    ("pending", "suspend"): "suspended",
}

# What a patient needs to choose and pay a doctor, and what the administrator checks.
REQUIRED_TO_VERIFY = ("full_name", "specialty", "licence_number", "fee_xof", "city")


def review(profile: Profile, action: Action, now: datetime, reason: str | None = None) -> Profile:
    """The doctor's profile after `action`; raises `TransitionRefused` when the status does not
    allow it, `IncompleteProfile` when a doctor lacks what verification checks."""
    if profile.role != "doctor" or profile.status is None:
        raise TransitionRefused(profile.status or profile.role, action)
    target = TRANSITIONS.get((profile.status, action))
    if target is None:
        raise TransitionRefused(profile.status, action)
    if target == "verified":
        missing = [name for name in REQUIRED_TO_VERIFY if getattr(profile, name) in (None, "")]
        if missing:
            raise IncompleteProfile(missing)
    return replace(
        profile,
        status=target,
        status_reason=reason if target == "suspended" else None,
        status_changed_at=now,
        verified_at=now if target == "verified" else profile.verified_at,
        updated_at=now,
    )
