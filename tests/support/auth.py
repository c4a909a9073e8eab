"""What the HTTP tests of the auth service use: a client per simulated device, the events the
service publishes, and fresh identities."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from keneya.events import Event, parse_event

STRONG_PASSWORD = "sahel-baobab-kora-1989"
ROOT = Path(__file__).resolve().parents[2]


def new_phone() -> str:
    """A Malian mobile number no other test uses."""
    return f"+2237{secrets.randbelow(10**7):07d}"


def national(phone: str) -> str:
    """`+22376123456` as people write it in Mali: `76 12 34 56`."""
    digits = phone.removeprefix("+223")
    return " ".join(digits[i : i + 2] for i in range(0, 8, 2))


def new_email() -> str:
    return f"awa.{secrets.token_hex(5)}@keneya.test"


def new_address() -> str:
    """A loopback address of its own (the whole 127/8 reaches the local gateway), so each test
    is a distinct client for the per-address limits."""
    return f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(256)}.{secrets.randbelow(250) + 2}"


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


class Api:
    """A device talking to `/api/v1/auth` from its own address."""

    def __init__(self, base_url: str, address: str | None = None) -> None:
        self.base_url = base_url
        self.address = address or new_address()
        self._http = requests.Session()
        self._http.mount("http://", _FromAddress(self.address))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        language: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if language is not None:
            sent["Accept-Language"] = language
        return self._http.request(
            method, f"{self.base_url}{path}", json=body, headers=sent, timeout=30
        )

    def post(self, path: str, body: Any = None, **options: Any) -> requests.Response:
        return self.call("POST", path, body, **options)

    def get(self, path: str, **options: Any) -> requests.Response:
        return self.call("GET", path, **options)

    # -- the usual steps -------------------------------------------------------------------

    def register(self, **fields: Any) -> dict[str, Any]:
        body = {
            "role": "patient",
            "full_name": "Awa Traoré",
            "password": STRONG_PASSWORD,
            **fields,
        }
        if "phone" not in body and "email" not in body:
            body["phone"] = new_phone()
        response = self.post("/register", body)
        assert response.status_code == 201, response.text
        return {**response.json(), "password": body["password"]}

    def login(self, password: str = STRONG_PASSWORD, **login: str) -> dict[str, Any]:
        response = self.post("/login", {**login, "password": password})
        assert response.status_code == 200, response.text
        return response.json()

    def signed_in(self, role: str = "patient", **fields: Any) -> dict[str, Any]:
        """A new account, signed in: its fields plus `access_token` and `refresh_token`."""
        account = self.register(role=role, **fields)
        login = {"phone": account["phone"]} if account["phone"] else {"email": account["email"]}
        return {**account, **self.login(password=account["password"], **login)}


class PublishedEvents:
    """Every event the service publishes, read from a queue subscribed to the events topic."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self.seen: list[Event] = []

    def _receive(self, wait_seconds: int) -> None:
        answer = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        for message in answer.get("Messages", []):
            # Checked against the catalogue: a malformed event fails the test here.
            self.seen.append(parse_event(message["Body"]))
            self._sqs.delete_message(
                QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
            )

    def _matching(self, event_type: str, match: dict[str, Any]) -> list[Event]:
        return [
            event
            for event in self.seen
            if event.type == event_type
            and all(event.data.get(name) == value for name, value in match.items())
        ]

    def wait_for(self, event_type: str, timeout: float = 15, **match: Any) -> Event:
        """The first published `event_type` whose data has the `match` values."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(event_type, match)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {event_type} {json.dumps(match)} within {timeout}s")
            self._receive(wait_seconds=1)

    def all_of(self, event_type: str, **match: Any) -> list[Event]:
        return self._matching(event_type, match)

    def code_sent_to(self, phone: str, purpose: str = "verify_phone") -> str:
        """The code of the latest SMS request for `phone` (what the person reads on the phone)."""
        self.wait_for("auth.otp_requested", phone=phone, purpose=purpose)
        return self.all_of("auth.otp_requested", phone=phone, purpose=purpose)[-1].data["code"]


@contextmanager
def published_events(
    aws_endpoint: str, topic_arn: str, types: list[str] | None = None
) -> Iterator[PublishedEvents]:
    """Every event published on the topic while the block runs (only `types`, when given),
    read from a queue of the tests' own subscribed to it; removed afterwards."""
    import boto3

    sqs = boto3.client("sqs", endpoint_url=aws_endpoint, region_name="us-east-1")
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName=f"published-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    attributes = {"RawMessageDelivery": "true"}
    if types is not None:
        attributes["FilterPolicy"] = json.dumps({"type": types})
    subscription = sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    try:
        yield PublishedEvents(sqs, queue_url)
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=queue_url)


def admin_command(
    auth_environment: Mapping[str, str], aws_endpoint: str, *arguments: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    """Run the operators' command (`python -m chalicelib.admin ...`) in functions/auth with the
    service's environment, as an operator would: e.g. `admin_command(env, url, "create",
    "--full-name", "Fanta Coulibaly", "--email", email, "--password-stdin", stdin=password)`.
    `auth_environment` is `stack.deployment.services["auth"].environment`."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        **auth_environment,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": str(ROOT / "layers" / "common" / "python"),
    }
    return subprocess.run(
        [sys.executable, "-m", "chalicelib.admin", *arguments],
        cwd=ROOT / "functions" / "auth",
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
