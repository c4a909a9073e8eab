"""The bodies and query strings of the records API, validated with pydantic (422 names the
field). Times are UTC ISO-8601."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chalicelib.attachments import CATEGORIES, CONTENT_TYPES, MAX_BYTES
from chalicelib.vitals import ALL_KINDS
from keneya.openapi import example


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone (UTC: end with Z)")
    return value.astimezone(UTC)


Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]
UtcTime = Annotated[datetime, AfterValidator(_utc)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewAllergy(Body):
    model_config = example(
        {"substance": "Pénicilline", "reaction": "Urticaire", "severity": "moderate"}
    )

    substance: Text
    reaction: Text | None = None
    severity: Literal["mild", "moderate", "severe"] | None = None


class NewCondition(Body):
    model_config = example(
        {
            "label": "Hypertension artérielle",
            "code": "I10",
            "status": "active",
            "onset": "2021-03-01",
        }
    )

    label: Text
    code: Annotated[str, Field(pattern=r"^[A-Z]\d{2}(\.\d{1,2})?$")] | None = None
    status: Literal["active", "resolved"] = "active"
    onset: date | None = None


class ConditionChange(Body):
    model_config = example({"status": "resolved"})

    status: Literal["active", "resolved"]


class NewMedication(Body):
    model_config = example(
        {
            "medicine": "Amlodipine 5 mg",
            "dose": "1 comprimé",
            "route": "orale",
            "frequency": "1 fois par jour",
            "duration": "au long cours",
            "status": "active",
        }
    )

    medicine: Text
    dose: Text | None = None
    route: Text | None = None
    frequency: Text | None = None
    duration: Text | None = None
    instructions: LongText | None = None
    status: Literal["active", "stopped"] = "active"


class MedicationChange(Body):
    model_config = example({"status": "stopped"})

    status: Literal["active", "stopped"]


class NewVaccination(Body):
    model_config = example({"vaccine": "Fièvre jaune", "date": "2020-01-15", "dose_number": 1})

    vaccine: Text
    date: date
    dose_number: Annotated[int, Field(ge=1, le=20)] | None = None


class NewObservation(Body):
    model_config = example(
        {
            "kind": "blood_pressure",
            "unit": "mm[Hg]",
            "systolic": 128,
            "diastolic": 82,
            "measured_at": "2026-12-04T08:15:00Z",
        }
    )

    kind: Literal[ALL_KINDS]  # type: ignore[valid-type]
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    value: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    measured_at: UtcTime | None = None


class NewAttachment(Body):
    model_config = example(
        {
            "category": "lab_result",
            "title": "NFS du 2 décembre",
            "content_type": "application/pdf",
            "size": 245760,
        }
    )

    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    title: Text
    content_type: Literal[tuple(CONTENT_TYPES)]  # type: ignore[valid-type]
    size: Annotated[int, Field(ge=1, le=MAX_BYTES, description="bytes")]


class NewShare(Body):
    model_config = example(
        {"doctor_id": "01JB8X7Q5M3ZK2V4W6Y8N0P1R3", "until": "2027-01-31T23:59:59Z"}
    )

    doctor_id: Annotated[str, Field(min_length=1, max_length=64)]
    until: UtcTime


class Listing(BaseModel):
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    kind: Literal[ALL_KINDS] | None = None  # type: ignore[valid-type]
