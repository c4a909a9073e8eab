"""Fixtures shared by every tier: the AWS endpoint (a moto server over HTTP) and clean names."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator

import pytest

# Tests never reach a real AWS account: fake credentials and one region for every client.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
os.environ.pop("AWS_PROFILE", None)

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
    server); otherwise a moto server is started on a free port for the session.
    """
    given = os.environ.get("KENEYA_TEST_AWS_ENDPOINT")
    if given:
        os.environ["AWS_ENDPOINT_URL"] = given
        yield given
        return
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def unique_name() -> str:
    """A resource name no other test uses, so tests never share leftovers."""
    return f"t{uuid.uuid4().hex[:12]}"
