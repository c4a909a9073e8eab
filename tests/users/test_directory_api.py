"""GET /doctors and /doctors/{id}: searching verified doctors, paging, public fields, the cache.

Each test searches its own town (a unique city name), so doctors listed by other tests never
show up in its results.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import boto3
import pytest

from tests.support.users import listed_doctor


def unique_city() -> str:
    return f"Banamba {uuid.uuid4().hex[:8]}"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["id"] for card in response.json()["items"]]


@pytest.fixture(scope="module")
def town(people, users_api, admin):
    """Five listed doctors of one town, and one pending doctor there."""
    city = unique_city()

    def listed(name: str, **fields):
        return listed_doctor(people, users_api, admin, name, city=city, **fields)

    doctors = SimpleNamespace(
        city=city,
        traore=listed("Awa Traoré", specialty="paediatrics", languages=["fr", "bm"], fee_xof=8000),
        diarra=listed("Moussa Diarra", specialty="cardiology", languages=["fr"], fee_xof=25000),
        ba=listed("Fatoumata Bâ", specialty="paediatrics", languages=["ff", "fr"], fee_xof=12000),
        keita=listed("Ibrahim Keïta", specialty="general-practice", languages=["bm"], fee_xof=5000),
        sangare=listed("Oumou Sangaré", specialty="paediatrics", languages=["bm"], fee_xof=15000),
        pending=people.doctor("Awa Pending"),
    )
    users_api.patch(
        "/me", {"city": city, "specialty": "paediatrics", "fee_xof": 8000}, who=doctors.pending
    )
    return doctors


def test_search_by_city_lists_only_verified_doctors_in_name_order(town, users_api):
    found = ids(users_api.get("/doctors", params={"city": town.city.upper()}))

    assert found == [
        town.traore.user_id,  # awa traore
        town.ba.user_id,  # fatoumata ba
        town.keita.user_id,  # ibrahim keita
        town.diarra.user_id,  # moussa diarra
        town.sangare.user_id,  # oumou sangare
    ]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"specialty": "paediatrics"}, ["traore", "ba", "sangare"]),
        ({"language": "bm"}, ["traore", "keita", "sangare"]),
        ({"specialty": "paediatrics", "language": "bm"}, ["traore", "sangare"]),
        ({"name": "kei"}, ["keita"]),
        ({"name": "SANG"}, ["sangare"]),
        ({"name": "a"}, ["traore"]),
        ({"fee_min": 8000, "fee_max": 15000}, ["traore", "ba", "sangare"]),
        ({"fee_max": 7999}, ["keita"]),
        ({"specialty": "dermatology"}, []),
    ],
)
def test_filters_narrow_the_search(town, users_api, criteria, expected):
    found = ids(users_api.get("/doctors", params={"city": town.city, **criteria}))

    assert found == [getattr(town, name).user_id for name in expected]


def test_pages_follow_each_other_without_repeating_or_skipping(town, users_api):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"city": town.city, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = users_api.get("/doctors", params=params).json()
        seen += [card["id"] for card in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert pages == 3
    assert seen == ids(users_api.get("/doctors", params={"city": town.city}))


def test_a_cursor_of_another_search_is_refused(town, users_api):
    page = users_api.get("/doctors", params={"city": town.city, "limit": 1}).json()

    response = users_api.get(
        "/doctors",
        params={"city": town.city, "specialty": "cardiology", "cursor": page["next_cursor"]},
        language="en",
    )

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("cursor", "cursor_invalid")
    ]


def test_bad_criteria_are_a_400_naming_each_parameter(users_api):
    response = users_api.get(
        "/doctors", params={"fee_min": "cheap", "limit": 500, "specialty": "sorcery"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"fee_min", "limit"}

    response = users_api.get(
        "/doctors", params={"specialty": "sorcery", "fee_min": 9000, "fee_max": 10}
    )
    assert response.status_code == 400
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("specialty", "specialty_unknown"),
        ("fee_max", "fee_range"),
    }


def test_a_card_shows_only_public_fields_with_labels_in_the_callers_language(town, users_api):
    [card] = users_api.get(
        "/doctors", params={"city": town.city, "name": "traor"}, language="en"
    ).json()["items"]

    assert card == {
        "id": town.traore.user_id,
        "full_name": "Awa Traoré",
        "sex": None,
        "specialty": {"code": "paediatrics", "label": "Paediatrics"},
        "languages": [{"code": "fr", "label": "French"}, {"code": "bm", "label": "Bambara"}],
        "city": town.city,
        "facility": None,
        "fee_xof": 8000,
        "photo_url": None,
    }


def test_a_doctors_public_profile_has_no_licence_contact_or_review_details(town, users_api):
    response = users_api.get(f"/doctors/{town.diarra.user_id}", language="fr")

    assert response.status_code == 200
    public = response.json()
    assert public["specialty"] == {"code": "cardiology", "label": "Cardiologie"}
    assert (public["time_zone"], public["slot_minutes"]) == ("Africa/Bamako", None)
    for private in ("licence_number", "phone", "email", "status", "status_reason"):
        assert private not in public
    assert town.diarra.phone not in response.text and "CNOM" not in response.text


def test_a_pending_or_unknown_doctor_is_not_found(town, users_api):
    assert users_api.get(f"/doctors/{town.pending.user_id}").status_code == 404
    assert users_api.get("/doctors/01NOSUCHDOCTOR000000000000").status_code == 404
    assert users_api.get(f"/doctors/{'x' * 300}").status_code == 404


def test_the_vocabularies_are_given_in_french_or_english(users_api):
    french = users_api.get("/specialties").json()["items"]
    english = users_api.get("/languages", language="en").json()["items"]

    assert {"code": "gynaecology-obstetrics", "label": "Gynécologie-obstétrique"} in french
    assert {"code": "bm", "label": "Bambara"} in english
    assert {"code": "ff", "label": "Fula (Fulfulde)"} in english


# -- the cache ---------------------------------------------------------------------------


@pytest.fixture
def table(platform):
    name = platform.deployment.services["users"].environment["TABLE_NAME"]
    dynamodb = boto3.resource(
        "dynamodb", endpoint_url=platform.aws_endpoint, region_name="us-east-1"
    )
    return dynamodb.Table(name)


def fees(users_api, city: str) -> list[int]:
    return [
        card["fee_xof"] for card in users_api.get("/doctors", params={"city": city}).json()["items"]
    ]


def test_results_are_served_from_the_cache_until_a_listed_doctor_changes(
    listed_doctor, users_api, table
):
    city = unique_city()
    doctor = listed_doctor(city=city, fee_xof=10000)
    assert fees(users_api, city) == [10000]
    # Changed behind the service's back: the cached page does not see it...
    table.update_item(
        Key={"pk": f"USER#{doctor.user_id}", "sk": "PROFILE"},
        UpdateExpression="SET fee_xof = :fee",
        ExpressionAttributeValues={":fee": 99000},
    )
    assert fees(users_api, city) == [10000]

    # ...a change through the service clears it.
    users_api.patch("/me", {"facility": "Clinique Pasteur"}, who=doctor)

    assert fees(users_api, city) == [99000]


def test_a_new_fee_shows_in_the_search_at_once(listed_doctor, users_api):
    city = unique_city()
    doctor = listed_doctor(city=city, fee_xof=10000)
    assert fees(users_api, city) == [10000]

    users_api.patch("/me", {"fee_xof": 12500}, who=doctor)

    assert fees(users_api, city) == [12500]


def test_a_doctor_verified_or_suspended_appears_or_disappears_at_once(
    people, listed_doctor, users_api, admin
):
    city = unique_city()
    first = listed_doctor("Aïcha Maïga", city=city)
    assert ids(users_api.get("/doctors", params={"city": city})) == [first.user_id]
    assert ids(users_api.get("/doctors", params={"city": city, "specialty": "general-practice"}))
    second = listed_doctor("Boubacar Maïga", city=city)

    assert ids(users_api.get("/doctors", params={"city": city})) == [first.user_id, second.user_id]

    users_api.post(f"/admin/doctors/{first.user_id}/suspend", {"reason": "enquête"}, who=admin)

    assert ids(users_api.get("/doctors", params={"city": city})) == [second.user_id]
    assert ids(
        users_api.get("/doctors", params={"city": city, "specialty": "general-practice"})
    ) == [second.user_id]


def test_a_change_of_specialty_before_verification_moves_nothing_in_the_directory(
    people, users_api
):
    city = unique_city()
    pending = people.doctor()
    users_api.patch("/me", {"city": city, "specialty": "urology"}, who=pending)

    assert ids(users_api.get("/doctors", params={"city": city})) == []
