"""Payment-intent creation latency and provider calls per successful payment.

Starts the auth and payments services in the embedded local stack (moto in this process), whose
Orange Money and Moov Money sandboxes are the providers (the ones `make up` serves). Publishes N
`consultation.booked` events as the consultations service would, waits until the payments
service knows them, then times N sequential `POST /api/v1/payments` (an intent saved with its
event, then the provider's payment request over HTTP: Orange Money's token is fetched once and
cached). Then pays a few intents through each provider and counts the service's calls to the
provider's API per successful payment. Prints p50/p90/p99/max in milliseconds.

    .venv/bin/python bench/payments_intents.py [intents]     (PYTHONPATH as the Makefile sets it)
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from figures import percentile

ROOT = Path(__file__).resolve().parent.parent
for entry in ("layers/common/python", "localstack", "."):
    if str(ROOT / entry) not in sys.path:
        sys.path.insert(0, str(ROOT / entry))
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
from keneya_local.console import quiet_request_logs  # noqa: E402

# The figures only: no request line from the HTTP servers (moto's, the stack's).
quiet_request_logs()

PASSWORD = "sahel-baobab-kora-1989"
PROVIDER_API = ("token", "webpayment", "transactionstatus", "push", "status")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_calls(sandbox) -> int:
    """The merchant API calls the sandbox has answered (pages and callbacks left out)."""
    return sum(n for operation, n in sandbox.calls().items() if operation in PROVIDER_API)


def main() -> None:
    import boto3
    import requests
    from moto.server import ThreadedMotoServer

    from keneya.events import new_event
    from keneya_local import moto_fixes
    from keneya_local.mobile_money.client import Payer, SandboxControl
    from keneya_local.stack import EmbeddedStack
    from tests.support.consultations import scheduled_event

    # moto copies every table for each transaction (to undo a cancelled one); DynamoDB does
    # not: undo item by item, so the figures are the service's, not moto's.
    moto_fixes.install()
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=endpoint,
        services=["auth", "payments"],
        log_dir=tempfile.mkdtemp(prefix="keneya-bench-payments-"),
    )
    try:
        stack.start()
        env = stack.deployment.services["payments"].environment
        aws = {s: boto3.client(s, endpoint_url=endpoint) for s in ("sns",)}
        orange = SandboxControl(stack.sandboxes.orange_money.base_url)
        moov = SandboxControl(stack.sandboxes.moov_money.base_url)
        payer = Payer()
        http = requests.Session()
        phone = f"+2237{secrets.randbelow(10**7):07d}"
        http.post(
            stack.url("auth", "/register"),
            json={
                "role": "patient",
                "full_name": "Awa Traoré",
                "phone": phone,
                "password": PASSWORD,
            },
        ).raise_for_status()
        grant = http.post(stack.url("auth", "/login"), json={"phone": phone, "password": PASSWORD})
        grant.raise_for_status()
        patient_id, token = grant.json()["user_id"], grant.json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}

        extra = 6  # paid through each provider afterwards
        # The last one is a probe: paid first, to learn when every booking has arrived.
        consultations = [uuid.uuid4().hex[:26].upper() for _ in range(runs + extra + 1)]
        starts = datetime.now(UTC) + timedelta(days=1)
        for consultation_id in consultations:
            event = new_event(
                "consultation.booked",
                {
                    "consultation_id": consultation_id,
                    "patient_id": patient_id,
                    "doctor_id": "DOCTOR-BENCH",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=30),
                    "mode": "video",
                    "fee_xof": 5000,
                    "status": "pending_payment",
                    "payment_due_at": datetime.now(UTC) + timedelta(minutes=15),
                },
                source="consultations",
            )
            aws["sns"].publish(
                TopicArn=env["EVENTS_TOPIC_ARN"],
                Message=event.to_json(),
                MessageAttributes={
                    "type": {"DataType": "String", "StringValue": event.type},
                    "source": {"DataType": "String", "StringValue": event.source},
                },
            )

        def create(consultation_id: str, provider: str) -> requests.Response:
            body = {"consultation_id": consultation_id, "provider": provider, "phone": phone}
            return http.post(stack.url("payments", ""), json=body, headers=auth)

        deadline = time.monotonic() + 120
        while create(consultations[-1], "moov_money").status_code == 404:
            assert time.monotonic() < deadline, "the bookings never reached the payments service"
            time.sleep(0.2)

        samples = []
        for consultation_id in consultations[: runs - 1]:
            started = time.perf_counter()
            answer = create(consultation_id, "orange_money")
            samples.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 201, answer.text
        print(f"{os.cpu_count()} CPU(s); times in ms")
        print(f"{'':<46}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'n':>6}")
        print(
            f"{'POST /payments (Orange Money, intent + request)':<46}"
            f"{statistics.median(samples):>8.1f}{percentile(samples, 0.9):>8.1f}"
            f"{percentile(samples, 0.99):>8.1f}{max(samples):>8.1f}{len(samples):>6}"
        )

        # Orange Money: request, hosted page, notification, status confirmation.
        before = api_calls(orange)
        paid = 0
        settled_ms = []
        for consultation_id in consultations[runs : runs + 3]:
            intent = create(consultation_id, "orange_money").json()
            clicked = time.perf_counter()
            payer.pay_on_orange_money(intent["next_action"]["url"], "76123456", "pay")
            # Orange Money notifies in the background, as the real one does.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                got = http.get(stack.url("payments", f"/{intent['id']}"), headers=auth).json()
                if got["status"] == "succeeded":
                    paid += 1
                    settled_ms.append((time.perf_counter() - clicked) * 1000)
                    break
                time.sleep(0.05)
        print(
            f"Orange Money: {(api_calls(orange) - before) / max(paid, 1):.1f} provider API calls "
            f"per successful payment ({paid} paid; token cached from the timing run)"
        )
        if settled_ms:
            print(
                "Orange Money: payer presses Payer -> intent succeeded (page, notification, "
                f"status check): median {statistics.median(settled_ms):.0f} ms, "
                f"max {max(settled_ms):.0f} ms"
            )
        # Moov Money: push request, the payer confirms, the reconciler polls the status.
        before = api_calls(moov)
        intents = [create(c, "moov_money").json() for c in consultations[runs + 3 : runs + extra]]
        for intent in intents:
            payer.answer_moov_prompt(moov.base_url, phone, intent["id"], "pay")
        # Every Orange Money intent above is due too (still unpaid): runs of 100, oldest first.
        for _ in range(3):
            stack.invoke(
                "payments", "reconcile", scheduled_event(datetime.now(UTC) + timedelta(minutes=3))
            )
            paid = sum(
                http.get(stack.url("payments", f"/{i['id']}"), headers=auth).json()["status"]
                == "succeeded"
                for i in intents
            )
            if paid == len(intents):
                break
        print(
            f"Moov Money: {(api_calls(moov) - before) / max(paid, 1):.1f} provider API calls "
            f"per successful payment ({paid} paid; confirmed at their first status poll)"
        )
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
