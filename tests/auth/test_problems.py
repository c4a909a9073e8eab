"""Failures reach people as problem+json in their language, with what they need to act."""

from __future__ import annotations

import pytest

from chalicelib import errors
from chalicelib.problems import as_problem
from chalicelib.texts import TEXTS


def test_every_text_exists_in_french_and_english():
    assert all(set(versions) == {"fr", "en"} for versions in TEXTS.values())


def test_a_duplicate_names_each_field_already_registered():
    problem = as_problem(errors.DuplicateLogin(["phone", "email"]), "en")

    body = problem.body("r-1")
    assert problem.status == 409
    assert [error["field"] for error in body["errors"]] == ["phone", "email"]
    assert body["errors"][0]["message"] == "This phone number is already used by an account."


def test_a_rate_limit_says_when_to_come_back_in_the_header_and_the_text():
    problem = as_problem(errors.TooManyAttempts("login", 120), "fr")

    assert problem.status == 429
    assert problem.headers["Retry-After"] == "120"
    assert "120 s" in problem.detail and problem.headers["Content-Language"] == "fr"


def test_a_wrong_code_says_how_many_attempts_are_left():
    problem = as_problem(errors.OtpInvalid(attempts_left=2), "en")

    assert problem.status == 400
    assert problem.body("r-1")["attempts_left"] == 2
    assert "2" in problem.detail


def test_unknown_account_and_wrong_password_share_one_answer():
    # There is only one error for both; this pins that it does not name which.
    problem = as_problem(errors.InvalidCredentials(), "fr")

    assert problem.status == 401
    assert problem.detail == "Identifiant ou mot de passe incorrect."


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.WeakPassword(["password_common"]), 422),
        (errors.WrongCurrentPassword(), 422),
        (errors.SameAsCurrentPassword(), 422),
        (errors.AccountDisabled(), 403),
        (errors.LimitsUnavailable(), 503),
        (errors.OtpExpired(), 400),
        (errors.OtpExhausted(30), 429),
        (errors.InvalidRefreshToken(), 401),
        (errors.RefreshTokenReused(), 401),
    ],
)
def test_every_failure_has_its_status(error, status):
    assert as_problem(error, "en").status == status
