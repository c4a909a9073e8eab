"""Refresh, logout and logout-all: refresh tokens rotate, and a reused one ends its session."""

from __future__ import annotations

import hashlib
import time

import jwt

from tests.support.auth import Api


def signed_in(api):
    account = api.register()
    return account, api.login(phone=account["phone"])


def refresh(api, grant):
    return api.post("/refresh", {"refresh_token": grant["refresh_token"]})


def session_of(grant) -> str:
    return jwt.decode(grant["access_token"], options={"verify_signature": False})["sid"]


def test_a_refresh_returns_a_new_pair_for_the_same_session(api):
    account, grant = signed_in(api)

    response = refresh(api, grant)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    renewed = response.json()
    assert renewed["refresh_token"] != grant["refresh_token"]
    assert renewed["access_token"] != grant["access_token"]
    assert renewed["user_id"] == account["user_id"]
    assert session_of(renewed) == session_of(grant)
    assert refresh(api, renewed).status_code == 200


def test_a_refresh_token_works_once(api):
    _, grant = signed_in(api)
    refresh(api, grant)

    again = refresh(api, grant)

    assert again.status_code == 401
    assert again.headers["Content-Type"] == "application/problem+json"


def test_reusing_a_refresh_token_revokes_its_whole_family(api):
    _, grant = signed_in(api)
    owners_next = refresh(api, grant).json()

    thief = Api(api.base_url).post(
        "/refresh", {"refresh_token": grant["refresh_token"]}, language="en"
    )

    assert thief.status_code == 401
    assert "already used" in thief.json()["detail"]
    assert refresh(api, owners_next).status_code == 401


def test_a_reuse_ends_only_that_session(api):
    account, stolen = signed_in(api)
    other_device = api.login(phone=account["phone"])
    refresh(api, stolen)

    refresh(api, stolen)

    assert refresh(api, other_device).status_code == 200


def test_an_unknown_or_expired_refresh_token_is_refused(api, auth_table):
    _, grant = signed_in(api)
    digest = hashlib.sha256(grant["refresh_token"].encode()).hexdigest()
    auth_table.update_item(
        Key={"pk": f"REFRESH#{digest}", "sk": "TOKEN"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 1},
    )

    assert refresh(api, grant).status_code == 401
    assert api.post("/refresh", {"refresh_token": "x" * 43}).status_code == 401


def test_logout_ends_that_session_only(api):
    account, grant = signed_in(api)
    other_device = api.login(phone=account["phone"])

    response = api.post("/logout", {"refresh_token": grant["refresh_token"]})

    assert response.status_code == 204
    assert refresh(api, grant).status_code == 401
    assert refresh(api, other_device).status_code == 200
    # Ending an ended (or unknown) session is not an error.
    assert api.post("/logout", {"refresh_token": grant["refresh_token"]}).status_code == 204


def test_logout_all_ends_every_session_of_the_user_and_no_one_elses(api):
    account, grant = signed_in(api)
    phone_session = api.login(phone=account["phone"])
    _, someone_else = signed_in(api)

    response = api.post("/logout-all", token=grant["access_token"])

    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 2}
    assert refresh(api, grant).status_code == 401
    assert refresh(api, phone_session).status_code == 401
    assert refresh(api, someone_else).status_code == 200


def test_logout_all_needs_an_access_token(api):
    _, grant = signed_in(api)

    assert api.post("/logout-all").status_code == 401
    assert api.post("/logout-all", token=grant["refresh_token"]).status_code == 401
