"""Profiles of patients, doctors and administrators, and the rules of changing them.

One `Profile` per account, created from `user.registered`. What a role may change is the table
`EDITABLE`; phone and e-mail belong to the account (the auth service) and are copied here. A
doctor's specialty and licence number are what an administrator checked: once verified they
change only through support (`LOCKED_ONCE_VERIFIED`). Clinical data never lives here (records).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from chalicelib.errors import Broken, InvalidFields, LockedFields
from chalicelib.schedules import Availability
from chalicelib.vocabularies import SPECIALTIES, SPOKEN_LANGUAGES

Role = Literal["patient", "doctor", "admin"]
Status = Literal["pending", "verified", "suspended"]

EDITABLE: dict[str, frozenset[str]] = {
    "patient": frozenset(
        {"full_name", "date_of_birth", "sex", "city", "language", "emergency_contact"}
    ),
    "doctor": frozenset(
        {
            "full_name",
            "sex",
            "city",
            "language",
            "specialty",
            "languages",
            "licence_number",
            "facility",
            "biography",
            "fee_xof",
        }
    ),
    "admin": frozenset({"full_name", "language"}),
}
# Owned by the account (auth service): shown here, changed there.
ACCOUNT_FIELDS = frozenset({"phone", "email"})
LOCKED_ONCE_VERIFIED = frozenset({"specialty", "licence_number"})
# Fields a patient searching the directory sees change: a change of these clears the cache.
LISTED_FIELDS = frozenset(
    {
        "full_name",
        "sex",
        "city",
        "specialty",
        "languages",
        "facility",
        "biography",
        "fee_xof",
        "photo",
    }
)
OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    phone: str
    relationship: str | None = None

    def as_payload(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "relationship": self.relationship}


@dataclass(frozen=True)
class Profile:
    user_id: str
    role: Role
    full_name: str
    created_at: datetime
    updated_at: datetime
    revision: int = 1
    language: str = "fr"
    phone: str | None = None
    phone_verified: bool = False
    email: str | None = None
    city: str | None = None
    sex: str | None = None
    # patients
    date_of_birth: date | None = None
    emergency_contact: EmergencyContact | None = None
    # doctors
    specialty: str | None = None
    languages: tuple[str, ...] = ()
    licence_number: str | None = None
    facility: str | None = None
    biography: str | None = None
    fee_xof: int | None = None
    photo_key: str | None = None
    status: Status | None = None
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    verified_at: datetime | None = None
    availability: Availability | None = None
    availability_updated_at: datetime | None = None

    @property
    def is_doctor(self) -> bool:
        return self.role == "doctor"

    @property
    def listed(self) -> bool:
        """Shown in the directory and bookable."""
        return self.role == "doctor" and self.status == "verified"


def new_profile(
    *,
    user_id: str,
    role: Role,
    full_name: str,
    phone: str | None,
    email: str | None,
    language: str,
    now: datetime,
) -> Profile:
    """The profile opened for a new account (a doctor starts `pending` review)."""
    doctor = role == "doctor"
    return Profile(
        user_id=user_id,
        role=role,
        full_name=full_name,
        phone=phone,
        email=email,
        language=language,
        created_at=now,
        updated_at=now,
        status="pending" if doctor else None,
        status_changed_at=now if doctor else None,
        # A doctor speaks at least the language they registered in; they refine it later.
        languages=(language,) if doctor and language in SPOKEN_LANGUAGES else (),
    )


def _check_values(changes: dict[str, Any], now: datetime) -> list[Broken]:
    broken = []
    specialty = changes.get("specialty")
    if specialty is not None and specialty not in SPECIALTIES:
        broken.append(Broken("specialty", "specialty_unknown"))
    for index, code in enumerate(changes.get("languages") or ()):
        if code not in SPOKEN_LANGUAGES:
            broken.append(Broken(f"languages.{index}", "language_unknown"))
    if "languages" in changes and not changes["languages"]:
        broken.append(Broken("languages", "languages_required"))
    born = changes.get("date_of_birth")
    if born is not None and (born > now.date() or born.year < OLDEST_BIRTH_YEAR):
        broken.append(Broken("date_of_birth", "date_of_birth_range"))
    return broken


def apply_changes(
    profile: Profile, changes: dict[str, Any], now: datetime
) -> tuple[Profile, list[str]]:
    """The profile with `changes` (field -> new value, None clears) applied, and the names of the
    fields whose value really changed. Raises `InvalidFields` for a field the role may not set
    or a value the rules refuse, `LockedFields` for a verified doctor's checked fields."""
    allowed = EDITABLE[profile.role]
    broken = [
        Broken(name, "read_only" if name in ACCOUNT_FIELDS else "not_for_role")
        for name in changes
        if name not in allowed
    ]
    broken += _check_values(changes, now)
    if broken:
        raise InvalidFields(broken)
    if "languages" in changes and changes["languages"] is not None:
        # Order of first mention, no repeats: the doctor's own order is how they are shown.
        changes = {**changes, "languages": tuple(dict.fromkeys(changes["languages"]))}
    changed = sorted(name for name, value in changes.items() if getattr(profile, name) != value)
    locked = [name for name in changed if name in LOCKED_ONCE_VERIFIED]
    if locked and profile.status in ("verified", "suspended"):
        raise LockedFields(locked)
    if not changed:
        return profile, []
    updated = replace(profile, **{name: changes[name] for name in changed}, updated_at=now)
    return updated, changed
