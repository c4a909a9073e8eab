"""The bodies and query strings of the records API, validated with pydantic (422 names the
field). Times are UTC ISO-8601."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

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


# -- answers: what the routes return (documents as `chalicelib.shapes` shows them) -------------


class View(BaseModel):
    """An answer; fields may be added in later versions, so clients ignore what they do not
    know."""

    model_config = ConfigDict(extra="allow")


Instant = Annotated[str, Field(description="UTC, ISO-8601", examples=["2026-12-04T08:15:00.000Z"])]


class EntryView(View):
    id: str
    source: Literal["patient", "consultation"] = Field(
        description="Entered by the patient, or written by a consultation's doctor"
    )
    recorded_at: Instant
    status: str | None = None


class ObservationView(View):
    id: str
    patient_id: str
    kind: str
    unit: str
    value: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    measured_at: Instant
    recorded_by: str
    recorded_at: Instant


class EncounterView(View):
    id: str = Field(description="The consultation's id")
    consultation_id: str
    patient_id: str
    doctor_id: str
    doctor_name: str | None = None
    completed_at: Instant
    reason: str | None = None
    notes: str | None = None
    diagnoses: list[dict[str, Any]] = []
    prescriptions: list[dict[str, Any]] = []
    follow_up: str | None = None


class RecordView(View):
    patient_id: str
    profile: dict[str, Any] = Field(description="Name and language the record was opened with")
    allergies: list[EntryView]
    conditions: list[EntryView]
    medications: list[EntryView]
    vaccinations: list[EntryView]
    current_medications: list[EntryView]
    latest_vitals: list[ObservationView]
    recent_encounters: list[EncounterView]
    updated_at: Instant | None = None


class UploadView(View):
    method: Literal["PUT"]
    url: str = Field(description="Presigned: PUT the file there with exactly these headers")
    headers: dict[str, str]
    expires_in: int


class AttachmentView(View):
    id: str
    patient_id: str
    category: str
    title: str
    content_type: str
    size: int
    status: Literal["pending", "available"]
    created_at: Instant
    upload: UploadView | None = Field(None, description="Where to upload it (once created)")
    download_url: str | None = Field(None, description="Presigned download (once available)")


class ShareView(View):
    id: str
    patient_id: str
    doctor_id: str
    until: Instant
    created_at: Instant
    revoked_at: Instant | None = None


class AuditView(View):
    id: str
    patient_id: str
    actor_id: str
    role: str
    action: str
    resource: str
    resource_id: str | None = None
    at: Instant
    outcome: Literal["allowed", "denied"]
    via: str | None = Field(None, description="owner, consultation or share")
    via_id: str | None = None


class EntryPage(View):
    items: list[EntryView]


class ObservationPage(View):
    items: list[ObservationView]


class EncounterPage(View):
    items: list[EncounterView]


class AttachmentPage(View):
    items: list[AttachmentView]


class SharePage(View):
    items: list[ShareView]


class AuditPage(View):
    items: list[AuditView]


class FhirBundle(View):
    """A FHIR R4 Bundle (type `collection`) of the whole record."""

    resourceType: Literal["Bundle"]
    type: str
    entry: list[dict[str, Any]] = []
