"""The events the payments service consumes: a consultation booked (what to charge, and until
when), cancelled (a refund may be due) and expired."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from keneya.events import Event

if TYPE_CHECKING:
    from chalicelib.service import PaymentService


def _service() -> PaymentService:
    # Wired at the first event, not when app.py is imported (its /health stays cheap).
    from chalicelib.bootstrap import service

    return service()


def _on_booked(event: Event) -> None:
    _service().on_booked(event)


def _on_cancelled(event: Event) -> None:
    _service().on_cancelled(event)


def _on_expired(event: Event) -> None:
    _service().on_expired(event)


HANDLERS: dict[str, Callable[[Event], None]] = {
    "consultation.booked": _on_booked,
    "consultation.cancelled": _on_cancelled,
    "consultation.expired": _on_expired,
}
