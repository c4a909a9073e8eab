"""Smoke test of the deployed stack, in the order a consultation happens: every service answers,
a patient signs up with the code the emulator caught by SMS, a booking's `consultation.booked`
travels outbox -> DynamoDB stream -> SNS -> filtered SQS -> the notifications function and
reaches the patient's WebSocket, the paid consultation is completed and the record updated, and
the record exports as FHIR. Each test uses what the one before it made (module-scoped state)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from websockets.sync.client import connect

from tests.deployed.conftest import ROOT, Deployed
from tests.support.auth import STRONG_PASSWORD, Api, new_phone
from tests.support.people import eventually
from tests.support.records import SUMMARY

SERVICES = ("auth", "users", "consultations", "records", "payments", "notifications", "signaling")
# A cold start of each function the first time a step reaches it: imports, the layer.
COLD = 60

state: dict[str, Any] = {}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def call(deployed: Deployed, method: str, service: str, path: str, token: str | None = None,
         **kw: Any) -> requests.Response:
    headers = {**kw.pop("headers", {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, deployed.url(service, path), headers=headers, timeout=COLD,
                            **kw)


def until_ok(deployed: Deployed, method: str, service: str, path: str, token: str,
             timeout: float = 60, **kw: Any) -> requests.Response:
    """A call repeated while it fails: what it needs arrives by an event a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        answer = call(deployed, method, service, path, token, **kw)
        if answer.status_code < 400 or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def test_every_service_answers_its_health_route(deployed: Deployed):
    for service in SERVICES:
        answer = call(deployed, "GET", service, "/health")

        assert answer.status_code == 200, (service, answer.text)
        assert answer.json() == {"service": service, "status": "ok"}


def test_a_patient_signs_up_with_the_code_the_emulator_caught_by_sms(deployed: Deployed):
    auth = Api(deployed.url("auth"))
    phone = new_phone()
    account = auth.register(phone=phone, full_name="Awa Traoré")
    sent = auth.post("/otp/send", {"phone": phone, "purpose": "verify_phone"})
    assert sent.status_code == 202, sent.text

    # auth's outbox -> stream -> SNS -> the notifications queue -> the SMS the emulator caught
    def code() -> str | None:
        for body in deployed.sms_to(phone):
            found = re.search(r"\b(\d{6})\b", body)
            if found:
                return found.group(1)
        return None

    received = eventually(code, timeout=90, interval=0.5)
    assert received, f"no SMS with a code reached {phone}"
    verified = auth.post("/otp/verify", {"phone": phone, "code": received,
                                         "purpose": "verify_phone"})
    assert verified.status_code in (200, 204), verified.text
    tokens = auth.login(phone=phone)
    state["patient"] = {**account, "token": tokens["access_token"], "phone": phone}


def _administrator(deployed: Deployed) -> str:
    """The operators' command (functions/auth/chalicelib/admin.py) run against the deployed
    auth table, as an operator runs it against AWS; returns the administrator's token."""
    phone = new_phone()
    environment = {
        "PATH": "/usr/bin:/bin",
        **deployed.environment("auth"),
        "AWS_ENDPOINT_URL": deployed.aws_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": deployed.region,
        "PYTHONPATH": str(ROOT / "layers" / "common" / "python"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "chalicelib.admin", "create", "--full-name", "Aminata Keïta",
         "--phone", phone, "--password-stdin"],
        cwd=ROOT / "functions" / "auth", env=environment, input=STRONG_PASSWORD + "\n",
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Api(deployed.url("auth")).login(phone=phone)["access_token"]


def _verified_doctor(deployed: Deployed) -> dict[str, Any]:
    auth = Api(deployed.url("auth"))
    doctor = auth.signed_in(role="doctor", full_name="Dr Seydou Konaté", phone=new_phone())
    token = doctor["access_token"]
    profile = {"specialty": "general-practice", "languages": ["fr", "bm"],
               "licence_number": f"CNOM-ML-{uuid.uuid4().int % 100000:05d}", "city": "Bamako",
               "facility": "Centre de santé de Badalabougou", "fee_xof": 2000}
    answer = until_ok(deployed, "PATCH", "users", "/me", token, json=profile)
    assert answer.status_code < 400, answer.text
    round_the_clock = {day: [{"start": "00:00", "end": "24:00"}]
                       for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    answer = until_ok(deployed, "PUT", "users", "/me/availability", token,
                      json={"slot_minutes": 10, "weekly": round_the_clock})
    assert answer.status_code < 400, answer.text
    verified = call(deployed, "POST", "users", f"/admin/doctors/{doctor['user_id']}/verify",
                    _administrator(deployed))
    assert verified.status_code == 200, verified.text
    return {**doctor, "token": token}


def test_a_booking_reaches_the_patients_deployed_websocket(deployed: Deployed):
    patient = state.get("patient") or pytest.skip("needs the signed-up patient")
    doctor = state["doctor"] = _verified_doctor(deployed)
    now = datetime.now(UTC)
    slots = until_ok(deployed, "GET", "consultations", "/slots", patient["token"],
                     params={"doctor_id": doctor["user_id"], "from": iso(now),
                             "to": iso(now + timedelta(minutes=30))})
    assert slots.status_code == 200, slots.text
    starts_at = slots.json()["slots"][0]["starts_at"]

    socket_url = f"{deployed.websocket_url('notifications')}?token={patient['token']}"
    with connect(socket_url, open_timeout=COLD) as socket:
        booked = call(deployed, "POST", "consultations", "/", patient["token"],
                      json={"doctor_id": doctor["user_id"], "starts_at": starts_at,
                            "reason": "Fièvre depuis deux jours", "mode": "video"},
                      headers={"Idempotency-Key": f"smoke-{uuid.uuid4().hex}"})
        assert booked.status_code == 201, booked.text
        consultation = state["consultation"] = booked.json()

        # consultations' outbox -> stream -> SNS -> filtered SQS -> notifications -> the socket
        deadline = time.monotonic() + 90
        frames = []
        while time.monotonic() < deadline:
            try:
                frame = json.loads(socket.recv(timeout=1))
            except TimeoutError:
                continue
            frames.append(frame)
            notification = frame.get("notification") or {}
            if (frame.get("type") == "notification"
                    and notification.get("type") == "consultation.booked"
                    and notification.get("link", {}).get("consultation_id")
                    == consultation["id"]):
                break
        else:
            pytest.fail(f"no consultation.booked notification on the socket; got {frames}")


def test_a_paid_consultation_is_completed_and_the_record_updated(deployed: Deployed):
    consultation = state.get("consultation") or pytest.skip("needs the booking")
    patient, doctor = state["patient"], state["doctor"]
    from keneya_local.mobile_money import OrangeMoneySandbox, serve
    from keneya_local.mobile_money.client import Payer

    # The provider: the Orange Money sandbox on loopback, its credentials and address in the
    # deployed provider secret (localstack/README.md: the mobile-money sandboxes).
    sandbox = OrangeMoneySandbox()
    with serve(sandbox) as _base:
        deployed.client("secretsmanager").put_secret_value(
            SecretId=deployed.environment("payments")["ORANGE_MONEY_SECRET_ARN"],
            SecretString=json.dumps(sandbox.secret_value()),
        )
        intent = until_ok(deployed, "POST", "payments", "/", patient["token"],
                          json={"consultation_id": consultation["id"],
                                "provider": "orange_money", "phone": patient["phone"]},
                          headers={"Idempotency-Key": f"smoke-{uuid.uuid4().hex}"})
        assert intent.status_code == 201, intent.text
        action = intent.json()["next_action"]
        paid = Payer().pay_on_orange_money(action["url"], patient["phone"][-8:], "pay")
        assert paid.status_code == 302, paid.text

        # Orange notifies https://<API domain>/api/v1/payments/notifications/...; the emulator
        # has no custom domain (README), so the provider's one notification is forwarded to the
        # payments API's own address, as the domain's mapping would. (Without it, the payments
        # schedule asks the provider's status API from two minutes on, and confirms too.)
        order = next(o for o in sandbox.orders.values() if o.notif_url)
        path = str(order.notif_url).split("/api/v1/payments", 1)[1]
        notified = call(deployed, "POST", "payments", path,
                        json={"status": order.status, "notif_token": order.notif_token,
                              "txnid": order.txnid})
        assert notified.status_code < 300, notified.text

        def confirmed() -> Any:
            found = call(deployed, "GET", "consultations", f"/{consultation['id']}",
                         patient["token"]).json()
            return found if found.get("status") == "confirmed" else None

        assert eventually(confirmed, timeout=150, interval=2), "the consultation was not confirmed"

    started = call(deployed, "POST", "consultations", f"/{consultation['id']}/start",
                   doctor["token"])
    if started.status_code == 409 and "window_opens_at" in started.json():
        # The earliest slot is 5 to 15 minutes away and opens 10 minutes before its start: the
        # doctor may have to wait a few minutes, as a real one would.
        opens = datetime.fromisoformat(started.json()["window_opens_at"].replace("Z", "+00:00"))
        time.sleep(max(0.0, (opens - datetime.now(UTC)).total_seconds()) + 1)
        started = call(deployed, "POST", "consultations", f"/{consultation['id']}/start",
                       doctor["token"])
    assert started.status_code == 200, started.text
    completed = call(deployed, "POST", "consultations", f"/{consultation['id']}/complete",
                     doctor["token"], json=SUMMARY)
    assert completed.status_code == 200, completed.text

    # consultation.completed -> the records queue -> the record (MongoDB) -> its API
    def encounter() -> Any:
        answer = call(deployed, "GET", "records",
                      f"/{patient['user_id']}/encounters/{consultation['id']}", patient["token"])
        return answer.json() if answer.status_code == 200 else None

    found = eventually(encounter, timeout=90, interval=1)
    assert found, "the encounter never reached the record"
    assert "B54" in json.dumps(found)


def test_the_record_exports_as_fhir(deployed: Deployed):
    patient = state.get("patient") or pytest.skip("needs the patient")
    state.get("consultation") or pytest.skip("needs the completed consultation")
    answer = call(deployed, "GET", "records", f"/{patient['user_id']}/fhir", patient["token"])

    assert answer.status_code == 200, answer.text
    bundle = answer.json()
    assert bundle["resourceType"] == "Bundle"
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Encounter"} <= kinds, kinds
