"""The events the records service consumes: every consultation event (the care relationship, and
the encounter on completion) and `user.registered` (the patient's name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.api_common import records


def _on_consultation(event: Any) -> None:
    records().on_consultation(event.type, event.data)


def _on_user_registered(event: Any) -> None:
    records().on_user_registered(event.data)


CONSULTATION_EVENTS = (
    "booked",
    "confirmed",
    "started",
    "completed",
    "cancelled",
    "expired",
    "no_show",
)

HANDLERS: dict[str, Callable[[Any], None]] = {
    **{f"consultation.{kind}": _on_consultation for kind in CONSULTATION_EVENTS},
    "user.registered": _on_user_registered,
}
