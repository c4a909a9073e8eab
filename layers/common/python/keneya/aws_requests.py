"""Counting the AWS requests a function makes, when `KENEYA_COUNT_AWS_REQUESTS` is set.

Off by default: nothing is registered and nothing counted. On (benchmarks, tests), a handler is
added to botocore's built-in handlers, which every botocore session registers when it is
created: boto3's clients and PynamoDB's own client alike. It listens to
`request-created.<service>.<operation>`, which botocore emits once for each HTTP request it is
about to send, a retry included, so what is counted is what AWS would bill and answer, whatever
library made the call. The package imports this module first (`keneya/__init__.py`), before any
session exists.

`keneya.consumer` reports what each consumed event cost (`counted` below) in its log.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

ENVIRONMENT = "KENEYA_COUNT_AWS_REQUESTS"

_counts: Counter[str] = Counter()
_lock = threading.Lock()
_installed = False


def enabled() -> bool:
    return (os.environ.get(ENVIRONMENT) or "").lower() in ("1", "true", "yes")


def install() -> bool:
    """Start counting if the environment asks for it; whether counting is on."""
    global _installed
    if not enabled():
        return False
    with _lock:
        if not _installed:
            from botocore import handlers

            handlers.BUILTIN_HANDLERS.append(("request-created", _count))
            _installed = True
    return True


def _count(event_name: str, **_: Any) -> None:
    # "request-created.dynamodb.PutItem" -> "dynamodb.PutItem"
    operation = event_name.split(".", 1)[1] if "." in event_name else event_name
    with _lock:
        _counts[operation] += 1


def snapshot() -> Counter[str]:
    """The requests counted so far in this process, by "service.Operation"."""
    with _lock:
        return Counter(_counts)


def difference(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    return {
        operation: after[operation] - before.get(operation, 0)
        for operation in sorted(after)
        if after[operation] - before.get(operation, 0)
    }


class Tally:
    """Requests counted between `start` and `stop` (both a snapshot)."""

    def __init__(self) -> None:
        self.before: Counter[str] = snapshot()
        self.requests: dict[str, int] = {}

    def stop(self) -> dict[str, int]:
        self.requests = difference(snapshot(), self.before)
        return self.requests


@contextmanager
def counted() -> Iterator[Tally | None]:
    """A `Tally` of the requests made inside the block; None when counting is off."""
    if not _installed:
        yield None
        return
    tally = Tally()
    try:
        yield tally
    finally:
        tally.stop()
