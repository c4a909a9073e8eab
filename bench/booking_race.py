"""34 patients booking the same slot at the same instant, on the embedded stack.

Starts the auth and consultations services on a moto server of their own, makes a doctor
bookable (as the users service announces one), signs 34 patients up, then, round after round,
releases all 34 booking requests for one slot at once (a thread each, behind a barrier). The
first round warms the sandboxes up (as a function under steady load is warm on Lambda) and is
reported apart; the others are measured.

    .venv/bin/python bench/booking_race.py [patients] [rounds]

Prints, per the measured rounds: how many got 201 (exactly one should) and 409, the latency of
all requests (p50, p99, max), the most booking invocations seen running at once, and the cold
starts and warm invocations of each function in the run. It asserts nothing.
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]
for _name, _value in (
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
):
    os.environ.setdefault(_name, _value)

import requests  # noqa: E402
from figures import latency_line  # noqa: E402

from keneya_local.backing_services import start_moto  # noqa: E402


def race(url: str, tokens: list[str], doctor_id: str, starts_at: str) -> list[tuple[int, float]]:
    """Every patient books `starts_at` at once; (status, seconds) of each request."""
    barrier = threading.Barrier(len(tokens))
    results: list[tuple[int, float]] = [(0, 0.0)] * len(tokens)

    def book(n: int, token: str) -> None:
        session = requests.Session()
        # The connection is opened before the barrier: the race is the requests, not the TCP.
        session.get(url.rsplit("/", 1)[0] + "/consultations/slots", params={"doctor_id": "x"})
        barrier.wait()
        began = time.perf_counter()
        response = session.post(
            url,
            json={
                "doctor_id": doctor_id,
                "starts_at": starts_at,
                "reason": "Fièvre",
                "mode": "video",
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        results[n] = (response.status_code, time.perf_counter() - began)

    threads = [threading.Thread(target=book, args=(n, t)) for n, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    from keneya_local.stack import EmbeddedStack
    from tests.support.auth import Api, new_phone
    from tests.support.consultations import Person, Topic

    patients = int(sys.argv[1]) if len(sys.argv) > 1 else 34
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    from keneya_local.console import quiet_request_logs

    quiet_request_logs()
    # The stack's own moto process, as `make up` starts it.
    moto = start_moto("127.0.0.1", 0)
    endpoint = moto.url
    logs = Path(tempfile.mkdtemp(prefix="keneya-bench-"))
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=endpoint,
        services=["auth", "consultations"],
        log_dir=logs,
    )
    try:
        print("starting auth and consultations ...", flush=True)
        stack.start()
        import boto3

        environment = stack.deployment.services["consultations"].environment
        topic = Topic(
            boto3.client("sns", endpoint_url=endpoint, region_name="us-east-1"),
            environment["EVENTS_TOPIC_ARN"],
        )
        doctor = Person(f"bench-doctor-{int(time.time())}", "doctor", "", "Dr Bench")
        topic.doctor_bookable(doctor, fee_xof=5000, slot_minutes=30)
        slots_url = stack.url("consultations", "/slots")
        deadline = time.monotonic() + 30
        while requests.get(slots_url, params={"doctor_id": doctor.user_id}).status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the doctor never became bookable")
            time.sleep(0.2)
        print(f"signing {patients} patients up ...", flush=True)
        auth = Api(stack.url("auth"))
        tokens = []
        for _ in range(patients):
            phone = new_phone()
            auth.register(phone=phone)
            tokens.append(auth.login(phone=phone)["access_token"])
        start = datetime.now(UTC) + timedelta(days=1)
        slots = requests.get(
            slots_url,
            params={
                "doctor_id": doctor.user_id,
                "from": start.isoformat().replace("+00:00", "Z"),
                "to": (start + timedelta(days=14)).isoformat().replace("+00:00", "Z"),
            },
        ).json()["slots"]

        url = stack.url("consultations", "")
        print("round 0 (warm-up) ...", flush=True)
        warm_up = race(url, tokens, doctor.user_id, slots[0]["starts_at"])
        pool = stack.workers["consultations"].functions["api_handler"]
        pool.peak_running = pool.running
        outcomes: list[collections.Counter[int]] = []
        latencies: list[float] = []
        for n in range(1, rounds + 1):
            print(f"round {n} ...", flush=True)
            results = race(url, tokens, doctor.user_id, slots[n]["starts_at"])
            outcomes.append(collections.Counter(status for status, _ in results))
            latencies += [seconds for _, seconds in results]

        print(
            f"{patients} patients booking one slot at the same instant, {rounds} rounds "
            f"(embedded stack, logs in {logs})"
        )
        for n, counts in enumerate(outcomes, start=1):
            print(f"  round {n}: " + ", ".join(f"{c} x {s}" for s, c in sorted(counts.items())))
        print(latency_line("booking requests", latencies, width=34))
        warm_up_latencies = [seconds for _, seconds in warm_up]
        print(latency_line("warm-up round (cold starts)", warm_up_latencies, width=34))
        print(f"  booking invocations running at once (peak)  {pool.peak_running}")
        print("  sandboxes per function: cold starts, warm invocations")
        for service, entry in sorted(stack.status()["services"].items()):
            for handler, function in sorted((entry.get("functions") or {}).items()):
                print(
                    f"    {service + '.' + handler:<40}{function['cold_starts']:4d} cold"
                    f"{function['warm_invocations']:7d} warm"
                )
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
