"""The bodies and query strings of the records API, validated with pydantic (422 names the
field). Times are UTC ISO-8601."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chalicelib.attachments import CATEGORIES, CONTENT_TYPES, MAX_BYTES
from chalicelib.vitals import ALL_KINDS


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
    substance: Text
    reaction: Text | None = None
    severity: Literal["mild", "moderate", "severe"] | None = None


class NewCondition(Body):
    label: Text
    code: Annotated[str, Field(pattern=r"^[A-Z]\d{2}(\.\d{1,2})?$")] | None = None
    status: Literal["active", "resolved"] = "active"
    onset: date | None = None


class ConditionChange(Body):
    status: Literal["active", "resolved"]


class NewMedication(Body):
    medicine: Text
    dose: Text | None = None
    route: Text | None = None
    frequency: Text | None = None
    duration: Text | None = None
    instructions: LongText | None = None
    status: Literal["active", "stopped"] = "active"


class MedicationChange(Body):
    status: Literal["active", "stopped"]


class NewVaccination(Body):
    vaccine: Text
    date: date
    dose_number: Annotated[int, Field(ge=1, le=20)] | None = None


class NewObservation(Body):
    kind: Literal[ALL_KINDS]  # type: ignore[valid-type]
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    value: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    measured_at: UtcTime | None = None


class NewAttachment(Body):
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    title: Text
    content_type: Literal[tuple(CONTENT_TYPES)]  # type: ignore[valid-type]
    size: Annotated[int, Field(ge=1, le=MAX_BYTES, description="bytes")]


class NewShare(Body):
    doctor_id: Annotated[str, Field(min_length=1, max_length=64)]
    until: UtcTime


class Listing(BaseModel):
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    kind: Literal[ALL_KINDS] | None = None  # type: ignore[valid-type]
