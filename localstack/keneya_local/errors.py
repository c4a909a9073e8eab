"""Errors shared by the parts of the local runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FunctionError(Exception):
    """A handler raised: what Lambda's Invoke API reports as `X-Amz-Function-Error: Unhandled`."""

    def __init__(
        self, error_type: str, error_message: str, stack_trace: list[str] | None = None
    ) -> None:
        super().__init__(f"{error_type}: {error_message}")
        self.error_type = error_type
        self.error_message = error_message
        self.stack_trace = list(stack_trace or [])

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> FunctionError:
        """From Lambda's error document `{"errorType", "errorMessage", "stackTrace"}`."""
        return cls(
            str(payload.get("errorType", "Error")),
            str(payload.get("errorMessage", "")),
            [str(line) for line in payload.get("stackTrace") or []],
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "errorType": self.error_type,
            "errorMessage": self.error_message,
            "stackTrace": self.stack_trace,
        }
