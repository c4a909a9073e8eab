"""Every service trusts the auth service's access tokens and nothing else: each forgery is
refused by the auth service's own protected routes and by the layer's verifier, which other
services use, reading the keys from the published JWKS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.signing_keys import KeyRing
from keneya.tokens import InvalidToken, TokenVerifier

ISSUER, AUDIENCE = "keneya-auth", "keneya-api"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def signing_key(auth_stack, auth_environment, aws_client):
    """The key the service signs with, read from its secret: forging a token with the right
    key but wrong claims needs it."""
    from tests.support.auth import Api

    Api(auth_stack.url("auth")).get("/.well-known/jwks.json")  # the first use creates it
    secret = aws_client("secretsmanager").get_secret_value(
        SecretId=auth_environment["JWT_SIGNING_KEY_SECRET_ARN"]
    )
    return KeyRing.from_json(secret["SecretString"]).active(datetime.now(UTC))


@pytest.fixture(scope="module")
def verifier(auth_stack):
    return TokenVerifier(auth_stack.url("auth", "/.well-known/jwks.json"), ISSUER, AUDIENCE)


def claims(**changes):
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "01FORGED",
        "role": "admin",
        "sid": "s",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "forged",
        **changes,
    }
    return {name: value for name, value in body.items() if value is not None}


def signed(key, body, kid):
    import jwt

    return jwt.encode(body, key, algorithm="ES256", headers={"kid": kid})


def forgeries(signing_key):
    public_pem = signing_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid, real = signing_key.kid, signing_key.private_key
    stranger = ec.generate_private_key(ec.SECP256R1())

    def unsigned():
        header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
        return f"{header}.{b64(json.dumps(claims()).encode())}."

    def hmac_with_public_key():
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        signing_input = f"{header}.{b64(json.dumps(claims()).encode())}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"

    def tampered():
        header, _, signature = signed(real, claims(role="patient"), kid).split(".")
        return f"{header}.{b64(json.dumps(claims(role='admin')).encode())}.{signature}"

    return {
        "alg-none": unsigned(),
        "hmac-with-public-key": hmac_with_public_key(),
        "expired": signed(
            real, claims(iat=int(time.time()) - 1000, exp=int(time.time()) - 100), kid
        ),
        "wrong-issuer": signed(real, claims(iss="https://evil.example"), kid),
        "wrong-audience": signed(real, claims(aud="someone-else"), kid),
        "unknown-role": signed(real, claims(role="root"), kid),
        "no-jti": signed(real, claims(jti=None), kid),
        "unknown-kid": signed(stranger, claims(), "not-a-published-kid"),
        "stranger-key-real-kid": signed(stranger, claims(), kid),
        "tampered": tampered(),
        "not-a-jwt": "not.a.jwt",
        "rs256-with-the-es256-kid": another_key_family(kid),
    }


def another_key_family(kid: str) -> str:
    """A token naming the published ES256 key's kid, signed RS256 with a stranger's RSA key."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": kid})


FORGERIES = [
    "alg-none",
    "hmac-with-public-key",
    "expired",
    "wrong-issuer",
    "wrong-audience",
    "unknown-role",
    "no-jti",
    "unknown-kid",
    "stranger-key-real-kid",
    "tampered",
    "not-a-jwt",
    "rs256-with-the-es256-kid",
]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_token_is_refused_by_the_auth_service(api, signing_key, forgery):
    token = forgeries(signing_key)[forgery]

    assert api.post("/logout-all", token=token).status_code == 401
    assert (
        api.post(
            "/password/change", {"current_password": "x", "new_password": "y"}, token=token
        ).status_code
        == 401
    )


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_token_is_refused_by_the_verifier_every_service_uses(
    verifier, signing_key, forgery
):
    with pytest.raises(InvalidToken):
        verifier.verify(forgeries(signing_key)[forgery])


def test_a_real_token_is_accepted_by_both(api, verifier):
    account = api.register(role="doctor")
    grant = api.login(phone=account["phone"])

    who = verifier.verify(grant["access_token"])

    assert (who.user_id, who.role) == (account["user_id"], "doctor")
    assert api.post("/logout-all", token=grant["access_token"]).status_code == 200


def test_the_jwks_publishes_public_keys_only_and_may_be_cached(api):
    response = api.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert keys and all(key["alg"] == "ES256" and key["kid"] for key in keys)
    assert all("d" not in key for key in keys)
