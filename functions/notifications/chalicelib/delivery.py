"""The rules of delivery: statuses per notification and channel, failures, retries, backoff.

A channel either sends, cannot reach the person (no phone, no device: `Unreachable`, recorded
as skipped), fails for good (`PermanentFailure`: a rejected address, a disabled device) or fails
for now (`TransientFailure`: throttling, a provider outage, the network). A transient failure is
retried by handling the event again later, with a growing delay, until `MAX_ATTEMPTS`; then it is
recorded as failed. A channel already sent (or finished otherwise) is never sent again.
"""

from __future__ import annotations

from typing import Literal

Status = Literal["sending", "sent", "delivered", "stored", "skipped", "retrying", "failed"]
# Statuses after which a channel is never tried again for the same notification.
FINISHED: frozenset[Status] = frozenset({"sent", "delivered", "stored", "skipped", "failed"})

MAX_ATTEMPTS = 4
BACKOFF_CAP_SECONDS = 15 * 60


class DeliveryProblem(Exception):
    """A channel did not send; `reason` is a short code fit for the delivery log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unreachable(DeliveryProblem):
    """The person has no address on this channel (no e-mail, no registered device)."""


class PermanentFailure(DeliveryProblem):
    """Trying again would fail the same way."""


class TransientFailure(DeliveryProblem):
    """Trying again later may work."""


class DeliveryIncomplete(Exception):
    """Some channels failed transiently; handling the event again later retries only them."""

    def __init__(self, pending: list[str]) -> None:
        super().__init__(f"transient failures on: {', '.join(pending)}")
        self.pending = pending


def status_after_failure(attempt: int, transient: bool) -> Status:
    """A transient failure is retried until the attempts run out; a permanent one is final."""
    if transient and attempt < MAX_ATTEMPTS:
        return "retrying"
    return "failed"


def backoff_seconds(receive_count: int, base_seconds: int) -> int:
    """How long a failed event waits before it is handled again: doubling from `base_seconds`
    with each receipt, capped so that a reminder is not retried after it stopped mattering."""
    exponent = max(0, receive_count - 1)
    return min(BACKOFF_CAP_SECONDS, base_seconds * 2**exponent)
