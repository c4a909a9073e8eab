"""Wires the users service's parts once per process (a Lambda sandbox), from its environment."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.clock import SystemClock
from chalicelib.flows import Users
from chalicelib.models import models
from chalicelib.photos import PhotoStorage
from chalicelib.search_cache import SearchCache
from chalicelib.store import CareStore, ProfileStore
from keneya.aws import client
from keneya.config import settings


@cache
def photo_storage() -> PhotoStorage:
    config = settings()
    return PhotoStorage(
        client("s3"),
        config.require("ATTACHMENTS_BUCKET"),
        config.get("ATTACHMENTS_PREFIX", "photos/") or "photos/",
    )


@cache
def search_redis() -> Any:
    """Redis for the search cache: fails fast (no retries, short timeouts), as a search can
    always read the table instead (the shared client retries with backoff for seconds)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        settings().require("REDIS_URL"),
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=30,
    )


@cache
def users() -> Users:
    bound = models()
    return Users(
        profiles=ProfileStore(bound),
        care=CareStore(bound),
        cache=SearchCache(search_redis()),
        photos=photo_storage,
        clock=SystemClock(),
    )
