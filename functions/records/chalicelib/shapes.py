"""How stored documents are shown in API answers: ids as `id`, times as UTC ISO-8601, storage
details (S3 keys, expiry markers) left out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

HIDDEN = {"key", "discard_at"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, dict):
        return shown(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def shown(document: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in document.items():
        if name in HIDDEN:
            continue
        out["id" if name == "_id" else name] = _plain(value)
    return out


def shown_all(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [shown(d) for d in documents]
