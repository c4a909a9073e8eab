"""The one place a users failure becomes an HTTP problem (status, localized text, fields)."""

from __future__ import annotations

from typing import Any

from chalicelib import errors
from chalicelib.texts import TEXTS, Language, text
from keneya.http import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Problem,
    UnprocessableContent,
)
from keneya.i18n import request_language

# Seconds a client waits before asking again for a profile still being created.
PROFILE_RETRY_SECONDS = 2


def _fields(broken: list[errors.Broken], language: Language) -> list[FieldError]:
    return [FieldError(b.field, text(b.code, language), b.code) for b in broken]


def as_problem(error: errors.UsersError, language: Language) -> Problem:
    """The problem+json answer to `error`, worded in `language`."""
    headers = {"Content-Language": language}
    match error:
        case errors.InvalidFields(broken=broken, in_query=True):
            return BadRequest(
                text("invalid_query", language), errors=_fields(broken, language), headers=headers
            )
        case errors.InvalidFields(broken=broken):
            return UnprocessableContent(
                text("invalid_input", language), errors=_fields(broken, language), headers=headers
            )
        case errors.ProfileNotReady():
            return NotFound(
                text("profile_not_ready", language),
                headers={**headers, "Retry-After": str(PROFILE_RETRY_SECONDS)},
                extensions={"code": "profile_not_ready"},
            )
        case errors.NotFound():
            return NotFound(text("not_found", language), headers=headers)
        case errors.WrongRole(allowed=allowed):
            key = "for_admins" if allowed == ("admin",) else "for_doctors"
            return Forbidden(text(key, language), headers=headers)
        case errors.TransitionRefused(status=status):
            return Conflict(
                text("transition_refused", language, status=status),
                headers=headers,
                extensions={"status": status},
            )
        case errors.IncompleteProfile(missing=missing):
            return Conflict(
                text("incomplete_profile", language),
                errors=_fields([errors.Broken(f, "required_to_verify") for f in missing], language),
                headers=headers,
            )
        case errors.LockedFields(fields=fields):
            return Conflict(
                text("locked_fields", language),
                errors=_fields([errors.Broken(f, "locked") for f in fields], language),
                headers=headers,
            )
        case errors.ConcurrentUpdate():
            return Conflict(text("concurrent_update", language), headers=headers)
        case errors.PhotoRejected(code=code, field=field):
            return UnprocessableContent(
                text("photo_rejected", language),
                errors=_fields([errors.Broken(field, code)], language),
                headers=headers,
            )
    raise TypeError(f"no problem defined for {type(error).__name__}")


# pydantic's error types -> our texts, for the fields people fill in; by (field, type) first.
_VALIDATION_TEXTS = {
    ("phone", "extra_forbidden"): "read_only",
    ("email", "extra_forbidden"): "read_only",
    ("emergency_contact.phone", "value_error"): "phone_invalid",
    ("fee_xof", "greater_than_equal"): "fee_range_value",
    ("fee_xof", "less_than_equal"): "fee_range_value",
    ("fee_xof", "int_type"): "fee_range_value",
    ("fee_xof", "int_from_float"): "fee_range_value",
    ("fee_xof", "int_parsing"): "fee_range_value",
    ("*", "missing"): "field_required",
    ("*", "field_required"): "field_required",
    ("*", "extra_forbidden"): "field_unknown",
    ("*", "string_too_short"): "text_length",
    ("*", "string_too_long"): "text_length",
    ("*", "literal_error"): "choice_invalid",
    ("*", "enum"): "choice_invalid",
}


def localized_validation(problem: Problem, language: Language) -> Problem:
    """The validation problem of `keneya.http.parse_body` / `parse_query`, worded in
    `language`; pydantic's own message stays where we have no better one."""
    localized = []
    for item in problem.errors:
        key = _VALIDATION_TEXTS.get((item.field, item.code)) or _VALIDATION_TEXTS.get(
            ("*", item.code)
        )
        code = "read_only" if key == "read_only" else item.code
        localized.append(FieldError(item.field, text(key, language), code) if key else item)
    summary = "invalid_query" if problem.status == 400 else "invalid_input"
    return type(problem)(
        text(summary, language) if summary in TEXTS else problem.detail,
        errors=localized,
        headers={**problem.headers, "Content-Language": language},
    )


def problem_of(error: Exception, request: Any) -> Problem | None:
    """The service's one table, installed on the app: the domain's refusals and the
    validation problems, worded in the caller's language."""
    language = request_language(request)
    if isinstance(error, errors.UsersError):
        return as_problem(error, language)
    if isinstance(error, (UnprocessableContent, BadRequest)) and error.errors:
        return localized_validation(error, language)
    return None
