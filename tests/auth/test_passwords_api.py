"""Resetting a forgotten password with an SMS code, and changing it when signed in."""

from __future__ import annotations

from tests.support.auth import STRONG_PASSWORD

NEW_PASSWORD = "kora-ngoni-balafon-42"


def refresh(api, grant):
    return api.post("/refresh", {"refresh_token": grant["refresh_token"]})


def reset(api, phone, code, new_password=NEW_PASSWORD, **options):
    return api.post(
        "/password/reset", {"phone": phone, "code": code, "new_password": new_password}, **options
    )


def test_a_reset_code_sets_a_new_password_and_ends_every_session(api, published):
    account = api.register()
    phone = account["phone"]
    sessions = [api.login(phone=phone), api.login(phone=phone)]
    api.post("/otp/send", {"phone": phone, "purpose": "reset_password"})
    code = published.code_sent_to(phone, "reset_password")

    response = reset(api, phone, code)

    assert response.status_code == 204
    assert all(refresh(api, grant).status_code == 401 for grant in sessions)
    assert api.post("/login", {"phone": phone, "password": STRONG_PASSWORD}).status_code == 401
    assert api.login(phone=phone, password=NEW_PASSWORD)["user_id"] == account["user_id"]
    published.wait_for("auth.password_changed", user_id=account["user_id"], how="reset")
    # The code proved the phone.
    published.wait_for("user.phone_verified", user_id=account["user_id"])
    assert reset(api, phone, code, "another-fine-password-7").status_code == 400


def test_a_weak_new_password_is_refused_without_spending_the_code(api, published):
    phone = api.register()["phone"]
    api.post("/otp/send", {"phone": phone, "purpose": "reset_password"})
    code = published.code_sent_to(phone, "reset_password")

    weak = reset(api, phone, code, "password1", language="en")

    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "new_password"
    assert reset(api, phone, code).status_code == 204


def test_a_verify_phone_code_does_not_reset_a_password(api, published):
    phone = api.register()["phone"]
    api.post("/otp/send", {"phone": phone})
    code = published.code_sent_to(phone)

    assert reset(api, phone, code).status_code == 400


def test_a_reset_lifts_a_lockout_caused_by_guessing(api, published):
    phone = api.register()["phone"]
    for _ in range(6):
        api.post("/login", {"phone": phone, "password": "guess-guess-1"})
    api.post("/otp/send", {"phone": phone, "purpose": "reset_password"})

    reset(api, phone, published.code_sent_to(phone, "reset_password"))

    assert api.post("/login", {"phone": phone, "password": NEW_PASSWORD}).status_code == 200


def test_changing_the_password_ends_every_other_session(api, published):
    account = api.register()
    phone = account["phone"]
    current, other = api.login(phone=phone), api.login(phone=phone)

    response = api.post(
        "/password/change",
        {"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
        token=current["access_token"],
    )

    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 1}
    assert refresh(api, other).status_code == 401
    assert refresh(api, current).status_code == 200
    assert api.login(phone=phone, password=NEW_PASSWORD)["user_id"] == account["user_id"]
    published.wait_for("auth.password_changed", user_id=account["user_id"], how="changed")


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(api):
    phone = api.register()["phone"]
    grant = api.login(phone=phone)

    def change(current, new):
        return api.post(
            "/password/change",
            {"current_password": current, "new_password": new},
            token=grant["access_token"],
            language="en",
        )

    wrong = change("not-my-password-1", NEW_PASSWORD)
    weak = change(STRONG_PASSWORD, "azerty123")
    same = change(STRONG_PASSWORD, STRONG_PASSWORD)

    assert [r.status_code for r in (wrong, weak, same)] == [422, 422, 422]
    assert [r.json()["errors"][0]["field"] for r in (wrong, weak, same)] == [
        "current_password",
        "new_password",
        "new_password",
    ]
    assert api.login(phone=phone)["user_id"]


def test_a_session_ended_elsewhere_cannot_change_the_password(api):
    phone = api.register()["phone"]
    grant = api.login(phone=phone)
    api.post("/logout", {"refresh_token": grant["refresh_token"]})

    response = api.post(
        "/password/change",
        {"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
        token=grant["access_token"],
    )

    assert response.status_code == 401
