"""The time now, in UTC: the one clock every service's use cases take by default (and that tests
replace with their own)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def utc_now() -> datetime:
    return datetime.now(UTC)


def scheduled_time(event: Any) -> datetime:
    """The moment a scheduled event was due (its `time`, in UTC), or now when it has none.

    Schedules run as of their event's time rather than the clock, so that a run can be replayed
    for a given moment (tests and operators do)."""
    raw = getattr(event, "time", None) or (event.get("time") if isinstance(event, dict) else None)
    return datetime.fromisoformat(raw).astimezone(UTC) if raw else utc_now()
