"""The mobile-money sandboxes of the local runtime, each served alone on loopback: what a payer
sees on their pages, the callback Orange Money sends, the prompts Moov Money leaves on a phone,
the orders they give up, and the control API that injects faults."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from keneya_local.mobile_money import MoovMoneySandbox, OrangeMoneySandbox, serve
from keneya_local.mobile_money.client import Payer, SandboxControl, forms_of


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Merchant:
    """The merchant's notification URL: records what Orange Money posts to it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        merchant = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                merchant.received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                merchant.arrived.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def orange(clock: Clock) -> Iterator[OrangeMoneySandbox]:
    sandbox = OrangeMoneySandbox(clock=clock)
    with serve(sandbox):
        yield sandbox


@pytest.fixture
def moov(clock: Clock) -> Iterator[MoovMoneySandbox]:
    sandbox = MoovMoneySandbox(clock=clock)
    with serve(sandbox):
        yield sandbox


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    merchant = Merchant()
    yield merchant
    merchant.server.shutdown()


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def orange_order(
    orange: OrangeMoneySandbox, notif_url: str = "", amount: int = 7500, lang: str = "fr"
) -> dict[str, Any]:
    token = requests.post(
        f"{orange.base_url}/oauth/v3/token",
        data={"grant_type": "client_credentials"},
        headers=basic(orange.client_id, orange.client_secret),
        timeout=5,
    ).json()["access_token"]
    order_id = f"pay_{len(orange.orders) + 1:04d}"
    answer = requests.post(
        f"{orange.base_url}/orange-money-webpay/ml/v1/webpayment",
        json={
            "merchant_key": orange.merchant_key,
            "currency": "XOF",
            "order_id": order_id,
            "amount": amount,
            "return_url": "https://keneya.ml/back",
            "cancel_url": "https://keneya.ml/cancelled",
            "notif_url": notif_url,
            "lang": lang,
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    return {"order_id": order_id, "token": token, **answer.json()}


def orange_status(orange: OrangeMoneySandbox, order: dict[str, Any]) -> dict[str, Any]:
    """What Orange Money's transaction-status API says of the order."""
    return requests.post(
        f"{orange.base_url}/orange-money-webpay/ml/v1/transactionstatus",
        json={"order_id": order["order_id"], "pay_token": order["pay_token"]},
        headers={"Authorization": f"Bearer {order['token']}"},
        timeout=5,
    ).json()


def moov_push(moov: MoovMoneySandbox, msisdn: str = "22376123456", amount: int = 5000) -> str:
    transaction_id = f"pay_{len(moov.orders) + 1:04d}"
    answer = requests.post(
        f"{moov.base_url}/api/v1/payments/push",
        json={
            "merchant_id": moov.merchant_id,
            "transaction_id": transaction_id,
            "msisdn": msisdn,
            "amount": amount,
            "currency": "XOF",
        },
        headers=basic(moov.username, moov.password),
        timeout=5,
    )
    assert answer.status_code == 202, answer.text
    return transaction_id


def test_the_hosted_page_shows_merchant_amount_and_order_in_french_then_english(orange):
    order = orange_order(orange, amount=7500)

    french = requests.get(order["payment_url"], timeout=5)
    english = requests.get(order["payment_url"], params={"lang": "en"}, timeout=5)

    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    for shown in ("Keneya", "7\u00a0500\u00a0FCFA", order["order_id"], "Payer", "Refuser"):
        assert shown in french.text
    assert "Votre numéro Orange Money" in french.text
    assert "7,500\u00a0FCFA" in english.text and "Your Orange Money number" in english.text
    assert "script" not in french.text and "http" not in french.headers["Content-Security-Policy"]


def test_paying_notifies_the_merchant_once_and_sends_the_payer_back(orange, merchant):
    order = orange_order(orange, notif_url=merchant.url)

    back = Payer().pay_on_orange_money(order["payment_url"], "76 12 34 56", "pay")

    assert (back.status_code, back.headers["Location"]) == (302, "https://keneya.ml/back")
    assert merchant.arrived.wait(5)
    (notification,) = merchant.received
    assert notification["status"] == "SUCCESS"
    assert notification["notif_token"] == order["notif_token"]
    assert notification["txnid"].startswith("MP")
    state = orange.order(order["order_id"])
    assert (state.status, state.msisdn) == ("SUCCESS", "22376123456")


def test_refusing_sends_the_payer_to_the_cancel_url_and_the_status_says_failed(orange, merchant):
    order = orange_order(orange, notif_url=merchant.url)

    back = Payer().pay_on_orange_money(order["payment_url"], "", "refuse")

    assert back.headers["Location"] == "https://keneya.ml/cancelled"
    status = orange_status(orange, order)
    assert status["status"] == "FAILED"
    assert merchant.arrived.wait(5) and merchant.received[0]["status"] == "FAILED"


def test_a_wrong_number_is_refused_on_the_page_and_nothing_is_paid(orange):
    order = orange_order(orange)

    answer = Payer().pay_on_orange_money(order["payment_url"], "12345", "pay")

    assert answer.status_code == 400
    assert "Numéro invalide" in answer.text and 'role="alert"' in answer.text
    assert orange.order(order["order_id"]).status == "INITIATED"


def test_an_order_nobody_pays_expires_and_its_page_says_so(orange, clock):
    order = orange_order(orange)

    clock.now += timedelta(minutes=16)

    page = requests.get(order["payment_url"], timeout=5)
    assert page.status_code == 410 and "expiré" in page.text
    assert orange.order(order["order_id"]).status == "EXPIRED"


def test_a_moov_prompt_waits_on_its_phone_only_and_is_confirmed_with_a_pin(moov):
    transaction_id = moov_push(moov, msisdn="22376123456")
    payer = Payer()

    mine = payer.http.get(f"{moov.base_url}/phone", params={"msisdn": "76 12 34 56"}, timeout=5)
    other = payer.http.get(f"{moov.base_url}/phone/22376999999", timeout=5)

    assert mine.url.endswith("/phone/22376123456?lang=fr")
    assert [f.action.rsplit("/", 1)[1] for f in forms_of(mine)] == [transaction_id]
    assert "5\u00a0000\u00a0FCFA" in mine.text and "Confirmer" in mine.text
    assert not forms_of(other)
    refused = payer.answer_moov_prompt(moov.base_url, "+22376123456", transaction_id, pin="12")
    assert refused.status_code == 400 and moov.order(transaction_id).status == "PENDING"
    confirmed = payer.answer_moov_prompt(moov.base_url, "+22376123456", transaction_id)
    assert confirmed.status_code == 200 and "confirmé" in confirmed.text
    status = requests.get(
        f"{moov.base_url}/api/v1/payments/{transaction_id}",
        params={"merchant_id": moov.merchant_id},
        headers=basic(moov.username, moov.password),
        timeout=5,
    ).json()
    assert (status["status"], status["amount"]) == ("SUCCESS", 5000)


def test_a_moov_prompt_left_unanswered_fails(moov, clock):
    transaction_id = moov_push(moov)

    clock.now += timedelta(minutes=16)

    assert moov.order(transaction_id).status == "FAILED"
    with pytest.raises(LookupError):
        Payer().answer_moov_prompt(moov.base_url, "+22376123456", transaction_id)


def test_faults_answer_errors_the_given_number_of_times_and_a_delay_alone_still_does_the_work(
    moov,
):
    control = SandboxControl(moov.base_url)
    control.fail("push", status=503, times=2)
    payload = {"merchant_id": moov.merchant_id, "msisdn": "22376123456", "amount": 500}

    answers = [
        requests.post(
            f"{moov.base_url}/api/v1/payments/push",
            json={**payload, "transaction_id": f"t{n}"},
            headers=basic(moov.username, moov.password),
            timeout=5,
        ).status_code
        for n in range(3)
    ]

    assert answers == [503, 503, 202]
    assert sorted(moov.orders) == ["t2"]
    assert control.calls()["push"] == 3
    control.fail("status", delay_seconds=1.5)
    with pytest.raises(requests.Timeout):
        requests.get(
            f"{moov.base_url}/api/v1/payments/t2",
            params={"merchant_id": moov.merchant_id},
            headers=basic(moov.username, moov.password),
            timeout=0.5,
        )


def test_a_status_can_be_made_to_report_another_amount(orange):
    order = orange_order(orange, amount=5000)
    control = SandboxControl(orange.base_url)

    control.report_amount(order["order_id"], 500)

    status = orange_status(orange, order)
    assert status["amount"] == 500


def test_a_dropped_notification_is_never_sent(orange, merchant):
    SandboxControl(orange.base_url).fail("notification", drop=True)
    order = orange_order(orange, notif_url=merchant.url)

    Payer().pay_on_orange_money(order["payment_url"], "76123456", "pay")

    assert not merchant.arrived.wait(1)
    assert orange.order(order["order_id"]).notification == {
        "sent": False,
        "why": "dropped by a sandbox fault",
    }


def test_a_bad_control_request_names_the_field(orange):
    answer = requests.post(
        f"{orange.base_url}/_control/faults", json={"operation": "refund", "status": 500}
    )

    assert answer.status_code == 422
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "operation"
    assert not orange.faults


def test_a_person_adds_a_fault_with_the_overview_pages_form(orange):
    page = requests.get(f"{orange.base_url}/", params={"lang": "en"}, timeout=5)
    (form,) = forms_of(page)

    answer = requests.post(
        form.action, data={**form.fields, "operation": "transactionstatus", "status": "502"}
    )

    assert answer.status_code == 200 and "transactionstatus: 502" in answer.text
    assert [(f.operation, f.status) for f in orange.faults] == [("transactionstatus", 502)]
