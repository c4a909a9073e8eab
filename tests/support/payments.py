"""What the HTTP tests of the payments service use: the payments API as one person sees it,
the payer on the sandboxes' pages, the reconciler run for a given moment, and the ledger read
back from the service's table."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

import requests

from keneya_local.mobile_money.client import Payer, SandboxControl
from tests.support.consultations import scheduled_event
from tests.support.people import Person, eventually

PAYER_PHONE = "+22376123456"


def pay_on_the_hosted_page(intent: dict[str, Any], choice: str) -> requests.Response:
    """The payer, sent to Orange Money's page, types their number and presses "Payer" (pay) or
    "Refuser" (refuse); the page sends them back to Keneya."""
    answer = Payer().pay_on_orange_money(intent["next_action"]["url"], "76 12 34 56", choice)
    assert answer.status_code == 302, answer.text
    return answer


def answer_on_the_phone(moov: SandboxControl, intent: dict[str, Any], choice: str) -> None:
    """The payer answers Moov Money's prompt on their phone: "Confirmer" (pay) or "Refuser"."""
    answer = Payer().answer_moov_prompt(moov.base_url, PAYER_PHONE, intent["id"], choice)
    assert answer.status_code == 200, answer.text


class Payments:
    def __init__(self, platform: Any, who: Person | None = None) -> None:
        self.platform = platform
        self.who = who
        self.http = requests.Session()

    def as_(self, who: Person | None) -> Payments:
        return Payments(self.platform, who)

    def call(self, method: str, path: str = "", body: Any = None, **options: Any) -> Any:
        headers = dict(options.pop("headers", {}))
        if self.who is not None:
            headers["Authorization"] = f"Bearer {self.who.token}"
        return self.http.request(
            method,
            self.platform.url("payments", path),
            json=body,
            headers=headers,
            timeout=60,
            **options,
        )

    def pay(
        self, consultation: dict[str, Any], provider: str, key: str | None = None, **fields: Any
    ) -> Any:
        body = {
            "consultation_id": consultation["id"],
            "provider": provider,
            "phone": "+22376123456",
            **fields,
        }
        headers = {"Idempotency-Key": key} if key else {}
        return self.call("POST", "", body, headers=headers)

    def pay_when_known(
        self, consultation: dict[str, Any], provider: str, key: str | None = None
    ) -> dict[str, Any]:
        """Pay as soon as the payments service has heard of the booking (an event away); one
        idempotency key, so the retries make one intent."""
        key = key or f"pay-{uuid.uuid4().hex}"
        answers: list[Any] = []

        def attempt() -> bool:
            answers.append(self.pay(consultation, provider, key=key))
            return answers[-1].status_code != 404

        eventually(attempt, timeout=20, interval=0.2)
        assert answers[-1].status_code == 201, answers[-1].text
        return answers[-1].json()

    def get(self, payment_id: str) -> Any:
        return self.call("GET", f"/{payment_id}")

    def wait_for_status(self, payment_id: str, status: str, timeout: float = 15) -> dict:
        found = eventually(lambda: self.get(payment_id).json().get("status") == status, timeout)
        assert found, f"{payment_id} is {self.get(payment_id).json()}, not {status}"
        return self.get(payment_id).json()


def reconcile(platform: Any, at: datetime) -> dict[str, int]:
    return platform.invoke("payments", "reconcile", scheduled_event(at))


def ledger_sums(table: Any) -> dict[str, int]:
    """Every ledger transaction of the table and the sum of its entries."""
    sums: dict[str, int] = defaultdict(int)
    scan: dict[str, Any] = {
        "FilterExpression": "begins_with(pk, :p)",
        "ExpressionAttributeValues": {":p": "LEDGER#"},
    }
    while True:
        page = table.scan(**scan)
        for item in page["Items"]:
            sums[item["pk"]] += int(item["amount_xof"])
        if "LastEvaluatedKey" not in page:
            return dict(sums)
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
