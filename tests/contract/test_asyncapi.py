"""The WebSocket APIs and the events are described in one AsyncAPI 3.0 document, generated from
the code (the signaling protocol, the notification socket's frames, the event catalogue), served
at /api/v1/asyncapi.json, and valid against AsyncAPI's own schema (npm `@asyncapi/specs`).

That every frame the services actually send is described is checked over the whole test session
(`FrameAudit` in tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import requests

from keneya.events.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = ROOT / "node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"


def the_document(platform) -> dict:
    answer = requests.get(f"{platform.http_url}/api/v1/asyncapi.json", timeout=30)
    assert answer.status_code == 200
    return answer.json()


def test_the_document_is_valid_asyncapi_3(platform):
    assert ASYNCAPI_SCHEMA.is_file(), "npm packages missing: run `make up` or `npm ci`"
    schema = json.loads(ASYNCAPI_SCHEMA.read_text())

    jsonschema.Draft7Validator(schema).validate(the_document(platform))


def test_both_sockets_and_every_event_are_described(platform):
    document = the_document(platform)
    messages = document["components"]["messages"]

    assert {"notifications", "signaling", "events"} <= set(document["channels"])
    for action in ("join", "offer", "answer", "ice_candidate", "leave", "ping"):
        assert f"signaling.send.{action}" in messages
    for action in ("ping", "unread_count", "sync", "read"):
        assert f"notifications.send.{action}" in messages
    for event_type, versions in CATALOGUE.items():
        for version in versions:
            assert f"event.{event_type}.v{version}" in messages
    query = document["channels"]["signaling"]["bindings"]["ws"]["query"]
    assert query["required"] == ["token", "consultation_id"]


def test_a_frame_schema_refuses_what_the_service_would_refuse(platform):
    messages = the_document(platform)["components"]["messages"]
    offer = messages["signaling.send.offer"]["payload"]["schema"]

    jsonschema.validate({"action": "offer", "sdp": "v=0\r\n"}, offer)
    for wrong in ({"action": "offer"}, {"action": "offer", "sdp": "x", "extra": 1}):
        try:
            jsonschema.validate(wrong, offer)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"{wrong} should not be a valid offer")
