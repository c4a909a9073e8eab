"""The smoke suite of a deployed stack: every request goes to the endpoints the deployment
created (API Gateway's REST and WebSocket APIs on the emulator), none to the embedded runtime.

Run by `make smoke-local` after `make deploy-local`; `KENEYA_DEPLOYED_ENDPOINTS` names the file
the deployment wrote (.keneya/ministack/endpoints.json), and without it the default test run
does not collect this folder (tests/conftest.py). The AWS clients the suite needs (the emulator's
S3-free admin steps, Lambda's configuration, Secrets Manager) are plain boto3 clients on
`AWS_ENDPOINT_URL`: boto3 reads that variable itself, so no LocalStack-specific client is needed.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMINGS: list[tuple[str, float, str]] = []


@dataclass
class Deployed:
    """The deployed stack as its endpoints file describes it."""

    stack: str
    aws_endpoint: str
    region: str
    rest: dict[str, str]
    websocket: dict[str, str]
    outputs: dict[str, str]
    _environments: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, service: str, path: str = "") -> str:
        """`<the service's REST API stage URL>` + path (the stage URL ends with a slash)."""
        return self.rest[service].rstrip("/") + path

    def websocket_url(self, service: str) -> str:
        return self.websocket[service].rstrip("/")

    def client(self, name: str) -> Any:
        return boto3.client(name, endpoint_url=self.aws_endpoint, region_name=self.region)

    def environment(self, service: str) -> dict[str, str]:
        """The deployed API handler's environment (what the template gave the service)."""
        if service not in self._environments:
            configuration = self.client("lambda").get_function_configuration(
                FunctionName=f"keneya-local-{service}-APIHandler"
            )
            self._environments[service] = configuration["Environment"]["Variables"]
        return self._environments[service]

    def sms_to(self, phone: str) -> list[str]:
        """The SMS the emulator caught for `phone` (MiniStack: /_ministack/sns/sms-messages,
        LocalStack: /_aws/sns/sms-messages)."""
        import requests

        for path in ("/_ministack/sns/sms-messages", "/_aws/sns/sms-messages"):
            answer = requests.get(
                f"{self.aws_endpoint}{path}", params={"phoneNumber": phone}, timeout=10
            )
            if answer.status_code == 200:
                caught = answer.json().get("sms_messages", {})
                return [m.get("Message", "") for m in caught.get(phone, [])]
        return []


@pytest.fixture(scope="session")
def deployed() -> Deployed:
    path = Path(os.environ["KENEYA_DEPLOYED_ENDPOINTS"])
    if not path.is_file():
        pytest.fail(f"{path} not found: deploy first (make deploy-local)")
    document = json.loads(path.read_text())
    os.environ["AWS_ENDPOINT_URL"] = document["aws_endpoint"]
    return Deployed(
        stack=document["stack"],
        aws_endpoint=document["aws_endpoint"],
        region=document["region"],
        rest=document["rest"],
        websocket=document["websocket"],
        outputs=document["outputs"],
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    started = time.monotonic()
    outcome = yield
    TIMINGS.append(
        (item.name, time.monotonic() - started, "failed" if outcome.excinfo else "passed")
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("smoke steps against the deployed stack")
    for name, seconds, outcome in TIMINGS:
        terminalreporter.write_line(f"{seconds:7.2f} s  {outcome:<6}  {name}")
    target = Path(os.environ.get("KENEYA_DEPLOYED_ENDPOINTS", "")).with_name("smoke-timings.json")
    if target.parent.is_dir():
        target.write_text(json.dumps([
            {"step": name, "seconds": round(seconds, 2), "outcome": outcome}
            for name, seconds, outcome in TIMINGS
        ], indent=2))
