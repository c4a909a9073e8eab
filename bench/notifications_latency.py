"""Latency from an event's publication on the topic to its WebSocket frame, in the embedded stack.

Starts a moto server and the local stack (auth and notifications), signs a patient up through the
auth API, opens a socket with their access token, then publishes `consultation.reminder_due`
events for them on the events topic (as the consultations service's relay would) and times each
until its notification frame arrives:

1. one at a time (publish, wait for the frame, next);
2. in bursts of 10 published together (each frame timed from its own publication).

    .venv/bin/python bench/notifications_latency.py [events]

Prints p50, p90, p99 and max of each; it asserts nothing.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from figures import latency_line  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from keneya.events import new_event  # noqa: E402
from keneya_local.backing_services import start_moto  # noqa: E402
from keneya_local.console import quiet_request_logs  # noqa: E402
from keneya_local.stack import EmbeddedStack  # noqa: E402
from tests.support.auth import Api, new_phone  # noqa: E402


def report(label: str, samples: list[float]) -> None:
    print(latency_line(label, samples, width=34))


class Publisher:
    def __init__(self, stack: EmbeddedStack, patient_id: str) -> None:
        environment = stack.deployment.services["notifications"].environment
        self.topic = environment["EVENTS_TOPIC_ARN"]
        self.sns = boto3.client("sns", endpoint_url=stack.aws_endpoint, region_name="us-east-1")
        self.patient_id = patient_id

    def publish(self) -> str:
        consultation_id = f"c-{uuid.uuid4().hex[:12]}"
        event = new_event(
            "consultation.reminder_due",
            {
                "consultation_id": consultation_id,
                "patient_id": self.patient_id,
                "doctor_id": "d-bench",
                "doctor_name": "Moussa Sidibé",
                "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                "minutes_before": 60,
            },
            source="consultations",
        )
        self.sns.publish(
            TopicArn=self.topic,
            Message=event.to_json(),
            MessageAttributes={"type": {"DataType": "String", "StringValue": event.type}},
        )
        return consultation_id


def frames(socket: Any, wanted: set[str], timeout: float = 30) -> dict[str, float]:
    """Arrival time of the notification frame of each consultation in `wanted`."""
    arrived: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while wanted - set(arrived):
        frame = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame.get("type") == "notification":
            consultation_id = frame["notification"]["link"].get("consultation_id")
            if consultation_id in wanted:
                arrived[consultation_id] = time.monotonic()
    return arrived


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    quiet_request_logs()  # the figures only: no request line from the HTTP servers
    # The stack's own moto process, as `make up` starts it.
    moto = start_moto("127.0.0.1", 0)
    endpoint = moto.url
    logs = Path(tempfile.mkdtemp(prefix="keneya-bench-"))
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=endpoint,
        services=["auth", "notifications"],
        log_dir=logs,
    )
    try:
        stack.start()
        api = Api(stack.url("auth"))
        phone = new_phone()
        patient = api.register(role="patient", full_name="Awa Traoré", phone=phone)
        token = api.login(phone=phone)["access_token"]
        publisher = Publisher(stack, patient["user_id"])
        with connect(f"{stack.websocket_url('notifications')}?token={token}") as socket:
            # Warm up: a sandbox's first event pays for its imports and connections, and a
            # burst starts the consumer's other sandboxes (cold starts are counted below).
            for _ in range(3):
                frames(socket, {publisher.publish()})
            for _ in range(5):
                frames(socket, {publisher.publish() for _ in range(10)})

            one_by_one = []
            for _ in range(count):
                started = time.monotonic()
                consultation_id = publisher.publish()
                one_by_one.append(frames(socket, {consultation_id})[consultation_id] - started)

            bursts = []
            for _ in range(max(1, count // 10)):
                published = {}
                for _ in range(10):
                    published[publisher.publish()] = time.monotonic()
                arrived = frames(socket, set(published))
                bursts += [arrived[c] - published[c] for c in published]

        print(f"Event publication -> WebSocket frame (embedded stack, logs in {logs})")
        report("one at a time", one_by_one)
        report("bursts of 10", bursts)
        print("  sandboxes per function: cold starts, warm invocations, most running at once")
        for service, entry in sorted(stack.status()["services"].items()):
            for handler, function in sorted((entry.get("functions") or {}).items()):
                print(
                    f"    {service + '.' + handler:<36}{function['cold_starts']:4d} cold"
                    f"{function['warm_invocations']:7d} warm{function['peak_running']:5d} at once"
                )
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
