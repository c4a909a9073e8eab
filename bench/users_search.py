"""Doctor search latency of the users service with 10,000 verified doctors, with and without the
Redis cache, over HTTP through the local stack's REST gateway.

Starts the users service alone in the embedded local stack (moto in this process, its own
redis-server), writes N verified doctors straight into its table with the service's own
mapping (the same items the API writes: index keys, folded names and cities), then times
GET /api/v1/users/doctors for a mix of searches people make: by specialty, specialty and city,
language, name prefix, fee range, across all specialties, and next pages by cursor.

- without the cache: Redis is emptied before every request, so each one reads the table;
- with the cache warm: every search of the mix once, then round after round of them.

Prints p50/p90/p99/max in milliseconds. The target is p99 under 50 ms with the cache warm.
Without the cache the figures are moto's (a Python DynamoDB that scans a table for every
query), not DynamoDB's.

    .venv/bin/python bench/users_search.py [doctors] [cached requests]
    (USERS_BENCH_UNCACHED_ROUNDS=3 for more samples without the cache; each takes minutes)
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from figures import percentile

ROOT = Path(__file__).resolve().parent.parent
for entry in ("layers/common/python", "localstack", "functions/users"):
    if str(ROOT / entry) not in sys.path:
        sys.path.insert(0, str(ROOT / entry))
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
from keneya_local.console import quiet_request_logs  # noqa: E402

# The figures only: no request line from the HTTP servers (moto's, the stack's).
quiet_request_logs()

GIVEN_NAMES = [
    "Awa",
    "Moussa",
    "Fatoumata",
    "Ibrahim",
    "Oumou",
    "Seydou",
    "Aminata",
    "Bakary",
    "Mariam",
    "Modibo",
    "Kadiatou",
    "Souleymane",
    "Rokia",
    "Boubacar",
    "Assitan",
    "Mamadou",
    "Hawa",
    "Drissa",
    "Djeneba",
    "Adama",
    "Salimata",
    "Cheick",
    "Nana",
    "Oumar",
    "Ramata",
    "Yacouba",
]
FAMILY_NAMES = [
    "Traoré",
    "Diarra",
    "Keïta",
    "Coulibaly",
    "Konaté",
    "Sangaré",
    "Diallo",
    "Touré",
    "Cissé",
    "Dembélé",
    "Maïga",
    "Sidibé",
    "Koné",
    "Doumbia",
    "Camara",
    "Sissoko",
    "Bâ",
    "Guindo",
    "Dicko",
    "Samaké",
    "Kanté",
    "Fofana",
    "Tounkara",
    "Ballo",
    "Bagayoko",
    "Niaré",
]
CITIES = ["Bamako"] * 10 + [
    "Kati",
    "Ségou",
    "Sikasso",
    "Kayes",
    "Mopti",
    "Koutiala",
    "San",
    "Gao",
    "Tombouctou",
]
SPOKEN = [
    ["fr"],
    ["fr", "bm"],
    ["bm", "fr"],
    ["fr", "ff"],
    ["fr", "bm", "snk"],
    ["fr", "en"],
    ["fr", "son"],
    ["fr", "tmh"],
]
FEES = [3000, 5000, 7500, 10000, 12500, 15000, 20000, 25000, 35000]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def report(label: str, samples: list[float]) -> None:
    print(
        f"{label:<44}{statistics.median(samples):>8.1f}{percentile(samples, 0.9):>8.1f}"
        f"{percentile(samples, 0.99):>8.1f}{max(samples):>8.1f}{len(samples):>7}"
    )


def load_doctors(count: int) -> float:
    """Write `count` verified doctors with the service's own mapping; returns the seconds."""
    from dataclasses import replace

    from chalicelib.profiles import new_profile
    from chalicelib.store import ProfileStore
    from chalicelib.tables import models
    from chalicelib.vocabularies import SPECIALTIES
    from keneya.correlation import new_id

    rng = random.Random(2031)
    # General practice and paediatrics are most of the directory, as in practice.
    specialties = list(SPECIALTIES)
    weights = [12 if s in ("general-practice", "paediatrics") else 2 for s in specialties]
    store = ProfileStore(models())
    now = datetime.now(UTC)
    started = time.perf_counter()
    with models().ProfileItem.batch_write() as batch:
        for _ in range(count):
            profile = new_profile(
                user_id=new_id(),
                role="doctor",
                full_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
                phone=None,
                email=None,
                language="fr",
                now=now,
            )
            verified = replace(
                profile,
                specialty=rng.choices(specialties, weights)[0],
                languages=tuple(rng.choice(SPOKEN)),
                city=rng.choice(CITIES),
                fee_xof=rng.choice(FEES),
                licence_number=f"CNOM-{rng.randrange(10**5):05d}",
                status="verified",
                verified_at=now,
            )
            for item in store.items_of(verified):
                batch.save(item)
    return time.perf_counter() - started


SEARCHES: list[dict[str, Any]] = [
    {"specialty": "general-practice"},
    {"specialty": "paediatrics", "city": "Bamako"},
    {"specialty": "gynaecology-obstetrics", "city": "Bamako"},
    {"specialty": "cardiology"},
    {"specialty": "paediatrics", "language": "bm"},
    {"specialty": "general-practice", "city": "Ségou", "language": "bm"},
    {"specialty": "dermatology", "fee_max": 10000},
    {"specialty": "general-practice", "fee_min": 5000, "fee_max": 12500},
    {"specialty": "psychiatry", "name": "tra"},
    {"specialty": "paediatrics", "name": "awa"},
    {"specialty": "general-practice", "city": "Kayes", "limit": 10},
    {"city": "Sikasso"},
    {"name": "diarra"},
    {"language": "tmh", "city": "Gao"},
    {},
]


def main() -> None:
    import redis
    import requests
    from moto.server import ThreadedMotoServer

    from keneya_local.stack import EmbeddedStack

    doctors = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    cached_requests = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    port = free_port()
    # As the stack's own moto server: transactions without whole-table copies, each
    # DynamoDB request atomic.
    from keneya_local import moto_fixes

    moto_fixes.install()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=f"http://127.0.0.1:{port}",
        services=["users"],
        log_dir=tempfile.mkdtemp(prefix="keneya-bench-users-"),
    )
    stack.start()
    try:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": stack.aws_endpoint or "",
                "TABLE_NAME": stack.deployment.services["users"].environment["TABLE_NAME"],
            }
        )
        loaded = load_doctors(doctors)
        print(f"{doctors} verified doctors written in {loaded:.1f} s")
        wait_for_quiet_stream(stack)

        session = requests.Session()
        url = stack.url("users", "/doctors")

        def search(params: dict[str, Any]) -> dict[str, Any]:
            response = session.get(url, params=params, timeout=120)
            response.raise_for_status()
            return response.json()

        # Second pages: the cursor each search gives for its next page.
        searches = list(SEARCHES)
        for params in SEARCHES[:5]:
            cursor = search(params)["next_cursor"]
            if cursor:
                searches.append({**params, "cursor": cursor})
        sizes = [len(search(params)["items"]) for params in searches]
        print(f"{len(searches)} searches, {sum(sizes)} results in all (pages of up to 20)")

        cache = redis.Redis.from_url(stack.redis_url)

        def uncached(params: dict[str, Any]) -> None:
            cache.flushdb()
            search(params)

        rounds = int(os.environ.get("USERS_BENCH_UNCACHED_ROUNDS", "1"))
        cold = timed(uncached, searches * rounds)
        for params in searches:  # warm
            search(params)
        warm = timed(search, [searches[i % len(searches)] for i in range(cached_requests)])
        health = timed(
            lambda _: session.get(stack.url("users", "/health"), timeout=30).raise_for_status(),
            [None] * 500,
        )

        print()
        heading = "GET /api/v1/users/doctors (ms)"
        print(f"{heading:<44}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'n':>7}")
        report("without the cache (moto reads)", cold)
        report(
            "  by specialty",
            [s for s, p in zip(cold, searches * rounds, strict=True) if "specialty" in p],
        )
        report(
            "  across specialties",
            [s for s, p in zip(cold, searches * rounds, strict=True) if "specialty" not in p],
        )
        report("with the cache warm", warm)
        report("GET /health (the local gateway's own cost)", health)
        verdict = "met" if percentile(warm, 0.99) < 50 else "NOT met"
        print(f"\ntarget p99 < 50 ms with the cache warm: {verdict}")
        load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
        print(f"load average at the end: {load} on {os.cpu_count()} cores")
    finally:
        stack.stop()
        moto.stop()


def timed(action: Callable[[Any], object], arguments: list[Any]) -> list[float]:
    samples = []
    for argument in arguments:
        started = time.perf_counter()
        action(argument)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def wait_for_quiet_stream(stack: Any, quiet_seconds: float = 3.0, timeout: float = 600) -> None:
    """Wait until the outbox relay has read every record of the bulk load (it ignores them, but
    it shares the service's one worker with the searches)."""
    deadline = time.monotonic() + timeout
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        invocations = sum(
            source.get("invocations", 0)
            for source in stack.status()["event_sources"]
            if source.get("kind") == "dynamodb"
        )
        if invocations != last:
            last, quiet_since = invocations, time.monotonic()
        elif time.monotonic() - quiet_since > quiet_seconds:
            return
        time.sleep(0.5)


if __name__ == "__main__":
    main()
