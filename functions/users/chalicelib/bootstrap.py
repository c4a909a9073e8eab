"""Wires the users service's parts once per process (a Lambda sandbox), from its environment:

    TABLE_NAME              the service's table (profiles, care, decisions, outbox)
    REDIS_URL               the directory's search cache
    ATTACHMENTS_BUCKET      the bucket of doctors' photos, under ATTACHMENTS_PREFIX ("photos/")

The routes import this module: the adapters (PynamoDB, boto3, redis) load when `service()` is
first called, not on a cold start of /health.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.service import Users
from keneya.clock import utc_now
from keneya.config import settings

if TYPE_CHECKING:
    from chalicelib.photo_store import PhotoStorage


@cache
def photo_storage() -> PhotoStorage:
    from chalicelib.photo_store import PhotoStorage
    from keneya.aws import client

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
def service() -> Users:
    from chalicelib.search_cache import SearchCache
    from chalicelib.store import CareStore, ProfileStore
    from chalicelib.tables import models

    bound = models()
    return Users(
        profiles=ProfileStore(bound),
        care=CareStore(bound),
        cache=SearchCache(search_redis()),
        photos=photo_storage,
        clock=utc_now,
    )
