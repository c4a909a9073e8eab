"""Fixtures of the auth service's tests: a clock to move, a real redis-server, and the service
running in the local stack, reached over HTTP (`import chalicelib` means the auth service's code
here: tests/conftest.py sees to it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

AUTH_DIR = ROOT / "functions" / "auth"


@pytest.fixture
def clock() -> Any:
    # Imported here: the auth service's `chalicelib` (which fakes.py uses) is only importable
    # once tests/conftest.py has selected it for the test.
    from .fakes import FakeClock

    return FakeClock()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of its own for the session (no persistence), on a free port."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        pytest.skip("redis-server is not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.02)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis(redis_url: str) -> Any:
    import redis as redis_py

    return redis_py.Redis.from_url(redis_url, decode_responses=True)


# -- the service in the local stack, over HTTP ---------------------------------------------

# A lockout of 2 s (doubling) instead of 1 min, so the tests can watch one end.
LOCKOUT_SECONDS = 2


def start_auth_stack(aws_endpoint: str, log_dir: Path, **options: Any) -> Any:
    from keneya_local.stack import EmbeddedStack

    return EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=aws_endpoint,
        services=["auth"],
        # The template's shared resources (the events queues) as the session's platform has
        # them: this stack provisions them too.
        parameter_overrides={
            "LoginLockoutSeconds": str(LOCKOUT_SECONDS),
            "EventsVisibilityTimeout": "5",
        },
        log_dir=log_dir,
        **options,
    ).start()


@pytest.fixture(scope="session")
def auth_stack(platform: Any) -> Any:
    """The auth service as the template deploys it, behind the local REST gateway: the
    session's platform, whose lockout lasts `LOCKOUT_SECONDS`."""
    return platform


@pytest.fixture(scope="session")
def auth_environment(auth_stack: Any) -> dict[str, str]:
    return dict(auth_stack.deployment.services["auth"].environment)


@pytest.fixture(scope="session")
def aws_client(aws_endpoint: str) -> Any:
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=aws_endpoint, region_name="us-east-1")

    return client


@pytest.fixture(scope="session")
def published(auth_environment: dict[str, str], aws_client: Any) -> Iterator[Any]:
    from tests.support.auth import published_events

    endpoint = aws_client("sqs").meta.endpoint_url
    with published_events(endpoint, auth_environment["EVENTS_TOPIC_ARN"]) as published:
        yield published


@pytest.fixture(scope="session")
def auth_table(auth_environment: dict[str, str], aws_client: Any) -> Any:
    """The service's table, for tests that move stored times (a code's expiry) instead of
    waiting for them."""
    import boto3

    resource = boto3.resource(
        "dynamodb",
        endpoint_url=aws_client("dynamodb").meta.endpoint_url,
        region_name="us-east-1",
    )
    return resource.Table(auth_environment["TABLE_NAME"])


@pytest.fixture
def api(auth_stack: Any) -> Any:
    """A device of its own (its own client address) talking to the auth API."""
    from tests.support.auth import Api

    return Api(auth_stack.url("auth"))
