"""Times and amounts as people in Mali read them: local time in Africa/Bamako, amounts in FCFA.

Written out by hand rather than through the C library's locales, which a Lambda sandbox does not
carry: the same text comes out everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Literal

Language = Literal["fr", "en", "bm"]
PEOPLE_TIME_ZONE = "Africa/Bamako"

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}
_PROVIDERS = {"orange_money": "Orange Money", "moov_money": "Moov Money"}
# French groups thousands with a narrow no-break space, so "15 000" never splits across lines.
_FRENCH_THOUSANDS = "\u202f"


@cache
def time_zone(name: str = PEOPLE_TIME_ZONE) -> tzinfo:
    """The zone `name`; Bamako keeps GMT all year, which stands in if the zone database is
    missing from the sandbox."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(0), "GMT")


def _written_language(language: str) -> str:
    # Dates and numbers in Bambara texts are written the French way, as Malian papers do.
    return "en" if language == "en" else "fr"


def local_time(moment: datetime, language: str, zone: str = PEOPLE_TIME_ZONE) -> str:
    """`2025-03-03T14:30Z` -> "lundi 3 mars à 14h30" / "Monday 3 March at 14:30"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(time_zone(zone))
    written = _written_language(language)
    day = _DAYS[written][local.weekday()]
    month = _MONTHS[written][local.month - 1]
    if written == "en":
        return f"{day} {local.day} {month} at {local:%H:%M}"
    day_number = "1er" if local.day == 1 else str(local.day)
    return f"{day} {day_number} {month} à {local:%H}h{local:%M}"


def amount(xof: int, language: str) -> str:
    """15000 -> "15 000 FCFA" / "15,000 FCFA" (XOF has no minor unit)."""
    grouped = f"{xof:,}"
    if _written_language(language) == "fr":
        grouped = grouped.replace(",", _FRENCH_THOUSANDS)
    return f"{grouped} FCFA"


def provider(name: str) -> str:
    return _PROVIDERS.get(name, name)


def duration(minutes: int, language: str) -> str:
    """90 -> "1 h 30" / "1 hour 30 min"; under an hour, "45 min"."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min"
    if _written_language(language) == "en":
        text = f"{hours} hour" + ("s" if hours > 1 else "")
        return f"{text} {rest} min" if rest else text
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from `start` to `end`, rounded to the nearest, never below 1."""
    return max(1, round((end - start).total_seconds() / 60))
