"""What every records route does: find the caller, parse the body, shape the answer. The
domain's refusals are answered by chalicelib/problems.py, installed on the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.texts import text
from keneya import http
from keneya.http import NotFound, json_response
from keneya.i18n import request_language
from keneya.openapi import operation
from keneya.tokens import principal

if TYPE_CHECKING:
    from chalicelib.service import Records

# Clinical data must not sit in a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store"}


def records() -> Records:
    from chalicelib.bootstrap import service

    return service()


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


def router(blueprint: Blueprint, authorizer: Any) -> Callable[..., Callable]:
    """`@route(path, methods, summary, **openapi)`: a protected, documented route."""

    def route(path: str, methods: list[str], summary: str, **doc: Any) -> Callable:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            documented = operation(summary, **doc)(view)
            return blueprint.route(path, methods=methods, authorizer=authorizer)(documented)

        return register

    return route
