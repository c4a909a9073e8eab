"""Profiles as the domain tests start from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.profiles import Profile, new_profile

CREATED = datetime(2031, 1, 15, 8, 0, tzinfo=UTC)


def patient(**fields: Any) -> Profile:
    profile = new_profile(
        user_id="01PATIENT0000000000000000A",
        role="patient",
        full_name="Awa Traoré",
        phone="+22376123456",
        email=None,
        language="fr",
        now=CREATED,
    )
    return replace(profile, **fields)


def doctor(**fields: Any) -> Profile:
    """A doctor with everything verification checks, still pending unless told otherwise."""
    profile = new_profile(
        user_id="01DOCTOR00000000000000000A",
        role="doctor",
        full_name="Moussa Diarra",
        phone="+22366123456",
        email="m.diarra@keneya.test",
        language="fr",
        now=CREATED,
    )
    complete = replace(
        profile,
        specialty="cardiology",
        licence_number="CNOM-12345",
        fee_xof=15000,
        city="Bamako",
        languages=("fr", "bm"),
    )
    return replace(complete, **fields)
