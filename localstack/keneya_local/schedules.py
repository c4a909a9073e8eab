"""EventBridge schedule expressions, `rate(...)` and AWS's six-field `cron(...)`, evaluated in UTC.

    rate(value unit)   unit: minute(s) | hour(s) | day(s); singular only for 1
    cron(minutes hours day-of-month month day-of-week year)

Cron fields take `,` `-` `*` `/`; day-of-month also `?` `L` `W` (`15W`, `LW`); day-of-week
(1-7 = SUN-SAT, or names) also `?` `L` (`6L`: last Friday) `#` (`2#1`: first Monday). One of the
two day fields must be `?`, as EventBridge requires.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
# How far ahead a cron expression is searched before it is declared to never fire.
_SEARCH_YEARS = 8


class ScheduleError(ValueError):
    """The expression is not one EventBridge would accept."""


@dataclass(frozen=True)
class Rate:
    expression: str
    period: timedelta

    def next_after(self, moment: datetime, anchor: datetime) -> datetime:
        """The first firing strictly after `moment`, counting periods from `anchor` (when the
        rule was created)."""
        if moment < anchor:
            return anchor + self.period
        elapsed = (moment - anchor) // self.period
        return anchor + (elapsed + 1) * self.period


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    day_of_month: str
    day_of_week: str

    def next_after(self, moment: datetime, anchor: datetime | None = None) -> datetime:
        """The first minute strictly after `moment` that the expression selects."""
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        last_day = date(min(start.year + _SEARCH_YEARS, 2199), 12, 31)
        while day <= last_day:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = _first_of_next_month(day)
                continue
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleError(f"{self.expression} never fires again")

    def _day_matches(self, day: date) -> bool:
        if self.day_of_month != "?":
            return _day_of_month_matches(self.day_of_month, day)
        return _day_of_week_matches(self.day_of_week, day)


Schedule = Rate | Cron


def parse(expression: str) -> Schedule:
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value <= 0:
            raise ScheduleError(f"{expression}: the rate must be positive")
        if (value == 1) != (not unit.endswith("s")):
            raise ScheduleError(f"{expression}: use a singular unit for 1 and plural otherwise")
        return Rate(text, timedelta(seconds=value * _UNIT_SECONDS[unit.rstrip("s")]))
    cron = _CRON.match(text)
    if not cron:
        raise ScheduleError(f"{expression}: expected rate(...) or cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"{expression}: cron takes six fields, got {len(fields)}")
    minutes, hours, day_of_month, month, day_of_week, year = (f.upper() for f in fields)
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(f"{expression}: exactly one of day-of-month and day-of-week is '?'")
    schedule = Cron(
        expression=text,
        minutes=_values(minutes, 0, 59, {}, expression),
        hours=_values(hours, 0, 23, {}, expression),
        months=_values(month, 1, 12, _MONTHS_UPPER, expression),
        years=_values(year, 1970, 2199, {}, expression),
        day_of_month=day_of_month,
        day_of_week=day_of_week,
    )
    # Checks the day fields' syntax now rather than at the first evaluation.
    probe = date(2024, 1, 1)
    try:
        schedule._day_matches(probe)
    except (ValueError, KeyError) as error:
        raise ScheduleError(f"{expression}: {error}") from None
    return schedule


_MONTHS_UPPER = {name.upper(): number for name, number in _MONTHS.items()}


def _values(field: str, low: int, high: int, names: dict[str, int], expression: str) -> frozenset:
    values: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = _number(step_text, {}, expression)
            if step <= 0:
                raise ScheduleError(f"{expression}: a step must be positive")
        if part == "*":
            first, last = low, high
        elif "-" in part:
            first_text, last_text = part.split("-", 1)
            first, last = (
                _number(first_text, names, expression),
                _number(last_text, names, expression),
            )
        else:
            first = _number(part, names, expression)
            # `5/15` means from 5 to the end in steps of 15.
            last = high if step != 1 else first
        if not (low <= first <= high and low <= last <= high):
            raise ScheduleError(f"{expression}: {part} is outside {low}-{high}")
        if first <= last:
            values.update(range(first, last + 1, step))
        else:
            # A range that wraps, e.g. NOV-FEB.
            values.update(
                v
                for i, v in enumerate([*range(first, high + 1), *range(low, last + 1)])
                if i % step == 0
            )
    return frozenset(values)


def _number(text: str, names: dict[str, int], expression: str) -> int:
    if text in names:
        return names[text]
    if not text.isdigit():
        raise ScheduleError(f"{expression}: {text!r} is not a value of this field")
    return int(text)


def _last_day(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _weekday_number(day: date) -> int:
    """1 = Sunday ... 7 = Saturday, as AWS numbers them."""
    return (day.weekday() + 1) % 7 + 1


def _nearest_weekday(day: date, target: int) -> int:
    """The weekday nearest to the `target` day of `day`'s month, never crossing the month."""
    last = _last_day(day)
    target = min(target, last)
    candidate = day.replace(day=target)
    if candidate.weekday() == 5:  # Saturday: Friday before, or Monday after the 1st
        return target - 1 if target > 1 else target + 2
    if candidate.weekday() == 6:  # Sunday: Monday after, or Friday before the last day
        return target + 1 if target < last else target - 2
    return target


def _day_of_month_matches(field: str, day: date) -> bool:
    for part in field.split(","):
        if part == "L":
            if day.day == _last_day(day):
                return True
        elif part == "LW":
            if day.day == _nearest_weekday(day, _last_day(day)):
                return True
        elif part.endswith("W"):
            if day.day == _nearest_weekday(day, int(part[:-1])):
                return True
        elif day.day in _values(part, 1, 31, {}, field):
            return True
    return False


def _day_of_week_matches(field: str, day: date) -> bool:
    weekday = _weekday_number(day)
    for part in field.split(","):
        if part == "L":
            if weekday == 7:
                return True
        elif part.endswith("L"):
            target = _number(part[:-1], _WEEKDAYS, field)
            if weekday == target and day.day + 7 > _last_day(day):
                return True
        elif "#" in part:
            target_text, nth_text = part.split("#", 1)
            target, nth = _number(target_text, _WEEKDAYS, field), int(nth_text)
            if weekday == target and (day.day - 1) // 7 + 1 == nth:
                return True
        elif weekday in _values(part, 1, 7, _WEEKDAYS, field):
            return True
    return False
