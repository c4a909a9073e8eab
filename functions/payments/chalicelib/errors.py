"""The few ways a payments request is refused; `chalicelib.problems` answers each as a problem
document."""

from __future__ import annotations


class PaymentError(Exception):
    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFoundError(PaymentError):
    """Unknown, or someone else's (the same answer: another person's resource is a 404)."""


class ConflictError(PaymentError):
    """The request is valid but the state forbids it (not payable, a live intent exists)."""


class IdempotencyMismatch(PaymentError):
    """An `Idempotency-Key` reused with another request."""
