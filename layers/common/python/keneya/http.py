"""HTTP errors as `application/problem+json` (RFC 9457), request ids and body parsing.

Views raise a `Problem` (or let an unexpected exception escape); `install(app)` turns every error
into one problem shape, tags every response with its request and correlation ids, and never
returns a stack trace.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
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


class UnsupportedMediaType(Problem):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


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
        UnsupportedMediaType,
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
        from http import HTTPStatus

        title = HTTPStatus(response.status_code).phrase
        slug = title.lower().replace(" ", "-")
        attributes = {"status": response.status_code, "title": title, "slug": slug}
        cls = type("ClientError", (Problem,), attributes)
    if cls is UnsupportedMediaType:
        return cls(
            "The body must be sent as JSON (Content-Type: application/json).",
            errors=[FieldError("Content-Type", "must be application/json", "media_type")],
        )
    return cls(str(response.body["Message"]))


ProblemOf = Callable[[Exception, Request], "Problem | None"]
"""A service's one table from its own failures to the problem each answers: its domain's
errors, and the validation problems it words in the caller's language. None: not its own (a
`Problem` then answers as it is; anything else is an unexpected failure, a 500)."""


def install(app: Chalice, problems: ProblemOf | None = None) -> None:
    """Give every HTTP response of `app` problem+json errors and request/correlation ids; with
    `problems`, every route's failures are answered through it, as powertools' exception
    handlers do: views raise the domain's errors and never translate them."""
    answering = _Answering(app, problems)

    @app.middleware("http")
    def problems_and_ids(request: Request, get_response: Callable[[Request], Response]) -> Response:
        answering.ready()
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


class _Answering:
    """Routes whose failures go through a service's `problems`. Chalice answers any exception
    that is not a `ChaliceUnhandledError` with its own 500 before a middleware sees it, so each
    route's view is wrapped: once, at the first request, when every blueprint is registered."""

    def __init__(self, app: Chalice, problems: ProblemOf | None) -> None:
        self.app = app
        self.problems = problems
        self.wrapped = problems is None

    def ready(self) -> None:
        if self.wrapped:
            return
        for methods in self.app.routes.values():
            for entry in methods.values():
                entry.view_function = self._answering(entry.view_function)
        self.wrapped = True

    def _answering(self, view: Callable[..., Any]) -> Callable[..., Any]:
        problems, app = self.problems, self.app
        assert problems is not None

        @functools.wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except Exception as error:
                problem = problems(error, app.current_request)
                if problem is None or problem is error:
                    raise
                raise problem from None

        return run


def _field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    return [
        FieldError(
            field=prefix + (".".join(str(part) for part in e["loc"]) or "body"),
            message=e["msg"],
            code=e["type"],
        )
        for e in error.errors()
    ]


# Deeper than any body of the API; a document nested a thousand levels would exhaust the
# parser's and the validator's recursion.
MAX_BODY_DEPTH = 32
# Never part of a name, a note or any text a person types: NUL and the other control characters
# (tab, line feed and carriage return excepted), and the bidirectional overrides and isolates
# that make text display otherwise than it reads.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_MEDIA_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def _json_document(request: Request) -> Any:
    """The body as a JSON document: 415 unless declared JSON, 400 unless valid UTF-8 JSON no
    deeper than `MAX_BODY_DEPTH`."""
    declared = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if not _JSON_MEDIA_TYPE.match(declared):
        raise UnsupportedMediaType(
            "The body must be sent as JSON (Content-Type: application/json).",
            errors=[FieldError("Content-Type", "must be application/json", "media_type")],
        )
    raw = request.raw_body
    if not raw:
        raise BadRequest(
            "A JSON body is required.", errors=[FieldError("body", "required", "missing")]
        )
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    except UnicodeDecodeError:
        text = "\ufffd"
    # API Gateway hands a function the body as text, invalid UTF-8 already replaced by U+FFFD:
    # a replacement character is the trace of bytes that were not UTF-8.
    if "\ufffd" in text:
        raise BadRequest(
            "The body is not valid UTF-8.", errors=[FieldError("body", "not UTF-8", "encoding")]
        )
    if _nesting_depth(text) > MAX_BODY_DEPTH:
        raise BadRequest(
            f"The body is nested deeper than {MAX_BODY_DEPTH} levels.",
            errors=[FieldError("body", f"deeper than {MAX_BODY_DEPTH} levels", "too_deep")],
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest(
            "The body is not valid JSON.", errors=[FieldError("body", "not JSON", "json")]
        ) from None


def _nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def _texts(document: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of the document, keys included, with the field it is in."""
    if isinstance(document, str):
        yield path or "body", document
    elif isinstance(document, dict):
        for key, value in document.items():
            field = f"{path}.{key}" if path else str(key)
            yield field, str(key)
            yield from _texts(value, field)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _texts(value, f"{path}.{index}" if path else str(index))


def refuse_control_characters(document: Any) -> None:
    """422 naming each field whose text holds a control character or a bidirectional
    override."""
    broken = [
        FieldError(field, "contains a control or bidirectional-override character", "text")
        for field, text in _texts(document)
        if _FORBIDDEN_TEXT.search(text)
    ]
    if broken:
        raise UnprocessableContent("Some fields hold characters text may not.", errors=broken)


def parse_body(model: type[Model], request: Request) -> Model:
    """The request's JSON body validated by `model`: 415 unless it is declared JSON, 400 when it
    is not UTF-8 JSON (or nested too deep), 422 naming each invalid field otherwise."""
    from pydantic import ValidationError

    document = _json_document(request)
    refuse_control_characters(document)
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise UnprocessableContent(
            "Some fields are missing or invalid.", errors=_field_errors(error)
        ) from None


# A date-time in a query string is written as one (2026-12-04T10:00:00Z), never as a number of
# seconds, which pydantic would otherwise accept.
_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@functools.cache
def _date_time_parameters(model: type[BaseModel]) -> tuple[str, ...]:
    """The query names of the model's date-time parameters, as its JSON schema describes them."""
    properties = model.model_json_schema(by_alias=True).get("properties") or {}

    def is_date_time(schema: Mapping[str, Any]) -> bool:
        variants = [schema, *(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]
        return any(variant.get("format") == "date-time" for variant in variants)

    return tuple(name for name, schema in properties.items() if is_date_time(schema))


def parse_query(model: type[Model], request: Request) -> Model:
    """The query string validated by `model`, errors naming each parameter."""
    from pydantic import ValidationError

    query = dict(request.query_params or {})
    refuse_control_characters(query)
    not_dates = [
        FieldError(parameter, "must be a date-time such as 2026-12-04T10:00:00Z", "datetime")
        for parameter in _date_time_parameters(model)
        if parameter in query and not _ISO_DATE_TIME.match(query[parameter])
    ]
    if not_dates:
        raise BadRequest("Some query parameters are invalid.", errors=not_dates)
    try:
        return model.model_validate(query)
    except ValidationError as error:
        raise BadRequest(
            "Some query parameters are invalid.", errors=_field_errors(error)
        ) from None


# What a client may send as an Idempotency-Key: a UUID fits, and so do most client-made keys.
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key header, if given; a 400 naming it when it is malformed.
    One answer for every service that makes a retry safe with it."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise BadRequest(
            "Idempotency-Key must be 8 to 128 letters, digits or ._:- (a UUID fits).",
            errors=[FieldError("Idempotency-Key", "malformed", "invalid_idempotency_key")],
        )
    return key


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
