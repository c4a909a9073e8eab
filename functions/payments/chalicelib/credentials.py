"""Provider adapters built from configuration: base URLs from the service's parameters,
credentials from Secrets Manager. A secret may also carry `base_url` (e.g. a sandbox), which
wins over the parameter, so an operator can switch endpoints without a deployment, and
`timeout_seconds`, which wins over `PROVIDER_TIMEOUT_SECONDS`."""

from __future__ import annotations

import json
import time
from typing import Any

from keneya.aws import client
from keneya.config import settings

from .moov_money import MoovMoney, MoovMoneyConfig
from .orange_money import OrangeMoney, OrangeMoneyConfig
from .providers import ProviderAdapter

SECRET_CACHE_SECONDS = 60
_secrets: dict[str, tuple[dict[str, Any], float]] = {}


def _secret(arn_variable: str) -> dict[str, Any]:
    arn = settings().require(arn_variable)
    cached = _secrets.get(arn)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    value = json.loads(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    _secrets[arn] = (value, time.monotonic() + SECRET_CACHE_SECONDS)
    return value


def forget_secrets() -> None:
    _secrets.clear()


def _timeout(secret: dict[str, Any]) -> float:
    return float(
        secret.get("timeout_seconds") or settings().get_int("PROVIDER_TIMEOUT_SECONDS", 10)
    )


def adapter_for(provider: str) -> ProviderAdapter:
    if provider == "orange_money":
        secret = _secret("ORANGE_MONEY_SECRET_ARN")
        timeout = _timeout(secret)
        return OrangeMoney(
            OrangeMoneyConfig(
                base_url=secret.get("base_url") or settings().require("ORANGE_MONEY_BASE_URL"),
                client_id=secret.get("client_id", ""),
                client_secret=secret.get("client_secret", ""),
                merchant_key=secret.get("merchant_key", ""),
                country=secret.get("country", "ml"),
                currency=secret.get("currency", "XOF"),
                timeout=timeout,
            )
        )
    if provider == "moov_money":
        secret = _secret("MOOV_MONEY_SECRET_ARN")
        timeout = _timeout(secret)
        return MoovMoney(
            MoovMoneyConfig(
                base_url=secret.get("base_url") or settings().require("MOOV_MONEY_BASE_URL"),
                username=secret.get("username", ""),
                password=secret.get("password", ""),
                merchant_id=secret.get("merchant_id", ""),
                currency=secret.get("currency", "XOF"),
                timeout=timeout,
            )
        )
    raise ValueError(f"unknown provider {provider!r}")
