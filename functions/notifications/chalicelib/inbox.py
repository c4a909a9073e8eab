"""The inbox: every notification meant for a person, newest first, read or unread.

Pages are cut with an opaque cursor that carries the last key a page ended on; a cursor only
ever continues the listing it came from (same person, same unread filter).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ulid import ULID

from chalicelib.notices import Message, Notice


@dataclass(frozen=True)
class InboxItem:
    id: str
    user_id: str
    kind: str
    category: str
    title: str
    body: str
    created_at: datetime
    link: Mapping[str, str] = field(default_factory=dict)
    read_at: datetime | None = None

    @classmethod
    def of(cls, notice: Notice, message: Message) -> InboxItem:
        if notice.user_id is None:
            raise ValueError("an inbox item needs a person")
        return cls(
            id=notice.id,
            user_id=notice.user_id,
            kind=notice.kind,
            category=notice.category,
            title=message.title,
            body=message.body,
            created_at=ULID.from_str(notice.id).datetime,
            link=dict(notice.link),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.kind,
            "category": self.category,
            "title": self.title,
            "body": self.body,
            "link": dict(self.link),
            "created_at": _iso(self.created_at),
            "read": self.read_at is not None,
            "read_at": _iso(self.read_at) if self.read_at else None,
        }


@dataclass(frozen=True)
class Page:
    items: list[InboxItem]
    next_cursor: str | None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Notification ids are ULIDs; anything else is refused before it reaches a key.
_ID_CHARACTERS = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def is_notification_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 26 and set(value) <= _ID_CHARACTERS


class InvalidCursor(ValueError):
    """A cursor that is not one this service gave for this listing."""


def encode_cursor(last_key: Mapping[str, Any]) -> str:
    raw = json.dumps(dict(last_key), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, expected: Mapping[str, str]) -> dict[str, Any]:
    """The key in `cursor`; `expected` are the key values it must carry (the person, the
    listing), so a cursor of another person's or another listing is refused."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("not a cursor of this listing") from None
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise InvalidCursor("not a cursor of this listing")
    if any(key.get(name) != value for name, value in expected.items()):
        raise InvalidCursor("not a cursor of this listing")
    return key
