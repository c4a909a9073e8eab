"""Sessions: refresh tokens grouped in families, rotated on every use.

Logging in starts a family and hands out its first refresh token: 32 random bytes, opaque,
stored only as their SHA-256 (a high-entropy secret needs no slow hash). Each refresh marks the
presented token used and issues the next one of the same family, at once and only while the
token is unused and the family alive. A token that comes back after it was used means two
parties hold the family's tokens (a thief and the owner): the whole family is revoked, and both
must log in again. Ending a session revokes its family; ending every session revokes every
family of the user.

The rules are applied by `chalicelib.service`; `chalicelib.store` keeps families and tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    family_id: str
    user_id: str
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True)
class StoredToken:
    """A refresh token as kept: its digest, its family, and whether it was used already."""

    digest: str
    family_id: str
    user_id: str
    expires_at: datetime
    used: bool

    def usable(self, now: datetime) -> bool:
        return self.expires_at > now


class Rotation(Enum):
    """How storing the next token of a family went."""

    ROTATED = "rotated"
    # The presented token was used by someone else between our read and our write.
    ALREADY_USED = "already_used"
    REFUSED = "refused"
