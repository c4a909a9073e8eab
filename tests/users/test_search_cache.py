"""The search cache against a real Redis: pages, generations, the settling window, Redis down."""

from __future__ import annotations

import socket

import pytest
import redis as redis_py
from redis.backoff import NoBackoff
from redis.retry import Retry

from chalicelib.directory import Page, SearchQuery
from chalicelib.search_cache import SearchCache


class Ticking:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis(platform):
    client = redis_py.Redis.from_url(platform.redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def cache(redis, unique_name, monkeypatch):
    # Scopes of their own, so tests never see each other's pages.
    monkeypatch.setattr("chalicelib.search_cache.KEY_PREFIX", f"users-tests:{unique_name}")
    return SearchCache(redis, page_seconds=300, settle_seconds=2, clock=Ticking())


PAGE = Page([{"id": "d1", "fee_xof": 10000}], next_cursor=None)


def test_a_stored_page_is_found_again_for_the_same_query_only(cache):
    query = SearchQuery(specialty="cardiology", city="bamako")
    missed, lookup = cache.get(query)
    cache.put(lookup, PAGE)

    assert missed is None
    assert cache.get(query)[0] == PAGE
    assert cache.get(SearchQuery(specialty="cardiology", city="kayes"))[0] is None


def test_invalidating_a_specialty_drops_its_pages_and_leaves_the_others(cache):
    cardiology, dermatology = (
        SearchQuery(specialty="cardiology"),
        SearchQuery(specialty="dermatology"),
    )
    for query in (cardiology, dermatology):
        cache.put(cache.get(query)[1], PAGE)

    assert cache.invalidate({"cardiology"}) is True

    assert cache.get(cardiology)[0] is None
    assert cache.get(dermatology)[0] == PAGE


def test_a_page_computed_before_a_change_but_stored_after_it_is_never_served(cache):
    query = SearchQuery(specialty="urology")
    _, before_the_change = cache.get(query)
    cache.invalidate({"urology"})

    cache.put(before_the_change, PAGE)

    assert cache.get(query)[0] is None


def test_pages_computed_right_after_a_change_are_kept_only_briefly(cache, redis):
    query = SearchQuery(specialty="psychiatry")
    cache.invalidate({"psychiatry"})

    _, settling = cache.get(query)
    cache._clock.now += 3
    _, settled = cache.get(query)

    assert settling.ttl_seconds == 2
    assert settled.ttl_seconds == 300
    cache.put(settling, PAGE)
    assert 0 < redis.ttl(settling.key) <= 2


class Counting:
    """A Redis client that counts the commands it was asked to send."""

    def __init__(self, client: redis_py.Redis) -> None:
        self.client, self.calls = client, 0

    def __getattr__(self, name: str):
        self.calls += 1
        return getattr(self.client, name)


def test_without_redis_searches_still_work_and_redis_is_left_alone_a_moment():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = Counting(
        redis_py.Redis(
            host="127.0.0.1",
            port=closed_port,
            socket_connect_timeout=0.2,
            retry=Retry(NoBackoff(), 0),
        )
    )
    cache = SearchCache(down, rest_seconds=60)

    page, lookup = cache.get(SearchQuery())
    cache.put(lookup, PAGE)
    asked = down.calls
    again, _ = cache.get(SearchQuery(specialty="cardiology"))

    assert page is None and again is None and lookup.key is None
    assert down.calls == asked == 1
    assert cache.invalidate({"*"}) is False
    assert down.calls > asked
