"""Rate limits and lockouts against a real redis-server (time moved by the test's clock)."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.errors import LimitsUnavailable
from chalicelib.limits_store import RateLimits
from chalicelib.rate_limits import LockoutPolicy, Window

from .conftest import free_port

LOCKOUT = LockoutPolicy(
    "login-account",
    max_failures=3,
    window_seconds=900,
    base_lock_seconds=60,
    max_lock_seconds=300,
)


@pytest.fixture
def limits(redis, clock):
    # A prefix per test: nothing left by another test can count here.
    return RateLimits(redis, clock, prefix=f"t{uuid.uuid4().hex[:8]}")


def test_a_window_admits_its_limit_then_says_when_to_come_back(limits, clock):
    hourly = Window("otp-phone", max_hits=3, seconds=3600)

    for _ in range(3):
        assert limits.hit(hourly, "+22376123456") == 0
        clock.advance(minutes=10)

    assert limits.hit(hourly, "+22376123456") == 3600 - 30 * 60
    assert limits.hit(hourly, "+22370000000") == 0  # another phone has its own count


def test_a_refused_event_is_not_counted_and_the_window_slides(limits, clock):
    hourly = Window("otp-phone", max_hits=2, seconds=3600)
    limits.hit(hourly, "p")
    clock.advance(minutes=30)
    limits.hit(hourly, "p")
    for _ in range(5):
        assert limits.hit(hourly, "p") > 0

    clock.advance(minutes=30)  # the first event leaves the window

    assert limits.peek(hourly, "p") == 0
    assert limits.hit(hourly, "p") == 0
    assert limits.peek(hourly, "p") > 0


def test_failures_below_the_threshold_lock_nothing(limits):
    for _ in range(2):
        assert limits.record_failure(LOCKOUT, "u-1") == 0

    assert limits.lock_remaining(LOCKOUT, "u-1") == 0


def test_reaching_the_threshold_locks_and_the_lock_ends_with_its_delay(limits, clock):
    for _ in range(2):
        limits.record_failure(LOCKOUT, "u-1")

    assert limits.record_failure(LOCKOUT, "u-1") == 60
    assert limits.lock_remaining(LOCKOUT, "u-1") == 60
    clock.advance(seconds=59)
    assert limits.lock_remaining(LOCKOUT, "u-1") == 1
    clock.advance(seconds=1)
    assert limits.lock_remaining(LOCKOUT, "u-1") == 0


def test_each_new_lockout_lasts_twice_as_long_up_to_the_cap(limits, clock):
    lengths = []
    for _ in range(5):
        for _ in range(3):
            started = limits.record_failure(LOCKOUT, "u-1")
        lengths.append(started)
        clock.advance(seconds=started)

    assert lengths == [60, 120, 240, 300, 300]


def test_failures_spread_beyond_the_window_never_lock(limits, clock):
    for _ in range(6):
        assert limits.record_failure(LOCKOUT, "u-1") == 0
        clock.advance(minutes=8)


def test_a_success_forgets_the_failures_and_past_lockouts(limits, clock):
    for _ in range(3):
        limits.record_failure(LOCKOUT, "u-1")
    clock.advance(seconds=60)
    limits.record_failure(LOCKOUT, "u-1")

    limits.clear_failures(LOCKOUT, "u-1", forget_lockouts=True)

    assert [limits.record_failure(LOCKOUT, "u-1") for _ in range(3)] == [0, 0, 60]


def test_a_cooldown_refuses_until_it_ends(limits, clock):
    assert limits.start_cooldown("otp-verify_phone", "p", 60) == 0
    clock.advance(seconds=45)
    assert limits.start_cooldown("otp-verify_phone", "p", 60) == 15
    assert limits.start_cooldown("otp-reset_password", "p", 60) == 0
    clock.advance(seconds=15)
    assert limits.start_cooldown("otp-verify_phone", "p", 60) == 0


def test_subjects_are_not_readable_in_redis(limits, redis):
    limits.record_failure(LOCKOUT, "+22376123456")
    limits.hit(Window("otp-phone", 5, 3600), "awa@keneya.ml")

    keys = " ".join(redis.keys("*"))

    assert "22376123456" not in keys and "awa" not in keys


def test_an_unreachable_redis_is_reported_as_unavailable(clock):
    import redis as redis_py

    # Built like the layer's client (`keneya.stores.redis_client`), which fails fast.
    nowhere = redis_py.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=1)
    limits = RateLimits(nowhere, clock)

    with pytest.raises(LimitsUnavailable):
        limits.hit(Window("otp-phone", 5, 3600), "p")
    with pytest.raises(LimitsUnavailable):
        limits.lock_remaining(LOCKOUT, "u-1")
