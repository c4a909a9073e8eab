"""What the HTTP tests of the users service use: people with real accounts (registered and
signed in through the auth service's API), a client of the users API, and events published as
the other services publish them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from keneya.events import Event, new_event
from tests.support.auth import STRONG_PASSWORD, Api, new_email, new_phone
from tests.support.people import Person, eventually

ROOT = Path(__file__).resolve().parents[2]
AUTH_DIR = ROOT / "functions" / "auth"

# What verification checks, filled in for doctors that tests want listed.
COMPLETE_DOCTOR = {
    "specialty": "general-practice",
    "licence_number": "CNOM-10001",
    "fee_xof": 10000,
    "city": "Bamako",
    "languages": ["fr", "bm"],
}


class UsersApi:
    """`/api/v1/users` as a client sees it."""

    def __init__(self, platform: Any) -> None:
        self._base = platform.url("users")
        self._http = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        who: Person | None = None,
        language: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> requests.Response:
        headers = {}
        if who is not None:
            headers["Authorization"] = f"Bearer {who.token}"
        if language is not None:
            headers["Accept-Language"] = language
        return self._http.request(
            method,
            f"{self._base}{path}",
            json=body,
            params=params,
            headers=headers,
            timeout=30,
            allow_redirects=False,
        )

    def get(self, path: str, **options: Any) -> requests.Response:
        return self.call("GET", path, **options)

    def patch(self, path: str, body: Any, **options: Any) -> requests.Response:
        return self.call("PATCH", path, body, **options)

    def put(self, path: str, body: Any, **options: Any) -> requests.Response:
        return self.call("PUT", path, body, **options)

    def post(self, path: str, body: Any = None, **options: Any) -> requests.Response:
        return self.call("POST", path, body, **options)

    def delete(self, path: str, **options: Any) -> requests.Response:
        return self.call("DELETE", path, **options)

    def profile_of(self, person: Person, timeout: float = 15) -> dict[str, Any]:
        """The person's profile, once the users service has opened it from user.registered."""

        def opened() -> requests.Response | None:
            response = self.get("/me", who=person)
            return response if response.status_code == 200 else None

        response = eventually(opened, timeout)
        assert response, f"no profile for {person.role} {person.user_id} within {timeout}s"
        return response.json()


class People:
    """Opens accounts the way people do: register, then sign in, through the auth API."""

    def __init__(self, platform: Any, users: UsersApi) -> None:
        self._platform = platform
        self._users = users

    def _account(self, role: str, full_name: str, **fields: Any) -> Person:
        auth = Api(self._platform.url("auth"))
        phone = fields.pop("phone", None) or new_phone()
        account = auth.register(role=role, full_name=full_name, phone=phone, **fields)
        grant = auth.login(phone=phone)
        return Person(
            user_id=account["user_id"],
            role=role,
            token=grant["access_token"],
            full_name=full_name,
            phone=phone,
            email=account.get("email"),
        )

    def patient(
        self, full_name: str = "Awa Traoré", *, ready: bool = True, **fields: Any
    ) -> Person:
        person = self._account("patient", full_name, **fields)
        if ready:
            self._users.profile_of(person)
        return person

    def doctor(
        self, full_name: str = "Moussa Diarra", *, ready: bool = True, **fields: Any
    ) -> Person:
        person = self._account("doctor", full_name, **fields)
        if ready:
            self._users.profile_of(person)
        return person

    def admin(self) -> Person:
        """An administrator, created by the auth service's operators' command."""
        phone, email = new_phone(), new_email()
        environment = dict(self._platform.deployment.services["auth"].environment)
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "chalicelib.admin",
                "create",
                "--full-name",
                "Fanta Keita",
                "--phone",
                phone,
                "--email",
                email,
                "--password-stdin",
            ],
            cwd=AUTH_DIR,
            env={
                "PATH": os.environ.get("PATH", ""),
                **environment,
                "AWS_ENDPOINT_URL": self._platform.aws_endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "PYTHONPATH": str(ROOT / "layers" / "common" / "python"),
            },
            input=f"{STRONG_PASSWORD}\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert completed.returncode == 0, completed.stderr
        grant = Api(self._platform.url("auth")).login(phone=phone)
        person = Person(
            grant["user_id"], "admin", grant["access_token"], "Fanta Keita", phone, email
        )
        self._users.profile_of(person)
        return person


def publish(platform: Any, event_type: str, data: dict[str, Any], source: str) -> Event:
    """Publish an event to the events topic exactly as `source`'s outbox relay would."""
    import boto3

    event = new_event(event_type, data, source=source)
    sns = boto3.client("sns", endpoint_url=platform.aws_endpoint, region_name="us-east-1")
    sns.publish(
        TopicArn=platform.deployment.services["users"].environment["EVENTS_TOPIC_ARN"],
        Message=event.to_json(),
        MessageAttributes={
            "type": {"DataType": "String", "StringValue": event.type},
            "source": {"DataType": "String", "StringValue": source},
        },
    )
    return event


def sqs_event(*events: Event, receive_count: int = 1) -> dict[str, Any]:
    """The Lambda event of an SQS batch carrying `events`, as the event source mapping builds
    it (for invoking a consumer directly, like Lambda's Invoke API)."""
    import hashlib
    import uuid

    records = []
    for event in events:
        body = event.to_json()
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": uuid.uuid4().hex,
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": str(receive_count),
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {
                    "type": {"stringValue": event.type, "dataType": "String"},
                },
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:keneya-local-users-events",
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}


def listed_doctor(
    people: People, users_api: UsersApi, admin: Person, full_name: str, **fields: Any
) -> Person:
    """A doctor with a complete profile (`fields` override it), verified by `admin`."""
    doctor = people.doctor(full_name)
    response = users_api.patch("/me", {**COMPLETE_DOCTOR, **fields}, who=doctor)
    assert response.status_code == 200, response.text
    verified = users_api.post(f"/admin/doctors/{doctor.user_id}/verify", who=admin)
    assert verified.status_code == 200, verified.text
    return doctor
