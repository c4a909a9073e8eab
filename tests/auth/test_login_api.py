"""POST /login: the same answer for an unknown account and a wrong password, and lockouts that
grow with each round of failures and end on their own."""

from __future__ import annotations

import json
import statistics
import time

import jwt

from tests.support.auth import STRONG_PASSWORD, Api, national, new_email, new_phone
from tests.support.people import eventually

from .conftest import LOCKOUT_SECONDS


def test_a_patient_signs_in_with_the_number_as_they_write_it(api, auth_stack):
    account = api.register()

    response = api.post(
        "/login", {"phone": national(account["phone"]), "password": STRONG_PASSWORD}
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    grant = response.json()
    assert (grant["token_type"], grant["expires_in"], grant["user_id"], grant["role"]) == (
        "Bearer",
        900,
        account["user_id"],
        "patient",
    )
    assert grant["refresh_expires_in"] == 30 * 24 * 3600
    jwks = jwt.PyJWKClient(auth_stack.url("auth", "/.well-known/jwks.json"))
    claims = jwt.decode(
        grant["access_token"],
        jwks.get_signing_key_from_jwt(grant["access_token"]).key,
        algorithms=["ES256"],
        audience="keneya-api",
        issuer="keneya-auth",
    )
    assert (claims["sub"], claims["role"]) == (account["user_id"], "patient")
    assert claims["exp"] - claims["iat"] == 900 and claims["jti"]


def test_an_email_signs_in_whatever_its_letter_case(api):
    email = new_email()
    account = api.register(email=email, role="doctor")

    grant = api.login(email=email.upper())

    assert (grant["user_id"], grant["role"]) == (account["user_id"], "doctor")


def _failure(api, **login):
    started = time.perf_counter()
    response = api.post("/login", {**login, "password": "not-the-password-1"})
    return response, time.perf_counter() - started


def test_an_unknown_account_and_a_wrong_password_get_the_same_answer_in_similar_time(api):
    known = api.register()["phone"]
    wrong, unknown = [], []
    for _ in range(4):  # below the lockout threshold of each
        wrong.append(_failure(api, phone=known))
        unknown.append(_failure(api, phone=new_phone()))

    def shape(response):
        body = response.json()
        body.pop("request_id")
        return response.status_code, json.dumps(body, sort_keys=True)

    answers = {shape(response) for response, _ in wrong + unknown}
    assert len(answers) == 1 and answers.pop()[0] == 401
    ratio = statistics.median(t for _, t in unknown) / statistics.median(t for _, t in wrong)
    assert 0.5 < ratio < 2


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(api):
    phone = api.register()["phone"]
    for _ in range(5):
        assert api.post("/login", {"phone": phone, "password": "nope-nope-1"}).status_code == 401

    locked = api.post("/login", {"phone": phone, "password": STRONG_PASSWORD}, language="en")

    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= LOCKOUT_SECONDS
    assert locked.json()["detail"].startswith("Too many sign-in attempts")
    # The lock is the account's, whatever device or spelling is used.
    elsewhere = Api(api.base_url).post(
        "/login", {"phone": national(phone), "password": STRONG_PASSWORD}
    )
    assert elsewhere.status_code == 429


def test_a_lockout_ends_by_itself_and_the_next_one_lasts_twice_as_long(api):
    phone = api.register()["phone"]
    for _ in range(5):
        api.post("/login", {"phone": phone, "password": "nope-nope-1"})
    first = int(
        api.post("/login", {"phone": phone, "password": STRONG_PASSWORD}).headers["Retry-After"]
    )

    signed_in = eventually(
        lambda: (
            api.post("/login", {"phone": phone, "password": STRONG_PASSWORD}).status_code == 200
        ),
        timeout=LOCKOUT_SECONDS + 3,
        interval=0.5,
    )
    assert signed_in and first <= LOCKOUT_SECONDS

    # A success forgets the history; a new round of failures locks for the base time again,
    # and a round right after that one for twice as long.
    for _ in range(5):
        api.post("/login", {"phone": phone, "password": "nope-nope-1"})
    again = api.post("/login", {"phone": phone, "password": "nope-nope-1"})
    assert again.status_code == 429
    assert int(again.headers["Retry-After"]) <= LOCKOUT_SECONDS
    time.sleep(int(again.headers["Retry-After"]))
    for _ in range(5):
        api.post("/login", {"phone": phone, "password": "nope-nope-1"})
    doubled = api.post("/login", {"phone": phone, "password": STRONG_PASSWORD})
    assert doubled.status_code == 429
    assert LOCKOUT_SECONDS < int(doubled.headers["Retry-After"]) <= 2 * LOCKOUT_SECONDS


def test_an_unknown_login_is_locked_out_like_an_account(api):
    nobody = new_phone()
    for _ in range(5):
        assert api.post("/login", {"phone": nobody, "password": "nope-nope-1"}).status_code == 401

    assert api.post("/login", {"phone": nobody, "password": "nope-nope-1"}).status_code == 429


def test_an_address_failing_on_many_accounts_is_locked_out_but_others_are_not(api):
    victim = api.register()["phone"]
    for _ in range(50):
        api.post("/login", {"email": new_email(), "password": "nope-nope-1"})

    from_there = api.post("/login", {"phone": victim, "password": STRONG_PASSWORD})
    from_elsewhere = Api(api.base_url).post(
        "/login", {"phone": victim, "password": STRONG_PASSWORD}
    )

    assert from_there.status_code == 429 and int(from_there.headers["Retry-After"]) > 60
    assert from_elsewhere.status_code == 200


def test_a_login_needs_exactly_one_of_phone_and_email(api):
    both = api.post(
        "/login", {"phone": new_phone(), "email": new_email(), "password": STRONG_PASSWORD}
    )
    neither = api.post("/login", {"password": STRONG_PASSWORD})

    assert both.status_code == neither.status_code == 422
