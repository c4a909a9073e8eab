"""The signaling service's costs: relay latency over the embedded stack, and AWS requests per
frame of the call.

1. Over the local stack (auth + signaling): a doctor and a patient join a room opened by
   `consultation.started` (published as the consultations service would); then the time from
   the doctor sending an ICE candidate to the patient receiving it, one at a time; and the time
   from `join` to `joined`.
2. In process, against the same moto server: the AWS requests (DynamoDB and the WebSocket
   management API) each use case makes, with a warm process (the connection cache filled) and
   a cold one.

    .venv/bin/python bench/signaling_relay.py [frames]

Prints p50/p90/p99 and requests per operation; it asserts nothing.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [
    str(ROOT / "functions/signaling"),
    str(ROOT / "layers/common/python"),
    str(ROOT / "localstack"),
    str(ROOT),
]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

import boto3  # noqa: E402
import botocore.endpoint  # noqa: E402
from figures import latency_line  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from keneya.events import new_event  # noqa: E402
from keneya_local.backing_services import start_moto  # noqa: E402
from keneya_local.console import quiet_request_logs  # noqa: E402
from keneya_local.stack import EmbeddedStack  # noqa: E402
from tests.support.auth import Api, new_phone  # noqa: E402

CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.0.2.7 54400 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "abcd",
}


def report(label: str, samples: list[float]) -> None:
    print(latency_line(label, samples, width=40))


def open_room(stack: EmbeddedStack, doctor_id: str, patient_id: str) -> str:
    consultation_id = f"c-{uuid.uuid4().hex[:12]}"
    event = new_event(
        "consultation.started",
        {
            "consultation_id": consultation_id,
            "doctor_id": doctor_id,
            "patient_id": patient_id,
            "room_id": uuid.uuid4().hex,
            "mode": "video",
            "started_at": datetime.now(UTC),
        },
        source="consultations",
    )
    sns = boto3.client("sns", endpoint_url=stack.aws_endpoint, region_name="us-east-1")
    sns.publish(
        TopicArn=stack.deployment.services["signaling"].environment["EVENTS_TOPIC_ARN"],
        Message=event.to_json(),
        MessageAttributes={"type": {"DataType": "String", "StringValue": event.type}},
    )
    return consultation_id


def socket_for(stack: EmbeddedStack, token: str, consultation_id: str) -> Any:
    url = f"{stack.websocket_url('signaling')}?token={token}&consultation_id={consultation_id}"
    deadline = time.monotonic() + 30
    while True:  # the room opens once the event has crossed the queue
        try:
            return connect(url, open_timeout=10)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def next_of(socket: Any, kind: str) -> dict[str, Any]:
    while True:
        frame = json.loads(socket.recv(timeout=30))
        if frame.get("type") == kind:
            return frame


def over_the_stack(stack: EmbeddedStack, count: int) -> None:
    api = Api(stack.url("auth"))
    people = {}
    for role, name in (("doctor", "Dr Fatoumata Konaté"), ("patient", "Bakary Traoré")):
        phone = new_phone()
        account = api.register(role=role, full_name=name, phone=phone)
        people[role] = (account["user_id"], api.login(phone=phone)["access_token"])
    joins, relays = [], []
    for _ in range(max(1, count // 20)):
        consultation_id = open_room(stack, people["doctor"][0], people["patient"][0])
        with (
            socket_for(stack, people["doctor"][1], consultation_id) as doctor,
            socket_for(stack, people["patient"][1], consultation_id) as patient,
        ):
            for socket in (doctor, patient):
                started = time.monotonic()
                socket.send(json.dumps({"action": "join"}))
                next_of(socket, "joined")
                joins.append(time.monotonic() - started)
            for _ in range(20):
                started = time.monotonic()
                doctor.send(json.dumps({"action": "ice_candidate", "candidate": CANDIDATE}))
                next_of(patient, "ice_candidate")
                relays.append(time.monotonic() - started)
    print("Over the embedded stack (auth + signaling)")
    report("join -> joined", joins)
    report("ice_candidate -> other participant", relays)


class CountingSockets:
    def __init__(self, requests: Counter) -> None:
        self.requests = requests

    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        self.requests["PostToConnection"] += 1
        return True

    def close(self, connection_id: str) -> None:
        self.requests["DeleteConnection"] += 1


def requests_per_operation(stack: EmbeddedStack) -> None:
    """The use cases in this process against the stack's table, every AWS request counted."""
    environment = stack.deployment.services["signaling"].environment
    os.environ.update(
        {
            "TABLE_NAME": environment["TABLE_NAME"],
            "SERVICE_NAME": "signaling",
            "AWS_ENDPOINT_URL": stack.aws_endpoint,
            "EVENTS_TOPIC_ARN": environment["EVENTS_TOPIC_ARN"],
        }
    )
    from chalicelib.service import Signaling
    from chalicelib.store import RoomStore
    from keneya.config import settings

    settings.cache_clear()  # read again: the environment now names the signaling table

    requests: Counter = Counter()
    send = botocore.endpoint.Endpoint._send

    measuring_thread = threading.get_ident()

    def counted(self: Any, request: Any) -> Any:
        if threading.get_ident() != measuring_thread:  # the stack's own pollers
            return send(self, request)
        target = request.headers.get("X-Amz-Target", b"")
        name = target.decode().split(".")[-1] if target else request.url.split("/")[-1]
        requests[name] += 1
        return send(self, request)

    botocore.endpoint.Endpoint._send = counted
    sockets = CountingSockets(requests)

    def measure(label: str, action: Any, repeat: int = 20) -> None:
        requests.clear()
        for _ in range(repeat):
            action()
        per = {name: round(n / repeat, 2) for name, n in sorted(requests.items())}
        print(f"{label:<40} {sum(requests.values()) / repeat:5.2f} requests  {per}")

    warm = Signaling(RoomStore(), sockets)
    rooms = []
    for _ in range(20):
        consultation_id = f"c-{uuid.uuid4().hex[:12]}"
        warm.open_room(consultation_id, "u-doctor", "u-patient", datetime.now(UTC))
        warm.connect(f"{consultation_id}-d", "u-doctor", consultation_id)
        warm.connect(f"{consultation_id}-p", "u-patient", consultation_id)
        rooms.append(consultation_id)
    print("AWS requests per operation (in process, against the same moto server)")
    join_next = iter(rooms * 2)
    measure(
        "join (doctor, then patient)",
        lambda: (
            c := next(join_next),
            warm.receive(f"{c}-d", '{"action":"join"}'),
            warm.receive(f"{c}-p", '{"action":"join"}'),
        ),
        repeat=20,
    )
    frame = json.dumps({"action": "ice_candidate", "candidate": CANDIDATE})
    measure("relay, warm process", lambda: warm.receive(f"{rooms[0]}-d", frame))
    measure(
        "relay, cold process",
        lambda: Signaling(RoomStore(), sockets).receive(f"{rooms[0]}-d", frame),
    )
    measure("ping", lambda: warm.receive(f"{rooms[0]}-d", '{"action":"ping"}'))
    leave_next = iter(rooms)
    measure("leave", lambda: warm.receive(f"{next(leave_next)}-p", '{"action":"leave"}'))
    close_next = iter(rooms)
    measure(
        "close a room with one participant in it",
        lambda: warm.close_room(
            next(close_next), "u-doctor", "u-patient", "completed", datetime.now(UTC)
        ),
    )
    botocore.endpoint.Endpoint._send = send


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    quiet_request_logs()  # the figures only: no request line from the HTTP servers
    # The stack's own moto process, as `make up` starts it.
    moto = start_moto("127.0.0.1", 0)
    logs = Path(tempfile.mkdtemp(prefix="keneya-bench-"))
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=moto.url,
        services=["auth", "signaling"],
        log_dir=logs,
    )
    try:
        stack.start()
        over_the_stack(stack, count)
        requests_per_operation(stack)
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
