"""What every view reads of its request: the caller, their language, and the service's parts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Request

from chalicelib.errors import NotFound
from chalicelib.vocabularies import Language
from keneya.i18n import request_language

if TYPE_CHECKING:  # the service's parts load on first use, not on a cold start of /health
    from chalicelib.flows import Users
    from keneya.tokens import Principal

# Personal data must not sit in a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_LONGEST_ID = 64


def users() -> Users:
    from chalicelib.bootstrap import users as wired

    return wired()


def language(request: Request) -> Language:
    return request_language(request)


def caller(request: Request) -> Principal:
    from keneya.tokens import principal

    return principal(request)


def admin(request: Request) -> Principal:
    from chalicelib.messages import text
    from keneya.tokens import require_role

    lang = language(request)
    return require_role(caller(request), "admin", detail=text("for_admins", lang), language=lang)


def checked_id(value: Any) -> str:
    """A user id from the path; anything that cannot be one is simply not found."""
    if not isinstance(value, str) or not value or len(value) > _LONGEST_ID:
        raise NotFound()
    return value
