"""What the HTTP tests of the consultations service use: people with real accounts (through the
auth API), the users and payments services' events published as those services would, the
events this service publishes, and the consultations API itself."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from keneya.events import Event, new_event
from tests.support.auth import STRONG_PASSWORD, admin_command, new_phone
from tests.support.auth import Api as AuthApi
from tests.support.people import Person, eventually

ALL_DAY = [{"start": "00:00", "end": "24:00"}]
EVERY_DAY = {d: ALL_DAY for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
_auth_devices: dict[str, AuthApi] = {}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sign_up(platform: Any, role: str, full_name: str) -> Person:
    """A new account through the auth API, signed in."""
    auth = _auth_devices.setdefault(platform.http_url, AuthApi(platform.url("auth")))
    phone = new_phone()
    account = auth.register(role=role, full_name=full_name, phone=phone)
    grant = auth.login(phone=phone)
    return Person(account["user_id"], role, grant["access_token"], full_name)


def sign_up_admin(platform: Any, aws_endpoint: str) -> Person:
    """An administrator, created by the auth service's operators' command, signed in."""
    phone = new_phone()
    environment = platform.deployment.services["auth"].environment
    created = admin_command(
        environment,
        aws_endpoint,
        "create",
        "--full-name",
        "Fanta Coulibaly",
        "--phone",
        phone,
        "--password-stdin",
        stdin=f"{STRONG_PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    auth = _auth_devices.setdefault(platform.http_url, AuthApi(platform.url("auth")))
    grant = auth.login(phone=phone)
    return Person(grant["user_id"], "admin", grant["access_token"], "Fanta Coulibaly")


class Consultations:
    """The consultations API, as one person sees it."""

    def __init__(self, platform: Any, who: Person | None = None) -> None:
        self.platform = platform
        self.who = who
        self.http = requests.Session()

    def as_(self, who: Person | None) -> Consultations:
        return Consultations(self.platform, who)

    def call(
        self,
        method: str,
        path: str = "",
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        if self.who is not None:
            sent["Authorization"] = f"Bearer {self.who.token}"
        return self.http.request(
            method,
            self.platform.url("consultations", path),
            json=body,
            params=params,
            headers=sent,
            timeout=60,
        )

    def book(self, doctor: Person, starts_at: str, **fields: Any) -> requests.Response:
        body = {
            "doctor_id": doctor.user_id,
            "starts_at": starts_at,
            "reason": "Fièvre et maux de tête depuis deux jours",
            "mode": "video",
            **fields.pop("body", {}),
        }
        return self.call("POST", "", body, **fields)

    def get(self, consultation_id: str) -> requests.Response:
        return self.call("GET", f"/{consultation_id}")

    def act(self, consultation_id: str, action: str, body: Any = None) -> requests.Response:
        return self.call("POST", f"/{consultation_id}/{action}", body)

    def slots(self, doctor: Person, **params: Any) -> requests.Response:
        return self.call("GET", "/slots", params={"doctor_id": doctor.user_id, **params})

    def status_of(self, consultation_id: str) -> str:
        response = self.get(consultation_id)
        assert response.status_code == 200, response.text
        return response.json()["status"]

    def wait_for_status(self, consultation_id: str, status: str, timeout: float = 15) -> dict:
        found = eventually(lambda: self.status_of(consultation_id) == status, timeout=timeout)
        assert found, f"{consultation_id} is {self.status_of(consultation_id)}, not {status}"
        return self.get(consultation_id).json()


class Topic:
    """Publishes events on the platform's topic as their producing service would."""

    def __init__(self, sns: Any, topic_arn: str) -> None:
        self.sns = sns
        self.topic_arn = topic_arn

    def publish(self, event_type: str, data: dict[str, Any], source: str) -> Event:
        event = new_event(event_type, data, source=source)
        self.send(event)
        return event

    def send(self, event: Event) -> None:
        self.sns.publish(
            TopicArn=self.topic_arn,
            Message=event.to_json(),
            MessageAttributes={
                "type": {"DataType": "String", "StringValue": event.type},
                "source": {"DataType": "String", "StringValue": event.source},
            },
        )

    # -- as the users service ---------------------------------------------------------------

    def doctor_bookable(
        self,
        doctor: Person,
        *,
        fee_xof: int = 5000,
        slot_minutes: int = 30,
        weekly: dict[str, list[dict[str, str]]] | None = None,
        revision: int = 0,
        time_zone: str = "Africa/Bamako",
        status: str = "verified",
    ) -> None:
        """`revision` counts from far above the users service's own, so the doctor the test
        describes is the one kept whatever the users service announced at registration."""
        self.publish(
            "doctor.verified" if status == "verified" else "doctor.suspended",
            {
                "doctor_id": doctor.user_id,
                "revision": 1_000_000 + revision,
                "status": status,
                "full_name": doctor.full_name,
                "specialty": "general_practice",
                "fee_xof": fee_xof,
                "time_zone": time_zone,
                "slot_minutes": slot_minutes,
                "weekly": weekly or EVERY_DAY,
                "exceptions": [],
            },
            source="users",
        )

    # -- as the payments service ------------------------------------------------------------

    def payment(
        self, outcome: str, consultation: dict[str, Any], amount_xof: int | None = None
    ) -> Event:
        data = {
            "payment_id": f"pay-{uuid.uuid4().hex[:12]}",
            "consultation_id": consultation["id"],
            "payer_id": consultation["patient_id"],
            "amount_xof": consultation["fee_xof"] if amount_xof is None else amount_xof,
            "provider": "orange_money",
        }
        if outcome == "failed":
            data["reason"] = "refused by the payer"
        return self.publish(f"payment.{outcome}", data, source="payments")

    # -- as the signaling service -----------------------------------------------------------

    def call_joined(self, consultation: dict[str, Any], role: str, joined_at: datetime) -> Event:
        return self.publish(
            "call.joined",
            {
                "consultation_id": consultation["id"],
                "user_id": consultation[f"{role}_id"],
                "role": role,
                "joined_at": iso(joined_at),
            },
            source="signaling",
        )

    def call_left(
        self,
        consultation: dict[str, Any],
        role: str,
        joined_at: datetime,
        left_at: datetime,
        reason: str = "left",
    ) -> Event:
        return self.publish(
            "call.left",
            {
                "consultation_id": consultation["id"],
                "user_id": consultation[f"{role}_id"],
                "role": role,
                "joined_at": iso(joined_at),
                "left_at": iso(left_at),
                "duration_seconds": int((left_at - joined_at).total_seconds()),
                "reason": reason,
            },
            source="signaling",
        )


def scheduled_event(at: datetime) -> dict[str, Any]:
    """EventBridge's "Scheduled Event" for a given moment."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": iso(at),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/keneya-local-sweep"],
        "detail": {},
    }


class Table:
    """The service's table, for tests that move a stored start time instead of waiting."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def move_start(self, consultation_id: str, starts_at: datetime) -> None:
        for view in ("PATIENT", "DOCTOR"):
            key = {"pk": f"CONSULTATION#{consultation_id}", "sk": view}
            item = self.table.get_item(Key=key, ConsistentRead=True)["Item"]
            document = json.loads(item["document"])
            length = parse(document["ends_at"]) - parse(document["starts_at"])
            document["starts_at"] = iso(starts_at)
            document["ends_at"] = iso(starts_at + length)
            self.table.update_item(
                Key=key,
                UpdateExpression="SET #d = :d, gsi1sk = :s",
                ExpressionAttributeNames={"#d": "document"},
                ExpressionAttributeValues={
                    ":d": json.dumps(document),
                    ":s": f"{starts_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}#{consultation_id}",
                },
            )


def next_slot(api: Consultations, doctor: Person, after: timedelta) -> str:
    """The first free slot of `doctor` starting at least `after` from now."""
    start = datetime.now(UTC) + after
    response = api.slots(doctor, **{"from": iso(start), "to": iso(start + timedelta(days=2))})
    assert response.status_code == 200, response.text
    return response.json()["slots"][0]["starts_at"]
