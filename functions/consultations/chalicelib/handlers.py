"""The events the consultations service consumes, and the use case each one runs: the doctors'
copies from the users service; payments confirming, failing, refunding; who joined and left the
video call, from the signaling service."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.bootstrap import service
from keneya.events import Event

# Each looks the service up when an event arrives: importing the handlers wires nothing.
HANDLERS: dict[str, Callable[[Event], None]] = {
    "doctor.verified": lambda event: service().on_doctor_event(event),
    "doctor.suspended": lambda event: service().on_doctor_event(event),
    "doctor.availability_changed": lambda event: service().on_doctor_event(event),
    "profile.updated": lambda event: service().on_doctor_event(event),
    "payment.succeeded": lambda event: service().on_payment_succeeded(event),
    "payment.failed": lambda event: service().on_payment_failed(event),
    "payment.refunded": lambda event: service().on_payment_refunded(event),
    "call.joined": lambda event: service().on_call_joined(event),
    "call.left": lambda event: service().on_call_left(event),
}
