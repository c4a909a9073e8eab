"""The one place an auth failure becomes an HTTP problem (status, localized text, fields)."""

from __future__ import annotations

from typing import Any

from chalicelib import errors
from chalicelib.texts import Language, text
from keneya.http import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    Problem,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableContent,
)
from keneya.i18n import request_language

_TOO_MANY = {
    "login": "too_many_logins",
    "otp_send": "too_many_codes",
    "otp_cooldown": "code_cooldown",
    "otp_verify": "too_many_wrong_codes",
}


def as_problem(error: errors.AuthError, language: Language) -> Problem:
    """The problem+json answer to `error`, worded in `language`."""
    headers = {"Content-Language": language}
    match error:
        case errors.DuplicateLogin(fields=fields):
            return Conflict(
                text("duplicate_login", language),
                errors=[
                    FieldError(field, text(f"duplicate_{field}", language), "already_registered")
                    for field in fields
                ],
                headers=headers,
            )
        case errors.WeakPassword(reasons=reasons, field=field):
            return UnprocessableContent(
                text("weak_password", language),
                errors=[FieldError(field, text(reason, language), reason) for reason in reasons],
                headers=headers,
            )
        case errors.SameAsCurrentPassword():
            return UnprocessableContent(
                text("same_password", language),
                errors=[
                    FieldError("new_password", text("same_password", language), "same_password")
                ],
                headers=headers,
            )
        case errors.WrongCurrentPassword():
            return UnprocessableContent(
                text("wrong_current_password", language),
                errors=[
                    FieldError(
                        "current_password",
                        text("wrong_current_password", language),
                        "wrong_password",
                    )
                ],
                headers=headers,
            )
        case errors.InvalidCredentials():
            return Unauthorized(text("invalid_credentials", language), headers=headers)
        case errors.AccountDisabled():
            return Forbidden(text("account_disabled", language), headers=headers)
        case errors.TooManyAttempts(what=what, retry_after=seconds):
            return TooManyRequests(
                text(_TOO_MANY[what], language, seconds=seconds),
                headers={**headers, "Retry-After": str(seconds)},
                extensions={"retry_after": seconds},
            )
        case errors.LimitsUnavailable():
            return ServiceUnavailable(
                text("codes_unavailable", language), headers={**headers, "Retry-After": "60"}
            )
        case errors.OtpInvalid(attempts_left=left):
            return BadRequest(
                text("code_invalid", language, attempts_left=left),
                errors=[
                    FieldError(
                        "code", text("code_invalid", language, attempts_left=left), "otp_invalid"
                    )
                ],
                headers=headers,
                extensions={"attempts_left": left},
            )
        case errors.OtpExpired():
            return BadRequest(
                text("code_expired", language),
                errors=[FieldError("code", text("code_expired", language), "otp_expired")],
                headers=headers,
            )
        case errors.OtpExhausted(retry_after=seconds):
            return TooManyRequests(
                text("code_exhausted", language),
                errors=[FieldError("code", text("code_exhausted", language), "otp_exhausted")],
                headers={**headers, "Retry-After": str(seconds)},
                extensions={"retry_after": seconds},
            )
        case errors.RefreshTokenReused():
            return Unauthorized(text("refresh_reused", language), headers=headers)
        case errors.InvalidRefreshToken():
            return Unauthorized(text("refresh_invalid", language), headers=headers)
    raise TypeError(f"no problem defined for {type(error).__name__}")


def localized_validation(problem: UnprocessableContent, language: Language) -> Problem:
    """The body-validation problem of `keneya.http.parse_body`, worded in `language` for the
    fields people fill in (pydantic's own messages stay for the rest)."""
    localized = []
    for item in problem.errors:
        key = _FIELD_TEXTS.get((item.field, item.code)) or _FIELD_TEXTS.get(("*", item.code))
        localized.append(FieldError(item.field, text(key, language), item.code) if key else item)
    return UnprocessableContent(
        text("invalid_input", language),
        errors=localized,
        headers={**problem.headers, "Content-Language": language},
    )


_FIELD_TEXTS = {
    ("phone", "value_error"): "phone_invalid",
    ("email", "value_error"): "email_invalid",
    ("body", "value_error"): "login_required",
    ("code", "string_pattern_mismatch"): "code_format",
    ("full_name", "string_too_short"): "full_name_length",
    ("full_name", "string_too_long"): "full_name_length",
    ("*", "missing"): "field_required",
}


def problem_of(error: Exception, request: Any) -> Problem | None:
    """The service's one table, installed on the app: the domain's refusals and the
    validation problems, worded in the caller's language."""
    if isinstance(error, errors.AuthError):
        return as_problem(error, request_language(request))
    if isinstance(error, UnprocessableContent):
        return localized_validation(error, request_language(request))
    return None
