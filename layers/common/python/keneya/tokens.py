"""Verifying the auth service's access tokens, so every service trusts them without calling it.

Tokens are JWTs signed asymmetrically (ES256/RS256) with a `kid`; the public keys come from the
auth service's JWKS (`JWKS_URL`), fetched once and cached. `jwt_authorizer(app)` is the API
Gateway Lambda authorizer that protects a service's routes; `principal()` reads who is calling.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import jwt
from chalice import AuthResponse, Chalice
from chalice.app import AuthRequest, Request

from keneya.config import settings
from keneya.http import Forbidden, Unauthorized

Role = Literal["patient", "doctor", "admin"]
ALGORITHMS = ["ES256", "RS256"]
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "role"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a key we trust."""


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role
    token_id: str


class TokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, audience: str, leeway_seconds: int = 30):
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Principal:
        """The caller the token names; `InvalidToken` for any token that cannot be verified,
        whatever the reason: nothing else ever escapes, so a bad token is a 401, never a 500."""
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            # Only the algorithm the published key is for: a token naming another key family
            # (RS256 with the kid of an ES256 key) never reaches a verifier of the wrong kind.
            algorithm = getattr(key, "algorithm_name", None)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm] if algorithm in ALGORITHMS else ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except Exception as error:  # whatever the verifier raised, the token is not trusted
            raise InvalidToken(type(error).__name__) from None
        user_id, role, token_id = claims["sub"], claims["role"], claims["jti"]
        if not all(isinstance(value, str) for value in (user_id, role, token_id)):
            raise InvalidToken("claims of the wrong type")
        if role not in ("patient", "doctor", "admin"):
            raise InvalidToken("unknown role")
        return Principal(user_id=user_id, role=role, token_id=token_id)  # type: ignore[arg-type]


@cache
def verifier() -> TokenVerifier:
    config = settings()
    return TokenVerifier(
        jwks_url=config.require("JWKS_URL"),
        issuer=config.require("JWT_ISSUER"),
        audience=config.require("JWT_AUDIENCE"),
    )


def bearer_token(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("not a bearer token")
    return token.strip()


class UnauthorizedToken(Exception):
    """API Gateway answers 401 when a Lambda authorizer fails with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def jwt_authorizer(app: Chalice) -> Any:
    """Register and return the authorizer that admits requests carrying a valid access token.

    The token's subject and role reach the view as the authorizer context (see `principal`).
    """

    @app.authorizer(ttl_seconds=0)
    def access_token(auth_request: AuthRequest) -> AuthResponse:
        try:
            who = verifier().verify(bearer_token(auth_request.token))
        except InvalidToken:
            raise UnauthorizedToken() from None
        return AuthResponse(
            routes=["*"],
            principal_id=who.user_id,
            context={"role": who.role, "jti": who.token_id},
        )

    return access_token


def principal(request: Request) -> Principal:
    """The caller admitted by the authorizer; 401 if the route was reached without one."""
    context = (request.context or {}).get("authorizer") or {}
    user_id, role = context.get("principalId"), context.get("role")
    if not user_id or role not in ("patient", "doctor", "admin"):
        raise Unauthorized("A valid access token is required.")
    return Principal(user_id=user_id, role=role, token_id=context.get("jti", ""))


def require_role(
    who: Principal, *roles: Role, detail: str | None = None, language: str | None = None
) -> Principal:
    """`who`, when their role is one of `roles`; a 403 otherwise, in the service's own words
    (`detail`, written in `language`) when it has some. The one role check of every route."""
    if who.role not in roles:
        headers = {"Content-Language": language} if language else None
        raise Forbidden(
            detail or f"This action is for {' or '.join(roles)} accounts.", headers=headers
        )
    return who
