"""The auth use cases with the fakes of fakes.py: no network, the clock moved by the test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.accounts import Account
from chalicelib.errors import (
    AccountDisabled,
    DuplicateLogin,
    InvalidCredentials,
    InvalidRefreshToken,
    LimitsUnavailable,
    OtpExhausted,
    OtpExpired,
    OtpInvalid,
    RefreshTokenReused,
    TooManyAttempts,
    WeakPassword,
    WrongCurrentPassword,
)
from chalicelib.otp import Purpose
from chalicelib.passwords import PasswordHasher
from chalicelib.policy import AuthPolicy
from chalicelib.service import Auth, TokenGrant
from chalicelib.signing_keys import KeyPolicy, SigningKeys

from .fakes import (
    FakeAccounts,
    FakeChallenges,
    FakeKeyStore,
    FakeLimits,
    FakeSessions,
    Outbox,
)

PHONE = "+22376123456"
PASSWORD = "sahel-baobab-kora-1989"
NEW_PASSWORD = "niger-karite-djembe-2024"
ADDRESS = "10.0.0.1"


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    # The production cost would make every test wait; the rules do not depend on it.
    return PasswordHasher(memory_kib=1024, time_cost=time_cost, parallelism=1)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def auth(clock, outbox) -> Auth:
    challenges = FakeChallenges(outbox)
    policy = AuthPolicy(issuer="https://auth.test", audience="keneya", signing_key_secret="-")
    return Auth(
        policy=policy,
        hasher=cheap_hasher(),
        accounts=FakeAccounts(challenges, outbox),
        sessions=FakeSessions(),
        challenges=challenges,
        keys=SigningKeys(FakeKeyStore(), clock, KeyPolicy()),
        limits=FakeLimits(clock),
        clock=clock,
    )


def register(auth: Auth, phone: str = PHONE, **details: Any) -> Account:
    return auth.register(
        role=details.pop("role", "patient"),
        full_name=details.pop("full_name", "Awa Traoré"),
        password=details.pop("password", PASSWORD),
        phone=phone,
        **details,
    )


def send_code(
    auth: Auth, outbox: Outbox, purpose: Purpose = "verify_phone", phone: str = PHONE
) -> str:
    auth.send_otp(phone=phone, purpose=purpose, address=ADDRESS)
    return outbox.of("auth.otp_requested")[-1]["code"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def login(
    auth: Auth, password: str = PASSWORD, phone: str = PHONE, address: str = ADDRESS
) -> TokenGrant:
    return auth.login(kind="phone", login=phone, password=password, address=address)


# -- registration ------------------------------------------------------------------------------


def test_registering_stores_the_account_unverified_and_announces_it(auth, outbox):
    account = register(auth, email="awa@keneya.test", language="bm")

    assert auth.accounts.find_by_login("email", "awa@keneya.test") == account
    assert not account.phone_verified and PASSWORD not in account.password_hash
    assert outbox.of("user.registered") == [
        {
            "user_id": account.user_id,
            "role": "patient",
            "full_name": "Awa Traoré",
            "phone": PHONE,
            "email": "awa@keneya.test",
            "language": "bm",
        }
    ]


def test_a_phone_already_taken_is_refused_and_nothing_is_announced(auth, outbox):
    register(auth)

    with pytest.raises(DuplicateLogin) as refused:
        register(auth, email="someone.else@keneya.test", full_name="Moussa Keita")

    assert refused.value.fields == ["phone"]
    assert len(outbox.of("user.registered")) == 1
    assert auth.accounts.find_by_login("email", "someone.else@keneya.test") is None


def test_a_weak_password_is_refused_before_anything_is_stored(auth, outbox):
    with pytest.raises(WeakPassword) as refused:
        register(auth, password="sahel-76123456")

    assert refused.value.reasons == ["password_personal"]
    assert auth.accounts.find_by_login("phone", PHONE) is None and outbox.events == []


# -- sending a code ----------------------------------------------------------------------------


def test_a_code_goes_out_with_the_event_that_sends_the_sms_and_only_its_hash_is_kept(auth, outbox):
    account = register(auth)

    sent = auth.send_otp(phone=PHONE, purpose="verify_phone", address=ADDRESS)

    (request,) = outbox.of("auth.otp_requested")
    assert (sent.expires_in, sent.resend_after) == (300, 60)
    assert request["user_id"] == account.user_id and request["purpose"] == "verify_phone"
    stored = auth.challenges.get(PHONE, "verify_phone")
    assert stored.matches(request["code"]) and request["code"] not in repr(stored)


def test_a_second_code_within_the_cooldown_is_refused_until_it_ends(auth, outbox, clock):
    register(auth)
    send_code(auth, outbox)

    clock.advance(seconds=45)
    with pytest.raises(TooManyAttempts) as refused:
        auth.send_otp(phone=PHONE, purpose="verify_phone", address=ADDRESS)
    clock.advance(seconds=15)
    send_code(auth, outbox)

    assert (refused.value.what, refused.value.retry_after) == ("otp_cooldown", 15)
    assert len(outbox.of("auth.otp_requested")) == 2


def test_no_code_is_sent_while_the_limits_cannot_be_checked(auth, outbox):
    register(auth)
    auth.limits.unavailable = True

    with pytest.raises(LimitsUnavailable):
        auth.send_otp(phone=PHONE, purpose="verify_phone", address=ADDRESS)

    assert outbox.of("auth.otp_requested") == []


# -- verifying a phone -------------------------------------------------------------------------


def test_the_right_code_verifies_the_phone_once(auth, outbox):
    account = register(auth)
    code = send_code(auth, outbox)

    assert auth.verify_phone(phone=PHONE, code=code) == account.user_id
    with pytest.raises(OtpExpired):
        auth.verify_phone(phone=PHONE, code=code)

    assert auth.accounts.get(account.user_id).phone_verified
    assert outbox.of("user.phone_verified") == [{"user_id": account.user_id, "phone": PHONE}]


def test_each_wrong_code_counts_an_attempt_and_the_sixth_is_refused_even_if_right(auth, outbox):
    register(auth)
    code = send_code(auth, outbox)

    left = []
    for _ in range(5):
        with pytest.raises(OtpInvalid) as refused:
            auth.verify_phone(phone=PHONE, code=wrong(code))
        left.append(refused.value.attempts_left)
    with pytest.raises(OtpExhausted):
        auth.verify_phone(phone=PHONE, code=code)

    assert left == [4, 3, 2, 1, 0]
    assert outbox.of("user.phone_verified") == []


def test_a_code_is_refused_once_its_five_minutes_are_over(auth, outbox, clock):
    register(auth)
    code = send_code(auth, outbox)

    clock.advance(minutes=5)
    with pytest.raises(OtpExpired):
        auth.verify_phone(phone=PHONE, code=code)

    assert not auth.accounts.find_by_login("phone", PHONE).phone_verified


def test_wrong_codes_across_several_codes_lock_the_phone_for_the_hour(auth, outbox, clock):
    register(auth)
    for _ in range(2):
        code = send_code(auth, outbox)
        for _ in range(5):
            with pytest.raises(OtpInvalid):
                auth.verify_phone(phone=PHONE, code=wrong(code))
        clock.advance(minutes=1)
    code = send_code(auth, outbox)

    with pytest.raises(TooManyAttempts) as refused:
        auth.verify_phone(phone=PHONE, code=code)

    assert refused.value.what == "otp_verify" and refused.value.retry_after > 3000
    assert auth.challenges.get(PHONE, "verify_phone").attempts == 0


def test_a_code_used_by_a_concurrent_request_verifies_nothing_twice(auth, outbox):
    register(auth)
    code = send_code(auth, outbox)
    auth.accounts.lose_next_commit = True

    with pytest.raises(OtpExpired):
        auth.verify_phone(phone=PHONE, code=code)

    assert outbox.of("user.phone_verified") == []


# -- logging in --------------------------------------------------------------------------------


def test_an_account_signs_in_before_its_phone_is_verified_and_gets_a_session(auth):
    account = register(auth)

    grant = login(auth)

    claims = auth.verify_access_token(grant.access_token)
    assert (claims.user_id, claims.role, claims.session_id) == (
        account.user_id,
        "patient",
        grant.session_id,
    )
    assert auth.sessions.is_live(grant.session_id)
    assert (grant.expires_in, grant.refresh_expires_in) == (900, 30 * 24 * 3600)


def test_a_wrong_password_and_an_unknown_number_are_refused_alike(auth):
    register(auth)

    with pytest.raises(InvalidCredentials):
        login(auth, password=NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        login(auth, phone="+22366000000")


def test_five_wrong_passwords_lock_the_account_for_a_minute_even_from_elsewhere(auth, clock):
    register(auth)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            login(auth, password=NEW_PASSWORD)

    with pytest.raises(TooManyAttempts) as refused:
        login(auth, address="10.9.9.9")
    clock.advance(seconds=60)
    grant = login(auth, address="10.9.9.9")

    assert (refused.value.what, refused.value.retry_after) == ("login", 60)
    assert grant.refresh_token


def test_a_successful_login_forgets_the_wrong_passwords_before_it(auth):
    register(auth)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            login(auth, password=NEW_PASSWORD)
    login(auth)

    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            login(auth, password=NEW_PASSWORD)

    assert login(auth).access_token


def test_login_goes_on_without_limits_when_they_cannot_be_reached(auth):
    register(auth)
    auth.limits.unavailable = True

    with pytest.raises(InvalidCredentials):
        login(auth, password=NEW_PASSWORD)
    assert login(auth).access_token


def test_a_disabled_account_is_told_so_only_with_the_right_password(auth):
    account = register(auth)
    auth.accounts.disable(account.user_id)

    with pytest.raises(InvalidCredentials):
        login(auth, password=NEW_PASSWORD)
    with pytest.raises(AccountDisabled):
        login(auth)


def test_a_password_hashed_at_a_lower_cost_is_hashed_again_at_login(auth):
    account = register(replace(auth, hasher=cheap_hasher(time_cost=1)))
    stronger = replace(auth, hasher=cheap_hasher(time_cost=2))

    login(stronger)

    rehashed = stronger.accounts.get(account.user_id).password_hash
    assert rehashed != account.password_hash and not stronger.hasher.needs_rehash(rehashed)
    assert login(stronger).access_token


# -- sessions ----------------------------------------------------------------------------------


def test_a_refresh_hands_the_next_token_of_the_same_session(auth, clock):
    register(auth)
    first = login(auth)

    clock.advance(days=29)
    second = auth.refresh(first.refresh_token)
    clock.advance(days=29)
    third = auth.refresh(second.refresh_token)

    assert first.session_id == second.session_id == third.session_id
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3


def test_a_used_refresh_token_coming_back_revokes_its_whole_session(auth):
    register(auth)
    stolen = login(auth)
    other = login(auth)
    owner = auth.refresh(stolen.refresh_token)

    with pytest.raises(RefreshTokenReused):
        auth.refresh(stolen.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        auth.refresh(owner.refresh_token)

    assert auth.sessions.revoked_reason(stolen.session_id) == "refresh_token_reused"
    assert auth.refresh(other.refresh_token).session_id == other.session_id


def test_a_token_used_by_a_concurrent_request_is_the_same_reuse(auth):
    register(auth)
    grant = login(auth)
    auth.sessions.used_meanwhile = True

    with pytest.raises(RefreshTokenReused):
        auth.refresh(grant.refresh_token)

    assert not auth.sessions.is_live(grant.session_id)


def test_a_refresh_for_a_disabled_account_ends_its_session(auth):
    account = register(auth)
    grant = login(auth)
    auth.accounts.disable(account.user_id)

    with pytest.raises(AccountDisabled):
        auth.refresh(grant.refresh_token)

    assert auth.sessions.revoked_reason(grant.session_id) == "account_inactive"


def test_logging_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(auth):
    register(auth)
    register(auth, phone="+22366123456", full_name="Moussa Keita")
    phone, laptop = login(auth), login(auth)
    theirs = login(auth, phone="+22366123456")
    auth.logout(laptop.refresh_token)

    ended = auth.logout_all(phone.user_id)

    assert ended == 1
    assert not auth.sessions.is_live(phone.session_id)
    assert auth.sessions.revoked_reason(laptop.session_id) == "logout"
    assert auth.sessions.is_live(theirs.session_id)


# -- passwords ---------------------------------------------------------------------------------


def test_a_reset_code_sets_the_password_verifies_the_phone_and_ends_every_session(auth, outbox):
    account = register(auth)
    grant = login(auth)
    code = send_code(auth, outbox, "reset_password")

    auth.reset_password(phone=PHONE, code=code, new_password=NEW_PASSWORD)

    assert not auth.sessions.is_live(grant.session_id)
    assert auth.accounts.get(account.user_id).phone_verified
    assert [event["how"] for event in outbox.of("auth.password_changed")] == ["reset"]
    assert outbox.of("user.phone_verified") == [{"user_id": account.user_id, "phone": PHONE}]
    with pytest.raises(InvalidCredentials):
        login(auth)
    assert login(auth, password=NEW_PASSWORD).user_id == account.user_id


def test_a_weak_new_password_is_refused_without_spending_an_attempt_on_the_code(auth, outbox):
    register(auth)
    code = send_code(auth, outbox, "reset_password")

    with pytest.raises(WeakPassword) as refused:
        auth.reset_password(phone=PHONE, code=code, new_password="password")

    assert refused.value.field == "new_password"
    assert auth.challenges.get(PHONE, "reset_password").attempts == 0


def test_changing_the_password_keeps_this_session_and_ends_the_others(auth, outbox):
    register(auth)
    here, elsewhere = login(auth), login(auth)

    ended = auth.change_password(
        user_id=here.user_id,
        session_id=here.session_id,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
    )

    assert ended == 1
    assert auth.sessions.is_live(here.session_id)
    assert not auth.sessions.is_live(elsewhere.session_id)
    assert [event["how"] for event in outbox.of("auth.password_changed")] == ["changed"]


def test_a_wrong_current_password_changes_nothing_and_counts_towards_the_lockout(auth, outbox):
    register(auth)
    grant = login(auth)

    for _ in range(5):
        with pytest.raises(WrongCurrentPassword):
            auth.change_password(
                user_id=grant.user_id,
                session_id=grant.session_id,
                current_password="not-the-password-1",
                new_password=NEW_PASSWORD,
            )

    with pytest.raises(TooManyAttempts):
        login(auth)
    assert outbox.of("auth.password_changed") == []
