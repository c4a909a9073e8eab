"""The time now, in UTC: the one clock every service's use cases take by default (and that tests
replace with their own)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
