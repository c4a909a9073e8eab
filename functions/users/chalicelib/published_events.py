"""The events a change of a profile causes, built in one place from the profile before and after.

- a doctor verified (or reinstated): `doctor.verified`; suspended: `doctor.suspended`;
- a new schedule: `doctor.availability_changed`;
- any other field: `profile.updated`, naming the fields.

Every doctor event carries the doctor's booking snapshot at the new revision (see the note in
`keneya/events/catalogue.py`), so the consultations service keeps a copy without calling us.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.profiles import Profile
from chalicelib.schedules import DEFAULT_TIME_ZONE, today_in
from keneya.events import Event, new_event

# Changes of these are told by their own events, not by profile.updated.
_OWN_EVENTS = frozenset({"status", "availability"})


def snapshot(profile: Profile, now: datetime) -> dict[str, Any]:
    availability = profile.availability
    schedule = (
        availability.upcoming(today_in(availability.time_zone, now)).as_payload()
        if availability
        else None
    )
    return {
        "revision": profile.revision,
        "status": profile.status,
        "full_name": profile.full_name,
        "specialty": profile.specialty,
        "fee_xof": profile.fee_xof,
        "time_zone": schedule["time_zone"] if schedule else DEFAULT_TIME_ZONE,
        "slot_minutes": schedule["slot_minutes"] if schedule else None,
        "weekly": schedule["weekly"] if schedule else None,
        "exceptions": schedule["exceptions"] if schedule else None,
    }


def events_for(
    before: Profile, after: Profile, changed: list[str], now: datetime, reason: str | None = None
) -> list[Event]:
    events = []
    if before.status != after.status and after.status == "verified":
        events.append(
            new_event("doctor.verified", {"doctor_id": after.user_id, **snapshot(after, now)})
        )
    if before.status != after.status and after.status == "suspended":
        events.append(
            new_event(
                "doctor.suspended",
                {"doctor_id": after.user_id, "reason": reason, **snapshot(after, now)},
            )
        )
    if "availability" in changed and after.availability is not None:
        events.append(
            new_event(
                "doctor.availability_changed",
                {"doctor_id": after.user_id, **snapshot(after, now)},
            )
        )
    fields = sorted(set(changed) - _OWN_EVENTS)
    if fields:
        data: dict[str, Any] = {
            "user_id": after.user_id,
            "role": after.role,
            "changed": fields,
            "full_name": after.full_name,
            "language": after.language,
        }
        if after.is_doctor:
            data.update(snapshot(after, now))
        events.append(new_event("profile.updated", data))
    return events
