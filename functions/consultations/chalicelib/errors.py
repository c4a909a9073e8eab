"""The few ways a consultations request can fail, as domain exceptions.

`chalicelib.problems` turns each into its problem+json answer; nothing else knows HTTP.
"""

from __future__ import annotations

from datetime import datetime


class ConsultationError(Exception):
    """Base of the errors a client can act on."""


class ConsultationNotFound(ConsultationError):
    """No such consultation, or not one of the caller's (the same answer for both)."""


class DoctorNotFound(ConsultationError):
    """No bookable doctor by that id (unknown, not verified yet, or suspended)."""


class DoctorNotBookable(ConsultationError):
    def __init__(self, doctor_id: str) -> None:
        super().__init__(f"doctor {doctor_id} cannot be booked")
        self.doctor_id = doctor_id


class NotASlot(ConsultationError):
    """The start time is not a slot of the doctor's schedule, or is too soon or too far."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # "not_in_schedule" | "too_soon" | "too_far"


class SlotTaken(ConsultationError):
    """Someone else holds (part of) the slot."""


class PatientBusy(ConsultationError):
    """The patient already holds a consultation at that time."""

    def __init__(self, consultation_id: str) -> None:
        super().__init__("the patient already holds a consultation at that time")
        self.consultation_id = consultation_id


class IdempotencyKeyReused(ConsultationError):
    """The Idempotency-Key was used before for a different request."""


class IllegalTransition(ConsultationError):
    def __init__(self, action: str, current: str) -> None:
        super().__init__(f"cannot {action} a consultation that is {current}")
        self.action = action
        self.current = current


class OutsideWindow(ConsultationError):
    """The action is allowed in this state, but not at this time."""

    def __init__(
        self, action: str, current: str, opens_at: datetime | None, closes_at: datetime | None
    ) -> None:
        super().__init__(f"{action} is not possible now")
        self.action = action
        self.current = current
        self.opens_at = opens_at
        self.closes_at = closes_at


class NotYourAction(ConsultationError):
    """A participant asking for what only the other one may do (a patient starting it)."""

    def __init__(self, action: str, role: str) -> None:
        super().__init__(f"only the {role} may {action} this consultation")
        self.action = action
        self.role = role


class InvalidCursor(ConsultationError):
    """A pagination cursor that this service did not give to this caller."""


class InvalidWindow(ConsultationError):
    """A time window in a query that is empty or too long."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(why)
        self.field = field
        self.why = why  # "empty" | "too_long"


class Busy(ConsultationError):
    """The consultation kept changing under us; the client may retry."""
