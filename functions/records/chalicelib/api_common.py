"""What every records route does: find the caller, parse the body, turn the domain's refusals
into problem+json (no access and absent items are the same 404), shape the answer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.texts import text
from keneya import http
from keneya.http import Conflict, FieldError, NotFound, UnprocessableContent, json_response
from keneya.i18n import request_language
from keneya.openapi import operation
from keneya.tokens import principal

# Clinical data must not sit in a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store"}


def records() -> Any:
    from chalicelib.bootstrap import records as wired

    return wired()


def caller(blueprint: Blueprint) -> Any:
    from chalicelib.service import Caller

    who = principal(blueprint.current_request)
    return Caller(who.user_id, who.role)


def body(blueprint: Blueprint, model_name: str) -> Any:
    from chalicelib import schemas

    return http.parse_body(getattr(schemas, model_name), blueprint.current_request)


def listing(blueprint: Blueprint) -> Any:
    from chalicelib.schemas import Listing

    return http.parse_query(Listing, blueprint.current_request)


def answer(payload: Any, status: int = 200) -> Response:
    from chalicelib.shapes import shown, shown_all

    shaped: Any = {"items": shown_all(payload)} if isinstance(payload, list) else shown(payload)
    return json_response(shaped, status=status, headers=NO_STORE)


def no_content() -> Response:
    return Response(body="", status_code=204, headers=NO_STORE)


def not_found(blueprint: Blueprint | None = None) -> NotFound:
    request = blueprint.current_request if blueprint is not None else None
    return NotFound(text("not_found", _language(request)))


_language = request_language


def domain_errors(blueprint: Blueprint, view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        from chalicelib.attachments import UploadRejected
        from chalicelib.errors import InvalidEntry, RecordFull
        from chalicelib.service import NoAccess, NotThere

        language = _language(blueprint.current_request)
        try:
            return view(*args, **kwargs)
        except (NoAccess, NotThere):
            raise NotFound(text("not_found", language)) from None
        except InvalidEntry as error:
            raise UnprocessableContent(
                text("invalid_entry", language, message=error.message),
                errors=[FieldError(error.field, error.message, error.code)],
            ) from None
        except RecordFull as full:
            raise Conflict(
                text("record_full", language, limit=full.limit, section=full.section),
                errors=[FieldError(full.section, "limit reached", "record_full")],
            ) from None
        except UploadRejected as rejected:
            raise UnprocessableContent(
                text("upload_rejected", language, reason=rejected.reason),
                errors=[FieldError("file", rejected.reason, rejected.reason)],
            ) from None

    return run


def router(blueprint: Blueprint, authorizer: Any) -> Callable[..., Callable]:
    """`@route(path, methods, summary, **openapi)`: a protected, documented route."""

    def route(path: str, methods: list[str], summary: str, **doc: Any) -> Callable:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            documented = operation(summary, **doc)(domain_errors(blueprint, view))
            return blueprint.route(path, methods=methods, authorizer=authorizer)(documented)

        return register

    return route
