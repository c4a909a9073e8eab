"""The record's current state: allergies, conditions, medications, vaccinations.

These lists live in the patient's record document and are kept bounded: each holds at most
`LIMIT` entries. Entries a consultation added make room for new ones (the oldest go first; the
encounter that added them keeps them forever); entries the patient added are only removed by
the patient, who is told when a list is full. Everything that accumulates over time
(encounters, measurements, attachments, audit entries) is one document each in its own
collection, never inside the record document.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.errors import RecordFull

LIMIT = 200
SECTIONS = ("allergies", "conditions", "medications", "vaccinations")
Entry = dict[str, Any]


def new_entry_id() -> str:
    return uuid.uuid4().hex


def with_entry(entries: Sequence[Entry], entry: Entry, section: str) -> list[Entry]:
    """`entries` plus the patient's `entry`; `RecordFull` when the list is at its limit."""
    if len(entries) >= LIMIT:
        raise RecordFull(section, LIMIT)
    return [*entries, entry]


def _bounded(entries: list[Entry]) -> list[Entry]:
    """Drop the oldest consultation-made entries beyond the limit."""
    excess = len(entries) - LIMIT
    if excess <= 0:
        return entries
    removable = sorted(
        (e for e in entries if e.get("source") == "consultation"),
        key=lambda e: e["recorded_at"],
    )[:excess]
    dropped = {e["id"] for e in removable}
    return [e for e in entries if e["id"] not in dropped]


_UNIT_DAYS = {
    "jour": 1,
    "jours": 1,
    "j": 1,
    "day": 1,
    "days": 1,
    "semaine": 7,
    "semaines": 7,
    "week": 7,
    "weeks": 7,
    "mois": 30,
    "month": 30,
    "months": 30,
}
_DURATION = re.compile(r"^\s*(\d{1,3})\s*([a-zA-Z]+)\.?\s*$")


def course_end(duration: str | None, start: datetime) -> datetime | None:
    """When a course prescribed for `duration` ("3 jours", "2 weeks", "1 mois") ends; None
    when the duration is not one of those (a long-term treatment, or free text)."""
    match = _DURATION.match(duration or "")
    if not match or match.group(2).lower() not in _UNIT_DAYS:
        return None
    return start + timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()])


def is_current(medication: Entry, now: datetime) -> bool:
    """Taken now: active, and its course (if it has a known end) not over."""
    ends_at = medication.get("ends_at")
    return medication.get("status") == "active" and (ends_at is None or now < ends_at)


def merge_encounter(
    conditions: Sequence[Entry],
    medications: Sequence[Entry],
    encounter: dict[str, Any],
    at: datetime,
) -> tuple[list[Entry], list[Entry]]:
    """The active problems and current medications once `encounter` (a completed consultation's
    clinical summary) is applied. Applying the same encounter twice changes nothing: a
    diagnosis already active (same ICD-10 code) is only marked as seen again by it, and a
    prescription is keyed on its consultation and medicine."""
    consultation_id = encounter["consultation_id"]
    new_conditions = [dict(c) for c in conditions]
    by_code = {c.get("code"): c for c in new_conditions if c.get("status") == "active"}
    made = {c["id"] for c in new_conditions}
    for diagnosis in encounter.get("diagnoses", []):
        if f"{consultation_id}:{diagnosis['code']}" in made:
            continue  # this encounter already added it (the patient may have resolved it since)
        known = by_code.get(diagnosis["code"])
        if known is not None:
            known["last_consultation_id"] = consultation_id
            continue
        entry = {
            "id": f"{consultation_id}:{diagnosis['code']}",
            "code": diagnosis["code"],
            "label": diagnosis["label"],
            "status": "active",
            "source": "consultation",
            "consultation_id": consultation_id,
            "last_consultation_id": consultation_id,
            "recorded_at": at,
        }
        new_conditions.append(entry)
        by_code[diagnosis["code"]] = entry

    new_medications = [dict(m) for m in medications]
    present = {m["id"] for m in new_medications}
    for prescription in encounter.get("prescriptions", []):
        entry_id = f"{consultation_id}:{prescription['medicine'].strip().lower()}"
        if entry_id in present:
            continue
        new_medications.append(
            {
                "id": entry_id,
                **{
                    k: prescription.get(k)
                    for k in ("medicine", "dose", "route", "frequency", "duration", "instructions")
                },
                "status": "active",
                "ends_at": course_end(prescription.get("duration"), at),
                "source": "consultation",
                "consultation_id": consultation_id,
                "prescriber_id": encounter.get("doctor_id"),
                "recorded_at": at,
            }
        )
        present.add(entry_id)
    return _bounded(new_conditions), _bounded(new_medications)
