"""POST /register: patients and doctors open accounts; a phone or e-mail belongs to one account."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.auth import STRONG_PASSWORD, national, new_email, new_phone


def test_a_patient_registers_with_a_malian_number_written_the_usual_way(api, published):
    phone = new_phone()

    response = api.post(
        "/register",
        {
            "role": "patient",
            "full_name": "Awa Traoré",
            "phone": national(phone),
            "password": STRONG_PASSWORD,
        },
    )

    assert response.status_code == 201
    account = response.json()
    assert account["phone"] == phone
    assert (account["role"], account["phone_verified"], account["language"]) == (
        "patient",
        False,
        "fr",
    )
    assert "password" not in response.text and STRONG_PASSWORD not in response.text
    event = published.wait_for("user.registered", user_id=account["user_id"])
    assert event.data == {
        "user_id": account["user_id"],
        "role": "patient",
        "full_name": "Awa Traoré",
        "phone": phone,
        "email": None,
        "language": "fr",
    }
    assert STRONG_PASSWORD not in event.to_json()


def test_a_doctor_registers_with_an_email_only_in_english(api, published):
    email = new_email()

    account = api.register(role="doctor", email=email.upper(), language="en")

    assert (account["email"], account["phone"], account["role"]) == (email, None, "doctor")
    published.wait_for("user.registered", user_id=account["user_id"], role="doctor")


def test_a_phone_number_already_registered_is_refused_with_409_naming_it(api):
    phone = new_phone()
    api.register(phone=phone)

    response = api.post(
        "/register",
        {
            "role": "doctor",
            "full_name": "Moussa Diarra",
            "phone": national(phone),
            "email": new_email(),
            "password": STRONG_PASSWORD,
        },
        language="en",
    )

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert [error["field"] for error in problem["errors"]] == ["phone"]
    assert problem["errors"][0]["message"] == "This phone number is already used by an account."


def test_an_email_already_registered_in_other_letters_is_refused_with_409(api):
    email = new_email()
    api.register(email=email)

    response = api.post(
        "/register",
        {
            "role": "patient",
            "full_name": "Awa Traoré",
            "email": f"  {email.upper()}",
            "password": STRONG_PASSWORD,
        },
    )

    assert response.status_code == 409
    assert [error["field"] for error in response.json()["errors"]] == ["email"]
    assert response.headers["Content-Language"] == "fr"


def test_a_refused_registration_leaves_the_other_identifier_free(api):
    phone, email = new_phone(), new_email()
    api.register(phone=phone)

    refused = api.post(
        "/register",
        {
            "role": "patient",
            "full_name": "Awa Traoré",
            "phone": phone,
            "email": email,
            "password": STRONG_PASSWORD,
        },
    )

    assert refused.status_code == 409
    assert api.register(email=email)["email"] == email


def test_the_same_number_registered_at_the_same_moment_makes_one_account(api):
    phone = new_phone()

    def register(_):
        return api.post(
            "/register",
            {
                "role": "patient",
                "full_name": "Awa Traoré",
                "phone": phone,
                "password": STRONG_PASSWORD,
            },
        ).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(register, range(4)))

    assert statuses == [201, 409, 409, 409]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"phone": "12 34"}, "phone"),
        ({"email": "awa@"}, "email"),
        ({"full_name": " "}, "full_name"),
        ({"language": "de"}, "language"),
        ({"phone": None}, "body"),
        ({"is_admin": True}, "is_admin"),
    ],
    ids=["admin-role", "bad-phone", "bad-email", "no-name", "language", "no-login", "extra"],
)
def test_invalid_registrations_are_refused_with_422_naming_the_field(api, change, field):
    body = {
        "role": "patient",
        "full_name": "Awa Traoré",
        "phone": new_phone(),
        "password": STRONG_PASSWORD,
        **change,
    }

    response = api.post("/register", body)

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_common_password_is_refused_with_the_reason_in_french(api):
    response = api.post(
        "/register",
        {
            "role": "patient",
            "full_name": "Awa Traoré",
            "phone": new_phone(),
            "password": "azerty123",
        },
    )

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("password", "password_common")
    assert error["message"].startswith("Ce mot de passe est trop courant")


def test_an_unreadable_phone_number_is_explained_in_the_callers_language(api):
    body = {
        "role": "patient",
        "full_name": "Awa Traoré",
        "phone": "12 34",
        "password": STRONG_PASSWORD,
    }

    english = api.post("/register", body, language="en-GB,en;q=0.8").json()
    french = api.post("/register", body).json()

    assert english["errors"][0]["message"].startswith("Invalid number")
    assert french["errors"][0]["message"].startswith("Numéro invalide")


def test_a_refused_registration_publishes_nothing_and_later_events_still_flow(api, published):
    phone = new_phone()
    first = api.register(phone=phone)

    refused = api.post(
        "/register",
        {"role": "patient", "full_name": "Mallory", "phone": phone, "password": STRONG_PASSWORD},
    )
    later = api.register()

    assert refused.status_code == 409
    published.wait_for("user.registered", user_id=later["user_id"])
    assert [e.data["user_id"] for e in published.all_of("user.registered", phone=phone)] == [
        first["user_id"]
    ]
