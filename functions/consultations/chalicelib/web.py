"""What the consultations routes share: the caller, parsed input, localized problems and the
shape of a consultation answer. Views of `app.py` and of `chalicelib.actions_api` use it with
their own `current_request` owner (the app or a blueprint)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

from chalice import Response
from chalice.app import Request

from chalicelib.lifecycle import Actor, Consultation
from chalicelib.messages import Language
from keneya.http import (
    json_response,
    parse_body,
    parse_query,
)
from keneya.i18n import request_language

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.service import ConsultationService

Model = TypeVar("Model", bound="BaseModel")


class RequestOwner(Protocol):
    @property
    def current_request(self) -> Request: ...


def service() -> ConsultationService:
    """The service's parts, wired on first use (keeps the relay's cold start light)."""
    from chalicelib.bootstrap import service as wired

    return wired()


def language(request: Request) -> Language:
    return request_language(request)


def caller(request: Request) -> Actor:
    from keneya.tokens import principal

    who = principal(request)
    return Actor(user_id=who.user_id, role=who.role)


def body(model: type[Model], request: Request) -> Model:
    return parse_body(model, request)


def query(model: type[Model], request: Request) -> Model:
    return parse_query(model, request)


def consultation_response(
    consultation: Consultation, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    from chalicelib.bootstrap import service
    from chalicelib.schemas import consultation_view

    # Clinical content: never kept by a browser's or a proxy's cache.
    return json_response(
        consultation_view(consultation, service().policy),
        status=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
