"""How the payments service's refusals are answered: one table, installed on the app
(`keneya.http.install(app, problems=problem_of)`)."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import ConflictError, IdempotencyMismatch, NotFoundError, PaymentError
from keneya.http import Conflict, FieldError, NotFound, Problem, UnprocessableContent


def problem_of(error: Exception, request: Any) -> Problem | None:
    if not isinstance(error, PaymentError):
        return None
    errors = [FieldError(error.field, error.detail)] if error.field else None
    if isinstance(error, NotFoundError):
        return NotFound(error.detail)
    if isinstance(error, IdempotencyMismatch):
        return UnprocessableContent(error.detail, errors=errors)
    if isinstance(error, ConflictError):
        return Conflict(error.detail, errors=errors)
    return None
