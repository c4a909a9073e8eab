"""Moov Money (Moov Africa Malitel) merchant API: push payment confirmed by USSD, then polling.

Protocol:
- `POST {base}/api/v1/payments/push` with HTTP Basic `username:password` and JSON
  `{merchant_id, transaction_id, msisdn, amount, currency, description}`: the payer's phone shows
  a USSD prompt to confirm with their PIN. Answer 202 `{"status": "PENDING", "reference"}`.
- `GET {base}/api/v1/payments/{transaction_id}?merchant_id=...` ->
  `{"transaction_id", "status": "SUCCESS"|"FAILED"|"PENDING", "amount", "reference"}`, polled
  by the merchant's own transaction id.
- `POST {base}/api/v1/disbursements` with `{merchant_id, transaction_id, msisdn, amount,
  currency}` sends money to a subscriber (used for refunds) -> `{"status": "SUCCESS", "reference"}`.
"""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass

from .providers import (
    PaymentRequest,
    ProviderRefused,
    ProviderUnavailable,
    Started,
    Status,
    call_json,
)

_STATUS = {"SUCCESS": "succeeded", "FAILED": "failed", "PENDING": "pending"}


@dataclass(frozen=True)
class MoovMoneyConfig:
    base_url: str
    username: str
    password: str
    merchant_id: str
    currency: str = "XOF"
    timeout: float = 10


class MoovMoney:
    name = "moov_money"

    def __init__(self, config: MoovMoneyConfig) -> None:
        self.config = config

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        basic = base64.b64encode(f"{self.config.username}:{self.config.password}".encode())
        answer = call_json(
            method,
            f"{self.config.base_url.rstrip('/')}{path}",
            json_body=body,
            headers={"Authorization": f"Basic {basic.decode()}"},
            timeout=self.config.timeout,
        )
        if answer.status >= 400:
            raise ProviderRefused(f"{answer.status}: {answer.body.get('message', '')}")
        return answer.body

    @staticmethod
    def msisdn(phone: str) -> str:
        """Moov expects the subscriber number without `+` (22376000000)."""
        return phone.lstrip("+")

    def start(self, request: PaymentRequest) -> Started:
        body = self._call(
            "POST",
            "/api/v1/payments/push",
            {
                "merchant_id": self.config.merchant_id,
                "transaction_id": request.order_id,
                "msisdn": self.msisdn(request.payer_phone),
                "amount": request.amount_xof,
                "currency": self.config.currency,
                "description": request.description,
            },
        )
        if str(body.get("status", "")).upper() not in ("PENDING", "SUCCESS"):
            raise ProviderRefused(f"push payment refused: {body.get('status')!r}")
        return Started(
            action="confirm_on_phone", references={"reference": body.get("reference", "")}
        )

    def status(self, order_id: str, amount_xof: int, references: dict[str, str]) -> Status:
        query = urllib.parse.urlencode({"merchant_id": self.config.merchant_id})
        body = self._call("GET", f"/api/v1/payments/{urllib.parse.quote(order_id)}?{query}")
        outcome = _STATUS.get(str(body.get("status", "")).upper())
        if outcome is None:
            raise ProviderUnavailable(f"unknown transaction status {body.get('status')!r}")
        if body.get("transaction_id") not in (None, order_id):
            raise ProviderUnavailable("status of another transaction")
        amount = body.get("amount")
        return Status(
            outcome=outcome,  # type: ignore[arg-type]
            amount_xof=int(amount) if amount is not None else None,
            transaction_id=body.get("reference"),
            detail=str(body.get("status")),
        )

    def refund(self, order_id: str, amount_xof: int, payer_phone: str) -> str:
        body = self._call(
            "POST",
            "/api/v1/disbursements",
            {
                "merchant_id": self.config.merchant_id,
                "transaction_id": f"r{order_id}"[:30],
                "msisdn": self.msisdn(payer_phone),
                "amount": amount_xof,
                "currency": self.config.currency,
            },
        )
        if str(body.get("status", "")).upper() != "SUCCESS":
            raise ProviderRefused(f"disbursement refused: {body.get('status')!r}")
        return str(body.get("reference", ""))
