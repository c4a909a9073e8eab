"""Access tokens are trusted only when signed by a published key, for us, and still valid."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from chalice import Chalice
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from keneya import config, tokens
from keneya.tokens import InvalidToken, TokenVerifier, UnauthorizedToken

ISSUER = "https://auth.keneya.test"
AUDIENCE = "keneya-api"


class SigningKey:
    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = ec.generate_private_key(ec.SECP256R1())

    def jwk(self) -> dict:
        jwk = json.loads(ECAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}

    def token(self, **overrides) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "role": "patient",
            "iat": now,
            "exp": now + 900,
            "jti": str(uuid.uuid4()),
            **overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"kid": self.kid})


@pytest.fixture(scope="module")
def published_key():
    return SigningKey("key-1")


@pytest.fixture(scope="module")
def jwks_url(published_key):
    """The JWKS served over HTTP, as the auth service publishes it."""
    body = json.dumps({"keys": [published_key.jwk()]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def verifier(jwks_url):
    return TokenVerifier(jwks_url, ISSUER, AUDIENCE)


def test_a_token_signed_by_a_published_key_names_its_caller(verifier, published_key):
    who = verifier.verify(published_key.token(sub="doctor-7", role="doctor"))

    assert (who.user_id, who.role) == ("doctor-7", "doctor")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 120},
        {"aud": "someone-else"},
        {"iss": "https://evil.example"},
        {"role": "superuser"},
        {"jti": None},
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "unknown-role", "no-token-id"],
)
def test_a_token_with_bad_claims_is_refused(verifier, published_key, claims):
    with pytest.raises(InvalidToken):
        verifier.verify(published_key.token(**claims))


def test_a_token_signed_by_an_unpublished_key_is_refused(verifier):
    with pytest.raises(InvalidToken):
        verifier.verify(SigningKey("key-1").token())


def test_an_unsigned_token_is_refused(verifier):
    unsigned = jwt.encode({"sub": "user-1"}, key=None, algorithm="none")

    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)


@pytest.fixture
def protected_client(jwks_url, monkeypatch):
    monkeypatch.setenv("JWKS_URL", jwks_url)
    monkeypatch.setenv("JWT_ISSUER", ISSUER)
    monkeypatch.setenv("JWT_AUDIENCE", AUDIENCE)
    config.settings.cache_clear()
    tokens.verifier.cache_clear()
    app = Chalice(app_name="protected")
    authorizer = tokens.jwt_authorizer(app)

    @app.route("/me", authorizer=authorizer)
    def me():
        who = tokens.principal(app.current_request)
        return {"user_id": who.user_id, "role": who.role}

    with Client(app) as client:
        yield client
    config.settings.cache_clear()
    tokens.verifier.cache_clear()


def test_the_authorizer_admits_a_valid_token_and_passes_the_caller_on(
    protected_client, published_key
):
    response = protected_client.http.get(
        "/me", headers={"Authorization": f"Bearer {published_key.token(sub='p-1')}"}
    )

    assert response.status_code == 200
    assert response.json_body == {"user_id": "p-1", "role": "patient"}


def test_the_authorizer_fails_as_api_gateway_expects_for_a_401(protected_client):
    # API Gateway turns an authorizer failing with exactly "Unauthorized" into a 401.
    with pytest.raises(UnauthorizedToken, match=r"^Unauthorized$"):
        protected_client.http.get("/me", headers={"Authorization": "Bearer not-a-jwt"})


def _rs256_token_with_kid(kid: str, **claims) -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "role": "patient", "iat": now}
    body |= {"exp": now + 900, "jti": "j", **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.mark.parametrize(
    "token",
    [
        # the kid of the published ES256 key, signed with another key family
        lambda key: _rs256_token_with_kid(key.kid),
        # an algorithm PyJWT knows nothing of, a header that is not JSON, claims of wrong types
        lambda key: "eyJhbGciOiJYWVoiLCJraWQiOiJrZXktMSJ9.e30.c2ln",
        lambda key: "eyJ.e30.c2ln",
        lambda key: key.token(sub=["not", "a", "string"], role=["patient"]),
        lambda key: key.token(jti=7),
    ],
    ids=["rs256-with-es256-kid", "unknown-alg", "broken-header", "sub-and-role-lists", "int-jti"],
)
def test_any_token_that_cannot_be_verified_is_refused_and_never_raises_anything_else(
    verifier, published_key, token
):
    with pytest.raises(InvalidToken):
        verifier.verify(token(published_key))


def test_the_authorizer_refuses_a_token_of_another_key_family_with_a_401(
    protected_client, published_key
):
    token = _rs256_token_with_kid(published_key.kid)

    with pytest.raises(UnauthorizedToken):
        protected_client.http.get("/me", headers={"Authorization": f"Bearer {token}"})
