"""The directory as stored, against the platform's DynamoDB: a search reads a bounded number of
entries, and its cursor reads on from where it stopped."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chalicelib.directory import search_query
from chalicelib.profiles import new_profile
from chalicelib.store import ProfileStore
from chalicelib.tables import models_for
from keneya.config import settings
from keneya.correlation import new_id


@pytest.fixture
def bound_models(platform, monkeypatch):
    """The service's models on the platform's table, from this test process."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", platform.aws_endpoint)
    settings.cache_clear()
    yield models_for(platform.deployment.services["users"].environment["TABLE_NAME"])
    settings.cache_clear()


def verified_doctors(models, city: str, names: list[str]) -> list[str]:
    store = ProfileStore(models)
    now = datetime.now(UTC)
    ids = []
    with models.ProfileItem.batch_write() as batch:
        for name in names:
            profile = new_profile(
                user_id=new_id(),
                role="doctor",
                full_name=name,
                phone=None,
                email=None,
                language="fr",
                now=now,
            )
            listed = replace(
                profile,
                specialty="nephrology",
                city=city,
                fee_xof=9000,
                status="verified",
                licence_number="CNOM-1",
            )
            for item in store.items_of(listed):
                batch.save(item)
            ids.append(profile.user_id)
    return ids


def test_a_rare_filter_gives_short_pages_whose_cursors_still_reach_every_match(bound_models):
    town, elsewhere = f"Nioro {uuid.uuid4().hex[:8]}", f"Diema {uuid.uuid4().hex[:8]}"
    names = ["Awa Bah", "Binta Sow", "Coumba Sy", "Dado Ly", "Enna Fall", "Fily Dia"]
    ids = verified_doctors(bound_models, town, names)
    # Each name of the town is followed, in the directory's order, by one of elsewhere.
    verified_doctors(bound_models, elsewhere, [f"{name}a" for name in names])
    # Pages of 3 entries (2 wanted + 1), reading on no further than that.
    store = ProfileStore(bound_models, filtered_page_size=3, read_budget=3)

    found, short_pages, after = [], 0, None
    for _ in range(10_000):
        page, after = store.search(replace(search_query(city=town, limit=2), after=after))
        found += [item.profile.user_id for item in page]
        short_pages += len(page) < 2 and after is not None
        if after is None:
            break

    assert found == ids  # every one, once, in name order
    assert short_pages > 0


def test_a_search_within_its_budget_fills_its_page(bound_models):
    city = f"Yelimane {uuid.uuid4().hex[:8]}"
    ids = verified_doctors(bound_models, city, ["Ali Ba", "Bema Ba", "Cira Ba"])
    store = ProfileStore(bound_models)

    page, after = store.search(search_query(city=city, specialty="nephrology", limit=2))
    rest, end = store.search(replace(search_query(city=city, specialty="nephrology"), after=after))

    assert [item.profile.user_id for item in page] == ids[:2]
    assert [item.profile.user_id for item in rest] == ids[2:]
    assert end is None
