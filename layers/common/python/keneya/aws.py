"""AWS clients and PynamoDB connection settings, created once per process.

boto3 honours `AWS_ENDPOINT_URL`; it is passed explicitly anyway so that PynamoDB (which builds
its own botocore client) and every client agree on the same endpoint.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from keneya.config import settings

# Lambda's defaults retry for minutes; an API answering a phone on a mobile network should not.
_TIMEOUTS = {"connect_timeout": 2, "read_timeout": 10}


@cache
def client(service: str) -> Any:
    """A boto3 client for `service` (e.g. "sns", "sqs"), shared by every caller in the process."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, **_TIMEOUTS)
    return boto3.session.Session().client(
        service,
        region_name=settings().region,
        endpoint_url=settings().aws_endpoint_url,
        config=config,
    )


def table_meta(table_name: str) -> type:
    """A PynamoDB `Meta` class for a model stored in `table_name` on the configured endpoint.

    Usage: `class Booking(Model): Meta = table_meta(settings().table_name)`.
    """
    return type(
        "Meta",
        (),
        {
            "table_name": table_name,
            "region": settings().region,
            "host": settings().aws_endpoint_url,
            "connect_timeout_seconds": _TIMEOUTS["connect_timeout"],
            "read_timeout_seconds": _TIMEOUTS["read_timeout"],
            "max_retry_attempts": 3,
        },
    )
