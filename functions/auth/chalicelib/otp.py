"""One-time codes sent by SMS: to verify a phone number or to reset a password.

A challenge exists per phone and purpose. Its 6-digit code is kept only as a salted HMAC, lives
5 minutes, and admits 5 attempts; asking for a new code replaces the challenge (after a resend
cooldown, enforced with the hourly send limits in `chalicelib.rate_limits`).

A 6-digit code has a million values and its hash is salted but cheap: what protects it is the
attempt limit and the short lifetime, not the hash. Hashing still keeps a copy of the table (a
backup, an export) from handing out live codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Literal

Purpose = Literal["verify_phone", "reset_password"]
PURPOSES: tuple[Purpose, ...] = ("verify_phone", "reset_password")
CODE_DIGITS = 6


@dataclass(frozen=True)
class OtpPolicy:
    lifetime: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    resend_cooldown: timedelta = timedelta(seconds=60)
    sends_per_phone_per_hour: int = 5
    sends_per_address_per_hour: int = 30
    # Wrong codes per phone per hour, across every code sent to it.
    failures_per_phone_per_hour: int = 10


class Verdict(Enum):
    """Why a code may not even be tried."""

    EXPIRED = "expired"
    EXHAUSTED = "exhausted"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(code: str, salt: str) -> str:
    return hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Challenge:
    challenge_id: str
    phone: str
    purpose: Purpose
    user_id: str
    code_hash: str
    salt: str
    attempts: int
    sent_at: datetime
    expires_at: datetime

    @classmethod
    def issue(
        cls, *, phone: str, purpose: Purpose, user_id: str, now: datetime, policy: OtpPolicy
    ) -> tuple[Challenge, str]:
        """A new challenge and its code (the code goes to the SMS, never to storage)."""
        code, salt = new_code(), secrets.token_hex(16)
        challenge = cls(
            challenge_id=secrets.token_hex(16),
            phone=phone,
            purpose=purpose,
            user_id=user_id,
            code_hash=code_digest(code, salt),
            salt=salt,
            attempts=0,
            sent_at=now,
            expires_at=now + policy.lifetime,
        )
        return challenge, code

    def refusal(self, now: datetime, policy: OtpPolicy) -> Verdict | None:
        """Why no attempt is admitted now, or None when one is."""
        if now >= self.expires_at:
            return Verdict.EXPIRED
        if self.attempts >= policy.max_attempts:
            return Verdict.EXHAUSTED
        return None

    def attempted(self) -> Challenge:
        return replace(self, attempts=self.attempts + 1)

    def attempts_left(self, policy: OtpPolicy) -> int:
        return max(0, policy.max_attempts - self.attempts)

    def matches(self, code: str) -> bool:
        candidate = code_digest(code.strip(), self.salt)
        return hmac.compare_digest(candidate, self.code_hash)
