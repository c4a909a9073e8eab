"""The event envelope and the catalogue, without I/O."""

import json

import pytest

from keneya.correlation import bind_correlation_id
from keneya.events import InvalidEvent, new_event, parse_event
from keneya.events.catalogue import CATALOGUE

REGISTERED = {
    "user_id": "u1",
    "role": "patient",
    "full_name": "Awa Traoré",
    "phone": "+22370000000",
    "language": "fr",
}


def test_a_new_event_carries_the_whole_envelope():
    event = new_event("user.registered", REGISTERED, source="auth", correlation_id="req-1")

    document = json.loads(event.to_json())

    assert set(document) == {
        "id",
        "type",
        "version",
        "occurred_at",
        "source",
        "correlation_id",
        "data",
    }
    assert document["type"] == "user.registered"
    assert document["version"] == 1
    assert document["occurred_at"].endswith("Z")
    assert document["correlation_id"] == "req-1"
    assert document["data"]["full_name"] == "Awa Traoré"


def test_a_new_event_inherits_the_current_correlation_id():
    bind_correlation_id("corr-42")

    event = new_event("user.phone_verified", {"user_id": "u1", "phone": "+22370000000"})

    assert event.correlation_id == "corr-42"


def test_an_event_whose_payload_breaks_the_catalogue_cannot_be_created():
    with pytest.raises(InvalidEvent) as raised:
        new_event("user.registered", {**REGISTERED, "role": "nurse"})

    assert "role" in raised.value.reason


def test_an_unknown_event_type_cannot_be_created():
    with pytest.raises(InvalidEvent, match="unknown event type"):
        new_event("user.teleported", {})


def test_a_published_event_parses_back_to_the_same_event():
    event = new_event("user.registered", REGISTERED)

    assert parse_event(event.to_json()) == event


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"id": "x"}', "envelope invalid"),
    ],
)
def test_a_malformed_message_is_rejected_with_its_reason(body, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(body)


def test_a_message_whose_payload_breaks_the_catalogue_is_rejected_naming_the_field():
    document = json.loads(new_event("user.registered", REGISTERED).to_json())
    document["data"]["phone"] = "70 00 00 00"

    with pytest.raises(InvalidEvent, match="phone"):
        parse_event(json.dumps(document))


def test_money_in_events_is_an_integer_amount_of_xof():
    schema = CATALOGUE["consultation.booked"][1].model_json_schema()

    assert schema["properties"]["fee_xof"]["type"] == "integer"


def test_every_catalogued_type_is_named_service_dot_past_tense_fact():
    for event_type, versions in CATALOGUE.items():
        assert event_type.count(".") == 1, event_type
        assert versions and all(v >= 1 for v in versions), event_type
