"""Simulators of the mobile-money providers, speaking their HTTP protocols on loopback.

Each runs a real HTTP server in a thread. The tester plays the payer through the same HTTP a
person would use: Orange Money's hosted payment page (choose "pay" or "refuse"; the simulator
then notifies the merchant's `notif_url`), or Moov Money's USSD prompt (`POST
/_sandbox/ussd/<transaction_id>`). Faults are injected per path: an error answer or a delay
longer than the merchant's timeout. Every request is counted, per path, for the benchmarks.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fault:
    path_contains: str
    times: int
    status: int = 503
    delay: float = 0.0


@dataclass
class Order:
    order_id: str
    amount: int
    status: str = "INITIATED"
    txnid: str | None = None
    notif_url: str | None = None
    return_url: str | None = None
    cancel_url: str | None = None
    notif_token: str = field(default_factory=lambda: secrets.token_hex(16))
    pay_token: str = field(default_factory=lambda: f"v1{secrets.token_hex(12)}")
    msisdn: str | None = None
    reported_amount: int | None = None  # what the status API claims was paid (to test tampering)


class Simulator:
    """The server, its faults and its counters; subclasses route requests."""

    def __init__(self, port: int = 0) -> None:
        self.calls: Counter[str] = Counter()
        self.faults: list[Fault] = []
        self.orders: dict[str, Order] = {}
        self.lock = threading.Lock()
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                simulator._serve(self, "GET")

            def do_POST(self) -> None:
                simulator._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Simulator:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path_contains: str, times: int = 1, status: int = 503, delay: float = 0) -> None:
        """The next `times` requests whose path contains `path_contains` answer `status` after
        `delay` seconds (a delay past the client's timeout is a timeout for it)."""
        with self.lock:
            self.faults.append(Fault(path_contains, times, status, delay))

    def _fault_for(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path_contains in path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = urllib.parse.urlsplit(handler.path).path
        with self.lock:
            self.calls[path.rsplit("/", 1)[0] if "/payments/" in path else path] += 1
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        fault = self._fault_for(path)
        if fault:
            time.sleep(fault.delay)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(handler, fault.status, {"message": "simulated fault"})
            return
        status, body, headers = self.route(method, handler.path, handler.headers, raw)
        self._answer(handler, status, body, headers)

    @staticmethod
    def _answer(
        handler: BaseHTTPRequestHandler, status: int, body: Any, headers: Any = None
    ) -> None:
        if isinstance(body, str):
            data, kind = body.encode(), "text/html; charset=utf-8"
        else:
            data, kind = json.dumps(body).encode(), "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def route(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any, dict]:
        raise NotImplementedError

    @staticmethod
    def basic(headers: Any) -> tuple[str, str]:
        value = headers.get("Authorization", "")
        if not value.startswith("Basic "):
            return "", ""
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return user, password

    def total_calls(self) -> int:
        return sum(self.calls.values())


def notify(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class OrangeMoneySimulator(Simulator):
    """Orange Money Web Payment: OAuth2 token, webpayment, hosted page, notification, status."""

    def __init__(
        self, client_id: str, client_secret: str, merchant_key: str, port: int = 0
    ) -> None:
        super().__init__(port)
        self.client_id, self.client_secret, self.merchant_key = (
            client_id,
            client_secret,
            merchant_key,
        )
        self.tokens: set[str] = set()
        self.notifications: list[tuple[str, int]] = []

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def route(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any, dict]:
        route = urllib.parse.urlsplit(path).path
        if method == "POST" and route == "/oauth/v3/token":
            form = urllib.parse.parse_qs(raw.decode())
            if self.basic(headers) != (self.client_id, self.client_secret):
                return 401, {"error": "invalid_client"}, {}
            if form.get("grant_type") != ["client_credentials"]:
                return 400, {"error": "unsupported_grant_type"}, {}
            token = secrets.token_hex(16)
            self.tokens.add(token)
            return 200, {"token_type": "Bearer", "access_token": token, "expires_in": 3600}, {}
        if route.startswith("/orange-money-webpay/"):
            if headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
                return 401, {"code": 42, "message": "Expired credentials"}, {}
            body = json.loads(raw or b"{}")
            if route.endswith("/v1/webpayment"):
                return self._webpayment(body)
            if route.endswith("/v1/transactionstatus"):
                order = self.orders.get(body.get("order_id", ""))
                if order is None or order.pay_token != body.get("pay_token"):
                    return 404, {"message": "transaction not found"}, {}
                answer = {"status": order.status, "order_id": order.order_id, "txnid": order.txnid}
                answer["amount"] = (
                    order.reported_amount if order.reported_amount is not None else order.amount
                )
                return 200, answer, {}
        if route.startswith("/payment/pay_token/"):
            return self._hosted_page(method, route.rsplit("/", 1)[1], raw)
        return 404, {"message": "no such route"}, {}

    def _webpayment(self, body: dict[str, Any]) -> tuple[int, Any, dict]:
        if body.get("merchant_key") != self.merchant_key:
            return 400, {"message": "invalid merchant key"}, {}
        order_id = str(body.get("order_id", ""))
        if not order_id or len(order_id) > 30 or order_id in self.orders:
            return 400, {"message": "invalid or duplicate order_id"}, {}
        if not isinstance(body.get("amount"), int) or body["amount"] <= 0:
            return 400, {"message": "invalid amount"}, {}
        order = Order(
            order_id,
            body["amount"],
            notif_url=body.get("notif_url"),
            return_url=body.get("return_url"),
            cancel_url=body.get("cancel_url"),
        )
        self.orders[order_id] = order
        return (
            201,
            {
                "status": 201,
                "message": "OK",
                "pay_token": order.pay_token,
                "payment_url": f"{self.url}/payment/pay_token/{order.pay_token}",
                "notif_token": order.notif_token,
            },
            {},
        )

    def _hosted_page(self, method: str, pay_token: str, raw: bytes) -> tuple[int, Any, dict]:
        order = next((o for o in self.orders.values() if o.pay_token == pay_token), None)
        if order is None:
            return 404, "<p>Paiement introuvable</p>", {}
        if method == "GET":
            return (
                200,
                f"<h1>Orange Money</h1><p>{order.amount} FCFA</p><form method='post'>"
                "<button name='choice' value='pay'>Payer</button>"
                "<button name='choice' value='refuse'>Refuser</button></form>",
                {},
            )
        choice = urllib.parse.parse_qs(raw.decode()).get("choice", [""])[0]
        if order.status != "INITIATED":
            return 409, "<p>Déjà traité</p>", {}
        order.status = "SUCCESS" if choice == "pay" else "FAILED"
        order.txnid = f"MP{secrets.randbelow(10**12):012d}"
        if order.notif_url:
            status = notify(
                order.notif_url,
                {"status": order.status, "notif_token": order.notif_token, "txnid": order.txnid},
            )
            self.notifications.append((order.order_id, status))
        back = order.return_url if order.status == "SUCCESS" else order.cancel_url
        return 302, "", {"Location": back or "/"}


class MoovMoneySimulator(Simulator):
    """Moov Money merchant API: push payment, USSD confirmation, status, disbursement."""

    def __init__(self, username: str, password: str, merchant_id: str, port: int = 0) -> None:
        super().__init__(port)
        self.username, self.password, self.merchant_id = username, password, merchant_id
        self.disbursements: list[dict[str, Any]] = []

    def route(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any, dict]:
        parts = urllib.parse.urlsplit(path)
        route = parts.path
        if route.startswith("/_sandbox/ussd/") and method == "POST":
            order = self.orders.get(route.rsplit("/", 1)[1])
            if order is None or order.status != "PENDING":
                return 404, {"message": "no prompt waiting"}, {}
            choice = json.loads(raw or b"{}").get("choice")
            order.status = "SUCCESS" if choice == "pay" else "FAILED"
            order.txnid = f"MOOV{secrets.randbelow(10**10):010d}"
            return 200, {"status": order.status}, {}
        if self.basic(headers) != (self.username, self.password):
            return 401, {"message": "authentication failed"}, {}
        if method == "POST" and route == "/api/v1/payments/push":
            body = json.loads(raw or b"{}")
            if body.get("merchant_id") != self.merchant_id:
                return 403, {"message": "unknown merchant"}, {}
            txid = str(body.get("transaction_id", ""))
            if not txid or txid in self.orders:
                return 409, {"message": "duplicate transaction_id"}, {}
            order = Order(txid, int(body.get("amount", 0)), status="PENDING")
            order.msisdn = body.get("msisdn")
            self.orders[txid] = order
            return 202, {"status": "PENDING", "reference": f"MV{secrets.token_hex(6)}"}, {}
        if method == "GET" and route.startswith("/api/v1/payments/"):
            query = urllib.parse.parse_qs(parts.query)
            order = self.orders.get(urllib.parse.unquote(route.rsplit("/", 1)[1]))
            if order is None or query.get("merchant_id") != [self.merchant_id]:
                return 404, {"message": "transaction not found"}, {}
            amount = order.reported_amount if order.reported_amount is not None else order.amount
            return (
                200,
                {
                    "transaction_id": order.order_id,
                    "status": order.status,
                    "amount": amount,
                    "reference": order.txnid,
                },
                {},
            )
        if method == "POST" and route == "/api/v1/disbursements":
            body = json.loads(raw or b"{}")
            self.disbursements.append(body)
            return 200, {"status": "SUCCESS", "reference": f"DB{secrets.token_hex(6)}"}, {}
        return 404, {"message": "no such route"}, {}

    def payer_answers(self, transaction_id: str, choice: str) -> int:
        """The payer answers the USSD prompt on their phone: `pay` or `refuse`."""
        request = urllib.request.Request(
            f"{self.url}/_sandbox/ussd/{transaction_id}",
            data=json.dumps({"choice": choice}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status


def main() -> None:
    """Run both simulators in the foreground, for trying the payments service by hand:

        .venv/bin/python -m tests.payments.provider_simulators [orange_port] [moov_port]

    then write each provider secret of the local stack with `base_url` set to the printed URL
    and the credentials below."""
    import sys

    ports = [int(p) for p in sys.argv[1:3]] + [0, 0]
    with (
        OrangeMoneySimulator("keneya-client", "om-s3cret", "mk-ml-01", ports[0]) as orange,
        MoovMoneySimulator("keneya", "moov-s3cret", "MALITEL-KENEYA", ports[1]) as moov,
    ):
        print(f"Orange Money simulator: {orange.url} (keneya-client / om-s3cret / mk-ml-01)")
        print(f"Moov Money simulator:   {moov.url} (keneya / moov-s3cret / MALITEL-KENEYA)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
