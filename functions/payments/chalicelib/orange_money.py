"""Orange Money Web Payment (the merchant "WebPay" API of Orange Mali).

Protocol, as the merchant API documents it:
- `POST {base}/oauth/v3/token` with HTTP Basic `client_id:client_secret` and the form
  `grant_type=client_credentials` -> `{"access_token", "token_type": "Bearer", "expires_in"}`;
  the token is cached until shortly before it expires.
- `POST {base}/orange-money-webpay/{country}/v1/webpayment` (Bearer) with `merchant_key`,
  `currency`, `order_id` (<= 30 characters, unique), `amount`, `return_url`, `cancel_url`,
  `notif_url`, `lang`, `reference` -> 201 `{"pay_token", "payment_url", "notif_token"}`. The
  payer is sent to `payment_url`.
- Orange then POSTs `{"status", "notif_token", "txnid"}` to `notif_url`.
- `POST {base}/orange-money-webpay/{country}/v1/transactionstatus` with `order_id`, `amount`,
  `pay_token` -> `{"status": "INITIATED"|"PENDING"|"SUCCESS"|"FAILED"|"EXPIRED", "txnid"}`.
Web Payment has no refund API: refunds are made by a person.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass

from .providers import (
    PaymentRequest,
    ProviderRefused,
    ProviderUnavailable,
    RefundNotSupported,
    Started,
    Status,
    call_json,
)

# Renew a little before the provider's expiry so a token never dies in flight.
TOKEN_MARGIN_SECONDS = 60
_STATUS = {
    "SUCCESS": "succeeded",
    "FAILED": "failed",
    "EXPIRED": "failed",
    "INITIATED": "pending",
    "PENDING": "pending",
}
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


@dataclass(frozen=True)
class OrangeMoneyConfig:
    base_url: str
    client_id: str
    client_secret: str
    merchant_key: str
    country: str = "ml"
    currency: str = "XOF"
    timeout: float = 10


class OrangeMoney:
    name = "orange_money"

    def __init__(
        self, config: OrangeMoneyConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self._clock = clock

    def _url(self, path: str) -> str:
        return f"{self.config.base_url.rstrip('/')}{path}"

    def _webpay(self, operation: str) -> str:
        return self._url(f"/orange-money-webpay/{self.config.country}/v1/{operation}")

    def access_token(self) -> str:
        key = (self.config.base_url, self.config.client_id)
        cached = _tokens.get(key)
        if cached and cached[1] > self._clock():
            return cached[0]
        basic = base64.b64encode(
            f"{self.config.client_id}:{self.config.client_secret}".encode()
        ).decode()
        answer = call_json(
            "POST",
            self._url("/oauth/v3/token"),
            form={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
            timeout=self.config.timeout,
        )
        token = answer.body.get("access_token")
        if answer.status != 200 or not token:
            raise ProviderRefused(f"token refused ({answer.status})")
        lifetime = int(answer.body.get("expires_in", 3600))
        _tokens[key] = (token, self._clock() + max(lifetime - TOKEN_MARGIN_SECONDS, 0))
        return token

    def _authorized(self, url: str, body: dict) -> dict:
        answer = call_json(
            "POST",
            url,
            json_body=body,
            headers={"Authorization": f"Bearer {self.access_token()}"},
            timeout=self.config.timeout,
        )
        if answer.status == 401:
            # A token revoked before its announced expiry: forget it, the next call gets one.
            _tokens.pop((self.config.base_url, self.config.client_id), None)
            raise ProviderUnavailable("token no longer accepted")
        if answer.status >= 400:
            raise ProviderRefused(f"{answer.status}: {answer.body.get('message', '')}")
        return answer.body

    def start(self, request: PaymentRequest) -> Started:
        body = self._authorized(
            self._webpay("webpayment"),
            {
                "merchant_key": self.config.merchant_key,
                "currency": self.config.currency,
                "order_id": request.order_id,
                "amount": request.amount_xof,
                "return_url": request.return_url,
                "cancel_url": request.cancel_url,
                "notif_url": request.notification_url,
                "lang": request.language,
                "reference": request.description,
            },
        )
        try:
            return Started(
                action="redirect",
                payment_url=body["payment_url"],
                references={"pay_token": body["pay_token"], "notif_token": body["notif_token"]},
            )
        except KeyError as missing:
            raise ProviderUnavailable(f"webpayment answer without {missing}") from None

    def status(self, order_id: str, amount_xof: int, references: dict[str, str]) -> Status:
        body = self._authorized(
            self._webpay("transactionstatus"),
            {"order_id": order_id, "amount": amount_xof, "pay_token": references["pay_token"]},
        )
        outcome = _STATUS.get(str(body.get("status", "")).upper())
        if outcome is None:
            raise ProviderUnavailable(f"unknown transaction status {body.get('status')!r}")
        if body.get("order_id") not in (None, order_id):
            raise ProviderUnavailable("transaction status of another order")
        amount = body.get("amount")
        return Status(
            outcome=outcome,  # type: ignore[arg-type]
            amount_xof=int(amount) if amount is not None else None,
            transaction_id=body.get("txnid"),
            detail=str(body.get("status")),
        )

    def refund(self, order_id: str, amount_xof: int, payer_phone: str) -> str:
        raise RefundNotSupported("Orange Money Web Payment has no refund API")
