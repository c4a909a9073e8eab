"""Access tokens: what the service signs, and every forgery it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.access_tokens import TokenRejected, issue_access_token, read_access_token
from chalicelib.signing_keys import KeyPolicy, SigningKeys

from .fakes import FakeKeyStore

ISSUER, AUDIENCE = "keneya-auth", "keneya-api"


@pytest.fixture
def keys(clock):
    return SigningKeys(FakeKeyStore(), clock, KeyPolicy())


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def issue(keys, clock, **overrides):
    arguments = {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "user_id": "u-1",
        "role": "patient",
        "session_id": "s-1",
        "now": clock.now(),
        "lifetime": timedelta(minutes=15),
        **overrides,
    }
    return issue_access_token(keys.signing_key(), **arguments)


def read(token, keys, clock, issuer=ISSUER, audience=AUDIENCE):
    return read_access_token(token, keys, issuer=issuer, audience=audience, now=clock.now())


def forged(keys, clock, header=None, key=None, algorithm="ES256", **claims):
    """A token with chosen claims/header, signed with `key` (default: the real signing key)."""
    now = int(clock.now().timestamp())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1",
        "role": "patient",
        "sid": "s-1",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "j-1",
        **claims,
    }
    body = {name: value for name, value in body.items() if value is not None}
    signing = keys.signing_key()
    headers = {"kid": signing.kid, **(header or {})}
    return jwt.encode(body, key if key is not None else signing.private_key, algorithm, headers)


def test_a_token_names_its_user_role_and_session_with_a_kid_header(keys, clock):
    token = issue(keys, clock, role="doctor")

    claims = read(token, keys, clock)

    assert (claims.user_id, claims.role, claims.session_id) == ("u-1", "doctor", "s-1")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == keys.signing_key().kid
    assert claims.expires_at - clock.now() == timedelta(minutes=15)


def test_a_token_is_refused_once_it_has_expired(keys, clock):
    token = issue(keys, clock)

    clock.advance(minutes=15, seconds=29)
    assert read(token, keys, clock).user_id == "u-1"  # the verifiers' 30 s leeway
    clock.advance(seconds=1)
    with pytest.raises(TokenRejected, match="expired"):
        read(token, keys, clock)


def test_an_unsigned_token_is_refused(keys, clock):
    token = jwt.encode({"sub": "u-1", "role": "admin"}, None, algorithm="none")

    with pytest.raises(TokenRejected, match="algorithm"):
        read(token, keys, clock)


def test_a_token_signed_with_hmac_over_the_public_key_is_refused(keys, clock):
    # The classic key-confusion forgery: HS256 with the published public key as the secret.
    # PyJWT will not produce it, so it is assembled by hand.
    public_pem = keys.signing_key().public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(clock.now().timestamp())
    header = {"alg": "HS256", "typ": "JWT", "kid": keys.signing_key().kid}
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1",
        "role": "admin",
        "iat": now,
        "exp": now + 900,
        "jti": "j-1",
    }
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    with pytest.raises(TokenRejected, match="algorithm"):
        read(f"{signing_input}.{b64(signature)}", keys, clock)


def test_a_token_signed_by_a_key_we_do_not_publish_is_refused(keys, clock):
    stranger = ec.generate_private_key(ec.SECP256R1())

    with pytest.raises(TokenRejected):
        read(forged(keys, clock, key=stranger), keys, clock)
    with pytest.raises(TokenRejected, match="unknown kid"):
        read(forged(keys, clock, key=stranger, header={"kid": "someone-else"}), keys, clock)


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-api"},
        {"role": "superuser"},
        {"jti": None},
        {"exp": None},
        {"sub": None},
        {"nbf": int(time.time()) + 3600},
    ],
    ids=["wrong-issuer", "wrong-audience", "unknown-role", "no-jti", "no-exp", "no-sub", "future"],
)
def test_a_token_with_bad_claims_is_refused(keys, clock, claims):
    with pytest.raises(TokenRejected):
        read(forged(keys, clock, **claims), keys, clock)


def test_a_tampered_token_is_refused(keys, clock):
    header, body, signature = issue(keys, clock).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    tampered = b64(json.dumps({**claims, "role": "admin"}).encode())

    with pytest.raises(TokenRejected):
        read(f"{header}.{tampered}.{signature}", keys, clock)


def test_a_retired_key_no_longer_verifies_anything(keys, clock):
    old = keys.signing_key()
    keys.rotate(force=True, immediately=True)
    clock.advance(minutes=20)  # its successor has signed for longer than a token lives

    token = forged(keys, clock, key=old.private_key, header={"kid": old.kid})

    with pytest.raises(TokenRejected, match="unknown kid"):
        read(token, keys, clock)
