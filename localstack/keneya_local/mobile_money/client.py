"""The sandboxes from the outside, over HTTP only: a payer who fills in the pages' own forms, and
the control API. What tests, benchmarks and the demo script use, against `make up` or a test
session alike.

    payer = Payer()
    payer.pay_on_orange_money(intent["next_action"]["url"], "76123456")   # -> where it went
    payer.answer_moov_prompt(moov_base, "+22376123456", intent["id"], "pay")
    SandboxControl(orange_base).fail("transactionstatus", status=503, delay_seconds=3)
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urllib.parse.urljoin(self.page_url, values.get("action") or self.page_url)
            self.forms.append(Form(action, (values.get("method") or "get").lower()))
        elif self.forms and tag in ("input", "select") and values.get("name"):
            if values.get("type") == "checkbox":
                return
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif self.forms and tag == "button" and values.get("name"):
            self.forms[-1].buttons.setdefault(values["name"], []).append(values.get("value", ""))


def forms_of(page: requests.Response) -> list[Form]:
    parser = _Forms(page.url)
    parser.feed(page.text)
    return parser.forms


class Payer:
    """A person paying in a browser, as plain HTTP: open the page, fill its form, press a button."""

    def __init__(self, language: str = "fr") -> None:
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = language

    def pay_on_orange_money(
        self, payment_url: str, msisdn: str = "76123456", choice: str = "pay"
    ) -> requests.Response:
        """Fill the hosted page's form; the answer it redirects to is not followed (it is the
        merchant's page). Returns the sandbox's answer (302 with `Location`, or the page)."""
        page = self.http.get(payment_url, timeout=30)
        page.raise_for_status()
        form = _the_form_with(forms_of(page), "choice", choice)
        return self.http.post(
            form.action,
            data={**form.fields, "msisdn": msisdn, "choice": choice},
            allow_redirects=False,
            timeout=30,
        )

    def answer_moov_prompt(
        self,
        moov_base_url: str,
        msisdn: str,
        transaction_id: str,
        choice: str = "pay",
        pin: str = "1234",
    ) -> requests.Response:
        """Open the phone page for `msisdn`, find the prompt of `transaction_id`, answer it."""
        phone = self.http.get(
            f"{moov_base_url.rstrip('/')}/phone", params={"msisdn": msisdn}, timeout=30
        )
        phone.raise_for_status()
        quoted = urllib.parse.quote(transaction_id)
        prompts = [f for f in forms_of(phone) if f.action.endswith(f"/prompts/{quoted}")]
        if not prompts:
            raise LookupError(f"no prompt for {transaction_id} on {msisdn}'s phone")
        form = _the_form_with(prompts, "choice", choice)
        return self.http.post(
            form.action, data={**form.fields, "pin": pin, "choice": choice}, timeout=30
        )


def _the_form_with(forms: list[Form], button: str, value: str) -> Form:
    for form in forms:
        if value in form.buttons.get(button, []):
            return form
    raise LookupError(f"no form with a {button}={value} button")


class SandboxControl:
    """One sandbox's control API (`<base>/_control/...`)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, f"{self.base_url}/_control{path}", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def fail(
        self,
        operation: str,
        *,
        status: int | None = None,
        delay_seconds: float = 0,
        times: int = 1,
        drop: bool = False,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"operation": operation, "times": times, "drop": drop}
        if status is not None:
            body["status"] = status
        if delay_seconds:
            body["delay_seconds"] = delay_seconds
        return self._call("POST", "/faults", body)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def order(self, order_id: str) -> dict[str, Any]:
        return self._call("GET", f"/orders/{urllib.parse.quote(order_id)}")

    def report_amount(self, order_id: str, amount: int) -> dict[str, Any]:
        """From now on the status API reports `amount` as paid for this order."""
        return self._call(
            "PATCH", f"/orders/{urllib.parse.quote(order_id)}", {"reported_amount": amount}
        )

    def calls(self) -> dict[str, int]:
        return self._call("GET", "/calls")["calls"]

    def revoke_tokens(self) -> None:
        self._call("POST", "/tokens/revoke")

    def disbursements(self) -> list[dict[str, Any]]:
        return self._call("GET", "/disbursements")["disbursements"]
