"""One local stack of the fixture platform (`fixtures/`) for the whole test session.

It runs on free ports against the session's moto server, with resource names unique to the
session, so it never collides with a running `make up` or with other tests' resources.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from keneya_local.stack import EmbeddedStack

from .journal import Journal

FIXTURES = Path(__file__).with_name("fixtures")
TEMPLATE = FIXTURES / "template.yaml"
FUNCTIONS = FIXTURES / "functions"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def stack_prefix() -> str:
    return f"rt{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def local_stack(
    aws_endpoint: str, stack_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedStack]:
    stack = EmbeddedStack(
        TEMPLATE,
        FUNCTIONS,
        http_port=0,
        ws_port=0,
        aws_endpoint=aws_endpoint,
        parameter_overrides={"Prefix": stack_prefix},
        log_dir=tmp_path_factory.mktemp("keneya-local-logs"),
    )
    with stack:
        yield stack


@pytest.fixture(scope="session")
def aws(aws_endpoint: str) -> Any:
    """`aws("sqs")`: a boto3 client of the session's AWS endpoint."""

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=aws_endpoint, region_name=REGION)

    return client


@pytest.fixture(scope="session")
def journal(aws: Any, stack_prefix: str, local_stack: EmbeddedStack) -> Journal:
    return Journal(aws("dynamodb"), f"{stack_prefix}-local-journal")


@pytest.fixture(scope="session")
def names(stack_prefix: str) -> dict[str, str]:
    """Physical names the fixture template gives its resources in this session."""
    base = f"{stack_prefix}-local"
    return {
        "orders_queue": f"{base}-shop-orders",
        "orders_dlq": f"{base}-shop-orders-dlq",
        "topic": f"{base}-events",
        "table": f"{base}-shop",
    }
