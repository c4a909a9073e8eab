"""Problem responses, request and correlation ids, and body parsing of the shared HTTP layer."""

import json

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client
from pydantic import AwareDatetime, BaseModel, Field

from keneya import http


class Booking(BaseModel):
    doctor_id: str = Field(min_length=1)
    fee_xof: int = Field(ge=0)
    note: str | None = None


class Window(BaseModel):
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None


def build_app() -> Chalice:
    app = Chalice(app_name="problems")
    http.install(app)

    @app.route("/bookings", methods=["POST"])
    def book():
        booking = http.parse_body(Booking, app.current_request)
        return http.json_response(booking, status=201)

    @app.route("/window")
    def window():
        return http.json_response(http.parse_query(Window, app.current_request))

    @app.route("/keyed", methods=["POST"])
    def keyed():
        return http.json_response({"key": http.idempotency_key(app.current_request)})

    @app.route("/taken")
    def taken():
        raise http.Conflict("This slot is already booked.", extensions={"state": "confirmed"})

    @app.route("/crash")
    def crash():
        raise RuntimeError("database password is hunter2")

    return app


@pytest.fixture
def client():
    with Client(build_app()) as test_client:
        yield test_client


def post(client, body: bytes, headers=None):
    return client.http.post(
        "/bookings", body=body, headers={"Content-Type": "application/json", **(headers or {})}
    )


def test_a_valid_body_is_parsed_and_echoed(client):
    response = post(client, json.dumps({"doctor_id": "d1", "fee_xof": 5000}).encode())

    assert response.status_code == 201
    assert response.json_body == {"doctor_id": "d1", "fee_xof": 5000, "note": None}


def test_an_invalid_field_gets_a_422_problem_naming_it(client):
    response = post(client, json.dumps({"doctor_id": "d1", "fee_xof": -5}).encode())

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert problem["status"] == 422
    assert problem["type"] == "urn:keneya:problem:validation-error"
    assert [e["field"] for e in problem["errors"]] == ["fee_xof"]
    assert problem["request_id"] == response.headers["X-Request-Id"]


def test_a_body_that_is_not_json_gets_a_400_problem(client):
    response = post(client, b"{not json")

    assert response.status_code == 400
    assert json.loads(response.body)["title"] == "Bad Request"


def test_a_missing_body_gets_a_400_problem_naming_the_body(client):
    response = post(client, b"")

    assert response.status_code == 400
    assert json.loads(response.body)["errors"][0]["field"] == "body"


def test_a_domain_conflict_is_a_409_problem_with_its_extensions(client):
    response = client.http.get("/taken")

    problem = json.loads(response.body)
    assert response.status_code == 409
    assert problem["detail"] == "This slot is already booked."
    assert problem["state"] == "confirmed"


def test_an_unexpected_failure_is_a_500_with_a_request_id_and_no_details(client):
    response = client.http.get("/crash")

    problem = json.loads(response.body)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem["request_id"]
    assert "hunter2" not in response.body.decode()
    assert "Traceback" not in response.body.decode()


def test_an_unknown_method_is_a_problem_too(client):
    response = client.http.delete("/taken")

    assert response.status_code == 405
    assert json.loads(response.body)["status"] == 405


def test_the_callers_correlation_id_is_carried_and_returned(client):
    response = client.http.get("/taken", headers={"X-Correlation-Id": "trace-123"})

    assert response.headers["X-Correlation-Id"] == "trace-123"


def test_an_unsafe_correlation_id_is_replaced(client):
    response = client.http.get("/taken", headers={"X-Correlation-Id": "bad id\n<script>"})

    assert response.headers["X-Correlation-Id"] != "bad id\n<script>"
    assert response.headers["X-Correlation-Id"] == response.headers["X-Request-Id"]


def problem_of(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json"
    return json.loads(response.body)


def test_a_body_that_is_not_utf8_gets_a_400_naming_the_body(client):
    # given a name written in Latin-1, as API Gateway hands it on: bytes replaced by U+FFFD
    for body in (b'{"doctor_id": "d\xe9", "fee_xof": 1}', '{"doctor_id": "d\ufffd", "fee_xof": 1}'):
        response = post(client, body.encode() if isinstance(body, str) else body)

        assert response.status_code == 400
        assert problem_of(response)["errors"][0]["field"] == "body"


def test_a_body_not_declared_as_json_gets_a_415(client):
    body = json.dumps({"doctor_id": "d1", "fee_xof": 5000}).encode()

    for headers in ({}, {"Content-Type": "text/plain"}, {"Content-Type": "application/xml"}):
        response = client.http.post("/bookings", body=body, headers=headers)
        if response.status_code != 415:
            raise AssertionError(f"{headers}: {response.status_code} {response.body!r}")
        assert problem_of(response)["errors"][0]["field"] == "Content-Type"
    declared = client.http.post(
        "/bookings", body=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert declared.status_code == 201


def test_a_body_nested_a_thousand_levels_gets_a_400_not_a_500(client):
    deep = b'{"doctor_id": "d1", "fee_xof": 1, "note": ' + b"[" * 1000 + b"]" * 1000 + b"}"

    response = post(client, deep)

    assert response.status_code == 400
    assert problem_of(response)["errors"][0]["code"] == "too_deep"


@pytest.mark.parametrize(
    "text",
    ["Awa\x00", "Awa\x1b[31m", "Awa\u202eetaR", "\u2066Awa", "Awa\x7f"],
    ids=["nul", "escape", "rtl-override", "isolate", "delete"],
)
def test_control_and_bidi_override_characters_get_a_422_naming_the_field(client, text):
    body = json.dumps({"doctor_id": "d1", "fee_xof": 1, "note": text}).encode()

    response = post(client, body)

    assert response.status_code == 422
    assert [e["field"] for e in problem_of(response)["errors"]] == ["note"]


def test_text_on_several_lines_is_accepted(client):
    body = {"doctor_id": "d1", "fee_xof": 1, "note": "Fièvre\n\tdepuis deux jours"}

    assert post(client, json.dumps(body).encode()).status_code == 201


@pytest.mark.parametrize("query", ["to=0.5", "from=1&to=2", "to=1733300000", "from=tomorrow"])
def test_a_date_time_query_parameter_must_be_written_as_one(client, query):
    response = client.http.get(f"/window?{query}")

    assert response.status_code == 400
    assert problem_of(response)["errors"][0]["field"] in ("from", "to")


def test_an_iso_date_time_query_parameter_is_accepted(client):
    response = client.http.get("/window?from=2026-12-04T10:00:00Z&to=2026-12-05T10:00:00%2B00:00")

    assert response.status_code == 200


@pytest.mark.parametrize("key", ["3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f", "book-01JB8X:retry.2"])
def test_an_idempotency_key_of_the_allowed_shape_is_taken(client, key):
    answer = client.http.post("/keyed", headers={"Idempotency-Key": key})

    assert answer.status_code == 200
    assert json.loads(answer.body) == {"key": key}


def test_no_idempotency_key_is_none(client):
    assert json.loads(client.http.post("/keyed").body) == {"key": None}


@pytest.mark.parametrize("key", ["short", "bad key!", "x" * 129, "clé-accentuée-1"])
def test_a_malformed_idempotency_key_is_a_400_naming_the_header(client, key):
    answer = client.http.post("/keyed", headers={"Idempotency-Key": key})

    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert json.loads(answer.body)["errors"][0]["field"] == "Idempotency-Key"


class SlotTaken(Exception):
    """A domain's own refusal: plain, knowing nothing of HTTP."""


class Blocked(Exception):
    pass


def slot_problems(error: Exception, request) -> http.Problem | None:
    if isinstance(error, SlotTaken):
        language = "en" if "en" in (request.headers.get("accept-language") or "") else "fr"
        text = "This slot is taken." if language == "en" else "Ce créneau est pris."
        return http.Conflict(text, errors=[http.FieldError("starts_at", "taken", "slot_taken")])
    return None


def domain_app() -> Chalice:
    app = Chalice(app_name="domain")
    http.install(app, problems=slot_problems)
    blueprint = Blueprint(__name__)

    @blueprint.route("/slots/taken")
    def taken():
        raise SlotTaken()

    @app.route("/blocked")
    def blocked():
        raise Blocked("internal detail")

    @app.route("/plain")
    def plain():
        raise http.NotFound("No such thing.")

    app.register_blueprint(blueprint)
    return app


def test_a_domain_error_is_answered_through_the_services_table_even_from_a_blueprint():
    with Client(domain_app()) as client:
        answer = client.http.get("/slots/taken", headers={"Accept-Language": "en"})
        french = client.http.get("/slots/taken")

    assert answer.status_code == 409
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = json.loads(answer.body)
    assert body["detail"] == "This slot is taken."
    assert body["errors"][0]["field"] == "starts_at"
    assert json.loads(french.body)["detail"] == "Ce créneau est pris."


def test_an_error_the_table_does_not_know_stays_an_unexpected_500_and_a_problem_stays_itself():
    with Client(domain_app()) as client:
        unknown = client.http.get("/blocked")
        problem = client.http.get("/plain")

    assert unknown.status_code == 500
    assert "internal detail" not in unknown.body.decode()
    assert json.loads(unknown.body)["request_id"]
    assert problem.status_code == 404
    assert json.loads(problem.body)["detail"] == "No such thing."
