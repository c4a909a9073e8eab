"""Failures as problem+json: status, the field named, and the text in French or English."""

from __future__ import annotations

from chalicelib.errors import Broken, IncompleteProfile, InvalidFields, ProfileNotReady, WrongRole
from chalicelib.problems import as_problem
from chalicelib.texts import TEXTS
from keneya.i18n import language_of


def test_every_text_exists_in_french_and_english():
    assert all(set(texts) == {"fr", "en"} and all(texts.values()) for texts in TEXTS.values())


def test_the_language_follows_accept_language_and_defaults_to_french():
    assert language_of("en-GB,en;q=0.9,fr;q=0.8") == "en"
    assert language_of("bm-ML,fr;q=0.5") == "fr"
    assert language_of("fr;q=0.2, en;q=0.8") == "en"
    assert language_of(None) == "fr"


def test_a_broken_rule_names_its_field_in_the_callers_language():
    error = InvalidFields([Broken("weekly.mon.1", "range_overlap")])

    french, english = as_problem(error, "fr"), as_problem(error, "en")

    assert french.status == 422
    assert french.body("r")["errors"] == [
        {
            "field": "weekly.mon.1",
            "message": "Cette plage chevauche une autre plage du même jour.",
            "code": "range_overlap",
        }
    ]
    assert english.errors[0].message == "This range overlaps another range of the same day."
    assert english.headers["Content-Language"] == "en"


def test_a_bad_search_criterion_is_a_400():
    assert (
        as_problem(InvalidFields([Broken("cursor", "cursor_invalid")], in_query=True), "en").status
        == 400
    )


def test_a_profile_not_created_yet_says_when_to_ask_again():
    problem = as_problem(ProfileNotReady(), "en")

    assert (problem.status, problem.headers["Retry-After"]) == (404, "2")
    assert problem.body("r")["code"] == "profile_not_ready"


def test_verifying_an_incomplete_doctor_names_what_is_missing():
    problem = as_problem(IncompleteProfile(["licence_number"]), "fr")

    assert problem.status == 409
    assert [(e.field, e.code) for e in problem.errors] == [("licence_number", "required_to_verify")]


def test_a_doctors_action_asked_by_a_patient_is_forbidden():
    assert as_problem(WrongRole(("doctor",)), "en").detail == "This action is for doctors only."
