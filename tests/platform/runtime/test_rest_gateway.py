"""REST through the local gateway behaves as API Gateway in front of Lambda would."""

from __future__ import annotations

import http.client
import json
import os
import re
from urllib.parse import urlsplit

import pytest
import requests

from keneya_local.stack import EmbeddedStack

from .journal import eventually

pytestmark = pytest.mark.slow


def test_a_public_route_answers_with_the_functions_json(local_stack: EmbeddedStack):
    response = requests.get(local_stack.url("shop", "/health"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"service": "shop", "status": "ok"}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]


def test_a_protected_route_without_a_token_is_refused_with_401(local_stack: EmbeddedStack):
    response = requests.get(local_stack.url("shop", "/items/42"), timeout=5)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_a_token_the_authorizer_rejects_is_refused_with_401(local_stack: EmbeddedStack):
    response = requests.get(
        local_stack.url("shop", "/items/42"), headers={"Authorization": "forged"}, timeout=5
    )

    assert response.status_code == 401


def test_a_token_whose_policy_does_not_cover_the_route_is_refused_with_403(
    local_stack: EmbeddedStack,
):
    headers = {"Authorization": "items-only"}

    allowed = requests.get(local_stack.url("shop", "/items/42"), headers=headers, timeout=5)
    denied = requests.get(local_stack.url("shop", "/account"), headers=headers, timeout=5)

    assert allowed.status_code == 200
    assert denied.status_code == 403
    assert denied.json() == {"Message": "User is not authorized to access this resource"}


def test_an_accepted_token_reaches_the_view_with_the_authorizers_context(
    local_stack: EmbeddedStack,
):
    response = requests.get(
        local_stack.url("shop", "/items/42"), headers={"Authorization": "let-me-in"}, timeout=5
    )

    assert response.status_code == 200
    body = response.json()
    assert body["principal"] == "alice"
    # API Gateway hands the authorizer's context values over as strings.
    assert body["authorizer"] == {"role": "buyer", "level": "3", "principalId": "alice"}


def test_an_authorizer_that_raises_gives_500_not_access(local_stack: EmbeddedStack):
    response = requests.get(
        local_stack.url("shop", "/items/42"), headers={"Authorization": "explode"}, timeout=5
    )

    assert response.status_code == 500
    assert response.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_path_parameters_arrive_decoded_and_query_strings_single_and_multi_valued(
    local_stack: EmbeddedStack,
):
    response = requests.get(
        local_stack.url("shop", "/echo/caf%C3%A9%20au%20lait?tag=a&tag=b&q=x%20y"), timeout=5
    )

    body = response.json()
    assert body["name"] == "café au lait"
    assert body["query"] == {"tag": "b", "q": "x y"}
    assert body["multi_query"] == {"tag": ["a", "b"], "q": ["x y"]}
    assert body["path"] == "/api/v1/shop/echo/caf%C3%A9%20au%20lait"
    assert body["resource"] == "/echo/{name}"
    assert body["source_ip"] == "127.0.0.1"


def test_headers_keep_their_case_and_repeated_ones_are_multi_valued(local_stack: EmbeddedStack):
    url = urlsplit(local_stack.url("shop", "/echo/h"))
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    connection.putrequest("GET", url.path)
    connection.putheader("X-Trace", "one")
    connection.putheader("X-Trace", "two")
    connection.endheaders()

    body = json.loads(connection.getresponse().read())
    connection.close()
    assert body["headers"]["X-Trace"] == "two"
    assert body["multi_headers"]["X-Trace"] == ["one", "two"]


def test_a_text_body_arrives_as_text(local_stack: EmbeddedStack):
    response = requests.post(
        local_stack.url("shop", "/echo/t"),
        data=b"bonjour",
        headers={"Content-Type": "text/plain"},
        timeout=5,
    )

    body = response.json()
    assert body["body"] == "bonjour"
    assert body["is_base64"] is False


def test_a_binary_media_type_body_arrives_base64_encoded_and_intact(local_stack: EmbeddedStack):
    payload = bytes(range(256))

    response = requests.put(
        local_stack.url("shop", "/echo/b"),
        data=payload,
        headers={"Content-Type": "application/x-fixture-bytes"},
        timeout=5,
    )

    body = response.json()
    assert body["is_base64"] is True
    assert body["raw_length"] == 256


def test_a_binary_response_comes_back_as_bytes(local_stack: EmbeddedStack):
    response = requests.get(
        local_stack.url("shop", "/picture"),
        headers={"Accept": "application/x-fixture-bytes"},
        timeout=5,
    )

    assert response.status_code == 200
    assert response.content == bytes(range(256))


def test_a_cors_preflight_is_answered_from_the_routes_cors_config(local_stack: EmbeddedStack):
    response = requests.options(local_stack.url("shop", "/echo/x"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.keneya.test"
    assert set(response.headers["Access-Control-Allow-Methods"].split(",")) == {
        "GET",
        "POST",
        "PUT",
        "OPTIONS",
    }
    assert "X-Trace" in response.headers["Access-Control-Allow-Headers"]


def test_cors_headers_come_with_the_actual_response(local_stack: EmbeddedStack):
    response = requests.get(local_stack.url("shop", "/echo/x"), timeout=5)

    assert response.headers["Access-Control-Allow-Origin"] == "https://app.keneya.test"


def test_multi_value_response_headers_are_all_sent(local_stack: EmbeddedStack):
    response = requests.get(local_stack.url("shop", "/cookies"), timeout=5)

    assert response.status_code == 201
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_an_unknown_route_or_service_gets_api_gateways_403(local_stack: EmbeddedStack):
    unknown_route = requests.get(local_stack.url("shop", "/nowhere"), timeout=5)
    unknown_service = requests.get(local_stack.url("nosuch", "/health"), timeout=5)

    assert unknown_route.status_code == 403
    assert unknown_route.json() == {"message": "Missing Authentication Token"}
    assert unknown_service.status_code == 403


def test_a_view_that_raises_gets_a_500_and_its_traceback_is_logged(local_stack: EmbeddedStack):
    response = requests.get(local_stack.url("shop", "/boom"), timeout=5)

    assert response.status_code == 500
    assert "Traceback" not in response.text
    log = local_stack.console.log_path("shop")
    eventually(lambda: "ValueError: the view broke" in log.read_text())


def test_the_function_gets_the_template_environment_and_a_lambda_context(
    local_stack: EmbeddedStack, names: dict[str, str]
):
    body = requests.get(local_stack.url("shop", "/environment"), timeout=5).json()

    assert body["TABLE_NAME"] == names["table"]
    assert body["EVENTS_QUEUE_NAME"] == names["orders_queue"]
    # The template's parameter wins over .chalice/config.json; config.json fills the rest.
    assert body["GREETING"] == "hello from the template"
    assert body["SERVICE_NAME"] == "shop"
    assert body["AWS_LAMBDA_FUNCTION_NAME"] == "keneya-local-shop"
    assert body["REDIS_URL"].startswith("redis://127.0.0.1:")
    assert body["MONGO_URL"] == "mongomock://"
    assert body["cwd"].endswith("fixtures/functions/shop")
    assert body["function_name"] == "keneya-local-shop"
    assert body["memory_limit_in_mb"] == 256
    assert 0 < body["remaining_ms"] <= 3000
    assert body["invoked_function_arn"].endswith(":function:keneya-local-shop")


def test_functions_reach_the_stacks_redis(local_stack: EmbeddedStack):
    first = requests.post(local_stack.url("shop", "/redis"), timeout=5).json()["counter"]
    second = requests.post(local_stack.url("shop", "/redis"), timeout=5).json()["counter"]

    assert second == first + 1


def test_the_merged_openapi_document_lists_every_services_routes(local_stack: EmbeddedStack):
    document = requests.get(f"{local_stack.http_url}/api/v1/openapi.json", timeout=10).json()

    assert "/api/v1/shop/health" in document["paths"]
    assert "get" in document["paths"]["/api/v1/shop/items/{item_id}"]


def test_the_docs_page_is_swagger_ui_served_from_this_origin(local_stack: EmbeddedStack):
    page = requests.get(f"{local_stack.http_url}/api/v1/docs", timeout=10)

    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    scripts = re.findall(r'src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/api/v1/docs/assets/") for src in scripts)
    for src in scripts:
        asset = requests.get(f"{local_stack.http_url}{src}", timeout=10)
        assert asset.status_code == 200, src
    bundle = requests.get(f"{local_stack.http_url}/api/v1/docs/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text


def test_the_status_endpoint_describes_the_running_stack(local_stack: EmbeddedStack):
    status = requests.get(f"{local_stack.http_url}/_local/status", timeout=5).json()

    assert status["ready"] is True
    # The session's moto process streams its arrivals: the stack finds that out itself.
    assert status["aws_arrivals"] is not bool(os.environ.get("KENEYA_TEST_AWS_ENDPOINT"))
    assert status["services"]["shop"]["state"] == "ready"
    assert status["services"]["chat"]["websocket_url"] == local_stack.websocket_url("chat")
    kinds = {source["kind"] for source in status["event_sources"]}
    assert kinds == {"sqs", "dynamodb", "schedule"}
