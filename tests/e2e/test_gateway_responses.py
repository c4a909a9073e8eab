"""What the gateway answers by itself, before any service is reached, is a problem document
with the request id, as the template's gateway responses declare it (the same declarations
infra/package.py gives every REST API on AWS)."""

from __future__ import annotations

import pytest
import requests


def problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].startswith("urn:keneya:problem:")
    assert body["request_id"] and body["request_id"] == response.headers["x-amzn-RequestId"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/no-such-route",
        "/api/v1/no-such-service/anything",
        "/api/v1/consultations/%0A",
        "/api/v1/users/doctors/%00",
    ],
    ids=["unknown-route", "unknown-service", "newline-in-path", "nul-in-path"],
)
def test_a_path_no_route_has_is_a_404_problem(platform, path):
    body = problem(requests.get(f"{platform.http_url}{path}", timeout=30), 404)

    assert body["type"] == "urn:keneya:problem:not-found"


def test_a_protected_route_without_a_token_is_a_401_problem(platform):
    body = problem(requests.get(platform.url("consultations", "/"), timeout=30), 401)

    assert body["status"] == 401 and "Bearer" in body["detail"]


def test_a_url_over_8_kb_is_a_413_problem(platform):
    long_query = "x" * 9000

    problem(requests.get(platform.url("users", f"/doctors?name={long_query}"), timeout=30), 413)


def test_a_body_over_10_mb_is_a_413_problem(platform):
    body = b"{" + b" " * (10 * 1024 * 1024 + 10) + b"}"

    answer = requests.post(
        platform.url("auth", "/login"),
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )

    problem(answer, 413)


def test_the_openapi_document_lists_the_gateways_answers_on_every_operation(platform):
    document = requests.get(f"{platform.http_url}/api/v1/openapi.json", timeout=30).json()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"413", "429", "502", "504"}
            if operation.get("security"):
                expected.add("401")
            assert expected <= set(operation["responses"]), f"{method} {path}"


def test_a_method_a_route_does_not_have_is_a_404_problem_as_on_api_gateway(platform):
    body = problem(requests.delete(platform.url("users", "/doctors"), timeout=30), 404)

    assert body["type"] == "urn:keneya:problem:not-found"
