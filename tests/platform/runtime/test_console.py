"""The console of `make up`: one compact line per invocation (function, handler, what triggered
it, outcome, duration, cold or warm), the functions' warnings and errors in short, and every raw
line only with `--verbose`; the log files keep every line either way."""

from __future__ import annotations

import io
import json
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from keneya_local import supervisor
from keneya_local.__main__ import main
from keneya_local.backing_services import free_port
from keneya_local.console import (
    Console,
    invocation_summary,
    stack_message_summary,
    terminal_line,
)
from keneya_local.errors import FunctionError
from keneya_local.stack import EmbeddedStack, StackError

from .conftest import FUNCTIONS, TEMPLATE
from .journal import eventually

# -- the compact line, from the runtime's invocation line ---------------------------------------


def test_a_rest_invocation_is_one_line_with_its_route_status_duration_and_warmth():
    record = {
        "level": "INFO",
        "type": "invocation",
        "function_name": "keneya-local-consultations",
        "handler": "api_handler",
        "request_id": "b3c1",
        "duration_ms": 38.21,
        "outcome": "ok",
        "cold": False,
        "method": "POST",
        "path": "/",
        "status": 201,
    }

    line = invocation_summary("consultations", record, clock="12:03:04")

    assert line.split() == [
        "12:03:04",
        "consultations",
        "api_handler",
        "POST",
        "/api/v1/consultations",
        "201",
        "38",
        "ms",
        "warm",
    ]


def test_an_event_source_invocation_says_its_records_and_the_init_of_a_cold_start():
    record = {
        "type": "invocation",
        "handler": "consume_events",
        "duration_ms": 12.4,
        "outcome": "ok",
        "cold": True,
        "init_ms": 410.3,
        "trigger": "sqs 3 records",
    }

    line = invocation_summary("notifications", record, clock="12:03:04")

    assert line == (
        "12:03:04 notifications  consume_events   sqs 3 records  ok  12 ms  cold (init 410 ms)"
    )


def test_a_failed_invocation_shows_its_error_type_and_message():
    invoked = {
        "type": "invocation",
        "handler": "explode",
        "duration_ms": 2.123,
        "outcome": "error",
        "error_type": "ValueError",
        "error_message": "asked to explode",
        "cold": False,
    }
    served = {
        "type": "invocation",
        "handler": "api_handler",
        "duration_ms": 3,
        "outcome": "error",
        "error_type": "RuntimeError",
        "error_in": "token_authorizer",
        "error_message": "the authorizer broke",
        "cold": False,
        "method": "GET",
        "path": "/items/1",
        "status": 500,
    }

    assert invocation_summary("shop", invoked, clock="t").endswith(
        "explode          ValueError: asked to explode  2.1 ms  warm"
    )
    assert invocation_summary("shop", served, clock="t").endswith(
        "GET /api/v1/shop/items/1  500  RuntimeError (token_authorizer): the authorizer broke"
        "  3.0 ms  warm"
    )


def test_a_timed_out_invocation_is_said_in_short():
    line = stack_message_summary("shop", "slow: Task timed out after 3.00 seconds", clock="t")

    assert line == "t shop           slow             timed out after 3 s"


def test_by_default_only_invocations_warnings_and_errors_reach_the_terminal():
    lines = [
        json.dumps({"level": "INFO", "message": "booked", "service": "consultations"}),
        json.dumps({"level": "WARNING", "message": "slot already taken", "slot": "s-1"}),
        "[ERROR] keneya-local-shop explode RequestId: 1f ValueError: asked to explode",
        "Traceback (most recent call last):",
        '  File "app.py", line 3, in explode',
        "ValueError: asked to explode",
        "[WARN] CognitoUserPoolAuthorizer is not checked locally; requests are admitted",
        "a print() of the function",
        json.dumps({"type": "invocation", "handler": "explode", "outcome": "error", "cold": False}),
    ]

    shown = [terminal_line("shop", line, verbose=False, clock="t") for line in lines]
    raw = [terminal_line("shop", line, verbose=True, clock="t") for line in lines]

    assert shown == [
        None,
        "t shop           WARNING          slot already taken",
        None,
        None,
        None,
        None,
        "t shop           [WARN] CognitoUserPoolAuthorizer is not checked locally; requests "
        "are admitted",
        None,
        "t shop           explode          error  warm",
    ]
    assert raw[:-1] == [f"[keneya-local-shop] {line}" for line in lines[:-1]]
    assert raw[-1] == shown[-1]


def test_the_log_file_keeps_every_line_as_written(tmp_path: Path):
    terminal = io.StringIO()
    console = Console(tmp_path, stream=terminal)
    lines = [json.dumps({"level": "INFO", "message": "hello"}), "Traceback (most recent call"]

    console.function_lines("shop", lines)
    console.close()

    assert (tmp_path / "shop.log").read_text().splitlines() == lines
    assert terminal.getvalue() == ""


# -- against the embedded stack -------------------------------------------------------------


class Terminal(io.StringIO):
    """The console's stream, written from the stack's thread."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            return super().write(text)

    def lines(self) -> list[str]:
        with self._lock:
            return self.getvalue().splitlines()


@pytest.fixture(scope="module")
def console_stack(
    aws_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmbeddedStack, Terminal]]:
    """A stack of its own, so that its sandboxes' first invocations are this module's."""
    log_dir = tmp_path_factory.mktemp("keneya-console-logs")
    stack = EmbeddedStack(
        TEMPLATE,
        FUNCTIONS,
        http_port=0,
        ws_port=0,
        aws_endpoint=aws_endpoint,
        parameter_overrides={"Prefix": f"co{uuid.uuid4().hex[:8]}"},
        services=["shop"],
        log_dir=log_dir,
    )
    terminal = Terminal()
    stack.console = Console(log_dir, echo=True, stream=terminal)
    with stack:
        yield stack, terminal


def _records(stack: EmbeddedStack) -> list[dict[str, Any]]:
    records = []
    for line in stack.console.log_path("shop").read_text().splitlines():
        if line.startswith("{") and '"type": "invocation"' in line:
            records.append(json.loads(line))
    return records


@pytest.mark.slow
def test_a_sandboxs_first_invocation_is_cold_with_its_init_and_the_next_warm(console_stack):
    stack, terminal = console_stack

    stack.invoke("shop", "add", {"a": 1, "b": 2})
    stack.invoke("shop", "add", {"a": 3, "b": 4})

    records = eventually(lambda: len(_records(stack)) >= 2 and _records(stack))
    adds = [r for r in records if r["handler"] == "add"]
    # The sandbox's first invocation paid for its init (the app's imports)...
    assert records[0]["cold"] is True
    assert records[0]["init_ms"] > 0
    # ...and the one after it in the same warm sandbox did not.
    assert adds[-1]["cold"] is False
    assert "init_ms" not in adds[-1]
    assert all(r["outcome"] == "ok" and r["duration_ms"] >= 0 for r in adds)
    shown = eventually(lambda: [line for line in terminal.lines() if " add " in line])
    assert "ok" in shown[-1].split() and shown[-1].endswith("warm")
    assert any("cold (init " in line for line in terminal.lines())


@pytest.mark.slow
def test_rest_invocations_show_their_route_and_status(console_stack):
    stack, terminal = console_stack

    assert requests.get(stack.url("shop", "/health?token=secret"), timeout=10).ok

    line = eventually(
        lambda: next((x for x in terminal.lines() if "GET /api/v1/shop/health" in x), None)
    )
    assert "api_handler" in line and "  200  " in line
    assert "secret" not in terminal.getvalue()


@pytest.mark.slow
def test_a_view_that_raises_shows_its_error_in_its_line_not_its_traceback(console_stack):
    stack, terminal = console_stack

    assert requests.get(stack.url("shop", "/boom"), timeout=10).status_code == 500

    line = eventually(
        lambda: next((x for x in terminal.lines() if "GET /api/v1/shop/boom" in x), None)
    )
    assert "  500  ValueError: the view broke  " in line
    assert "Traceback" not in terminal.getvalue()
    assert "Traceback" in stack.console.log_path("shop").read_text()


@pytest.mark.slow
def test_verbose_shows_the_raw_lines_the_default_keeps_in_the_log(console_stack):
    stack, terminal = console_stack

    with pytest.raises(FunctionError):
        stack.invoke("shop", "explode", {"why": "default"})
    compact = eventually(lambda: next((x for x in terminal.lines() if "'default'" in x), None))
    stack.console.verbose = True
    try:
        with pytest.raises(FunctionError):
            stack.invoke("shop", "explode", {"why": "verbose"})
        eventually(lambda: any("Traceback" in x for x in terminal.lines()))
    finally:
        stack.console.verbose = False

    log = stack.console.log_path("shop").read_text()
    assert "ValueError: asked to explode" in compact and " explode " in compact
    assert log.count("Traceback (most recent call last)") >= 2
    default_part, _, verbose_part = terminal.getvalue().partition(compact)
    assert "Traceback" not in default_part + compact
    assert "[keneya-local-shop] Traceback (most recent call last):" in verbose_part
    assert "[keneya-local-shop] [ERROR] keneya-local-shop explode RequestId" in verbose_part
    # The invocation line stays compact with --verbose too.
    assert '"type": "invocation"' not in terminal.getvalue()


# -- `up --verbose` / `up --quiet` ------------------------------------------------------------


class _StackThatCannotStart:
    made: list[_StackThatCannotStart] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.console = Console(kwargs["log_dir"], echo=kwargs["echo"])
        self.made.append(self)

    def start(self) -> None:
        raise StackError("not in this test")

    def stop(self) -> None:
        self.console.close()


@pytest.mark.parametrize(
    ("flag", "echo", "verbose"),
    [(None, True, False), ("--verbose", True, True), ("--quiet", False, False)],
)
def test_up_passes_verbose_and_quiet_to_the_console(monkeypatch, tmp_path, flag, echo, verbose):
    monkeypatch.setattr(supervisor, "EmbeddedStack", _StackThatCannotStart)
    monkeypatch.setattr(sys, "setswitchinterval", lambda interval: None)
    _StackThatCannotStart.made.clear()
    argv = ["up", "--http-port", str(free_port()), "--state-dir", str(tmp_path)]

    assert main(argv + ([flag] if flag else [])) == 1

    (stack,) = _StackThatCannotStart.made
    assert stack.kwargs["echo"] is echo
    assert stack.console.verbose is verbose
