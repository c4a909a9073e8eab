"""The one place a consultations error becomes an HTTP problem (status, localized text, fields).

A 409 always says the consultation's current status (`current_status`), so a client that
raced another one can show the truth without reading it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib import errors
from chalicelib.texts import Language, status_name, text
from keneya.http import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Problem,
    ServiceUnavailable,
    UnprocessableContent,
)
from keneya.i18n import request_language


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_problem(error: errors.ConsultationError, language: Language) -> Problem:
    """The problem+json answer to `error`, worded in `language`."""
    headers = {"Content-Language": language}
    match error:
        case errors.ConsultationNotFound():
            return NotFound(text("consultation_not_found", language), headers=headers)
        case errors.DoctorNotFound():
            return NotFound(text("doctor_not_found", language), headers=headers)
        case errors.DoctorNotBookable():
            message = text("doctor_not_bookable", language)
            return UnprocessableContent(
                message,
                errors=[FieldError("doctor_id", message, "doctor_not_bookable")],
                headers=headers,
            )
        case errors.NotASlot(why=why):
            message = text(why, language)
            return UnprocessableContent(
                message, errors=[FieldError("starts_at", message, why)], headers=headers
            )
        case errors.SlotTaken():
            message = text("slot_taken", language)
            return Conflict(
                message, errors=[FieldError("starts_at", message, "slot_taken")], headers=headers
            )
        case errors.PatientBusy(consultation_id=other):
            message = text("patient_busy", language)
            return Conflict(
                message,
                errors=[FieldError("starts_at", message, "patient_busy")],
                headers=headers,
                extensions={"conflicting_consultation_id": other},
            )
        case errors.IdempotencyKeyReused():
            message = text("idempotency_key_reused", language)
            return UnprocessableContent(
                message,
                errors=[FieldError("Idempotency-Key", message, "idempotency_key_reused")],
                headers=headers,
            )
        case errors.IllegalTransition(action=action, current=current):
            return Conflict(
                text("illegal_transition", language, status=status_name(current, language)),
                headers=headers,
                extensions={"current_status": current, "action": action},
            )
        case errors.OutsideWindow(
            action=action, current=current, opens_at=opens_at, closes_at=closes_at
        ):
            return Conflict(
                text(
                    "outside_window",
                    language,
                    opens=_iso(opens_at) or text("anytime", language),
                    closes=_iso(closes_at) or text("anytime", language),
                ),
                headers=headers,
                extensions={
                    "current_status": current,
                    "action": action,
                    "window_opens_at": _iso(opens_at),
                    "window_closes_at": _iso(closes_at),
                },
            )
        case errors.NotYourAction(role=role):
            return Forbidden(
                text("not_your_action", language, role=text(role, language)), headers=headers
            )
        case errors.InvalidCursor():
            message = text("invalid_cursor", language)
            return BadRequest(
                message, errors=[FieldError("cursor", message, "invalid_cursor")], headers=headers
            )
        case errors.InvalidWindow(field=field, why=why):
            message = text(f"window_{why}", language)
            return BadRequest(message, errors=[FieldError(field, message, why)], headers=headers)
        case errors.Busy():
            return ServiceUnavailable(
                text("busy", language), headers={**headers, "Retry-After": "1"}
            )
    raise TypeError(f"no problem defined for {type(error).__name__}")


def problem_of(error: Exception, request: Any) -> Problem | None:
    """The service's one table, installed on the app: the domain's refusals in the caller's
    language, and validation problems summed up in French when the caller reads French."""
    language = request_language(request)
    if isinstance(error, errors.ConsultationError):
        return as_problem(error, language)
    if isinstance(error, (UnprocessableContent, BadRequest)) and language == "fr" and error.errors:
        return type(error)(
            text("invalid_input", language),
            errors=error.errors,
            headers={**error.headers, "Content-Language": language},
        )
    return None
