"""AWS requests each consumer makes per event, and per in-app notification delivered.

Starts a moto server and every service in the embedded stack with `KENEYA_COUNT_AWS_REQUESTS=1`,
signs a patient and a doctor up through the auth API (their `user.registered` events are the
auth service's own), opens a WebSocket for each, then publishes on the events topic, as the
producing services' relays do, the events of a consultation's life: the patient's
`user.registered` again (as a re-sent event: every consumer handles it as a new event id),
`consultation.booked`, `payment.succeeded`, `consultation.confirmed`,
`consultation.reminder_due`, `consultation.completed`. Each is published alone, and the next
only once every consumer subscribed to it (the topic's filter policies, read from the AWS
endpoint) has handled it and nothing moved for a moment: batches hold one event, so nothing is
shared out between events, and the events it causes (a `record.updated`) are counted with it.

How requests are counted: in each function's own process, by a handler on botocore's
`request-created` event (`keneya.aws_requests`, on when KENEYA_COUNT_AWS_REQUESTS is set). Every
AWS client there is a botocore client, PynamoDB's included, and botocore emits that event once
per HTTP request it sends, retries included; so the count is what the function really sent,
by operation, attributed to the event whose handling made it (`keneya.consumer` logs one
"aws requests" line per batch: each event's requests, and the batch's shared ones). Counting at
the moto server instead would miss the WebSocket posts (served by the local gateway, not moto)
and could not tell which function and which event made a request. What a function does after
`consume` returns (delaying failed messages) is not in the line; no event fails here.

In-app notifications delivered are the `notification` frames the two sockets received.

    .venv/bin/python bench/requests_per_event.py [rounds]

Prints the tables; it asserts nothing.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# Passed on to every function's process (the stack passes KENEYA_* through).
os.environ["KENEYA_COUNT_AWS_REQUESTS"] = "1"

import boto3  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from keneya.events import new_event  # noqa: E402
from keneya_local.backing_services import start_moto  # noqa: E402
from keneya_local.stack import EmbeddedStack  # noqa: E402
from tests.support.notifications import sign_up  # noqa: E402

QUIET_SECONDS = 1.5
WAIT_SECONDS = 60.0
SERVICES = ("auth", "users", "consultations", "payments", "records", "signaling", "notifications")


class Logs:
    """The "aws requests" lines the functions write, read as they are appended."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.offsets: dict[str, int] = defaultdict(int)

    def new_lines(self) -> list[dict[str, Any]]:
        found = []
        for service in SERVICES:
            path = self.log_dir / f"{service}.log"
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek(self.offsets[service])
                chunk = handle.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]
            self.offsets[service] += len(complete)
            for raw in complete.decode("utf-8", "replace").splitlines():
                if '"aws requests"' not in raw:
                    continue
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue
                if line.get("message") == "aws requests":
                    found.append({"service": service, **line["aws_requests"]})
        return found


class Frames:
    """The `notification` frames a person's socket receives, in a thread."""

    def __init__(self, url: str, token: str) -> None:
        self._connection = connect(f"{url}?token={token}")
        self.socket = self._connection.__enter__()
        self.count = 0
        self.last_at = time.monotonic()
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop:
            try:
                frame = json.loads(self.socket.recv(timeout=0.2))
            except TimeoutError:
                continue
            except Exception:
                return
            if frame.get("type") == "notification":
                self.count += 1
                self.last_at = time.monotonic()

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        self._connection.__exit__(None, None, None)


def subscribed_consumers(stack: EmbeddedStack, topic: str) -> dict[str, set[str]]:
    """Event type -> the services whose queue the topic's filter policies send it to."""
    sns = boto3.client("sns", endpoint_url=stack.aws_endpoint, region_name="us-east-1")
    queue_of = {name: f"keneya-{stack.stage}-{name}-events" for name in stack.deployment.services}
    for name, service in stack.deployment.services.items():
        if service.environment.get("EVENTS_QUEUE_NAME"):
            queue_of[name] = service.environment["EVENTS_QUEUE_NAME"]
    consumers: dict[str, set[str]] = defaultdict(set)
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
        for subscription in page["Subscriptions"]:
            queue = subscription["Endpoint"].rsplit(":", 1)[-1]
            service = next((s for s, q in queue_of.items() if q == queue), None)
            if service is None:
                continue
            attributes = sns.get_subscription_attributes(
                SubscriptionArn=subscription["SubscriptionArn"]
            )["Attributes"]
            for event_type in json.loads(attributes.get("FilterPolicy") or "{}").get("type", []):
                consumers[event_type].add(service)
    return consumers


def life_of_a_consultation(patient: Any, doctor: Any) -> list[tuple[str, dict[str, Any], str]]:
    consultation_id = f"c-{uuid.uuid4().hex[:12]}"
    payment_id = f"p-{uuid.uuid4().hex[:12]}"
    starts = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    ref = {
        "consultation_id": consultation_id,
        "patient_id": patient.user_id,
        "doctor_id": doctor.user_id,
        "doctor_name": doctor.full_name,
    }
    return [
        (
            "user.registered",
            {
                "user_id": patient.user_id,
                "role": "patient",
                "full_name": patient.full_name,
                "phone": patient.phone,
                "language": "fr",
            },
            "auth",
        ),
        (
            "consultation.booked",
            {
                **ref,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=30)).isoformat(),
                "mode": "video",
                "fee_xof": 5000,
                "status": "pending_payment",
                "payment_due_at": (datetime.now(UTC) + timedelta(minutes=15)).isoformat(),
            },
            "consultations",
        ),
        (
            "payment.succeeded",
            {
                "payment_id": payment_id,
                "consultation_id": consultation_id,
                "payer_id": patient.user_id,
                "amount_xof": 5000,
                "provider": "orange_money",
            },
            "payments",
        ),
        (
            "consultation.confirmed",
            {
                **ref,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=30)).isoformat(),
                "mode": "video",
            },
            "consultations",
        ),
        (
            "consultation.reminder_due",
            {**ref, "starts_at": starts.isoformat(), "minutes_before": 60, "mode": "video"},
            "consultations",
        ),
        (
            "consultation.completed",
            {
                **ref,
                "completed_at": datetime.now(UTC).isoformat(),
                "reason": "Fièvre depuis trois jours",
                "diagnoses": [{"code": "A01.0", "label": "Fièvre typhoïde"}],
                "follow_up": "Revoir dans une semaine",
            },
            "consultations",
        ),
    ]


def settle(
    logs: Logs, frames: list[Frames], expected: set[tuple[str, str]], lines: list[dict[str, Any]]
) -> None:
    """Collect lines until every (service, event id) expected has handled its event and neither
    the logs nor the sockets moved for QUIET_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    last_move = time.monotonic()
    while time.monotonic() < deadline:
        new = logs.new_lines()
        if new:
            lines += new
            last_move = time.monotonic()
        handled = {
            (line["service"], event.get("event_id"))
            for line in lines
            for event in line["events"]
            if event["outcome"] != "failed"
        }
        moved = max([last_move, *(f.last_at for f in frames)])
        if expected <= handled and time.monotonic() - moved >= QUIET_SECONDS:
            return
        time.sleep(0.1)
    handled = {(ln["service"], e.get("event_id")) for ln in lines for e in ln["events"]}
    missing = sorted(expected - handled)
    print(f"  (gave up waiting for {missing})")


def requests_of(line: dict[str, Any], event: dict[str, Any]) -> dict[str, int]:
    """An event's own requests and its share of its batch's."""
    share = len(line["events"]) or 1
    total = dict(event["requests"])
    for operation, count in line["batch"].items():
        total[operation] = total.get(operation, 0) + count / share
    return total


def short(operation: str) -> str:
    service, name = operation.split(".", 1)
    quiet = {"dynamodb": "", "apigatewaymanagementapi": ""}
    return quiet.get(service, f"{service.upper()} ") + name


def ops_text(requests: dict[str, float], handlings: int) -> str:
    return ", ".join(
        f"{short(op)} {count / handlings:g}" for op, count in sorted(requests.items()) if count
    )


def main() -> None:
    # The moto server's request lines are not figures.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    # The stack's own moto process, as `make up` starts it.
    moto = start_moto("127.0.0.1", 0)
    logs_dir = Path(tempfile.mkdtemp(prefix="keneya-bench-"))
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=moto.url,
        parameter_overrides={"EventsVisibilityTimeout": "5"},
        log_dir=logs_dir,
    )
    per_consumer: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"handlings": 0, "requests": defaultdict(float), "outcomes": set()}
    )
    per_root: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"events": 0, "frames": 0, "requests": defaultdict(float)}
    )
    try:
        stack.start()
        topic_arn = stack.deployment.services["notifications"].environment["EVENTS_TOPIC_ARN"]
        consumers = subscribed_consumers(stack, topic_arn)
        sns = boto3.client("sns", endpoint_url=stack.aws_endpoint, region_name="us-east-1")
        logs = Logs(logs_dir)

        patient = sign_up(stack, full_name="Awa Traoré")
        doctor = sign_up(stack, role="doctor", full_name="Moussa Sidibé")
        lines: list[dict[str, Any]] = []
        # Their own user.registered, published by the auth service at sign-up.
        settle(logs, [], set(), lines)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            seen = {(ln["service"], e.get("event_type")) for ln in lines for e in ln["events"]}
            if {(s, "user.registered") for s in consumers["user.registered"]} <= seen:
                break
            lines += logs.new_lines()
            time.sleep(0.1)
        settle(logs, [], set(), lines)
        warm_up = lines

        sockets = [
            Frames(stack.websocket_url("notifications"), person.token)
            for person in (patient, doctor)
        ]
        measured: list[dict[str, Any]] = []
        for round_number in range(rounds + 1):  # the first round warms every worker up
            for event_type, data, source in life_of_a_consultation(patient, doctor):
                event = new_event(event_type, data, source=source)
                frames_before = sum(s.count for s in sockets)
                sns.publish(
                    TopicArn=topic_arn,
                    Message=event.to_json(),
                    MessageAttributes={"type": {"DataType": "String", "StringValue": event.type}},
                )
                window: list[dict[str, Any]] = []
                settle(logs, sockets, {(s, event.id) for s in consumers[event_type]}, window)
                if round_number == 0:
                    continue
                root = per_root[event_type]
                root["events"] += 1
                root["frames"] += sum(s.count for s in sockets) - frames_before
                for line in window:
                    for handled in line["events"]:
                        requests = requests_of(line, handled)
                        row = per_consumer[(line["service"], handled.get("event_type", "?"))]
                        row["handlings"] += 1
                        row["outcomes"].add(handled["outcome"])
                        for op, count in requests.items():
                            row["requests"][op] += count
                            if line["service"] == "notifications":
                                root["requests"][op] += count
                measured += window
        for socket in sockets:
            socket.close()

        print(
            f"AWS requests per consumed event (embedded stack, {rounds} rounds, one event per "
            f"batch; logs in {logs_dir})"
        )
        print(f"{'consumer':<15}{'event':<28}{'n':>3}{'total':>7}  by operation")
        for (service, event_type), row in sorted(per_consumer.items()):
            total = sum(row["requests"].values()) / row["handlings"]
            outcomes = ""
            if row["outcomes"] != {"applied"}:
                outcomes = f"  [{', '.join(sorted(row['outcomes']))}]"
            print(
                f"{service:<15}{event_type:<28}{row['handlings']:>3}{total:>7.1f}  "
                f"{ops_text(row['requests'], row['handlings'])}{outcomes}"
            )
        print()
        print("Notifications service, per in-app notification delivered (event -> inbox -> frame)")
        print(
            f"{'event published':<28}{'frames':>7}{'requests':>10}{'per frame':>11}"
            "  by operation, per frame"
        )
        all_requests = all_frames = 0.0
        for event_type, root in per_root.items():
            requests = sum(root["requests"].values())
            all_requests += requests
            all_frames += root["frames"]
            per_frame = f"{requests / root['frames']:.1f}" if root["frames"] else "-"
            print(
                f"{event_type:<28}{root['frames'] / root['events']:>7.1f}"
                f"{requests / root['events']:>10.1f}{per_frame:>11}  "
                f"{ops_text(root['requests'], root['frames'] or root['events'])}"
            )
        if all_frames:
            print(f"{'all':<28}{'':>7}{'':>10}{all_requests / all_frames:>11.1f}")
        del warm_up, measured
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
