"""Request and correlation ids, carried from an HTTP request to the events it causes and on to
their consumers, so one user action can be followed across services in the logs."""

from __future__ import annotations

import re
from contextvars import ContextVar

from ulid import ULID

from keneya.logs import logger

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

# Ids arrive in headers and message bodies: accept only what is safe to log and echo back.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_id() -> str:
    """A new sortable unique id (ULID)."""
    return str(ULID())


def safe_id(candidate: str | None) -> str | None:
    """`candidate` when it is a well-formed id, else None."""
    if candidate and _SAFE_ID.match(candidate):
        return candidate
    return None


def bind_correlation_id(correlation_id: str | None) -> str:
    """Make `correlation_id` (or a new one) current for this invocation and its log lines."""
    value = safe_id(correlation_id) or new_id()
    _correlation_id.set(value)
    logger.set_correlation_id(value)
    return value


def current_correlation_id() -> str | None:
    return _correlation_id.get()
