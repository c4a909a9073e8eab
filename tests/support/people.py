"""Waiting for what happens a moment later (events, queues, sockets), and the people tests act
as."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def eventually(check: Callable[[], Any], timeout: float = 15, interval: float = 0.1) -> Any:
    """`check()`'s first truthy result, polled until `timeout` (then its last result)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@dataclass(frozen=True)
class Person:
    """Someone signed in: who, as what, their access token; their contacts when a test needs
    them."""

    user_id: str
    role: str
    token: str
    full_name: str
    phone: str | None = None
    email: str | None = None
