"""A function that crashes its sandbox or hangs costs the client a 502, never a hung request;
the service then runs in a new worker, as Lambda would start a new sandbox."""

from __future__ import annotations

import time

import pytest
import requests

from keneya_local.stack import EmbeddedStack

from .journal import eventually

pytestmark = pytest.mark.slow


def _worker_pid(stack: EmbeddedStack) -> int:
    return requests.get(stack.url("shop", "/environment"), timeout=10).json()["pid"]


def test_a_worker_that_dies_mid_request_gives_502_and_is_replaced(local_stack: EmbeddedStack):
    before = _worker_pid(local_stack)

    response = requests.get(local_stack.url("shop", "/crash"), timeout=10)

    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    after = eventually(lambda: _worker_pid(local_stack))
    assert after != before
    assert requests.get(local_stack.url("shop", "/health"), timeout=10).status_code == 200


def test_a_function_past_its_timeout_is_ended_with_502(local_stack: EmbeddedStack):
    before = _worker_pid(local_stack)
    started = time.monotonic()

    response = requests.get(local_stack.url("shop", "/hang"), timeout=20)

    # The fixture's functions time out after 3 s (.chalice/config.json).
    assert response.status_code == 502
    assert time.monotonic() - started < 10
    assert _worker_pid(local_stack) != before
    log = local_stack.console.log_path("shop").read_text()
    assert "Task timed out after 3.00 seconds" in log
