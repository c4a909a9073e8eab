"""Configuration, read once per process from the environment.

Every endpoint and name comes from here, so the same code runs on the embedded local stack,
LocalStack and AWS without a branch on where it runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed; the message names the variable."""


class Settings:
    """A snapshot of the environment with typed accessors for the settings every service shares."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)

    def require(self, name: str) -> str:
        value = self._environ.get(name, "").strip()
        if not value:
            raise ConfigurationError(
                f"missing environment variable {name}: set it in the service's template "
                f"parameters (or in the shell for local tools)"
            )
        return value

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or default

    def get_int(self, name: str, default: int) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(
                f"environment variable {name} must be an integer, got {raw!r}"
            ) from None

    @property
    def service_name(self) -> str:
        return self.get("SERVICE_NAME") or self.get("POWERTOOLS_SERVICE_NAME") or "keneya"

    @property
    def stage(self) -> str:
        return self.get("STAGE", "local") or "local"

    @property
    def region(self) -> str:
        return self.get("AWS_REGION") or self.get("AWS_DEFAULT_REGION") or "us-east-1"

    @property
    def aws_endpoint_url(self) -> str | None:
        """`None` on AWS; the moto server or LocalStack URL elsewhere."""
        return self.get("AWS_ENDPOINT_URL")

    @property
    def table_name(self) -> str:
        return self.require("TABLE_NAME")

    @property
    def events_topic_arn(self) -> str:
        return self.require("EVENTS_TOPIC_ARN")


@cache
def settings() -> Settings:
    """The process's settings, read on first use (tests call `settings.cache_clear()`)."""
    return Settings(os.environ)
