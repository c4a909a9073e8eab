"""Wires the payments service once per process (a Lambda sandbox)."""

from __future__ import annotations

from functools import cache

from keneya.config import settings

from .credentials import adapter_for
from .service import PaymentService
from .store import DynamoPaymentStore


@cache
def service() -> PaymentService:
    return PaymentService(
        store=DynamoPaymentStore(settings().table_name),
        adapters=adapter_for,
        commission_percent=settings().get_int("PLATFORM_COMMISSION_PERCENT", 10),
        web_app_url=settings().get("WEB_APP_URL", "https://keneya.ml") or "https://keneya.ml",
    )
