"""One-time codes: 6 digits, kept hashed, 5 minutes, 5 attempts."""

from __future__ import annotations

from chalicelib.otp import Challenge, OtpPolicy, Verdict

POLICY = OtpPolicy()


def issue(clock):
    return Challenge.issue(
        phone="+22376123456", purpose="verify_phone", user_id="u1", now=clock.now(), policy=POLICY
    )


def test_a_code_is_six_digits_and_only_its_salted_hash_is_kept(clock):
    challenge, code = issue(clock)

    assert len(code) == 6 and code.isdigit()
    assert code not in repr(challenge)
    assert challenge.matches(code)
    assert not challenge.matches(f"{(int(code) + 1) % 1_000_000:06d}")


def test_the_same_code_sent_twice_is_stored_differently(clock):
    first, code = issue(clock)
    second = Challenge.issue(
        phone="+22376123456", purpose="verify_phone", user_id="u1", now=clock.now(), policy=POLICY
    )[0]

    assert first.code_hash != second.code_hash or first.salt != second.salt
    assert first.matches(code)


def test_a_code_admits_attempts_until_its_lifetime_ends(clock):
    challenge, _ = issue(clock)

    clock.advance(minutes=4, seconds=59)
    assert challenge.refusal(clock.now(), POLICY) is None
    clock.advance(seconds=1)
    assert challenge.refusal(clock.now(), POLICY) is Verdict.EXPIRED


def test_a_code_admits_five_attempts(clock):
    challenge, _ = issue(clock)

    for _ in range(5):
        assert challenge.refusal(clock.now(), POLICY) is None
        challenge = challenge.attempted()

    assert challenge.attempts_left(POLICY) == 0
    assert challenge.refusal(clock.now(), POLICY) is Verdict.EXHAUSTED
