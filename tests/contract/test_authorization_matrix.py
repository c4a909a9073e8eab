"""Deny by default, derived from the OpenAPI document: for every protected operation whose path
names a person's resource (their record, a consultation, a payment, a notification, a device, a
record entry, an attachment, a share), another patient, an unrelated doctor and an administrator
get 404 — the resource might as well not exist — and an anonymous caller gets 401.

The operations come from `/api/v1/openapi.json`, so a new route is covered without anyone
writing a test for it; a request body, where one is needed, is the simplest valid one the
document's schema allows. The resources belong to one patient, made through the public API.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import find

from tests.support.consultations import Consultations, Topic, next_slot, sign_up, sign_up_admin
from tests.support.payments import Payments
from tests.support.people import eventually

pytestmark = pytest.mark.slow

# Path parameters that name something of one person's, and what of the owner's each stands for.
PERSONAL = (
    "patient_id",
    "consultation_id",
    "payment_id",
    "notification_id",
    "device_id",
    "entry_id",
    "attachment_id",
    "share_id",
)
# Operations that name a person's resource but are not the person's to use either: the gateway
# of a provider (authenticated by the payment's own token, not a bearer), and what only an
# administrator does on a payment (a patient is refused for their role, whatever the payment).
NOT_THE_OWNERS = {("POST", "/api/v1/payments/refunds/{payment_id}/paid")}
# Where someone else may act, on purpose: (method, path) -> (who, why).
ALLOWED = {
    ("POST", "/api/v1/consultations/{consultation_id}/cancel"): (
        "an administrator",
        "support cancels a consultation on a person's behalf (consultations' lifecycle)",
    ),
    ("GET", "/api/v1/users/patients/{patient_id}"): (
        "an administrator",
        "administrators see patient profiles, never records (users' access rules)",
    ),
}


def call(platform: Any, token: str | None, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(
        method, f"{platform.http_url}{path}", json=body, headers=headers, timeout=30
    )


@pytest.fixture(scope="module")
def owner_resources(platform: Any, aws_endpoint: str) -> dict[str, Any]:
    """One patient and something of theirs behind every kind of personal path parameter."""
    patient = sign_up(platform, "patient", "Kadiatou Propriétaire")
    doctor = sign_up(platform, "doctor", "Dr Bakary Traoré")
    environment = platform.deployment.services["consultations"].environment
    import boto3

    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    Topic(sns, environment["EVENTS_TOPIC_ARN"]).doctor_bookable(doctor)
    consultations = Consultations(platform)
    assert eventually(lambda: consultations.slots(doctor).status_code == 200, timeout=20)
    booking = consultations.as_(patient).book(
        doctor, next_slot(consultations, doctor, timedelta(days=2))
    )
    assert booking.status_code == 201, booking.text
    payment = Payments(platform, patient).pay_when_known(booking.json(), "moov_money")
    mine = f"/api/v1/records/{patient.user_id}"

    def created(path: str, body: dict[str, Any]) -> str:
        answer = call(platform, patient.token, "POST", path, body)
        assert answer.status_code in (200, 201), f"{path}: {answer.text}"
        return answer.json()["id"]

    entries = {
        "allergies": created(f"{mine}/allergies", {"substance": "Pénicilline"}),
        "conditions": created(f"{mine}/conditions", {"label": "Asthme"}),
        "medications": created(f"{mine}/medications", {"medicine": "Salbutamol"}),
        "vaccinations": created(
            f"{mine}/vaccinations", {"vaccine": "Fièvre jaune", "date": "2020-01-15"}
        ),
    }
    until = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    share = created(f"{mine}/shares", {"doctor_id": doctor.user_id, "until": until})
    attachment = created(
        f"{mine}/attachments",
        {"category": "lab_result", "title": "NFS", "content_type": "application/pdf", "size": 900},
    )
    device = created(
        "/api/v1/notifications/devices", {"token": "f" * 40 + ":fcm-token", "platform": "android"}
    )

    def first_notification() -> str | None:
        items = call(platform, patient.token, "GET", "/api/v1/notifications").json()["items"]
        return items[0]["id"] if items else None

    notification = eventually(first_notification, timeout=20)
    assert notification, "the patient was never notified of the booking"
    return {
        "patient_id": patient.user_id,
        "consultation_id": booking.json()["id"],
        "payment_id": payment["id"],
        "notification_id": notification,
        "device_id": device,
        "attachment_id": attachment,
        "share_id": share,
        "entries": entries,
    }


@pytest.fixture(scope="module")
def strangers(platform: Any, aws_endpoint: str) -> dict[str, str]:
    return {
        "another patient": sign_up(platform, "patient", "Oumou Étrangère").token,
        "an unrelated doctor": sign_up(platform, "doctor", "Dr Modibo Étranger").token,
        "an administrator": sign_up_admin(platform, aws_endpoint).token,
    }


def personal_operations(platform: Any) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{platform.http_url}/api/v1/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        names = set(re.findall(r"{([^}]+)}", operation.path))
        secured = operation.definition.raw.get("security")
        if (
            secured
            and names & set(PERSONAL)
            and (operation.method.upper(), operation.path) not in NOT_THE_OWNERS
        ):
            operations.append(operation)
    return operations


def filled_path(path: str, resources: dict[str, Any]) -> str:
    section = re.search(r"/records/{patient_id}/(\w+)/{entry_id}", path)
    values = dict(resources)
    if section:
        values["entry_id"] = resources["entries"][section.group(1)]
    return re.sub(r"{([^}]+)}", lambda match: str(values[match.group(1)]), path)


def simplest_body(operation: Any) -> Any:
    """The simplest body the document's schema allows (None when the operation takes none)."""
    if not operation.definition.raw.get("requestBody"):
        return None
    return find(operation.as_strategy(), lambda case: True).body


def test_every_personal_operation_is_a_404_to_everyone_else_and_a_401_anonymously(
    platform, owner_resources, strangers
):
    operations = personal_operations(platform)
    assert len(operations) >= 30, [o.label for o in operations]
    wrong: list[str] = []

    for operation in operations:
        method = operation.method.upper()
        path = filled_path(operation.path, owner_resources)
        body = simplest_body(operation)
        anonymous = call(platform, None, method, path, body)
        if anonymous.status_code != 401:
            wrong.append(f"{method} {operation.path} anonymous: {anonymous.status_code}")
        for who, token in strangers.items():
            if ALLOWED.get((method, operation.path), ("",))[0] == who:
                continue
            answer = call(platform, token, method, path, body)
            if answer.status_code != 404:
                wrong.append(
                    f"{method} {operation.path} as {who}: {answer.status_code} {answer.text[:160]}"
                )

    assert not wrong, "\n".join(wrong)
