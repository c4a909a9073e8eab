"""Wires the auth service's parts once per process (a Lambda sandbox), from its environment
(the template's `AuthService` parameters):

    TABLE_NAME                  the service's table (accounts, codes, sessions, outbox)
    REDIS_URL                   the rate limits and lockouts
    JWT_ISSUER, JWT_AUDIENCE    what access tokens say and verifiers expect
    JWT_SIGNING_KEY_SECRET_ARN  the secret holding the signing-key ring
    OTP_LIFETIME_SECONDS, OTP_RESEND_COOLDOWN_SECONDS, LOGIN_LOCKOUT_SECONDS
                                optional: shorter limits for a test stack (`chalicelib.policy`)
"""

from __future__ import annotations

from functools import cache

from chalicelib.key_store import SecretsManagerKeyStore
from chalicelib.limits_store import RateLimits
from chalicelib.passwords import PasswordHasher
from chalicelib.policy import AuthPolicy, key_policy
from chalicelib.service import Auth
from chalicelib.signing_keys import KeyPolicy, SigningKeys
from chalicelib.store import AccountStore, ChallengeStore, SessionStore
from chalicelib.tables import models
from keneya.clock import utc_now
from keneya.config import settings
from keneya.stores import redis_client


@cache
def service() -> Auth:
    policy = AuthPolicy.from_settings(settings())
    bound = models()
    return Auth(
        policy=policy,
        hasher=PasswordHasher(),
        accounts=AccountStore(bound),
        sessions=SessionStore(bound),
        challenges=ChallengeStore(bound),
        keys=signing_keys(policy.signing_key_secret, policy.keys),
        limits=RateLimits(redis_client(), utc_now),
        clock=utc_now,
    )


def account_store() -> AccountStore:
    """The accounts alone (the operators' `create` needs nothing else)."""
    return AccountStore(models())


def signing_keys(secret_id: str, policy: KeyPolicy | None = None) -> SigningKeys:
    return SigningKeys(SecretsManagerKeyStore(secret_id), utc_now, policy or key_policy())
