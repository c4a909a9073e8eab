"""Redis and MongoDB clients, created once per process from `REDIS_URL` and `MONGO_URL`.

`MONGO_URL=mongomock://` selects an in-process stand-in (the embedded local stack uses it when
no MongoDB server is reachable); everything else is a real server URL.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from keneya.config import settings

IN_PROCESS_MONGO = "mongomock://"


@cache
def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(
        settings().require("REDIS_URL"),
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=30,
    )


@cache
def mongo_client() -> Any:
    url = settings().require("MONGO_URL")
    if url.startswith(IN_PROCESS_MONGO):
        import mongomock

        return mongomock.MongoClient(tz_aware=True)
    import pymongo

    return pymongo.MongoClient(url, tz_aware=True, serverSelectionTimeoutMS=3000)
