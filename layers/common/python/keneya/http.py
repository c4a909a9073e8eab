"""HTTP errors as `application/problem+json` (RFC 9457), request ids and body parsing.

Views raise a `Problem` (or let an unexpected exception escape); `install(app)` turns every error
into one problem shape, tags every response with its request and correlation ids, and never
returns a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from chalice import Chalice, ChaliceUnhandledError, Response
from chalice.app import Request

from keneya.correlation import bind_correlation_id, new_id, safe_id
from keneya.logs import logger

if TYPE_CHECKING:  # pydantic is imported when a body is parsed, not on every cold start
    from pydantic import BaseModel, ValidationError

PROBLEM_JSON = "application/problem+json"
Model = TypeVar("Model", bound="BaseModel")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"


class Problem(ChaliceUnhandledError):
    """An error the client can act on. Subclass per status; raise with a human `detail`."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"
    slug: ClassVar[str] = "internal-error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def body(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:keneya:problem:{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "request_id": request_id,
        }
        if self.errors:
            body["errors"] = [
                {"field": e.field, "message": e.message, "code": e.code} for e in self.errors
            ]
        body.update(self.extensions)
        return body


class BadRequest(Problem):
    status, title, slug = 400, "Bad Request", "bad-request"


class Unauthorized(Problem):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(Problem):
    status, title, slug = 413, "Payload Too Large", "payload-too-large"


class UnprocessableContent(Problem):
    status, title, slug = 422, "Unprocessable Content", "validation-error"


class TooManyRequests(Problem):
    status, title, slug = 429, "Too Many Requests", "rate-limited"


class ServiceUnavailable(Problem):
    status, title, slug = 503, "Service Unavailable", "unavailable"


_STATUS_PROBLEMS: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PayloadTooLarge,
        UnprocessableContent,
        TooManyRequests,
        ServiceUnavailable,
    )
}


def problem_response(problem: Problem, request_id: str) -> Response:
    return Response(
        body=json.dumps(problem.body(request_id)),
        status_code=problem.status,
        headers={"Content-Type": PROBLEM_JSON, **problem.headers},
    )


def _as_problem(response: Response) -> Problem | None:
    """Chalice's own error responses (404 route, 405, 415, bad JSON, unhandled 500) as problems."""
    if response.status_code < 400 or not isinstance(response.body, dict):
        return None
    if set(response.body) != {"Code", "Message"}:
        return None
    if response.status_code >= 500:
        return Problem("An unexpected error occurred. Quote the request id when reporting it.")
    cls = _STATUS_PROBLEMS.get(response.status_code)
    if cls is None:
        cls = type("ClientError", (Problem,), {"status": response.status_code, "title": "Error"})
    return cls(str(response.body["Message"]))


def install(app: Chalice) -> None:
    """Give every HTTP response of `app` problem+json errors and request/correlation ids."""

    @app.middleware("http")
    def problems_and_ids(request: Request, get_response: Callable[[Request], Response]) -> Response:
        request_id = safe_id((request.context or {}).get("requestId")) or new_id()
        correlation_id = bind_correlation_id(
            safe_id(request.headers.get("x-correlation-id")) or request_id
        )
        logger.append_keys(request_id=request_id)
        try:
            response = get_response(request)
        except Problem as problem:
            response = problem_response(problem, request_id)
        else:
            problem = _as_problem(response)
            if problem is not None:
                response = problem_response(problem, request_id)
        response.headers["X-Request-Id"] = request_id
        response.headers["X-Correlation-Id"] = correlation_id
        return response


def _field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    return [
        FieldError(
            field=prefix + (".".join(str(part) for part in e["loc"]) or "body"),
            message=e["msg"],
            code=e["type"],
        )
        for e in error.errors()
    ]


def parse_body(model: type[Model], request: Request) -> Model:
    """The request's JSON body validated by `model`; 400 when it is not JSON, 422 naming each
    invalid field otherwise."""
    from pydantic import ValidationError

    raw = request.raw_body
    if not raw:
        raise BadRequest(
            "A JSON body is required.", errors=[FieldError("body", "required", "missing")]
        )
    try:
        document = json.loads(raw)
    except ValueError:
        raise BadRequest("The body is not valid JSON.") from None
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise UnprocessableContent(
            "Some fields are missing or invalid.", errors=_field_errors(error)
        ) from None


def parse_query(model: type[Model], request: Request) -> Model:
    """The query string validated by `model`, errors naming each parameter."""
    from pydantic import ValidationError

    try:
        return model.model_validate(dict(request.query_params or {}))
    except ValidationError as error:
        raise BadRequest(
            "Some query parameters are invalid.", errors=_field_errors(error)
        ) from None


def json_response(
    body: BaseModel | Mapping[str, Any] | list[Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON response; pydantic models are serialised in their JSON mode (UTC times as ISO)."""
    if hasattr(body, "model_dump"):
        payload: Any = body.model_dump(mode="json")
    else:
        payload = body
    return Response(
        body=payload,
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
