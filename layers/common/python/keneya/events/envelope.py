"""The envelope every Keneya event travels in, from the outbox through SNS and SQS."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer

from keneya.config import settings
from keneya.correlation import current_correlation_id, new_id
from keneya.events.catalogue import CATALOGUE, Payload, latest_version


class InvalidEvent(ValueError):
    """An event that does not match the envelope or its catalogue entry; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    type: str = Field(min_length=3, max_length=64)
    version: int = Field(ge=1)
    occurred_at: datetime
    source: str = Field(min_length=1, max_length=64)
    correlation_id: str = Field(min_length=1, max_length=128)
    data: dict[str, Any]

    @field_serializer("occurred_at")
    def _utc_iso(self, value: datetime) -> str:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def to_json(self) -> str:
        return self.model_dump_json()


def _validated_payload(event_type: str, version: int, data: Any) -> dict[str, Any]:
    versions = CATALOGUE.get(event_type)
    if versions is None:
        raise InvalidEvent(f"unknown event type {event_type!r}")
    schema = versions.get(version)
    if schema is None:
        raise InvalidEvent(f"unknown version {version} of {event_type}")
    if isinstance(data, Payload):
        data = data.model_dump(mode="json")
    try:
        return schema.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) or "data" for e in error.errors())
        raise InvalidEvent(f"{event_type} v{version} payload invalid at: {fields}") from None


def new_event(
    event_type: str,
    data: Payload | dict[str, Any],
    *,
    version: int | None = None,
    source: str | None = None,
    correlation_id: str | None = None,
) -> Event:
    """A new event whose payload has been checked against the catalogue.

    The correlation id defaults to the one of the request or event being handled, so a chain
    of events can be followed back to the action that started it.
    """
    version = version or (latest_version(event_type) if event_type in CATALOGUE else 1)
    payload = _validated_payload(event_type, version, data)
    return Event(
        id=new_id(),
        type=event_type,
        version=version,
        occurred_at=datetime.now(UTC),
        source=source or settings().service_name,
        correlation_id=correlation_id or current_correlation_id() or new_id(),
        data=payload,
    )


def parse_event(raw: str | bytes | dict[str, Any]) -> Event:
    """The event in `raw` (a message body), checked against the envelope and the catalogue."""
    try:
        document = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        raise InvalidEvent("body is not JSON") from None
    if not isinstance(document, dict):
        raise InvalidEvent("body is not a JSON object")
    try:
        event = Event.model_validate(document)
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise InvalidEvent(f"envelope invalid at: {fields}") from None
    _validated_payload(event.type, event.version, event.data)
    return event
