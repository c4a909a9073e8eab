"""What the service decides to tell someone (a `Notice`) and the words it says (`Message`).

A notice's id is derived from the event that caused it and the person it is for, so the same
event handled twice yields the same notice, and every store keyed on it stays idempotent. The
id is a ULID (sortable by the event's time), so the inbox lists newest first by its key alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ulid import ULID

from chalicelib.preferences import Category, Channel, Language


def notice_id(event_id: str, recipient: str, kind: str, occurred_at: datetime) -> str:
    """A ULID whose time is the event's and whose randomness is a digest of what it is about."""
    milliseconds = int(occurred_at.timestamp() * 1000)
    digest = hashlib.sha256(f"{event_id}|{recipient}|{kind}".encode()).digest()
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + digest[:10]))


@dataclass(frozen=True)
class Notice:
    """One notification for one person, before it is worded in their language.

    `mentions` name other people by role ("doctor": user id) so their names can be looked up
    (`known_names`: names the event itself gave, which win);
    `values` are the facts the texts need (times, amounts); `link` is what a client opens.
    `phone`/`language` override the person's own (a code goes to the phone it was asked for).
    """

    id: str
    kind: str
    category: Category
    user_id: str | None
    channels: tuple[Channel, ...]
    values: Mapping[str, Any] = field(default_factory=dict)
    mentions: Mapping[str, str] = field(default_factory=dict)
    known_names: Mapping[str, str] = field(default_factory=dict)
    link: Mapping[str, str] = field(default_factory=dict)
    phone: str | None = None
    email: str | None = None
    language: Language | None = None
    in_inbox: bool = True
    # One-time codes: the words must never be stored or logged, only sent.
    secret: bool = False

    @property
    def recipient(self) -> str:
        return self.user_id or self.phone or self.email or "nobody"


@dataclass(frozen=True)
class Message:
    """A notice in words: a title (push, inbox, e-mail subject), a body, and the SMS text."""

    title: str
    body: str
    sms: str
    email_body: str
