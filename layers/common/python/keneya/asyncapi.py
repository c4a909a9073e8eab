"""The AsyncAPI 3.0 description of what is not REST: the two WebSocket APIs and the events.

A service with a WebSocket API declares it once, beside its protocol (`describe_socket(app,
SocketApi(...))`): the handshake's query parameters and refusals, and a JSON schema for every
frame each side may send. The events come from the event catalogue. `service_part(app)` is one
service's share of the document and `document(parts)` the whole of it, served at
`/api/v1/asyncapi.json` beside `/api/v1/openapi.json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_SOCKET_ATTRIBUTE = "_keneya_socket_api"
SCHEMA_FORMAT = "application/schema+json;version=draft-07"
_DIRECTIONS = {"send": "client to server", "receive": "server to client"}


@dataclass(frozen=True)
class SocketApi:
    """One WebSocket API: who may connect, and every frame each side may send."""

    title: str
    description: str
    query: Mapping[str, tuple[str, bool]]  # parameter -> (meaning, required)
    refusals: Mapping[int, str]  # handshake status -> when
    client_frames: Mapping[str, dict[str, Any]]  # `action` -> schema of the frame
    server_frames: Mapping[str, dict[str, Any]]  # `type` -> schema of the frame
    discriminators: tuple[str, str] = ("action", "type")
    notes: tuple[str, ...] = field(default_factory=tuple)


def frame(
    key: str, value: str, properties: Mapping[str, Any] | None = None, *optional: str
) -> dict[str, Any]:
    """The JSON schema of one frame `{key: value, **properties}`; every property is required
    except those named in `optional`."""
    fields = dict(properties or {})
    return {
        "type": "object",
        "properties": {key: {"const": value}, **fields},
        "required": [key, *(name for name in fields if name not in optional)],
        "additionalProperties": False,
    }


def describe_socket(app: Any, api: SocketApi) -> None:
    setattr(app, _SOCKET_ATTRIBUTE, api)


def socket_api(app: Any) -> SocketApi | None:
    return getattr(app, _SOCKET_ATTRIBUTE, None)


def service_part(app: Any, service: str) -> dict[str, Any] | None:
    """The channel, operations and messages of `service`'s WebSocket API; None without one."""
    api = socket_api(app)
    if api is None:
        return None
    send_key, receive_key = api.discriminators
    messages: dict[str, Any] = {}
    channel_messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for direction, frames, key in (
        ("send", api.client_frames, send_key),
        ("receive", api.server_frames, receive_key),
    ):
        names = []
        for name, schema in frames.items():
            message_id = f"{service}.{direction}.{name}"
            messages[message_id] = {
                "name": name,
                "title": f"{name} ({_DIRECTIONS[direction]})",
                "contentType": "application/json",
                "payload": {"schemaFormat": SCHEMA_FORMAT, "schema": schema},
            }
            channel_messages[message_id] = {"$ref": f"#/components/messages/{message_id}"}
            names.append(message_id)
        operations[f"{service}.{direction}"] = {
            "action": direction,
            "channel": {"$ref": f"#/channels/{service}"},
            "summary": (
                f"Frames a client sends, told apart by `{key}`"
                if direction == "send"
                else f"Frames the server sends, told apart by `{key}`"
            ),
            "messages": [{"$ref": f"#/channels/{service}/messages/{m}"} for m in names],
        }
    refusals = "; ".join(f"{status}: {when}" for status, when in sorted(api.refusals.items()))
    channel = {
        "address": f"/{service}",
        "title": api.title,
        "description": f"{api.description}\n\nHandshake refusals: {refusals}."
        + "".join(f"\n\n{note}" for note in api.notes),
        "messages": channel_messages,
        "bindings": {
            "ws": {
                "method": "GET",
                "query": {
                    "type": "object",
                    "properties": {
                        name: {"type": "string", "description": meaning}
                        for name, (meaning, _required) in api.query.items()
                    },
                    "required": [name for name, (_m, required) in api.query.items() if required],
                },
            }
        },
    }
    return {
        "channels": {service: channel},
        "operations": operations,
        "components": {"messages": messages},
    }


def events_part() -> dict[str, Any]:
    """The events every service publishes on the one topic, from the event catalogue."""
    from pydantic import TypeAdapter

    from keneya.events.catalogue import CATALOGUE

    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event_type, versions in sorted(CATALOGUE.items()):
        for version, model in sorted(versions.items()):
            message_id = f"event.{event_type}.v{version}"
            data = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(data.pop("$defs", {}))
            messages[message_id] = {
                "name": event_type,
                "title": f"{event_type} v{version}",
                "summary": (model.__doc__ or "").strip().split("\n")[0] or event_type,
                "contentType": "application/json",
                "headers": {
                    "type": "object",
                    "description": "SNS message attributes (subscriptions filter on `type`)",
                    "properties": {
                        "type": {"const": event_type},
                        "source": {"type": "string"},
                    },
                },
                "payload": {
                    "schemaFormat": SCHEMA_FORMAT,
                    "schema": _envelope(event_type, version, data),
                },
            }
    return {
        "channels": {
            "events": {
                "address": "keneya-{stage}-events",
                "title": "Events",
                "description": "The one SNS topic every service publishes its events on, from "
                "its transactional outbox; each consuming service reads its own filtered SQS "
                "queue (at least once: consumers are idempotent by event id).",
                "parameters": {"stage": {"description": "local, staging or prod"}},
                "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
            }
        },
        "operations": {
            "events.publish": {
                "action": "send",
                "channel": {"$ref": "#/channels/events"},
                "summary": "Services publish their events",
                "messages": [{"$ref": f"#/channels/events/messages/{m}"} for m in messages],
            }
        },
        "components": {"messages": messages, "schemas": schemas},
    }


def _envelope(event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "ULID; consumers apply an event once"},
            "type": {"const": event_type},
            "version": {"const": version},
            "occurred_at": {"type": "string", "format": "date-time"},
            "source": {"type": "string"},
            "correlation_id": {"type": "string"},
            "data": data,
        },
        "required": ["id", "type", "version", "occurred_at", "source", "data"],
    }


def document(parts: Iterable[Mapping[str, Any]], servers: Mapping[str, Any]) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the services' parts (and the events)."""
    merged: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Keneya real-time APIs and events",
            "version": "1",
            "description": "The notifications and signaling WebSocket APIs (connect with "
            "`?token=<access token>`; every frame is a JSON object) and the events the services "
            "publish. The REST API is described in /api/v1/openapi.json.",
        },
        "servers": dict(servers),
        "channels": {},
        "operations": {},
        "components": {"messages": {}, "schemas": {}},
    }
    for part in parts:
        merged["channels"].update(part.get("channels") or {})
        merged["operations"].update(part.get("operations") or {})
        components = part.get("components") or {}
        merged["components"]["messages"].update(components.get("messages") or {})
        merged["components"]["schemas"].update(components.get("schemas") or {})
    return merged
