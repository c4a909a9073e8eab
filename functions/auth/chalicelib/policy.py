"""The auth service's settings: token lifetimes, OTP rules and login limits.

Names and endpoints come from the environment (the `AuthService` parameters of the template).
The limits have their production values here; only the first lockout's length comes from the
environment too (LOGIN_LOCKOUT_SECONDS, the template's `LoginLockoutSeconds`), so a test stack
can watch a lockout end without waiting a minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from chalicelib.otp import OtpPolicy
from chalicelib.rate_limits import LockoutPolicy
from chalicelib.signing_keys import KeyPolicy
from keneya.config import Settings

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
# What a verifier may still accept after `exp` (the layer's leeway is 30 s) plus clock skew.
TOKEN_GRACE = timedelta(minutes=5)


def account_lockout(base_seconds: int = 60) -> LockoutPolicy:
    # 5 wrong passwords in 15 minutes lock the account for 1 minute, then 2, 4 ... up to 1 hour.
    return LockoutPolicy(
        "login-account",
        max_failures=5,
        window_seconds=900,
        base_lock_seconds=base_seconds,
        max_lock_seconds=3600,
    )


def address_lockout(base_seconds: int = 300) -> LockoutPolicy:
    # Generous: Malian mobile carriers put many subscribers behind one address (carrier NAT).
    return LockoutPolicy(
        "login-address",
        max_failures=50,
        window_seconds=900,
        base_lock_seconds=base_seconds,
        max_lock_seconds=3600,
    )


def key_policy() -> KeyPolicy:
    # A replaced key stays published as long as a token it signed can still be accepted.
    return KeyPolicy(retire_after=ACCESS_TOKEN_LIFETIME + TOKEN_GRACE)


@dataclass(frozen=True)
class AuthPolicy:
    issuer: str
    audience: str
    signing_key_secret: str
    access_token_lifetime: timedelta = ACCESS_TOKEN_LIFETIME
    refresh_token_lifetime: timedelta = REFRESH_TOKEN_LIFETIME
    otp: OtpPolicy = field(default_factory=OtpPolicy)
    account_lockout: LockoutPolicy = field(default_factory=account_lockout)
    address_lockout: LockoutPolicy = field(default_factory=address_lockout)
    keys: KeyPolicy = field(default_factory=key_policy)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthPolicy:
        otp = OtpPolicy(
            lifetime=timedelta(seconds=settings.get_int("OTP_LIFETIME_SECONDS", 300)),
            resend_cooldown=timedelta(seconds=settings.get_int("OTP_RESEND_COOLDOWN_SECONDS", 60)),
        )
        return cls(
            issuer=settings.require("JWT_ISSUER"),
            audience=settings.require("JWT_AUDIENCE"),
            signing_key_secret=settings.require("JWT_SIGNING_KEY_SECRET_ARN"),
            otp=otp,
            account_lockout=account_lockout(settings.get_int("LOGIN_LOCKOUT_SECONDS", 60)),
        )
