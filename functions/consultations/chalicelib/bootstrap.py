"""Wires the consultations service's parts once per process (a Lambda sandbox)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.service import ConsultationService


@cache
def service() -> ConsultationService:
    """The use cases on the service's table, wired on first use: the routes and the consumer
    import this module at every cold start, the relay and /health never need PynamoDB."""
    from chalicelib.policy import Policy
    from chalicelib.service import ConsultationService
    from chalicelib.store import TableStore
    from chalicelib.tables import models
    from keneya.clock import utc_now
    from keneya.config import settings

    return ConsultationService(TableStore(models()), Policy.from_settings(settings()), utc_now)
