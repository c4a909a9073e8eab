"""Pages of doctor search results cached in Redis, dropped when a listed doctor changes.

Each scope (one per specialty, and "*" for searches across specialties) has a generation
number; a page is stored with the generation current when its search began, and is good only
while that is still the scope's generation. A change of a listed doctor bumps the generations of
the scopes it can alter (`directory.cache_scopes`), so every page that could show the old data
is never used again and is replaced or expires. A read is one round trip (the generation and the
page, pipelined).

The directory is a DynamoDB global secondary index, which catches up with a write a moment
after it: a search in that moment could read, and cache, the old page. Pages computed within
`settle_seconds` of their scope's last change are therefore kept only that long.

The cache is never the only copy: when Redis cannot be reached, searches read the table, and
stop asking Redis for `rest_seconds` so that an outage costs one timeout, not one per search.
Invalidations are always attempted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.directory import Page, SearchQuery
from keneya.logs import logger

KEY_PREFIX = "users:directory"
PAGE_SECONDS = 300
SETTLE_SECONDS = 2.0
REST_SECONDS = 5.0


@dataclass(frozen=True)
class Lookup:
    """What a read learnt, so the page computed after a miss is stored at the right place, with
    the generation it was computed under."""

    key: str | None
    ttl_seconds: int
    generation: str = "0"


class SearchCache:
    def __init__(
        self,
        redis: Any,
        *,
        page_seconds: int = PAGE_SECONDS,
        settle_seconds: float = SETTLE_SECONDS,
        rest_seconds: float = REST_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._page_seconds = page_seconds
        self._settle_seconds = settle_seconds
        self._rest_seconds = rest_seconds
        self._clock = clock
        self._resting_until = 0.0

    def _unreachable(self, what: str, error: Exception) -> None:
        self._resting_until = time.monotonic() + self._rest_seconds
        logger.warning(
            f"search cache unreachable ({what}); reading the table for {self._rest_seconds:g} s",
            extra={"error": str(error)},
        )

    @staticmethod
    def _scope_key(scope: str) -> str:
        return f"{KEY_PREFIX}:scope:{scope}"

    def get(self, query: SearchQuery) -> tuple[Page | None, Lookup]:
        """The cached page of `query` if any, and where to store it otherwise."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._resting_until:
            return None, Lookup(None, 0)
        key = f"{KEY_PREFIX}:page:{query.scope}:{query.cache_key()}"
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                pipe.hmget(self._scope_key(query.scope), "gen", "at")
                pipe.get(key)
                (generation, changed_at), raw = pipe.execute()
        except RedisError as error:
            self._unreachable("read", error)
            return None, Lookup(None, 0)
        generation = generation or "0"
        if raw is not None:
            stored_under, _, document = raw.partition("\n")
            if stored_under == generation:
                return Page.from_json(document), Lookup(None, 0)
        settling = (
            changed_at is not None and self._clock() - float(changed_at) < self._settle_seconds
        )
        ttl = max(1, round(self._settle_seconds)) if settling else self._page_seconds
        return None, Lookup(key, ttl, generation)

    def put(self, lookup: Lookup, page: Page) -> None:
        from redis.exceptions import RedisError

        if lookup.key is None:
            return
        try:
            value = f"{lookup.generation}\n{page.to_json()}"
            self._redis.set(lookup.key, value, ex=lookup.ttl_seconds)
        except RedisError as error:
            self._unreachable("write", error)

    def invalidate(self, scopes: Iterable[str]) -> bool:
        """Make every cached page of `scopes` unreachable; False if Redis could not be told
        (pages then live at most `page_seconds` more)."""
        from redis.exceptions import RedisError

        scopes = sorted(set(scopes))
        if not scopes:
            return True
        now = self._clock()
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                for scope in scopes:
                    pipe.hincrby(self._scope_key(scope), "gen", 1)
                    pipe.hset(self._scope_key(scope), "at", f"{now:.3f}")
                pipe.execute()
        except RedisError as error:
            logger.error(
                "search cache not invalidated; stale pages expire on their own",
                extra={"scopes": scopes, "error": str(error)},
            )
            return False
        return True
