"""Structured JSON logs (aws-lambda-powertools) that never carry secrets or clinical content.

Every module logs through the one `logger`; values under sensitive keys are masked at
serialisation, so a careless `logger.info("...", extra={"password": ...})` still leaks nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from keneya.config import settings

REDACTED = "***"

# Credentials, one-time codes and clinical content: never written to a log line.
SENSITIVE_KEYS = frozenset(
    {
        "password",
        "new_password",
        "current_password",
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "cookie",
        "otp",
        "code",
        "secret",
        "client_secret",
        "private_key",
        "api_key",
        "signature",
        "notes",
        "diagnoses",
        "prescriptions",
        "clinical_summary",
        "data",
    }
)


def redact(value: Any) -> Any:
    """A copy of `value` with every sensitive key's value masked, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SENSITIVE_KEYS else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:
        return super().serialize(redact(log))


logger = Logger(service=settings().service_name, logger_formatter=RedactingFormatter())
