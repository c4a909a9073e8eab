"""End to end across services: the platform answers as one API, and a person signs up by
reading the code the platform "sent" by SMS, as a tester does on the local stack."""

from __future__ import annotations

import re
import time

import requests

from tests.support.auth import Api, new_phone

SERVICES = ("auth", "users", "consultations", "records", "payments", "notifications", "signaling")


def sms_to(platform, phone: str, timeout: float = 30) -> list[str]:
    """Bodies of the SMS the message catcher holds for `phone`, waiting for one to arrive."""
    deadline = time.monotonic() + timeout
    while True:
        caught = requests.get(f"{platform.http_url}/_local/messages.json", timeout=30).json()
        bodies = [
            m["body"] for m in caught["messages"] if m["channel"] == "sms" and phone in m["to"]
        ]
        if bodies or time.monotonic() > deadline:
            return bodies
        time.sleep(0.3)


def test_every_service_answers_under_one_api_base(platform):
    for service in SERVICES:
        response = requests.get(platform.url(service, "/health"), timeout=30)

        assert response.status_code == 200, (service, response.text)
        assert response.json()["service"] == service


def test_one_openapi_document_describes_the_whole_api(platform):
    document = requests.get(f"{platform.http_url}/api/v1/openapi.json", timeout=30).json()

    prefixes = {path.split("/")[3] for path in document["paths"]}
    assert set(SERVICES) <= prefixes
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_a_patient_verifies_the_phone_with_the_code_read_in_the_message_catcher(platform):
    # given a new patient who asked for a verification code
    auth = Api(platform.url("auth", ""))
    phone = new_phone()
    account = auth.register(phone=phone, full_name="Fatoumata Diarra")
    assert auth.post("/otp/send", {"phone": phone, "purpose": "verify_phone"}).status_code == 202

    # when the code is read from the SMS the notifications service sent
    messages = sms_to(platform, phone)
    codes = [re.search(r"\b(\d{6})\b", body) for body in messages]
    code = next(match.group(1) for match in codes if match)
    verified = auth.post("/otp/verify", {"phone": phone, "code": code, "purpose": "verify_phone"})

    # then the phone is verified, and the code never came back in an HTTP answer
    assert verified.status_code in (200, 204), verified.text
    assert code not in verified.text
    tokens = auth.login(phone=phone, password=account["password"])
    assert tokens["access_token"]
