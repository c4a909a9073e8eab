"""A doctor's availability: weekly hours, slot length, time zone and the days that differ.

Times are the wall-clock of the doctor's time zone (Africa/Bamako unless they say otherwise),
so "Monday 08:00-12:00" stays 08:00 for the doctor whatever the season. The consultations service
turns this schedule into bookable slots (rules in `keneya/events/catalogue.py`): it receives the
whole schedule in every `doctor.availability_changed`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.errors import Broken, InvalidFields

DEFAULT_TIME_ZONE = "Africa/Bamako"
DEFAULT_SLOT_MINUTES = 30
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# A five-minute grid keeps every slot boundary readable ("10:35", never "10:37").
GRID_MINUTES = 5
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 10, 120
MAX_RANGES_PER_DAY = 8
MAX_EXCEPTIONS = 100
EXCEPTIONS_HORIZON_DAYS = 366
DAY_MINUTES = 24 * 60


@dataclass(frozen=True, order=True)
class TimeRange:
    """Minutes since the start of the day: `start` included, `end` excluded (1440 = 24:00)."""

    start: int
    end: int

    def as_text(self) -> dict[str, str]:
        return {"start": clock_text(self.start), "end": clock_text(self.end)}


@dataclass(frozen=True)
class DayException:
    """A day that does not follow the weekly hours: off, or open on `ranges` instead."""

    day: date
    available: bool
    ranges: tuple[TimeRange, ...] = ()

    def as_payload(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "available": self.available,
            "ranges": [r.as_text() for r in self.ranges],
        }


@dataclass(frozen=True)
class Availability:
    time_zone: str = DEFAULT_TIME_ZONE
    slot_minutes: int = DEFAULT_SLOT_MINUTES
    weekly: Mapping[str, tuple[TimeRange, ...]] = field(default_factory=dict)
    exceptions: tuple[DayException, ...] = ()

    def upcoming(self, today: date) -> Availability:
        """The same schedule without the exceptions of days already past."""
        return Availability(
            self.time_zone,
            self.slot_minutes,
            self.weekly,
            tuple(e for e in self.exceptions if e.day >= today),
        )

    def as_payload(self) -> dict[str, Any]:
        """The JSON shape of the API and of `doctor.availability_changed` (weekdays in order,
        empty ones left out)."""
        return {
            "time_zone": self.time_zone,
            "slot_minutes": self.slot_minutes,
            "weekly": {
                day: [r.as_text() for r in self.weekly[day]]
                for day in WEEKDAYS
                if self.weekly.get(day)
            },
            "exceptions": [e.as_payload() for e in self.exceptions],
        }

    def weekly_minutes(self) -> int:
        return sum(r.end - r.start for ranges in self.weekly.values() for r in ranges)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@cache
def known_time_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def today_in(time_zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(time_zone)).date()


def _minutes(text: str, *, is_end: bool) -> int | None:
    """ "08:30" -> 510; "24:00" only as an end; None when it is no time of day."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(hours) == 2 and len(minutes) == 2):
        return None
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES or (value == DAY_MINUTES and not is_end):
        return None
    return value


def _ranges(
    raw: Iterable[Mapping[str, str]], where: str, slot_minutes: int | None, broken: list[Broken]
) -> tuple[TimeRange, ...]:
    ranges: list[tuple[TimeRange, int]] = []
    raw = list(raw)
    if len(raw) > MAX_RANGES_PER_DAY:
        broken.append(Broken(where, "too_many_ranges"))
        return ()
    for index, item in enumerate(raw):
        start = _minutes(item["start"], is_end=False)
        end = _minutes(item["end"], is_end=True)
        if start is None:
            broken.append(Broken(f"{where}.{index}.start", "time_invalid"))
        elif start % GRID_MINUTES:
            broken.append(Broken(f"{where}.{index}.start", "time_grid"))
        if end is None:
            broken.append(Broken(f"{where}.{index}.end", "time_invalid"))
        elif end % GRID_MINUTES:
            broken.append(Broken(f"{where}.{index}.end", "time_grid"))
        if start is None or end is None or start % GRID_MINUTES or end % GRID_MINUTES:
            continue
        if start >= end:
            broken.append(Broken(f"{where}.{index}.end", "range_order"))
        elif slot_minutes is not None and end - start < slot_minutes:
            broken.append(Broken(f"{where}.{index}.end", "range_shorter_than_slot"))
        else:
            ranges.append((TimeRange(start, end), index))
    ranges.sort()
    for (previous, _), (current, index) in itertools.pairwise(ranges):
        if current.start < previous.end:
            broken.append(Broken(f"{where}.{index}", "range_overlap"))
    return tuple(r for r, _ in ranges)


def build_availability(raw: Mapping[str, Any], now: datetime) -> Availability:
    """A checked schedule from the API's JSON shape (`time_zone`, `slot_minutes`, `weekly`,
    `exceptions`); raises `InvalidFields` listing every broken rule at once."""
    broken: list[Broken] = []
    time_zone = raw.get("time_zone") or DEFAULT_TIME_ZONE
    if not known_time_zone(time_zone):
        broken.append(Broken("time_zone", "time_zone_unknown"))
        time_zone = DEFAULT_TIME_ZONE
    slot_minutes: int | None = raw.get("slot_minutes") or DEFAULT_SLOT_MINUTES
    if (
        not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES  # type: ignore[operator]
        or slot_minutes % GRID_MINUTES  # type: ignore[operator]
    ):
        broken.append(Broken("slot_minutes", "slot_length"))
        slot_minutes = None

    weekly: dict[str, tuple[TimeRange, ...]] = {}
    for day, ranges in (raw.get("weekly") or {}).items():
        if day not in WEEKDAYS:
            broken.append(Broken(f"weekly.{day}", "weekday_unknown"))
            continue
        checked = _ranges(ranges, f"weekly.{day}", slot_minutes, broken)
        if checked:
            weekly[day] = checked

    today = today_in(time_zone, now)
    last_day = today + timedelta(days=EXCEPTIONS_HORIZON_DAYS)
    exceptions: dict[date, DayException] = {}
    raw_exceptions = list(raw.get("exceptions") or [])
    if len(raw_exceptions) > MAX_EXCEPTIONS:
        broken.append(Broken("exceptions", "too_many_exceptions"))
        raw_exceptions = []
    for index, item in enumerate(raw_exceptions):
        where = f"exceptions.{index}"
        day = item["day"]
        if isinstance(day, str):
            day = date.fromisoformat(day)
        ranges_given = list(item.get("ranges") or [])
        if day < today:
            broken.append(Broken(f"{where}.day", "day_past"))
        elif day > last_day:
            broken.append(Broken(f"{where}.day", "day_too_far"))
        elif day in exceptions:
            broken.append(Broken(f"{where}.day", "day_repeated"))
        if item["available"] and not ranges_given:
            broken.append(Broken(f"{where}.ranges", "ranges_required"))
        elif not item["available"] and ranges_given:
            broken.append(Broken(f"{where}.ranges", "day_off_has_ranges"))
        checked = _ranges(ranges_given, f"{where}.ranges", slot_minutes, broken)
        exceptions.setdefault(day, DayException(day, bool(item["available"]), checked))

    if broken:
        raise InvalidFields(broken)
    assert slot_minutes is not None
    return Availability(
        time_zone=time_zone,
        slot_minutes=slot_minutes,
        weekly=weekly,
        exceptions=tuple(sorted(exceptions.values(), key=lambda e: e.day)),
    )


def availability_from_payload(payload: Mapping[str, Any]) -> Availability:
    """A schedule as stored (already checked once): no rule is applied again, so a stored
    schedule stays readable after today moves past its exceptions."""

    def ranges(items: Iterable[Mapping[str, str]]) -> tuple[TimeRange, ...]:
        return tuple(
            TimeRange(
                _minutes(r["start"], is_end=False) or 0,
                _minutes(r["end"], is_end=True) or 0,
            )
            for r in items
        )

    return Availability(
        time_zone=payload["time_zone"],
        slot_minutes=int(payload["slot_minutes"]),
        weekly={day: ranges(items) for day, items in payload.get("weekly", {}).items()},
        exceptions=tuple(
            DayException(date.fromisoformat(e["day"]), bool(e["available"]), ranges(e["ranges"]))
            for e in payload.get("exceptions", [])
        ),
    )
