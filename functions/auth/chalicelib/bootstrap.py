"""Wires the auth service's parts once per process (a Lambda sandbox), from its environment."""

from __future__ import annotations

from functools import cache

from chalicelib.accounts import Accounts
from chalicelib.challenges import Challenges
from chalicelib.clock import SystemClock
from chalicelib.flows import Auth
from chalicelib.models import models
from chalicelib.passwords import PasswordHasher
from chalicelib.policy import AuthPolicy
from chalicelib.rate_limits import RateLimits
from chalicelib.sessions import Sessions
from chalicelib.signing_keys import SecretsManagerKeyStore, SigningKeys
from keneya.config import settings
from keneya.stores import redis_client


@cache
def auth() -> Auth:
    policy = AuthPolicy.from_settings(settings())
    clock = SystemClock()
    bound = models()
    return Auth(
        policy=policy,
        clock=clock,
        hasher=PasswordHasher(),
        accounts=Accounts(bound),
        sessions=Sessions(bound, clock, policy.refresh_token_lifetime),
        challenges=Challenges(bound),
        keys=SigningKeys(SecretsManagerKeyStore(policy.signing_key_secret), clock, policy.keys),
        limits=RateLimits(redis_client(), clock),
    )
