"""What the signaling service does with the consultation's events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.service import Signaling
from keneya.events import Event

CLOSING = {
    "consultation.completed": "completed",
    "consultation.cancelled": "cancelled",
    "consultation.no_show": "no_show",
}


def handlers(signaling: Signaling) -> dict[str, Callable[[Event], Any]]:
    def open_room(event: Event) -> None:
        data = event.data
        signaling.open_room(
            data["consultation_id"],
            data["doctor_id"],
            data["patient_id"],
            _time(data["started_at"]),
        )

    def close_room(event: Event) -> None:
        data = event.data
        signaling.close_room(
            data["consultation_id"],
            data["doctor_id"],
            data["patient_id"],
            CLOSING[event.type],  # type: ignore[arg-type]
            _time(event.occurred_at),
        )

    return {"consultation.started": open_room, **dict.fromkeys(CLOSING, close_room)}


def _time(value: Any) -> Any:
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
