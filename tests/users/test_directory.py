"""The directory's rules without a table: folding names, index keys, queries, cursors, order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.directory import (
    ALL_SPECIALTIES,
    SearchQuery,
    cache_scopes,
    card,
    folded,
    index_keys,
    make_cursor,
    render_card,
    search_query,
)
from chalicelib.errors import InvalidFields

from .profiles_to_start_from import doctor, patient


def test_names_and_cities_are_compared_as_people_type_them():
    assert folded("  Ségou ") == folded("SEGOU") == "segou"
    assert folded("Aïssata N'Diaye-Koné") == "aissata n diaye kone"


def test_a_verified_doctor_is_indexed_under_their_specialty_in_name_order():
    verified = doctor(status="verified", full_name="Awa Traoré")

    assert index_keys(verified) == ("DIRECTORY#cardiology", f"awa traore#{verified.user_id}")


def test_doctors_awaiting_review_are_queued_oldest_first_and_patients_are_not_indexed():
    pending = doctor()

    assert index_keys(pending) == (
        "REVIEW#pending",
        f"2031-01-15T08:00:00.000000Z#{pending.user_id}",
    )
    assert index_keys(patient()) is None


def test_a_name_prefix_matches_the_start_of_any_word_of_the_name():
    awa = doctor(status="verified", full_name="Awa Traoré")

    assert search_query(name="tra").matches(awa)
    assert search_query(name="AWA T").matches(awa)
    assert not search_query(name="raor").matches(awa)


def test_filters_combine_and_only_listed_doctors_match():
    listed = doctor(status="verified", fee_xof=10000, city="Ségou", languages=("fr", "bm"))

    assert search_query(
        specialty="cardiology", language="bm", city="segou", fee_min=5000, fee_max=10000
    ).matches(listed)
    assert not search_query(fee_max=9999).matches(listed)
    assert not search_query(language="ff").matches(listed)
    assert not search_query().matches(replace(listed, status="suspended"))


def test_unknown_criteria_are_refused_naming_each_parameter():
    with pytest.raises(InvalidFields) as caught:
        search_query(specialty="astrology", language="xx", fee_min=20000, fee_max=1000, name="--")

    assert caught.value.in_query
    assert [(b.field, b.code) for b in caught.value.broken] == [
        ("specialty", "specialty_unknown"),
        ("language", "language_unknown"),
        ("fee_max", "fee_range"),
        ("name", "name_prefix_empty"),
    ]


def test_a_cursor_continues_only_the_search_it_came_from():
    first = search_query(specialty="cardiology", city="Bamako")
    cursor = make_cursor("diarra moussa#01X", first.fingerprint())

    assert search_query(specialty="cardiology", city="bamako", cursor=cursor).after == (
        "diarra moussa#01X"
    )
    for other in ({"specialty": "dermatology", "city": "Bamako"}, {"specialty": "cardiology"}):
        with pytest.raises(InvalidFields) as caught:
            search_query(**other, cursor=cursor)
        assert [(b.field, b.code) for b in caught.value.broken] == [("cursor", "cursor_invalid")]
    with pytest.raises(InvalidFields):
        search_query(cursor="not-a-cursor")


def test_a_search_reads_its_specialtys_partition_or_the_one_of_all_specialties():
    assert SearchQuery(specialty="psychiatry").partition == "DIRECTORY#psychiatry"
    assert SearchQuery(city="bamako").partition == "DIRECTORY#*"


def test_the_public_card_shows_no_licence_contact_or_review_details():
    verified = doctor(status="verified", photo_key="photos/01D/01PHOTO", status_reason="x")

    shown = render_card(card(verified), "en")

    assert set(shown) == {
        "id",
        "full_name",
        "sex",
        "specialty",
        "languages",
        "city",
        "facility",
        "fee_xof",
        "photo_url",
    }
    assert shown["specialty"] == {"code": "cardiology", "label": "Cardiology"}
    assert shown["languages"][1] == {"code": "bm", "label": "Bambara"}
    assert shown["photo_url"] == f"/api/v1/users/doctors/{verified.user_id}/photo?v=01PHOTO"
    assert render_card(card(verified), "fr")["specialty"]["label"] == "Cardiologie"


def test_a_change_clears_the_cached_searches_the_doctor_was_or_is_in():
    verified = doctor(status="verified")
    moved = replace(verified, specialty="dermatology")

    assert cache_scopes(verified, moved) == {ALL_SPECIALTIES, "cardiology", "dermatology"}
    assert cache_scopes(doctor(), verified) == {ALL_SPECIALTIES, "cardiology"}
    assert cache_scopes(doctor(), doctor(fee_xof=1)) == set()
