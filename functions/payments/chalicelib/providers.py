"""The one interface every mobile-money provider adapter implements, and the HTTP they share.

An adapter speaks its provider's protocol and nothing else: it never touches the store. Adding a
provider (an aggregator such as CinetPay or PayDunya) means writing one class with these three
methods and registering it in `chalicelib.credentials.adapter_for`:

- `start(request)` asks the provider to collect `amount_xof` from the payer and answers what the
  payer must do next (open `payment_url`, or confirm on the phone) and the references the
  provider gave (kept on the intent, e.g. Orange Money's `pay_token` and `notif_token`).
- `status(reference)` asks the provider what became of that payment: `succeeded` (with the
  amount it collected), `failed`, or `pending`. It is the only source of truth: a notification
  is a hint to ask, never a proof.
- `refund(...)` executes a refund where the provider has a disbursement API; adapters without
  one raise `RefundNotSupported` and the refund is queued for an administrator.

Network trouble (timeouts, 5xx, unreadable answers) raises `ProviderUnavailable`: the caller
retries later with backoff and the intent is kept. A clear refusal raises `ProviderRefused`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ProviderName = Literal["orange_money", "moov_money"]
Outcome = Literal["succeeded", "failed", "pending"]


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered unreadably: try again later."""


class ProviderRefused(Exception):
    """The provider answered and said no (bad request, refused payer, bad credentials)."""


class RefundNotSupported(Exception):
    """The provider offers no disbursement API: a person must send the money back."""


@dataclass(frozen=True)
class PaymentRequest:
    order_id: str  # the intent id; <= 30 characters (Orange Money's limit)
    amount_xof: int
    payer_phone: str  # E.164
    language: str  # fr / en
    return_url: str
    cancel_url: str
    notification_url: str
    description: str = "Consultation Keneya"


@dataclass(frozen=True)
class Started:
    """What the provider answered to a payment request."""

    action: Literal["redirect", "confirm_on_phone"]
    references: dict[str, str] = field(default_factory=dict)
    payment_url: str | None = None


@dataclass(frozen=True)
class Status:
    outcome: Outcome
    amount_xof: int | None = None
    transaction_id: str | None = None
    detail: str | None = None


class ProviderAdapter(Protocol):
    name: ProviderName

    def start(self, request: PaymentRequest) -> Started: ...

    def status(self, order_id: str, amount_xof: int, references: dict[str, str]) -> Status: ...

    def refund(self, order_id: str, amount_xof: int, payer_phone: str) -> str: ...


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def call_json(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Answer:
    """One HTTP exchange with a provider. 5xx, timeouts and non-JSON answers raise
    `ProviderUnavailable`; 4xx answers are returned for the adapter to interpret."""
    sent = {"Accept": "application/json", **(headers or {})}
    data: bytes | None = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise ProviderUnavailable(f"{method} {_without_query(url)}: {error}") from None
    if status >= 500:
        raise ProviderUnavailable(f"{method} {_without_query(url)} answered {status}")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ProviderUnavailable(f"{method} {_without_query(url)}: not JSON") from None
    return Answer(status, body if isinstance(body, dict) else {"value": body})


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]
