"""The provider adapters against the local runtime's mobile-money sandboxes (the ones `make up`
serves), each served alone on loopback, over real HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import requests

from chalicelib.moov_money import MoovMoney, MoovMoneyConfig
from chalicelib.orange_money import OrangeMoney, OrangeMoneyConfig
from chalicelib.providers import (
    PaymentRequest,
    ProviderRefused,
    ProviderUnavailable,
    RefundNotSupported,
)
from keneya_local.mobile_money import Fault, MoovMoneySandbox, OrangeMoneySandbox, serve
from keneya_local.mobile_money.client import Payer

_orders = itertools.count(1)


def a_request(amount: int = 5000, notification_url: str = "") -> PaymentRequest:
    return PaymentRequest(
        order_id=f"pay_adapter_{next(_orders):06d}",
        amount_xof=amount,
        payer_phone="+22376123456",
        language="fr",
        return_url="https://keneya.ml/back",
        cancel_url="https://keneya.ml/cancelled",
        notification_url=notification_url,
    )


@pytest.fixture
def orange() -> Iterator[OrangeMoneySandbox]:
    sandbox = OrangeMoneySandbox("client", "s3cret", "mk-1")
    with serve(sandbox):
        yield sandbox


@pytest.fixture
def moov() -> Iterator[MoovMoneySandbox]:
    sandbox = MoovMoneySandbox("keneya", "pw", "M-1")
    with serve(sandbox):
        yield sandbox


def orange_adapter(sandbox: OrangeMoneySandbox, **changes) -> OrangeMoney:
    config = dict(
        base_url=sandbox.base_url, client_id="client", client_secret="s3cret", merchant_key="mk-1"
    )
    return OrangeMoney(OrangeMoneyConfig(**{**config, "timeout": 1, **changes}))


def moov_adapter(sandbox: MoovMoneySandbox, **changes) -> MoovMoney:
    config = dict(base_url=sandbox.base_url, username="keneya", password="pw", merchant_id="M-1")
    return MoovMoney(MoovMoneyConfig(**{**config, "timeout": 1, **changes}))


def payer_answers(sandbox: MoovMoneySandbox, order_id: str, choice: str) -> None:
    answer = Payer().answer_moov_prompt(sandbox.base_url, "+22376123456", order_id, choice)
    assert answer.status_code == 200, answer.text


def test_orange_money_payment_is_started_paid_on_the_hosted_page_and_confirmed(orange):
    # given a payment request accepted by Orange Money
    adapter = orange_adapter(orange)
    request = a_request(7500)
    started = adapter.start(request)
    assert started.action == "redirect"
    assert started.payment_url.startswith(orange.base_url)
    assert set(started.references) == {"pay_token", "notif_token"}
    pending = adapter.status(request.order_id, 7500, started.references)
    assert pending.outcome == "pending"
    # when the payer chooses "pay" on the hosted page
    page = requests.get(started.payment_url, timeout=5)
    assert "7\u00a0500\u00a0FCFA" in page.text
    back = Payer().pay_on_orange_money(started.payment_url, "76123456", "pay")
    assert back.headers["Location"] == request.return_url
    # then the status API confirms the payment for that amount
    paid = adapter.status(request.order_id, 7500, started.references)
    assert (paid.outcome, paid.amount_xof) == ("succeeded", 7500)
    assert paid.transaction_id.startswith("MP")


def test_orange_money_token_is_fetched_once_and_renewed_after_revocation(orange):
    adapter = orange_adapter(orange, client_id="client")
    for _ in range(3):
        adapter.start(a_request())
    assert orange.calls["token"] == 1
    # a token revoked early costs one failed call, then a new token is fetched
    orange.revoke_tokens()
    with pytest.raises(ProviderUnavailable):
        adapter.start(a_request())
    adapter.start(a_request())
    assert orange.calls["token"] == 2


def test_orange_money_wrong_credentials_are_a_refusal(orange):
    with pytest.raises(ProviderRefused):
        orange_adapter(orange, client_id="other", client_secret="bad").start(a_request())


def test_orange_money_outage_and_timeout_are_unavailability(orange):
    adapter = orange_adapter(orange)
    adapter.access_token()
    orange.add_fault(Fault("webpayment", status=503))
    with pytest.raises(ProviderUnavailable):
        adapter.start(a_request())
    orange.add_fault(Fault("webpayment", delay_seconds=1.5))
    with pytest.raises(ProviderUnavailable):
        adapter.start(a_request())


def test_orange_money_refused_order_and_no_refund_api(orange):
    adapter = orange_adapter(orange)
    with pytest.raises(ProviderRefused):
        adapter.start(a_request(amount=0))
    with pytest.raises(RefundNotSupported):
        adapter.refund("pay_x", 5000, "+22376123456")


def test_moov_money_push_payment_is_confirmed_by_the_payer_then_polled(moov):
    adapter = moov_adapter(moov)
    request = a_request(5000)
    started = adapter.start(request)
    assert started.action == "confirm_on_phone"
    assert moov.orders[request.order_id].msisdn == "22376123456"
    assert adapter.status(request.order_id, 5000, started.references).outcome == "pending"
    payer_answers(moov, request.order_id, "pay")
    paid = adapter.status(request.order_id, 5000, started.references)
    assert (paid.outcome, paid.amount_xof) == ("succeeded", 5000)


def test_moov_money_refusal_on_the_phone_fails_the_payment(moov):
    adapter = moov_adapter(moov)
    request = a_request()
    started = adapter.start(request)
    payer_answers(moov, request.order_id, "refuse")
    assert adapter.status(request.order_id, 5000, started.references).outcome == "failed"


def test_moov_money_refund_is_a_disbursement_to_the_payer(moov):
    reference = moov_adapter(moov).refund("pay_r1", 5000, "+22376123456")
    assert reference.startswith("DB")
    assert moov.disbursements[-1]["msisdn"] == "22376123456"
    assert moov.disbursements[-1]["amount"] == 5000


def test_moov_money_bad_credentials_refused_and_outage_unavailable(moov):
    with pytest.raises(ProviderRefused):
        moov_adapter(moov, password="wrong").start(a_request())
    moov.add_fault(Fault("push", status=502))
    with pytest.raises(ProviderUnavailable):
        moov_adapter(moov).start(a_request())
