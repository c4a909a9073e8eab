"""Profiles as the API shows them, to whom, in which language.

- the owner and administrators see the whole profile (`profile_view`);
- anyone sees a listed doctor's public card (`public_doctor`): never the licence number,
  contact details, review status or anything of a patient.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import schemas
from chalicelib.directory import card, photo_version, render_card
from chalicelib.profiles import Profile
from chalicelib.schedules import Availability, today_in
from chalicelib.verification import Decision
from chalicelib.vocabularies import Language, language_label, specialty_label

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


def profile_view(profile: Profile, language: Language) -> schemas.ProfileView:
    """The signed-in user's own profile."""
    if profile.role == "patient":
        contact = profile.emergency_contact
        return schemas.ProfileView(
            schemas.PatientProfile(
                **_base(profile),
                date_of_birth=profile.date_of_birth,
                sex=profile.sex,
                city=profile.city,
                emergency_contact=(
                    schemas.EmergencyContactView(**contact.as_payload()) if contact else None
                ),
            )
        )
    if profile.role == "doctor":
        return schemas.ProfileView(doctor_view(profile, language, OWN_PHOTO_PATH))
    return schemas.ProfileView(schemas.AdminProfile(**_base(profile)))


def doctor_view(profile: Profile, language: Language, photo_path: str) -> schemas.DoctorProfile:
    """The whole profile of a doctor; `photo_path` is where its reader fetches the photo."""
    version = photo_version(profile.photo_key)
    return schemas.DoctorProfile(
        **_base(profile),
        sex=profile.sex,
        city=profile.city,
        specialty=(
            schemas.Label(
                code=profile.specialty, label=specialty_label(profile.specialty, language)
            )
            if profile.specialty
            else None
        ),
        languages=[
            schemas.Label(code=code, label=language_label(code, language))
            for code in profile.languages
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


def review_history(decisions: list[Decision]) -> schemas.ReviewHistory:
    return schemas.ReviewHistory(
        items=[
            schemas.ReviewDecision(
                action=decision.action,
                status_before=decision.status_before,
                status_after=decision.status_after,
                decided_at=decision.decided_at,
                decided_by=schemas.ReviewerView(
                    id=decision.by.user_id, full_name=decision.by.full_name
                ),
                reason=decision.reason,
            )
            for decision in decisions
        ]
    )


def public_doctor(profile: Profile, language: Language) -> schemas.DoctorPublic:
    availability = profile.availability
    return schemas.DoctorPublic(
        **render_card(card(profile), language),
        biography=profile.biography,
        time_zone=availability.time_zone if availability else "Africa/Bamako",
        slot_minutes=availability.slot_minutes if availability else None,
    )


def availability_view(profile: Profile, now: datetime) -> schemas.AvailabilityView:
    availability = profile.availability or Availability()
    upcoming = availability.upcoming(today_in(availability.time_zone, now)).as_payload()
    return schemas.AvailabilityView(
        **upcoming,
        updated_at=profile.availability_updated_at if profile.availability else None,
    )


def vocabulary(entries: dict[str, dict[Language, str]], language: Language) -> schemas.Vocabulary:
    return schemas.Vocabulary(
        items=[schemas.Label(code=code, label=labels[language]) for code, labels in entries.items()]
    )
