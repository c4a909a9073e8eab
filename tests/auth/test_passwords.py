"""The password policy people meet, and argon2id hashing that hides whether an account exists."""

from __future__ import annotations

import statistics
import time

import pytest

from chalicelib import passwords
from chalicelib.passwords import PasswordHasher, password_issues

# Cheap parameters where the cost itself is not what is tested.
FAST = {"memory_kib": 1024, "time_cost": 1, "parallelism": 1}


def test_a_long_unusual_password_is_accepted():
    assert password_issues("sahel-baobab-kora-1989") == []


@pytest.mark.parametrize(
    ("password", "issue"),
    [
        ("kora19", passwords.TOO_SHORT),
        ("x" * 129, passwords.TOO_LONG),
        ("password", passwords.COMMON),
        ("azerty123", passwords.COMMON),
        ("Motdepasse2024!", passwords.COMMON),
        ("Bamako2024", passwords.COMMON),
        ("aaaaaaaaaa", passwords.REPETITIVE),
        ("xyxyxyxyz", passwords.REPETITIVE),
    ],
)
def test_a_password_breaking_the_policy_is_refused_with_its_reason(password, issue):
    assert issue in password_issues(password)


def test_a_password_built_on_the_persons_own_details_is_refused():
    assert passwords.PERSONAL in password_issues("x76123456x", phone="+22376123456")
    assert passwords.PERSONAL in password_issues("awatraore!!", email="awatraore@keneya.ml")
    assert passwords.PERSONAL in password_issues("Mariam-kora-7", full_name="Mariam Keita")


def test_unicode_spellings_of_the_same_password_verify_alike():
    hasher = PasswordHasher(**FAST)
    composed, decomposed = "Kélé-kora-1989", "Ke\u0301le\u0301-kora-1989"

    assert hasher.verify(hasher.hash(composed), decomposed)


def test_a_hash_verifies_its_password_and_nothing_else():
    hasher = PasswordHasher(**FAST)
    stored = hasher.hash("sahel-baobab-kora")

    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "sahel-baobab-kora")
    assert not hasher.verify(stored, "sahel-baobab-korA")
    assert not hasher.verify("not a hash", "sahel-baobab-kora")


def test_a_hash_made_with_weaker_parameters_needs_rehashing():
    weak = PasswordHasher(**FAST).hash("sahel-baobab-kora")

    assert PasswordHasher().needs_rehash(weak)
    assert not PasswordHasher().needs_rehash(PasswordHasher().hash("sahel-baobab-kora"))


def _elapsed_ms(check) -> float:
    started = time.perf_counter()
    check()
    return (time.perf_counter() - started) * 1000


def test_checking_an_unknown_account_costs_what_a_wrong_password_costs():
    hasher = PasswordHasher()
    stored = hasher.hash("sahel-baobab-kora")
    hasher.verify_decoy("warm-up")

    # Interleaved, so a busy machine slows both alike.
    wrong, unknown = [], []
    for _ in range(7):
        wrong.append(_elapsed_ms(lambda: hasher.verify(stored, "guess-1234")))
        unknown.append(_elapsed_ms(lambda: hasher.verify_decoy("guess-1234")))

    assert hasher.verify_decoy("sahel-baobab-kora") is False
    # A shortcut for unknown accounts would answer in microseconds, not milliseconds.
    assert 0.5 < statistics.median(unknown) / statistics.median(wrong) < 2
