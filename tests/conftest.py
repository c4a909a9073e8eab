"""Fixtures shared by every tier: the AWS endpoint (a moto server over HTTP) and clean names."""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# Tests never reach a real AWS account: fake credentials and one region for every client.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
os.environ.pop("AWS_PROFILE", None)

# The smoke suite of a deployed stack (tests/deployed) runs by its own command only,
# `make smoke-local`, which names the deployment's endpoints file.
collect_ignore = [] if os.environ.get("KENEYA_DEPLOYED_ENDPOINTS") else ["deployed"]

# The moto server logs every request it serves; test reports need only what failed.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """URL of an AWS-compatible endpoint reached over HTTP.

    `KENEYA_TEST_AWS_ENDPOINT` points the suite at one already running (LocalStack, a moto
    server); otherwise a moto server is started on a free port for the session, in a process
    of its own as the local stack starts it.
    """
    given = os.environ.get("KENEYA_TEST_AWS_ENDPOINT")
    if given:
        os.environ["AWS_ENDPOINT_URL"] = given
        yield given
        return
    from keneya_local.backing_services import start_moto

    # The stack's own moto process: its fixes (cancelled transactions write nothing, each
    # DynamoDB request is atomic) and the arrivals its pollers follow.
    moto = start_moto("127.0.0.1", 0)
    os.environ["AWS_ENDPOINT_URL"] = moto.url
    try:
        yield moto.url
    finally:
        moto.stop()


@pytest.fixture
def unique_name() -> str:
    """A resource name no other test uses, so tests never share leftovers."""
    return f"t{uuid.uuid4().hex[:12]}"


# --- each service's own `chalicelib` ---------------------------------------------------------
#
# Every service has a package named `chalicelib` (Chalice's convention), so the domain tests of
# two services cannot import theirs side by side. Tests under `tests/<service>/` see their own
# service's `chalicelib` (and `app`): when collection or a test moves to another service, the
# modules of the previous one are set aside and that service's folder leads `sys.path`.

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
_service_modules: dict[str, dict[str, ModuleType]] = {}
_active_service: list[str | None] = [None]


def _is_service_module(name: str) -> bool:
    return name in ("app", "chalicelib") or name.startswith("chalicelib.")


def service_of(path: Path) -> str | None:
    """The service whose tests live at `path` (`tests/<service>/...`), if any."""
    try:
        first = Path(path).resolve().relative_to(ROOT / "tests").parts[0]
    except (ValueError, IndexError):
        return None
    return first if (FUNCTIONS / first / "chalicelib").is_dir() else None


def use_service_code(service: str | None) -> None:
    """Make `import chalicelib` / `import app` mean `service`'s code from now on."""
    current = _active_service[0]
    if service == current:
        return
    if current is not None:
        _service_modules[current] = {
            name: module for name, module in sys.modules.items() if _is_service_module(name)
        }
        sys.path[:] = [p for p in sys.path if p != str(FUNCTIONS / current)]
    for name in [name for name in sys.modules if _is_service_module(name)]:
        del sys.modules[name]
    if service is not None:
        sys.path.insert(0, str(FUNCTIONS / service))
        sys.modules.update(_service_modules.get(service, {}))
    _active_service[0] = service


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    if isinstance(collector, pytest.Module):
        use_service_code(service_of(collector.path))
    return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    use_service_code(service_of(item.path))


# --- the whole platform, once per session ------------------------------------------------------


@pytest.fixture(scope="session")
def turn_port() -> int:
    """Where the platform's TURN server listens (started only by the tests that use it)."""
    return free_port()


@pytest.fixture(scope="session")
def platform(
    aws_endpoint: str, turn_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """Every Keneya service running in the embedded local stack (`EmbeddedStack` of keneya_local),
    on free ports, against the session's AWS endpoint, with its own redis-server.

    `platform.url("auth", "/login")`, `platform.http_url`, `platform.ws_url`, `platform.invoke`.
    """
    from keneya_local.stack import EmbeddedStack

    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=aws_endpoint,
        parameter_overrides={
            # Failed events come back in seconds rather than the deployed six minutes.
            "EventsVisibilityTimeout": "5",
            # A lockout ends while a test watches (tests/auth uses the same figure).
            "LoginLockoutSeconds": "2",
            # A provider that does not answer is a timeout in seconds, not the deployed ten.
            "ProviderTimeoutSeconds": "2",
            # Credentials for the TURN server that `turn_server` starts on this port (browsers
            # on this machine connect over host candidates when nothing forces a relay).
            "TurnUrls": f"turn:127.0.0.1:{turn_port}?transport=udp,"
            f"turn:127.0.0.1:{turn_port}?transport=tcp",
        },
        log_dir=tmp_path_factory.mktemp("platform-logs"),
        # A real MongoDB when one is given; the in-process stand-in otherwise.
        mongo_url=os.environ.get("KENEYA_TEST_MONGO_URL") or None,
    )
    with stack:
        audit = CatalogueAudit(aws_endpoint, stack.deployment.resources["EventsTopic"].physical_id)
        frames = FrameAudit(stack)
        yield stack
        audit.check()
        frames.check()


@pytest.fixture(scope="session")
def turn_server(platform: Any, turn_port: int, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """coturn on the platform's TURN port, sharing the signaling service's secret."""
    from tests.support.signaling import turn_secret
    from tests.turn_server import require_turn_server, running_turn_server

    require_turn_server()
    secret = turn_secret(platform)
    log = tmp_path_factory.mktemp("turn") / "turnserver.log"
    with running_turn_server(turn_port, secret, log) as server:
        yield server


@pytest.fixture
def published_events(platform: Any) -> Iterator[Any]:
    """Every event published on the platform's topic from now on (a queue subscribed to it
    for the test): `published_events.wait_for("call.left", consultation_id=...)`."""
    from tests.support.auth import published_events as subscribed

    topic_arn = platform.deployment.resources["EventsTopic"].physical_id
    with subscribed(platform.aws_endpoint, topic_arn) as published:
        yield published


class CatalogueAudit:
    """Every event published while the suite runs, checked against the event catalogue.

    A queue subscribed to the events topic with no filter receives everything; each message
    must parse as a catalogued event, or the session fails naming it. The queue is read while
    the suite runs: moto's receive scans every message of a queue, so a queue left to fill
    until the end would take minutes to read.
    """

    DRAIN_EVERY_SECONDS = 2.0

    def __init__(self, endpoint: str, topic_arn: str) -> None:
        import threading

        import boto3

        self._sqs = boto3.client("sqs", endpoint_url=endpoint)
        self._queue_url = self._sqs.create_queue(QueueName=f"catalogue-audit-{uuid.uuid4().hex}")[
            "QueueUrl"
        ]
        queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=self._queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        boto3.client("sns", endpoint_url=endpoint).subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        self.problems: list[str] = []
        self.checked = 0
        self._stopped = threading.Event()
        self._reader = threading.Thread(target=self._read_while_running, daemon=True)
        self._reader.start()

    def _read_while_running(self) -> None:
        while not self._stopped.wait(self.DRAIN_EVERY_SECONDS):
            try:
                self._drain()
            except Exception:  # the endpoint is going away; `check` reads what is left
                return

    def _drain(self) -> None:
        from keneya.events import InvalidEvent, parse_event

        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return
            for message in messages:
                self.checked += 1
                try:
                    parse_event(message["Body"])
                except InvalidEvent as invalid:
                    self.problems.append(f"{message['Body'][:200]}: {invalid.reason}")
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                    for n, m in enumerate(messages)
                ],
            )

    def check(self) -> None:
        self._stopped.set()
        self._reader.join()
        self._drain()
        problems, checked = self.problems, self.checked
        assert not problems, (
            f"{len(problems)} of {checked} published events break the catalogue: {problems}"
        )


class FrameAudit:
    """Every frame the services send a WebSocket client while the suite runs, checked against
    the AsyncAPI document (`/api/v1/asyncapi.json`), as `CatalogueAudit` checks the events."""

    def __init__(self, stack: Any) -> None:
        import threading

        self.stack = stack
        self.frames: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        stack.observe_frames(self._record)

    def _record(self, service: str, frame: bytes) -> None:
        with self._lock:
            self.frames.append((service, frame))

    def check(self) -> None:
        import json

        import jsonschema
        import requests

        document = requests.get(f"{self.stack.http_url}/api/v1/asyncapi.json", timeout=30).json()
        messages = document["components"]["messages"]
        problems: list[str] = []
        with self._lock:
            frames = list(self.frames)
        for service, raw in frames:
            try:
                frame = json.loads(raw)
                kind = frame["type"]
                schema = messages[f"{service}.receive.{kind}"]["payload"]["schema"]
                jsonschema.validate(frame, schema)
            except (ValueError, KeyError, TypeError, jsonschema.ValidationError) as error:
                problems.append(f"{service}: {raw[:200]!r}: {type(error).__name__} {error}"[:400])
        assert not problems, (
            f"{len(problems)} of {len(frames)} frames sent are not in the AsyncAPI document: "
            f"{problems[:10]}"
        )
