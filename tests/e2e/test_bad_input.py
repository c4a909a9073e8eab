"""Bad input is refused over HTTP, naming what is wrong, and nothing is written: bodies that
are not UTF-8 JSON, bodies not declared as JSON, query date-times written as numbers, control
characters and bidirectional overrides in text, and bodies nested a thousand levels deep."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.support.consultations import sign_up
from tests.support.people import eventually


@pytest.fixture
def someone(platform) -> Any:
    """A patient whose profile the users service has opened (an event away from sign-up)."""
    person = sign_up(platform, "patient", "Awa Traoré")
    opened = eventually(lambda: call(platform, person, "GET", "users", "/me").ok, timeout=20)
    assert opened, "the profile never opened"
    return person


def call(platform, person, method: str, service: str, path: str, **options: Any):
    headers = {"Authorization": f"Bearer {person.token}", **options.pop("headers", {})}
    return requests.request(
        method, platform.url(service, path), headers=headers, timeout=30, **options
    )


def profile_name(platform, person) -> str:
    return call(platform, person, "GET", "users", "/me").json()["full_name"]


def test_a_body_that_is_not_utf8_is_a_400_and_the_name_is_unchanged(platform, someone):
    latin1 = '{"full_name": "Aw\xe0 Tra\xf4r\xe9"}'.encode("latin-1")

    answer = call(
        platform,
        someone,
        "PATCH",
        "users",
        "/me",
        data=latin1,
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["field"] == "body"
    assert profile_name(platform, someone) == "Awa Traoré"


def test_a_body_without_a_content_type_is_a_415(platform, someone):
    answer = call(
        platform, someone, "PATCH", "users", "/me", data=json.dumps({"full_name": "Awa T"})
    )

    assert answer.status_code == 415, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert profile_name(platform, someone) == "Awa Traoré"


@pytest.mark.parametrize("query", ["to=0.5", "from=1&to=2"])
def test_date_times_written_as_numbers_are_refused_naming_the_parameter(platform, someone, query):
    answer = call(platform, someone, "GET", "consultations", f"/?{query}")

    assert answer.status_code == 400, answer.text
    assert {e["field"] for e in answer.json()["errors"]} <= {"from", "to"}


@pytest.mark.parametrize("name", ["Awa\x00", "Awa\u202eéroarT", "Awa\x1b[2J"])
def test_control_and_override_characters_in_a_name_are_a_422_and_nothing_is_stored(
    platform, someone, name
):
    answer = call(platform, someone, "PATCH", "users", "/me", json={"full_name": name})

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "full_name"
    assert profile_name(platform, someone) == "Awa Traoré"


def test_a_record_entry_with_a_control_character_is_refused(platform, someone):
    answer = call(
        platform,
        someone,
        "POST",
        "records",
        f"/{someone.user_id}/allergies",
        json={"substance": "Pénicilline\x00", "reaction": "urticaire"},
    )

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "substance"


@pytest.mark.parametrize(
    "method,service,path",
    [
        ("POST", "consultations", "/"),
        ("PUT", "notifications", "/preferences"),
        ("PATCH", "users", "/me"),
    ],
    ids=["booking", "preferences", "profile"],
)
def test_a_body_nested_a_thousand_levels_is_a_4xx(platform, someone, method, service, path):
    deep = '{"full_name": ' + "[" * 1000 + "]" * 1000 + "}"

    answer = call(
        platform,
        someone,
        method,
        service,
        path,
        data=deep,
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["code"] == "too_deep"
