"""Review of doctors by administrators: `pending -> verified -> suspended`, and back.

The one table of what an action does from each status. Only a verified doctor is listed in the
directory and bookable; a suspended one can be reinstated (verified again) after review.
Every action that changes the status is kept as a `Decision` (when, by which administrator,
from which status to which, and why), so a doctor's review has a history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class Reviewer:
    """The administrator acting: their id, and their name when their profile is at hand."""

    user_id: str
    full_name: str | None = None


@dataclass(frozen=True)
class Decision:
    """One decision of the review of a doctor, as kept in their history."""

    doctor_id: str
    action: Action
    status_before: Status
    status_after: Status
    decided_at: datetime
    by: Reviewer
    reason: str | None = None


def decision_of(before: Profile, after: Profile, action: Action, by: Reviewer) -> Decision:
    """What `review` decided, from the profile before and after it; the reason is kept only for
    a suspension (the one decision that needs it)."""
    if before.status is None or after.status is None or before.status == after.status:
        raise TransitionRefused(before.status or before.role, action)
    return Decision(
        doctor_id=after.user_id,
        action=action,
        status_before=before.status,
        status_after=after.status,
        decided_at=after.status_changed_at or after.updated_at,
        by=by,
        reason=after.status_reason if after.status == "suspended" else None,
    )


def newest_first(decisions: Iterable[Decision]) -> list[Decision]:
    return sorted(decisions, key=lambda decision: decision.decided_at, reverse=True)
