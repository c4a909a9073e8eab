"""Request and response bodies of the users API (validated by pydantic, documented in OpenAPI),
and the answers built from the domain's objects, to whom, in which language:

- the owner and administrators see the whole profile (`profile_view`);
- anyone sees a listed doctor's public card (`public_doctor`): never the licence number,
  contact details, review status or anything of a patient.

Shapes only: the rules that need the domain (the specialty list, a schedule's overlaps, what a
role may change) are checked by the domain modules, which name the field they refuse.
Times are UTC ISO-8601; amounts integer XOF.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.directory import card, photo_version, render_card
from chalicelib.errors import NotFound
from chalicelib.profiles import Profile
from chalicelib.schedules import Availability, today_in
from chalicelib.verification import Decision
from chalicelib.vocabularies import Language, language_label, specialty_label
from keneya.openapi import example

_PHONE_NOISE = re.compile(r"[\s.()-]")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _phone(value: str) -> str:
    """E.164; a Malian number written the usual way (`76 12 34 56`) gets +223."""
    digits = _PHONE_NOISE.sub("", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):
        digits = "+223" + digits
    if not _E164.match(digits):
        raise ValueError("not a phone number")
    return digits


def _licence(value: str) -> str:
    return " ".join(value.split()).upper()


Phone = Annotated[
    str,
    Field(
        max_length=32, description="E.164, or a Malian 8-digit number", examples=["+22376123456"]
    ),
    AfterValidator(_phone),
]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Sex = Literal["female", "male"]
ProfileLanguage = Literal["fr", "en", "bm"]
FeeXof = Annotated[
    int,
    Field(
        ge=500, le=500_000, strict=True, description="Consultation fee, integer XOF (no minor unit)"
    ),
]
ClockTime = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["08:30"])]
Licence = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 /.-]{2,31}$"),
    AfterValidator(_licence),
    Field(description="Registration number with the national order of physicians"),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


# -- requests -------------------------------------------------------------------------------


class EmergencyContactBody(Body):
    name: FullName
    phone: Phone
    relationship: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = (
        None
    )


class ProfilePatch(Body):
    """Only the fields given change; `null` clears an optional one. Patients: full_name,
    date_of_birth, sex, city, language, emergency_contact. Doctors: full_name, sex, city,
    language, specialty, languages, licence_number, facility, biography, fee_xof (specialty and
    licence_number are locked once verified). Administrators: full_name, language. Phone and
    e-mail are changed in the account (auth service)."""

    model_config = example(
        {
            "city": "Bamako",
            "date_of_birth": "1990-05-14",
            "sex": "female",
            "emergency_contact": {
                "name": "Moussa Traoré",
                "phone": "+22376654321",
                "relationship": "frère",
            },
        }
    )

    full_name: FullName | None = None
    language: ProfileLanguage | None = None
    sex: Sex | None = None
    city: ShortText | None = None
    date_of_birth: date | None = None
    emergency_contact: EmergencyContactBody | None = None
    specialty: Annotated[str, Field(max_length=64)] | None = None
    languages: Annotated[list[Annotated[str, Field(max_length=8)]], Field(max_length=10)] | None = (
        None
    )
    licence_number: Licence | None = None
    facility: ShortText | None = None
    biography: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        None
    )
    fee_xof: FeeXof | None = None

    @field_validator("full_name", "language", "languages", mode="before")
    @classmethod
    def _not_cleared(cls, value: Any) -> Any:
        # Given as null: these cannot be cleared (left out, they simply do not change).
        if value is None:
            raise PydanticCustomError("field_required", "this field cannot be null")
        return value


class TimeRangeBody(Body):
    start: ClockTime
    end: ClockTime


class ExceptionBody(Body):
    day: date = Field(description="A day in the doctor's time zone, today or later")
    available: bool = Field(description="false: a day off; true: `ranges` replace the weekday's")
    ranges: Annotated[list[TimeRangeBody], Field(max_length=8)] = []


class AvailabilityBody(Body):
    """The whole schedule (it replaces the previous one)."""

    model_config = example(
        {
            "time_zone": "Africa/Bamako",
            "slot_minutes": 30,
            "weekly": {
                "mon": [{"start": "08:00", "end": "12:00"}, {"start": "15:00", "end": "18:00"}],
                "wed": [{"start": "08:00", "end": "12:00"}],
            },
            "exceptions": [{"day": "2027-01-20", "available": False, "ranges": []}],
        }
    )

    time_zone: Annotated[str, Field(max_length=64)] = "Africa/Bamako"
    slot_minutes: int = Field(30, description="10 to 120, a multiple of 5")
    weekly: dict[
        Annotated[str, Field(max_length=8)], Annotated[list[TimeRangeBody], Field(max_length=8)]
    ] = Field(
        default_factory=dict,
        description="Ranges per weekday (mon..sun), wall-clock time of `time_zone`",
        examples=[
            {"mon": [{"start": "08:00", "end": "12:00"}, {"start": "15:00", "end": "18:00"}]}
        ],
    )
    exceptions: Annotated[list[ExceptionBody], Field(max_length=100)] = []


class PhotoUploadRequest(Body):
    model_config = example({"content_type": "image/jpeg", "size": 184320})

    content_type: Annotated[str, Field(max_length=100, examples=["image/jpeg"])]
    size: Annotated[int, Field(ge=0, description="Bytes")]


class PhotoConfirm(Body):
    model_config = example({"upload_id": "01JB8X7Q5M3ZK2V4W6Y8N0P1R3"})

    upload_id: Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]


class SuspendRequest(Body):
    model_config = example(
        {"reason": "Licence expirée : à renouveler auprès de l'Ordre des médecins."}
    )

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class DirectoryQuery(Body):
    specialty: Annotated[str, Field(max_length=64)] | None = None
    language: Annotated[str, Field(max_length=8)] | None = None
    city: Annotated[str, Field(max_length=80)] | None = None
    name: (
        Annotated[str, Field(max_length=60, description="Prefix of any word of the name")] | None
    ) = None
    fee_min: Annotated[int, Field(ge=0)] | None = None
    fee_max: Annotated[int, Field(ge=0)] | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, Field(max_length=512)] | None = None


class ReviewQuery(Body):
    status: Literal["pending", "verified", "suspended"] = "pending"
    limit: Annotated[int, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, Field(max_length=512)] | None = None


# -- responses ------------------------------------------------------------------------------


class Label(View):
    code: str
    label: str


class DoctorCard(View):
    id: str
    full_name: str
    sex: Sex | None = None
    specialty: Label
    languages: list[Label]
    city: str | None = None
    facility: str | None = None
    fee_xof: int
    photo_url: str | None = Field(None, description="Redirects to the photo")


class DoctorPublic(DoctorCard):
    biography: str | None = None
    time_zone: str
    slot_minutes: int | None = Field(None, description="Length of a consultation, minutes")


class DirectoryPage(View):
    items: list[DoctorCard]
    next_cursor: str | None = Field(
        None, description="Give it as `cursor` for the next page; null: no more results"
    )


class EmergencyContactView(View):
    name: str
    phone: str
    relationship: str | None = None


class ProfileBase(View):
    id: str
    role: Literal["patient", "doctor", "admin"]
    full_name: str
    language: str
    phone: str | None = None
    phone_verified: bool
    email: str | None = None
    created_at: datetime
    updated_at: datetime


class PatientProfile(ProfileBase):
    date_of_birth: date | None = None
    sex: Sex | None = None
    city: str | None = None
    emergency_contact: EmergencyContactView | None = None


class DoctorProfile(ProfileBase):
    sex: Sex | None = None
    city: str | None = None
    specialty: Label | None = None
    languages: list[Label]
    licence_number: str | None = None
    facility: str | None = None
    biography: str | None = None
    fee_xof: int | None = None
    photo_url: str | None = None
    status: Literal["pending", "verified", "suspended"]
    status_reason: str | None = Field(None, description="Why a doctor was suspended")
    status_changed_at: datetime | None = Field(
        None, description="Since when the doctor has this status (pending: since sign-up)"
    )
    verified_at: datetime | None = None
    has_schedule: bool


class AdminProfile(ProfileBase):
    pass


class ProfileView(RootModel[PatientProfile | DoctorProfile | AdminProfile]):
    """The profile of the signed-in user, by role."""


class ReviewPage(View):
    items: list[DoctorProfile]
    next_cursor: str | None = None


class ReviewerView(View):
    id: str
    full_name: str | None = Field(None, description="null: the administrator's name is unknown")


class ReviewDecision(View):
    """One decision of an administrator on a doctor."""

    action: Literal["verify", "suspend"]
    status_before: Literal["pending", "verified", "suspended"]
    status_after: Literal["pending", "verified", "suspended"]
    decided_at: datetime
    decided_by: ReviewerView
    reason: str | None = Field(None, description="Why the doctor was suspended")


class ReviewHistory(View):
    """Every decision of the review of a doctor, newest first."""

    items: list[ReviewDecision]


class TimeRangeView(View):
    start: str
    end: str


class ExceptionView(View):
    day: date
    available: bool
    ranges: list[TimeRangeView]


class AvailabilityView(View):
    time_zone: str
    slot_minutes: int
    weekly: dict[str, list[TimeRangeView]]
    exceptions: list[ExceptionView]
    updated_at: datetime | None = Field(None, description="null: no schedule set yet (defaults)")


class PhotoUploadForm(View):
    """POST the file to `url` as multipart/form-data: every `fields` entry, then `file`."""

    upload_id: str
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int
    accepted_types: list[str]


class Vocabulary(View):
    items: list[Label]


# -- what a request names --------------------------------------------------------------------

_LONGEST_ID = 64


def checked_id(value: Any) -> str:
    """A user id from the path; anything that cannot be one is simply not found."""
    if not isinstance(value, str) or not value or len(value) > _LONGEST_ID:
        raise NotFound()
    return value


# -- answers, from the domain's objects ------------------------------------------------------

# Personal data must not sit in a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
OWN_PHOTO_PATH = "/api/v1/users/me/photo"
REVIEW_PHOTO_PATH = "/api/v1/users/admin/doctors/{id}/photo"


def _base(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.user_id,
        "role": profile.role,
        "full_name": profile.full_name,
        "language": profile.language,
        "phone": profile.phone,
        "phone_verified": profile.phone_verified,
        "email": profile.email,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


def profile_view(profile: Profile, language: Language) -> ProfileView:
    """The signed-in user's own profile."""
    if profile.role == "patient":
        contact = profile.emergency_contact
        return ProfileView(
            PatientProfile(
                **_base(profile),
                date_of_birth=profile.date_of_birth,
                sex=profile.sex,
                city=profile.city,
                emergency_contact=(
                    EmergencyContactView(**contact.as_payload()) if contact else None
                ),
            )
        )
    if profile.role == "doctor":
        return ProfileView(doctor_view(profile, language, OWN_PHOTO_PATH))
    return ProfileView(AdminProfile(**_base(profile)))


def doctor_view(profile: Profile, language: Language, photo_path: str) -> DoctorProfile:
    """The whole profile of a doctor; `photo_path` is where its reader fetches the photo."""
    version = photo_version(profile.photo_key)
    return DoctorProfile(
        **_base(profile),
        sex=profile.sex,
        city=profile.city,
        specialty=(
            Label(code=profile.specialty, label=specialty_label(profile.specialty, language))
            if profile.specialty
            else None
        ),
        languages=[
            Label(code=code, label=language_label(code, language)) for code in profile.languages
        ],
        licence_number=profile.licence_number,
        facility=profile.facility,
        biography=profile.biography,
        fee_xof=profile.fee_xof,
        photo_url=f"{photo_path}?v={version}" if version else None,
        status=profile.status or "pending",
        status_reason=profile.status_reason,
        status_changed_at=profile.status_changed_at,
        verified_at=profile.verified_at,
        has_schedule=profile.availability is not None,
    )


def review_history(decisions: list[Decision]) -> ReviewHistory:
    return ReviewHistory(
        items=[
            ReviewDecision(
                action=decision.action,
                status_before=decision.status_before,
                status_after=decision.status_after,
                decided_at=decision.decided_at,
                decided_by=ReviewerView(id=decision.by.user_id, full_name=decision.by.full_name),
                reason=decision.reason,
            )
            for decision in decisions
        ]
    )


def public_doctor(profile: Profile, language: Language) -> DoctorPublic:
    availability = profile.availability
    return DoctorPublic(
        **render_card(card(profile), language),
        biography=profile.biography,
        time_zone=availability.time_zone if availability else "Africa/Bamako",
        slot_minutes=availability.slot_minutes if availability else None,
    )


def availability_view(profile: Profile, now: datetime) -> AvailabilityView:
    availability = profile.availability or Availability()
    upcoming = availability.upcoming(today_in(availability.time_zone, now)).as_payload()
    return AvailabilityView(
        **upcoming,
        updated_at=profile.availability_updated_at if profile.availability else None,
    )


def vocabulary(entries: dict[str, dict[Language, str]], language: Language) -> Vocabulary:
    return Vocabulary(
        items=[Label(code=code, label=labels[language]) for code, labels in entries.items()]
    )
