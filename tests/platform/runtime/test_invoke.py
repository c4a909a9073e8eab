"""Any function can be invoked directly, as with Lambda's Invoke API."""

from __future__ import annotations

import pytest
import requests

from keneya_local.errors import FunctionError
from keneya_local.stack import EmbeddedStack

from .journal import eventually

pytestmark = pytest.mark.slow


def test_invoking_a_function_returns_its_result(local_stack: EmbeddedStack):
    assert local_stack.invoke("shop", "add", {"a": 2, "b": 3}) == {
        "sum": 5,
        "function_name": "keneya-local-shop",
    }


def test_a_function_that_raises_is_reported_as_lambda_reports_it(local_stack: EmbeddedStack):
    with pytest.raises(FunctionError) as raised:
        local_stack.invoke("shop", "explode", {"why": "test"})

    assert raised.value.error_type == "ValueError"
    assert "asked to explode" in raised.value.error_message
    assert any("app.py" in line for line in raised.value.stack_trace)
    log = local_stack.console.log_path("shop")
    eventually(lambda: "[ERROR] keneya-local-shop explode" in log.read_text())


def test_the_invoke_endpoint_flags_a_function_error_like_lambdas_api(local_stack: EmbeddedStack):
    ok = requests.post(
        f"{local_stack.http_url}/_local/functions/shop/add", json={"a": 1, "b": 1}, timeout=5
    )
    failed = requests.post(
        f"{local_stack.http_url}/_local/functions/shop/explode", json={}, timeout=5
    )

    assert ok.json()["sum"] == 2
    assert "X-Amz-Function-Error" not in ok.headers
    assert failed.status_code == 200
    assert failed.headers["X-Amz-Function-Error"] == "Unhandled"
    assert failed.json()["errorType"] == "ValueError"
