"""Signing keys: created on first use, rotated with a pending period, retired once their tokens
have expired; concurrent writers never lose each other's keys."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.signing_keys import KeyPolicy, KeyRing, SigningKeys

from .fakes import FakeKeyStore

POLICY = KeyPolicy(
    activation_delay=timedelta(minutes=10),
    retire_after=timedelta(minutes=20),
    max_age=timedelta(days=30),
)


def kids(ring_or_jwks) -> list[str]:
    if isinstance(ring_or_jwks, dict):
        return [key["kid"] for key in ring_or_jwks["keys"]]
    return [key.kid for key in ring_or_jwks.keys]


def test_the_first_use_creates_a_key_that_signs_at_once(clock):
    store = FakeKeyStore("placeholder-generated-by-the-template")
    keys = SigningKeys(store, clock, POLICY)

    key = keys.signing_key()

    assert store.writes == 1
    assert kids(keys.jwks()) == [key.kid]


def test_the_published_keys_carry_no_private_part(clock):
    keys = SigningKeys(FakeKeyStore(), clock, POLICY)

    (jwk,) = keys.jwks()["keys"]

    assert set(jwk) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert (jwk["alg"], jwk["crv"], jwk["use"]) == ("ES256", "P-256", "sig")


def test_two_instances_starting_together_end_up_with_the_same_single_key(clock):
    store = FakeKeyStore(stale_reads=2)  # both read the empty secret before either writes
    first, second = SigningKeys(store, clock, POLICY), SigningKeys(store, clock, POLICY)

    one, other = first.signing_key(), second.signing_key()

    assert one.kid == other.kid
    assert len(KeyRing.from_json(store.value).keys) == 1


def test_a_rotation_publishes_the_new_key_before_it_signs(clock):
    keys = SigningKeys(FakeKeyStore(), clock, POLICY)
    old = keys.signing_key()

    ring = keys.rotate(force=True)
    new = ring.keys[-1]

    assert kids(keys.jwks()) == [old.kid, new.kid]
    assert keys.signing_key().kid == old.kid
    clock.advance(minutes=10)
    assert keys.signing_key().kid == new.kid


def test_the_replaced_key_stays_published_until_its_tokens_have_expired(clock):
    keys = SigningKeys(FakeKeyStore(), clock, POLICY)
    old = keys.signing_key()
    new = keys.rotate(force=True).keys[-1]
    clock.advance(minutes=10)  # the new key signs from now on

    clock.advance(minutes=19)
    assert kids(keys.jwks()) == [old.kid, new.kid]
    assert keys.key_for(old.kid) is not None

    clock.advance(minutes=1)
    assert kids(keys.jwks()) == [new.kid]
    assert keys.key_for(old.kid) is None


def test_the_scheduled_rotation_waits_for_the_key_to_age_and_drops_retired_keys(clock):
    store = FakeKeyStore()
    keys = SigningKeys(store, clock, POLICY)
    first = keys.signing_key()

    clock.advance(days=29)
    assert kids(keys.rotate()) == [first.kid]

    clock.advance(days=1)
    second = keys.rotate().keys[-1]
    assert kids(KeyRing.from_json(store.value)) == [first.kid, second.kid]
    assert kids(keys.rotate()) == [first.kid, second.kid]  # a pending key: nothing to add

    clock.advance(minutes=30)
    assert kids(keys.rotate()) == [second.kid]
    assert kids(KeyRing.from_json(store.value)) == [second.kid]


def test_a_key_rotated_by_another_instance_is_found_when_its_tokens_arrive(clock):
    store = FakeKeyStore()
    serving = SigningKeys(store, clock, POLICY)
    serving.signing_key()
    rotating = SigningKeys(store, clock, POLICY)
    new = rotating.rotate(force=True, immediately=True).keys[-1]

    clock.advance(seconds=31)

    assert serving.key_for(new.kid) == new
