"""Access tokens: short-lived JWTs (ES256, `kid` in the header) every service verifies alone.

Claims: `iss`, `aud`, `sub` (user id), `role`, `iat`, `nbf`, `exp` (15 minutes), `jti`, and
`sid`, the session (refresh-token family) the token was issued for, so "end every other
session" knows which one to keep. Other services verify them with the layer's `keneya.tokens`
against the JWKS; the auth service verifies its own with the same rules, against its key ring
directly (fetching its own JWKS over HTTP from inside a request would be a call to itself).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.signing_keys import ALGORITHM, SigningKey, SigningKeys
from keneya.tokens import REQUIRED_CLAIMS

ROLES = ("patient", "doctor", "admin")
LEEWAY = timedelta(seconds=30)


class TokenRejected(Exception):
    """Not a token this service issued, or no longer valid; the message says why (for logs)."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    role: str
    token_id: str
    session_id: str | None
    expires_at: datetime


def issue_access_token(
    key: SigningKey,
    *,
    issuer: str,
    audience: str,
    user_id: str,
    role: str,
    session_id: str,
    now: datetime,
    lifetime: timedelta,
) -> str:
    import jwt

    issued = int(now.timestamp())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": user_id,
        "role": role,
        "sid": session_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(lifetime.total_seconds()),
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def read_access_token(
    token: str, keys: SigningKeys, *, issuer: str, audience: str, now: datetime
) -> AccessClaims:
    """The claims of `token` if one of our published keys signed it with ES256 and it is valid
    now for `issuer`/`audience`; `TokenRejected` otherwise (`alg: none`, HMAC, unknown `kid`,
    expired, wrong audience or issuer, missing claims, unknown role)."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except Exception as error:  # any unreadable token is a refusal, never a crash
        raise TokenRejected(f"malformed: {type(error).__name__}") from None
    if header.get("alg") != ALGORITHM:
        # Checked before any key is chosen: `none` and HMAC-with-the-public-key never get near one.
        raise TokenRejected(f"algorithm {header.get('alg')!r} not accepted")
    kid = header.get("kid")
    key = keys.key_for(kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenRejected("unknown kid")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY,
            # The times are checked below against our clock (which tests move), not PyJWT's.
            options={
                "require": REQUIRED_CLAIMS,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except Exception as error:  # whatever the verifier raised, the token is not trusted
        raise TokenRejected(type(error).__name__) from None
    if not all(isinstance(claims[name], str) for name in ("sub", "role", "jti")):
        raise TokenRejected("claims of the wrong type")
    leeway, moment = LEEWAY.total_seconds(), now.timestamp()
    if not isinstance(claims["exp"], int | float) or claims["exp"] + leeway <= moment:
        raise TokenRejected("expired")
    if isinstance(claims.get("nbf"), int | float) and claims["nbf"] - leeway > moment:
        raise TokenRejected("not yet valid")
    if claims["role"] not in ROLES:
        raise TokenRejected("unknown role")
    return AccessClaims(
        user_id=claims["sub"],
        role=claims["role"],
        token_id=claims["jti"],
        session_id=claims.get("sid"),
        expires_at=datetime.fromtimestamp(claims["exp"], tz=now.tzinfo),
    )
