"""Problem responses, request and correlation ids, and body parsing of the shared HTTP layer."""

import json

import pytest
from chalice import Chalice
from chalice.test import Client
from pydantic import BaseModel, Field

from keneya import http


class Booking(BaseModel):
    doctor_id: str = Field(min_length=1)
    fee_xof: int = Field(ge=0)


def build_app() -> Chalice:
    app = Chalice(app_name="problems")
    http.install(app)

    @app.route("/bookings", methods=["POST"])
    def book():
        booking = http.parse_body(Booking, app.current_request)
        return http.json_response(booking, status=201)

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
    assert response.json_body == {"doctor_id": "d1", "fee_xof": 5000}


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
