"""How the records service's refusals are answered: one table, installed on the app. No access
and an absent item are the same 404, so nobody learns that another person's record exists."""

from __future__ import annotations

from typing import Any

from chalicelib.texts import text
from keneya.http import Conflict, FieldError, NotFound, Problem, UnprocessableContent
from keneya.i18n import request_language


def problem_of(error: Exception, request: Any) -> Problem | None:
    from chalicelib.attachments import UploadRejected
    from chalicelib.errors import InvalidEntry, RecordFull
    from chalicelib.service import NoAccess, NotThere

    language = request_language(request)
    if isinstance(error, (NoAccess, NotThere)):
        return NotFound(text("not_found", language))
    if isinstance(error, InvalidEntry):
        return UnprocessableContent(
            text("invalid_entry", language, message=error.message),
            errors=[FieldError(error.field, error.message, error.code)],
        )
    if isinstance(error, RecordFull):
        return Conflict(
            text("record_full", language, limit=error.limit, section=error.section),
            errors=[FieldError(error.section, "limit reached", "record_full")],
        )
    if isinstance(error, UploadRejected):
        return UnprocessableContent(
            text("upload_rejected", language, reason=error.reason),
            errors=[FieldError("file", error.reason, error.reason)],
        )
    return None
