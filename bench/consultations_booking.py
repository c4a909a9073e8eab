"""Booking a consultation on the embedded local stack: latency, and DynamoDB requests per call.

Starts the auth and consultations services (`EmbeddedStack` of keneya_local) on a moto server of its
own whose HTTP front counts the DynamoDB requests naming the consultations table; makes a
doctor bookable (as the users service announces one), signs patients up through the auth API,
then books slots one after the other over HTTP and reads them back.

    .venv/bin/python bench/consultations_booking.py [bookings]

Prints figures only; it asserts nothing. The moto server gets the two fixes the test suite uses
(a table copied once per transaction instead of once per item; streams kept after a cancelled
transaction), as moto's own cost would otherwise hide the service's.
"""

from __future__ import annotations

import collections
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]

import requests  # noqa: E402
from figures import percentile  # noqa: E402

TABLE = b"keneya-local-consultations"
for _name, _value in (
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
):
    os.environ.setdefault(_name, _value)
from keneya_local.console import quiet_request_logs  # noqa: E402

# The figures only: no request line from the HTTP servers (moto's, the stack's).
quiet_request_logs()


class CountingMoto:
    """A moto server whose front counts DynamoDB requests on the consultations table."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self.url = ""
        self._server: Any = None

    def start(self) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        from keneya_local.backing_services import free_port

        backend = DomainDispatcherApplication(create_backend_app)

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if target.startswith("DynamoDB_20120810."):
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(body)
                if TABLE in body:
                    with self._lock:
                        self.counts[target.split(".", 1)[1]] += 1
            return backend(environ, start_response)

        port = free_port()
        self._server = make_server("127.0.0.1", port, counting, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"

    def snapshot(self) -> collections.Counter[str]:
        with self._lock:
            return collections.Counter(self.counts)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()


def calls_of(before: collections.Counter[str], after: collections.Counter[str]) -> int:
    return sum((after - before).values())


def main(bookings: int) -> None:
    from keneya_local import moto_fixes
    from keneya_local.stack import EmbeddedStack
    from tests.support.auth import Api, new_phone
    from tests.support.consultations import Person, Topic

    moto_fixes.install()
    began_all = time.monotonic()
    moto = CountingMoto()
    moto.start()
    logs = Path(tempfile.mkdtemp(prefix="keneya-bench-"))
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=moto.url,
        services=["auth", "consultations"],
        log_dir=logs,
    ).start()
    phases = {"stack ready": time.monotonic() - began_all}
    try:
        import boto3

        environment = stack.deployment.services["consultations"].environment
        topic = Topic(
            boto3.client("sns", endpoint_url=moto.url, region_name="us-east-1"),
            environment["EVENTS_TOPIC_ARN"],
        )
        auth = Api(stack.url("auth"))
        doctor = Person(f"bench-doctor-{int(time.time())}", "doctor", "", "Dr Bench")
        topic.doctor_bookable(doctor, fee_xof=5000, slot_minutes=30)
        api = requests.Session()
        slots_url = stack.url("consultations", "/slots")
        deadline = time.monotonic() + 30
        while api.get(slots_url, params={"doctor_id": doctor.user_id}).status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the doctor never became bookable")
            time.sleep(0.2)

        phases["doctor bookable"] = time.monotonic() - began_all
        patients = []
        per_patient = 10
        for _ in range(-(-bookings // per_patient)):
            phone = new_phone()
            user = auth.register(phone=phone)
            patients.append((user["user_id"], auth.login(phone=phone)["access_token"]))

        phases["patients signed up"] = time.monotonic() - began_all
        start = datetime.now(UTC) + timedelta(days=1)
        end = start + timedelta(days=14)
        slots = api.get(
            slots_url,
            params={
                "doctor_id": doctor.user_id,
                "from": start.isoformat().replace("+00:00", "Z"),
                "to": end.isoformat().replace("+00:00", "Z"),
            },
        ).json()["slots"]
        assert len(slots) >= bookings, "not enough slots"

        latencies: list[float] = []
        requests_per_booking: list[int] = []
        booked: list[tuple[str, str]] = []
        for n in range(bookings):
            _, token = patients[n // per_patient]
            headers = {"Authorization": f"Bearer {token}"}
            before = moto.snapshot()
            began = time.perf_counter()
            response = api.post(
                stack.url("consultations", ""),
                json={
                    "doctor_id": doctor.user_id,
                    "starts_at": slots[n]["starts_at"],
                    "reason": "Bilan de santé",
                    "mode": "video",
                },
                headers=headers,
            )
            latencies.append((time.perf_counter() - began) * 1000)
            requests_per_booking.append(calls_of(before, moto.snapshot()))
            assert response.status_code == 201, response.text
            booked.append((response.json()["id"], token))

        phases["bookings made"] = time.monotonic() - began_all
        with_key: list[int] = []
        for n in range(min(20, bookings)):
            _, token = patients[-1]
            before = moto.snapshot()
            response = api.post(
                stack.url("consultations", ""),
                json={
                    "doctor_id": doctor.user_id,
                    "starts_at": slots[bookings + n]["starts_at"]
                    if bookings + n < len(slots)
                    else slots[-1]["starts_at"],
                    "reason": "Bilan de santé",
                    "mode": "video",
                },
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{n:04d}"},
            )
            with_key.append(calls_of(before, moto.snapshot()))

        reads: dict[str, list[int]] = {"GET /{id}": [], "GET / (list)": [], "GET /slots": []}
        read_latencies: dict[str, list[float]] = {name: [] for name in reads}
        for consultation_id, token in booked[: min(100, len(booked))]:
            headers = {"Authorization": f"Bearer {token}"}
            for name, url, params in (
                ("GET /{id}", stack.url("consultations", f"/{consultation_id}"), None),
                ("GET / (list)", stack.url("consultations", ""), {"limit": 20}),
                ("GET /slots", slots_url, {"doctor_id": doctor.user_id}),
            ):
                before = moto.snapshot()
                began = time.perf_counter()
                assert api.get(url, headers=headers, params=params).status_code == 200
                read_latencies[name].append((time.perf_counter() - began) * 1000)
                reads[name].append(calls_of(before, moto.snapshot()))

        phases["reads made"] = time.monotonic() - began_all
        print("  ".join(f"{name} at {seconds:.0f} s" for name, seconds in phases.items()))
        print(
            f"consultations booking on the embedded local stack ({bookings} bookings, "
            f"{len(patients)} patients, one doctor, 30-minute slots)"
        )
        print(
            f"  booking latency     p50 {percentile(latencies, 0.5):7.1f} ms   "
            f"p99 {percentile(latencies, 0.99):7.1f} ms   mean "
            f"{statistics.mean(latencies):7.1f} ms"
        )
        for name, samples in read_latencies.items():
            print(
                f"  {name:<18}  p50 {percentile(samples, 0.5):7.1f} ms   "
                f"p99 {percentile(samples, 0.99):7.1f} ms"
            )
        print("  DynamoDB requests on the consultations table, per call (median, max):")
        booking_median = statistics.median(requests_per_booking)
        print(
            f"    POST / (book)                     {booking_median:4.0f}"
            f"  {max(requests_per_booking):3d}"
        )
        print(
            f"    POST / with Idempotency-Key       {statistics.median(with_key):4.0f}"
            f"  {max(with_key):3d}"
        )
        for name, counts in reads.items():
            print(f"    {name:<34}{statistics.median(counts):4.0f}  {max(counts):3d}")
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
