"""What the users service does with each event type it consumes (its queue's filter policy in
infra/template.yaml lets exactly these through). Each event is applied once (keneya.consumer);
a handler that raises has its event retried, then dead-lettered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.bootstrap import service
from chalicelib.care import STATUS_OF_EVENT
from keneya.events import Event


def _open_profile(event: Event) -> None:
    service().open_profile(event.data)


def _phone_verified(event: Event) -> None:
    service().phone_verified(event.data)


def _consultation(event: Event) -> None:
    service().consultation_news(event.type, event.data)


HANDLERS: dict[str, Callable[[Event], Any]] = {
    "user.registered": _open_profile,
    "user.phone_verified": _phone_verified,
    # consultation.expired is handled once the queue's filter policy lets it through.
    **{event_type: _consultation for event_type in STATUS_OF_EVENT},
}
