"""One-time codes by SMS: sending (limits, cooldown, no account enumeration) and verifying the
phone (5 attempts, 5 minutes, single use). The code itself is read where a tester reads it: in
the event that asks the notifications service to send the SMS."""

from __future__ import annotations

import time

from tests.support.auth import Api, national, new_phone


def send(api, phone, purpose="verify_phone", **options):
    return api.post("/otp/send", {"phone": phone, "purpose": purpose}, **options)


def verify(api, phone, code, **options):
    return api.post("/otp/verify", {"phone": phone, "code": code}, **options)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_sent_for_the_phone_and_never_returned(api, published, auth_stack):
    account = api.register()
    phone = account["phone"]

    response = send(api, national(phone))

    assert response.status_code == 202
    assert response.json() == {"expires_in": 300, "resend_after": 60}
    event = published.wait_for("auth.otp_requested", phone=phone)
    code = event.data["code"]
    assert (event.data["user_id"], event.data["purpose"], event.data["language"]) == (
        account["user_id"],
        "verify_phone",
        "fr",
    )
    assert len(code) == 6 and code.isdigit() and code not in response.text
    log = auth_stack.console.log_path("auth").read_text()
    assert code not in log and phone not in log


def test_the_right_code_verifies_the_phone_once(api, published):
    account = api.register()
    phone = account["phone"]
    send(api, phone)
    code = published.code_sent_to(phone)

    response = verify(api, national(phone), code)

    assert response.status_code == 200
    assert response.json() == {
        "user_id": account["user_id"],
        "phone": phone,
        "phone_verified": True,
    }
    published.wait_for("user.phone_verified", user_id=account["user_id"], phone=phone)
    assert verify(api, phone, code).status_code == 400


def test_a_wrong_code_says_how_many_attempts_are_left_and_the_sixth_is_refused(api, published):
    phone = api.register()["phone"]
    send(api, phone)
    code = published.code_sent_to(phone)

    lefts = []
    for _ in range(5):
        response = verify(api, phone, wrong(code), language="en")
        assert response.status_code == 400
        lefts.append(response.json()["attempts_left"])
    exhausted = verify(api, phone, code, language="en")

    assert lefts == [4, 3, 2, 1, 0]
    assert exhausted.status_code == 429
    assert int(exhausted.headers["Retry-After"]) >= 1
    assert exhausted.json()["detail"] == "Too many attempts for this code: ask for a new one."


def test_concurrent_guesses_cannot_exceed_the_attempt_limit(api, published):
    from concurrent.futures import ThreadPoolExecutor

    phone = api.register()["phone"]
    send(api, phone)
    code = published.code_sent_to(phone)
    guesses = [wrong(code)] * 8 + [code]

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda guess: verify(api, phone, guess, language="en"), guesses))

    # At most five guesses were compared with the code: a wrong one says how many are left,
    # the right one verifies the phone. Every other was refused before any comparison: the
    # attempts were spent (429), or the right guess had already used the code up.
    compared = [
        r for r in responses if r.status_code == 200 or "attempts_left" in r.json()
    ]
    refused = [r for r in responses if r not in compared]
    assert len(compared) <= 5
    assert len(refused) >= 4
    for response in refused:
        assert response.status_code == 429 or "no longer valid" in response.json()["detail"]


def test_an_expired_code_is_refused(api, published, auth_table):
    phone = api.register()["phone"]
    send(api, phone)
    code = published.code_sent_to(phone)
    # Five minutes pass: the stored expiry is moved instead of waiting.
    auth_table.update_item(
        Key={"pk": f"OTP#{phone}", "sk": "PURPOSE#verify_phone"},
        UpdateExpression="SET expires_at = :now",
        ExpressionAttributeValues={":now": int(time.time())},
    )

    response = verify(api, phone, code, language="en")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "otp_expired"


def test_a_second_code_within_the_cooldown_is_refused_with_retry_after(api, published):
    phone = api.register()["phone"]
    assert send(api, phone).status_code == 202

    again = send(api, phone)

    assert again.status_code == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    # The cooldown is per purpose: a reset code may still be asked for.
    assert send(api, phone, purpose="reset_password").status_code == 202


def test_an_unknown_number_gets_the_same_answer_and_no_sms(api, published):
    nobody, somebody = new_phone(), api.register()["phone"]

    answer = send(api, nobody)
    send(api, somebody)
    published.wait_for("auth.otp_requested", phone=somebody)  # published after nobody's would be

    assert answer.status_code == 202
    assert answer.json() == {"expires_in": 300, "resend_after": 60}
    assert published.all_of("auth.otp_requested", phone=nobody) == []
    assert verify(api, nobody, "123456").status_code == 400


def test_one_address_asking_for_many_codes_is_limited(api):
    answers = [send(api, new_phone()).status_code for _ in range(31)]

    assert answers[:30] == [202] * 30
    assert answers[30] == 429
    assert send(Api(api.base_url), new_phone()).status_code == 202


def test_a_code_must_be_six_digits(api):
    response = verify(api, new_phone(), "12ab56")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
