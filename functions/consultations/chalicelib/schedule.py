"""A doctor's working hours and the slots they offer, in the doctor's time zone.

The schedule is the one `doctor.availability_changed` carries: weekly time ranges per weekday,
a slot length, a time zone, and date-specific exceptions. An exception replaces the weekly hours
of its day: `available: false` is a day off, `available: true` with ranges gives that day's own
hours (to add hours to a usual day, list the usual ranges too), as calendar tools' "date
overrides" do.

Slots start on the 5-minute grid (a range starting at 08:07 offers its first slot at 08:10) and
follow each other every slot length rounded up to 5 minutes; a slot never runs past its range.
Local times are converted to UTC with the zone's rules of that date; a local time that does not
exist (a daylight-saving gap) offers no slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.blocks import BLOCK_MINUTES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIME_ZONE = "Africa/Bamako"
_DAY_MINUTES = 24 * 60


class InvalidSchedule(ValueError):
    """A schedule that cannot be used (unknown time zone, a range that ends before it starts)."""


@dataclass(frozen=True, order=True)
class TimeRange:
    """Minutes after local midnight: [start, end), end up to 1440 ("24:00")."""

    start: int
    end: int

    @classmethod
    def parse(cls, start: str, end: str) -> TimeRange:
        first, last = _minutes(start), _minutes(end)
        if last <= first:
            raise InvalidSchedule(f"time range {start}-{end} ends before it starts")
        return cls(first, last)

    def text(self) -> dict[str, str]:
        return {"start": _clock(self.start), "end": _clock(self.end)}


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    local_day: date


@dataclass(frozen=True)
class Schedule:
    time_zone: str
    slot_minutes: int
    weekly: Mapping[int, tuple[TimeRange, ...]]
    overrides: Mapping[date, tuple[TimeRange, ...]]

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidSchedule(f"unknown time zone {self.time_zone!r}") from None
        if not 5 <= self.slot_minutes <= 240:
            raise InvalidSchedule("slot length must be 5 to 240 minutes")

    # -- to and from the event payload / stored document ----------------------------------

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Schedule:
        """From the data of `doctor.availability_changed` (or the stored copy of it)."""
        weekly: dict[int, tuple[TimeRange, ...]] = {}
        for name, ranges in (payload.get("weekly") or {}).items():
            weekly[WEEKDAYS.index(name)] = _merged(
                TimeRange.parse(r["start"], r["end"]) for r in ranges
            )
        overrides: dict[date, tuple[TimeRange, ...]] = {}
        for exception in payload.get("exceptions") or []:
            day = date.fromisoformat(str(exception["day"]))
            ranges = exception.get("ranges") or []
            overrides[day] = (
                _merged(TimeRange.parse(r["start"], r["end"]) for r in ranges)
                if exception.get("available")
                else ()
            )
        return cls(
            time_zone=payload.get("time_zone") or DEFAULT_TIME_ZONE,
            slot_minutes=int(payload["slot_minutes"]),
            weekly=weekly,
            overrides=overrides,
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "time_zone": self.time_zone,
            "slot_minutes": self.slot_minutes,
            "weekly": {
                WEEKDAYS[day]: [r.text() for r in ranges]
                for day, ranges in sorted(self.weekly.items())
            },
            "exceptions": [
                {
                    "day": day.isoformat(),
                    "available": bool(ranges),
                    "ranges": [r.text() for r in ranges],
                }
                for day, ranges in sorted(self.overrides.items())
            ],
        }

    # -- slots --------------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def step_minutes(self) -> int:
        """How far apart slots start: the slot length rounded up to whole blocks."""
        return -(-self.slot_minutes // BLOCK_MINUTES) * BLOCK_MINUTES

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())

    def slots_on(self, day: date) -> list[Slot]:
        zone = self.zone
        slots = []
        for hours in self.ranges_on(day):
            first = -(-hours.start // BLOCK_MINUTES) * BLOCK_MINUTES
            for minute in range(first, hours.end - self.slot_minutes + 1, self.step_minutes):
                starts_at = _to_utc(day, minute, zone)
                if starts_at is None:
                    continue
                slots.append(Slot(starts_at, starts_at + timedelta(minutes=self.slot_minutes), day))
        return slots

    def slots_between(self, start: datetime, end: datetime) -> list[Slot]:
        """Every slot of the schedule starting in [start, end), in order."""
        zone = self.zone
        first_day = start.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date() + timedelta(days=1)
        slots = []
        day = first_day
        while day <= last_day:
            slots.extend(s for s in self.slots_on(day) if start <= s.starts_at < end)
            day += timedelta(days=1)
        return sorted(slots, key=lambda s: s.starts_at)

    def slot_at(self, starts_at: datetime) -> Slot | None:
        """The slot starting exactly at `starts_at`, if the schedule offers one."""
        local_day = starts_at.astimezone(self.zone).date()
        for day in (local_day - timedelta(days=1), local_day):
            for slot in self.slots_on(day):
                if slot.starts_at == starts_at:
                    return slot
        return None


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= _DAY_MINUTES or int(minutes) >= 60:
        raise InvalidSchedule(f"{text!r} is not a time of day")
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _merged(ranges: Iterable[TimeRange]) -> tuple[TimeRange, ...]:
    """Overlapping or touching ranges joined, so no two slots of one day overlap."""
    merged: list[TimeRange] = []
    for item in sorted(ranges):
        if merged and item.start <= merged[-1].end:
            merged[-1] = TimeRange(merged[-1].start, max(merged[-1].end, item.end))
        else:
            merged.append(item)
    return tuple(merged)


def _to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of local `day` + `minute`, or None when that local time does not exist."""
    if minute >= _DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - _DAY_MINUTES
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant
