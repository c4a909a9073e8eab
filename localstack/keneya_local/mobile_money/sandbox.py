"""What both mobile-money sandboxes share: orders, injected faults, call counters, the control
API, and a way to serve a sandbox on its own port.

A sandbox is an aiohttp application. The local stack mounts both on its HTTP port under
`/_sandbox/<provider>/` (the REST gateway), so `make up` and the test session reach them at the
same addresses the provider secrets name; `serve()` runs one alone, for the adapters' own tests.

The control API (`/_sandbox/<provider>/_control/...`, JSON) is how a test, a script or a person
makes the provider misbehave, and reads what happened:

    GET    _control/orders                  every order, newest first
    GET    _control/orders/{id}             one order (status, amount, payer, notification)
    PATCH  _control/orders/{id}             {"reported_amount": 500}: the status API then reports
                                            another amount than the one paid
    GET    _control/faults                  the faults waiting to happen
    POST   _control/faults                  {"operation": "webpayment", "status": 503,
                                            "delay_seconds": 0, "times": 1}; for Orange Money's
                                            "notification", {"drop": true} means the callback is
                                            never sent
    DELETE _control/faults                  forget them all
    GET    _control/calls                   how many times each operation was called
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# How long a payer has to answer before the provider gives the payment up. Orange Money's page
# and Moov Money's prompt both time out; 15 minutes matches Keneya's payment window, so a
# person trying the demo is never hurried by the sandbox rather than by the platform.
DEFAULT_ORDER_LIFETIME = timedelta(minutes=15)


class ControlError(ValueError):
    """A control request the sandbox cannot honour; the message names the field."""


@dataclass
class Fault:
    """The next `times` calls of `operation` misbehave: answer `status` (nothing is done) after
    `delay_seconds`; with no status, the call is only delayed, then done (a merchant whose
    timeout is shorter sees a timeout although the provider did the work). `drop`: a callback
    is never sent."""

    operation: str
    times: int = 1
    status: int | None = None
    delay_seconds: float = 0.0
    drop: bool = False
    id: str = field(default_factory=lambda: secrets.token_hex(4))

    @classmethod
    def from_json(cls, body: Any, operations: tuple[str, ...]) -> Fault:
        if not isinstance(body, dict):
            raise ControlError("the body must be a JSON object")
        operation = body.get("operation")
        if operation not in operations:
            raise ControlError(f"operation: one of {', '.join(operations)}")
        times = body.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 1000:
            raise ControlError("times: an integer from 1 to 1000")
        status = body.get("status")
        if status is not None and (not isinstance(status, int) or not 200 <= status <= 599):
            raise ControlError("status: an HTTP status from 200 to 599")
        delay = body.get("delay_seconds", 0)
        if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 120:
            raise ControlError("delay_seconds: a number of seconds from 0 to 120")
        drop = bool(body.get("drop", False))
        if status is None and not delay and not drop:
            raise ControlError("status: give a status, a delay_seconds or drop")
        return cls(operation, times, status, float(delay), drop)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Order:
    """One payment as the provider knows it."""

    order_id: str
    amount: int
    created_at: datetime
    status: str
    merchant: str
    language: str = "fr"
    reference: str = ""
    msisdn: str | None = None
    txnid: str | None = None
    notif_url: str | None = None
    return_url: str | None = None
    cancel_url: str | None = None
    notif_token: str = field(default_factory=lambda: secrets.token_hex(16))
    pay_token: str = field(default_factory=lambda: f"v1{secrets.token_hex(16)}")
    # What the status API claims was paid, when a test makes it lie.
    reported_amount: int | None = None
    answered_at: datetime | None = None
    notification: dict[str, Any] | None = None

    @property
    def amount_reported(self) -> int:
        return self.amount if self.reported_amount is None else self.reported_amount

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "status": self.status,
            "amount": self.amount,
            "reported_amount": self.reported_amount,
            "currency": "XOF",
            "merchant": self.merchant,
            "msisdn": self.msisdn,
            "txnid": self.txnid,
            "created_at": _iso(self.created_at),
            "answered_at": _iso(self.answered_at) if self.answered_at else None,
            "notification": self.notification,
            # What the provider told the merchant to expect in its callback, so that a person
            # (or a test) can send a forged or replayed one.
            "notif_token": self.notif_token if self.notif_url else None,
        }


class ProviderSandbox:
    """Orders, faults and counters of one provider, and its control API; subclasses add the
    provider's own protocol and pages in `add_routes`."""

    name = "provider"
    title = "Provider"
    operations: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        order_lifetime: timedelta = DEFAULT_ORDER_LIFETIME,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.order_lifetime = order_lifetime
        self.clock = clock
        self.orders: dict[str, Order] = {}
        self.calls: Counter[str] = Counter()
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self.base_url = ""  # where it is served, once known

    # -- what the merchant's secret holds --------------------------------------------------

    def credentials(self) -> dict[str, str]:
        raise NotImplementedError

    def secret_value(self) -> dict[str, str]:
        """The provider secret the payments service reads: credentials and `base_url`."""
        return {**self.credentials(), "base_url": self.base_url}

    # -- faults ----------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.operation == operation and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def operation(self, name: str, handler: Handler) -> Handler:
        """`handler`, counted as a call of `name` and subject to its faults."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            with self._lock:
                self.calls[name] += 1
            fault = self.take_fault(name)
            if fault is not None:
                await asyncio.sleep(fault.delay_seconds)
                if fault.status is not None:
                    return web.json_response(
                        {"message": "sandbox fault", "operation": name}, status=fault.status
                    )
            return await handler(request)

        return guarded

    # -- orders ----------------------------------------------------------------------------

    def order(self, order_id: str) -> Order | None:
        order = self.orders.get(order_id)
        if order is not None:
            self.expire_if_late(order)
        return order

    def expire_if_late(self, order: Order) -> None:
        """An order nobody answered within its lifetime is given up (provider-specific)."""

    def new_txnid(self, prefix: str) -> str:
        return f"{prefix}{secrets.randbelow(10**12):012d}"

    # -- the aiohttp application -----------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application()
        self.add_routes(app.router)
        control = "/_control"
        app.router.add_get(f"{control}/orders", self._orders)
        app.router.add_get(f"{control}/orders/{{order_id}}", self._order)
        app.router.add_patch(f"{control}/orders/{{order_id}}", self._change_order)
        app.router.add_get(f"{control}/faults", self._faults)
        app.router.add_post(f"{control}/faults", self._add_fault)
        app.router.add_delete(f"{control}/faults", self._clear_faults)
        app.router.add_get(f"{control}/calls", self._calls)
        return app

    def add_routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    async def _orders(self, request: web.Request) -> web.Response:
        for order in list(self.orders.values()):
            self.expire_if_late(order)
        newest = sorted(self.orders.values(), key=lambda o: o.created_at, reverse=True)
        return web.json_response({"orders": [o.to_json() for o in newest]})

    async def _order(self, request: web.Request) -> web.Response:
        order = self.order(request.match_info["order_id"])
        if order is None:
            return _control_problem(404, "order_id", "no such order")
        return web.json_response(order.to_json())

    async def _change_order(self, request: web.Request) -> web.Response:
        order = self.order(request.match_info["order_id"])
        if order is None:
            return _control_problem(404, "order_id", "no such order")
        body = await _json_body(request)
        amount = body.get("reported_amount") if isinstance(body, dict) else None
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            return _control_problem(422, "reported_amount", "a whole amount of XOF")
        order.reported_amount = amount
        return web.json_response(order.to_json())

    async def _faults(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response({"faults": [f.to_json() for f in self.faults]})

    async def _add_fault(self, request: web.Request) -> web.Response:
        from_page = request.content_type == "application/x-www-form-urlencoded"
        body = _fault_from_form(await request.post()) if from_page else await _json_body(request)
        try:
            fault = Fault.from_json(body, self.operations)
        except ControlError as error:
            field_name = str(error).split(":", 1)[0]
            return _control_problem(422, field_name, str(error))
        self.add_fault(fault)
        if from_page:
            raise web.HTTPSeeOther(f"{self.base_url}/")
        return web.json_response(fault.to_json(), status=201)

    async def _clear_faults(self, request: web.Request) -> web.Response:
        with self._lock:
            self.faults.clear()
        return web.Response(status=204)

    async def _calls(self, request: web.Request) -> web.Response:
        with self._lock:
            return web.json_response({"calls": dict(self.calls)})


# -- serving one sandbox on its own -------------------------------------------------------------


@contextlib.contextmanager
def serve(sandbox: ProviderSandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `sandbox` on `host:port` (0: a free port) from a thread; yields its base URL and
    sets `sandbox.base_url`."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runner = web.AppRunner(sandbox.application(), access_log=None, handle_signals=False)
    holder: dict[str, Any] = {}

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        holder["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as error:  # the caller hears of it below
            holder["error"] = error
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name=f"sandbox-{sandbox.name}", daemon=True)
    thread.start()
    started.wait()
    if "error" in holder:
        raise holder["error"]
    sandbox.base_url = f"http://{host}:{holder['port']}"
    try:
        yield sandbox.base_url
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


# -- small shared pieces -------------------------------------------------------------------------


async def _json_body(request: web.Request) -> Any:
    try:
        return json.loads(await request.read() or b"{}")
    except ValueError:
        return None


def _fault_from_form(form: Any) -> dict[str, Any]:
    """The overview page's form as the JSON the control API takes (empty fields left out)."""

    def number(name: str, kind: type) -> Any:
        raw = str(form.get(name) or "").strip()
        try:
            return kind(raw) if raw else None
        except ValueError:
            return raw  # refused, naming the field, by Fault.from_json

    fields = {
        "operation": form.get("operation"),
        "status": number("status", int),
        "delay_seconds": number("delay_seconds", float),
        "times": number("times", int),
        "drop": bool(form.get("drop")),
    }
    return {name: value for name, value in fields.items() if value is not None}


def _control_problem(status: int, field_name: str, detail: str) -> web.Response:
    return web.json_response(
        {
            "type": "about:blank",
            "title": "Invalid sandbox control request" if status == 422 else "Not found",
            "status": status,
            "detail": detail,
            "errors": [{"field": field_name, "message": detail}],
        },
        status=status,
        content_type="application/problem+json",
    )


def json_body(request_body: bytes) -> dict[str, Any]:
    """A JSON object from a protocol request's body; {} when it is none."""
    try:
        value = json.loads(request_body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def basic_credentials(request: web.Request) -> tuple[str, str]:
    import base64

    value = request.headers.get("Authorization", "")
    if not value.startswith("Basic "):
        return "", ""
    try:
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return user, password


def generated(prefix: str, length: int = 24) -> str:
    """A credential made for this run: the sandbox's secrets are never in the repository."""
    return f"{prefix}{secrets.token_urlsafe(length)}"
