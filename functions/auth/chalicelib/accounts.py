"""Accounts: who may sign in, with which phone or e-mail, as which role.

A phone number or e-mail address belongs to at most one account: the store (`chalicelib.store`)
writes the account, one login claim per identifier and the `user.registered` event at once, each
claim only if nobody holds it yet. Two people registering the same number at the same moment get
one account and one 409, never two accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chalicelib.otp import Challenge
from keneya.events import Event

LoginKind = Literal["phone", "email"]
Role = Literal["patient", "doctor", "admin"]
ACTIVE = "active"


@dataclass(frozen=True)
class Account:
    user_id: str
    role: Role
    full_name: str
    phone: str | None
    email: str | None
    language: str
    password_hash: str
    phone_verified: bool
    status: str
    created_at: datetime
    password_changed_at: datetime

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class AccountChange:
    """What one request changes in an account, stored with the code it uses up and the events it
    emits: all of it or nothing. A new password is stored only if the password did not change
    since `account` was read, a verified phone only if the account still has that phone."""

    account: Account
    events: tuple[Event, ...] = ()
    consumes: Challenge | None = None
    password_hash: str | None = None
    changed_at: datetime | None = None
    verify_phone: bool = False
