"""How the notifications service's refusals are answered: one table, installed on the app."""

from __future__ import annotations

from typing import Any

from chalicelib.preferences import PreferenceError
from keneya.http import FieldError, Problem, UnprocessableContent


def problem_of(error: Exception, request: Any) -> Problem | None:
    if isinstance(error, PreferenceError):
        return UnprocessableContent(
            "Some preferences cannot be set.",
            errors=[FieldError(error.field, error.message, "invalid_choice")],
        )
    return None
