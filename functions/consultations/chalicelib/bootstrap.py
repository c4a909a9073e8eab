"""Wires the consultations service's parts once per process (a Lambda sandbox)."""

from __future__ import annotations

from functools import cache

from chalicelib.models import models
from chalicelib.policy import Policy
from chalicelib.repository import Repository
from chalicelib.service import ConsultationService
from keneya.clock import utc_now
from keneya.config import settings


@cache
def service() -> ConsultationService:
    return ConsultationService(Repository(models()), Policy.from_settings(settings()), utc_now)
