"""Changing a profile: what each role may change, and what is checked."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.errors import InvalidFields, LockedFields
from chalicelib.profiles import apply_changes, new_profile

from .profiles_to_start_from import CREATED, doctor, patient


def broken(error: InvalidFields) -> list[tuple[str, str]]:
    return [(b.field, b.code) for b in error.broken]


def test_a_new_doctor_starts_pending_and_speaks_the_language_they_registered_in():
    profile = new_profile(
        user_id="u1",
        role="doctor",
        full_name="Dr Ba",
        phone=None,
        email="ba@x.test",
        language="en",
        now=CREATED,
    )

    assert (profile.status, profile.languages, profile.listed) == ("pending", ("en",), False)


def test_a_new_patient_has_no_review_status_and_is_never_listed():
    profile = patient()

    assert (profile.status, profile.listed) == (None, False)


def test_a_patient_changes_their_details_and_only_real_changes_are_named(clock):
    before = patient(city="Bamako")

    after, changed = apply_changes(
        before,
        {"city": "Bamako", "date_of_birth": date(1990, 5, 4), "sex": "female"},
        clock.now(),
    )

    assert changed == ["date_of_birth", "sex"]
    assert (after.date_of_birth, after.sex, after.updated_at) == (
        date(1990, 5, 4),
        "female",
        clock.now(),
    )


def test_nothing_given_that_differs_changes_nothing(clock):
    before = patient(city="Kayes")

    after, changed = apply_changes(before, {"city": "Kayes"}, clock.now())

    assert (after, changed) == (before, [])


def test_a_patient_cannot_set_doctor_fields_nor_the_accounts_phone(clock):
    with pytest.raises(InvalidFields) as caught:
        apply_changes(patient(), {"fee_xof": 5000, "phone": "+22370000000"}, clock.now())

    assert broken(caught.value) == [("fee_xof", "not_for_role"), ("phone", "read_only")]


def test_a_doctor_cannot_set_a_patients_fields(clock):
    with pytest.raises(InvalidFields) as caught:
        apply_changes(doctor(), {"date_of_birth": date(1980, 1, 1)}, clock.now())

    assert broken(caught.value) == [("date_of_birth", "not_for_role")]


def test_specialty_and_languages_come_from_the_maintained_lists(clock):
    with pytest.raises(InvalidFields) as caught:
        apply_changes(doctor(), {"specialty": "astrology", "languages": ("fr", "xx")}, clock.now())

    assert broken(caught.value) == [
        ("specialty", "specialty_unknown"),
        ("languages.1", "language_unknown"),
    ]


def test_a_doctor_keeps_at_least_one_language_and_their_own_order_without_repeats(clock):
    with pytest.raises(InvalidFields) as caught:
        apply_changes(doctor(), {"languages": ()}, clock.now())
    assert broken(caught.value) == [("languages", "languages_required")]

    after, _ = apply_changes(doctor(), {"languages": ("bm", "fr", "bm", "ff")}, clock.now())
    assert after.languages == ("bm", "fr", "ff")


def test_a_date_of_birth_in_the_future_is_refused(clock):
    with pytest.raises(InvalidFields) as caught:
        apply_changes(patient(), {"date_of_birth": date(2099, 1, 1)}, clock.now())

    assert broken(caught.value) == [("date_of_birth", "date_of_birth_range")]


def test_a_pending_doctor_may_correct_their_licence_number(clock):
    after, changed = apply_changes(doctor(), {"licence_number": "CNOM-54321"}, clock.now())

    assert (after.licence_number, changed) == ("CNOM-54321", ["licence_number"])


@pytest.mark.parametrize("status", ["verified", "suspended"])
def test_a_reviewed_doctors_specialty_and_licence_are_locked_but_the_fee_is_not(clock, status):
    reviewed = doctor(status=status)

    with pytest.raises(LockedFields) as caught:
        apply_changes(reviewed, {"specialty": "dermatology", "fee_xof": 20000}, clock.now())
    assert caught.value.fields == ["specialty"]

    after, changed = apply_changes(
        reviewed, {"fee_xof": 20000, "specialty": "cardiology"}, clock.now()
    )
    assert (after.fee_xof, changed) == (20000, ["fee_xof"])
