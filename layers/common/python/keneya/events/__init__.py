"""Events: the envelope every event travels in and the catalogue of their payloads."""

from keneya.events.envelope import Event, InvalidEvent, new_event, parse_event

__all__ = ["Event", "InvalidEvent", "new_event", "parse_event"]
