"""Orange Money Web Payment, as a sandbox: the merchant API and the hosted payment page.

    POST /oauth/v3/token                                  Basic client_id:client_secret,
                                                          grant_type=client_credentials
    POST /orange-money-webpay/{country}/v1/webpayment     Bearer; -> 201 pay_token, payment_url,
                                                          notif_token
    POST /orange-money-webpay/{country}/v1/transactionstatus   Bearer; INITIATED, PENDING,
                                                          SUCCESS, FAILED or EXPIRED
    GET  /payment/pay_token/{pay_token}                   the hosted page the payer is sent to
    POST /payment/pay_token/{pay_token}                   the payer's answer: msisdn and
                                                          choice=pay|refuse; the merchant's
                                                          notif_url then gets {status,
                                                          notif_token, txnid} (once, never
                                                          retried, as Orange does) and the
                                                          browser goes to return_url/cancel_url

Operations faults can target: token, webpayment, transactionstatus, notification.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import time
import urllib.parse
from typing import Any

import aiohttp
from aiohttp import web

from keneya_local.mobile_money import pages
from keneya_local.mobile_money.pages import details, money, notice, page, text, with_language
from keneya_local.mobile_money.sandbox import (
    Order,
    ProviderSandbox,
    basic_credentials,
    generated,
    json_body,
)

TOKEN_LIFETIME_SECONDS = 3600
MERCHANT_NAME = "Keneya"
# A Malian number as a payer types it: 8 digits, optionally after +223 or 00223.
_MALIAN_NUMBER = re.compile(r"^(?:\+?223|00223)?([5-9]\d{7})$")


class OrangeMoneySandbox(ProviderSandbox):
    name = "orange-money"
    title = "Orange Money"
    operations = ("token", "webpayment", "transactionstatus", "notification")

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        merchant_key: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.client_id = client_id or "keneya-sandbox"
        self.client_secret = client_secret or generated("om-")
        self.merchant_key = merchant_key or generated("mk-", 8)
        self.tokens: dict[str, float] = {}
        self._background: set[asyncio.Task] = set()

    def credentials(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "merchant_key": self.merchant_key,
        }

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def expire_if_late(self, order: Order) -> None:
        if order.status == "INITIATED" and self.clock() - order.created_at > self.order_lifetime:
            order.status = "EXPIRED"

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/oauth/v3/token", self.operation("token", self._token))
        router.add_post(
            "/orange-money-webpay/{country}/v1/webpayment",
            self.operation("webpayment", self._webpayment),
        )
        router.add_post(
            "/orange-money-webpay/{country}/v1/transactionstatus",
            self.operation("transactionstatus", self._transaction_status),
        )
        router.add_get("/payment/pay_token/{pay_token}", self._hosted_page)
        router.add_post("/payment/pay_token/{pay_token}", self._payer_answers)
        router.add_post("/_control/tokens/revoke", self._revoke)
        router.add_get("/", self._overview)

    # -- the merchant API --------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        if basic_credentials(request) != (self.client_id, self.client_secret):
            return web.json_response({"error": "invalid_client"}, status=401)
        form = urllib.parse.parse_qs((await request.read()).decode(errors="replace"))
        if form.get("grant_type") != ["client_credentials"]:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        token = secrets.token_hex(24)
        self.tokens[token] = time.monotonic() + TOKEN_LIFETIME_SECONDS
        return web.json_response(
            {"token_type": "Bearer", "access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS}
        )

    def _authorized(self, request: web.Request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return self.tokens.get(token, 0) > time.monotonic()

    async def _webpayment(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"code": 42, "message": "Expired credentials"}, status=401)
        body = json_body(await request.read())
        if body.get("merchant_key") != self.merchant_key:
            return web.json_response({"message": "invalid merchant key"}, status=400)
        order_id = str(body.get("order_id") or "")
        if not order_id or len(order_id) > 30 or order_id in self.orders:
            return web.json_response({"message": "invalid or duplicate order_id"}, status=400)
        amount = body.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return web.json_response({"message": "invalid amount"}, status=400)
        if body.get("currency", "XOF") not in ("XOF", "OUV"):
            return web.json_response({"message": "invalid currency"}, status=400)
        order = Order(
            order_id=order_id,
            amount=amount,
            created_at=self.clock(),
            status="INITIATED",
            merchant=MERCHANT_NAME,
            language="en" if body.get("lang") == "en" else "fr",
            reference=str(body.get("reference") or ""),
            notif_url=body.get("notif_url"),
            return_url=body.get("return_url"),
            cancel_url=body.get("cancel_url"),
        )
        self.orders[order_id] = order
        return web.json_response(
            {
                "status": 201,
                "message": "OK",
                "pay_token": order.pay_token,
                "payment_url": f"{self.base_url}/payment/pay_token/{order.pay_token}",
                "notif_token": order.notif_token,
            },
            status=201,
        )

    async def _transaction_status(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"code": 42, "message": "Expired credentials"}, status=401)
        body = json_body(await request.read())
        order = self.order(str(body.get("order_id") or ""))
        if order is None or order.pay_token != body.get("pay_token"):
            return web.json_response({"message": "transaction not found"}, status=404)
        return web.json_response(
            {
                "status": order.status,
                "order_id": order.order_id,
                "txnid": order.txnid,
                "amount": order.amount_reported,
            }
        )

    async def _revoke(self, request: web.Request) -> web.Response:
        self.revoke_tokens()
        return web.Response(status=204)

    # -- the payer's page ----------------------------------------------------------------------

    def _by_pay_token(self, pay_token: str) -> Order | None:
        found = next((o for o in self.orders.values() if o.pay_token == pay_token), None)
        if found is not None:
            self.expire_if_late(found)
        return found

    async def _hosted_page(self, request: web.Request) -> web.Response:
        order = self._by_pay_token(request.match_info["pay_token"])
        return self._render(request, order)

    def _render(
        self,
        request: web.Request,
        order: Order | None,
        error: str = "",
        status: int = 200,
        typed: str = "",
    ) -> web.Response:
        lang = pages.language(request, order.language if order else None)
        title = text("om_title", lang)
        other = "en" if lang == "fr" else "fr"
        switch = with_language(str(request.rel_url.with_query({})), other)
        if order is None:
            return page(title, lang, notice(text("not_found", lang)), brand="om", status=404)
        summary = details(
            [
                (text("merchant", lang), order.merchant),
                (text("amount", lang), money(order.amount, lang)),
                (text("order", lang), order.order_id),
            ],
            big=text("amount", lang),
        )
        if order.status == "EXPIRED":
            back = _link(order.cancel_url, text("back", lang))
            body = f'<section class="card">{summary}</section>{notice(text("expired", lang))}{back}'
            return page(title, lang, body, brand="om", status=410, switch_to=switch)
        if order.status != "INITIATED":
            done = text("already", lang, status=order.status)
            back = _link(
                order.return_url if order.status == "SUCCESS" else order.cancel_url,
                text("back", lang),
            )
            body = f'<section class="card">{summary}</section>{notice(done, "ok")}{back}'
            return page(title, lang, body, brand="om", status=409, switch_to=switch)
        hint_id = "payer-hint"
        form = f"""<form method="post" class="card" novalidate>
<input type="hidden" name="lang" value="{lang}">
<label for="msisdn">{text("payer_number", lang)}</label>
<input id="msisdn" name="msisdn" type="tel" inputmode="tel" autocomplete="tel"
 aria-describedby="{hint_id}" value="{html.escape(typed)}">
<p class="hint" id="{hint_id}">{text("payer_hint", lang)}</p>
<div class="row"><button class="primary" name="choice" value="pay">{text("pay", lang)}</button>
<button name="choice" value="refuse">{text("refuse", lang)}</button></div></form>"""
        body = f'<section class="card">{summary}</section>{notice(error) if error else ""}{form}'
        return page(title, lang, body, brand="om", status=status, switch_to=switch)

    async def _payer_answers(self, request: web.Request) -> web.StreamResponse:
        order = self._by_pay_token(request.match_info["pay_token"])
        form = await request.post()
        if order is None or order.status != "INITIATED":
            return self._render(request, order)
        choice = str(form.get("choice") or "")
        if choice == "pay":
            number = _MALIAN_NUMBER.match(re.sub(r"[\s.-]", "", str(form.get("msisdn") or "")))
            if number is None:
                typed = str(form.get("msisdn") or "")[:20]
                lang = pages.language(request, str(form.get("lang") or order.language))
                return self._render(request, order, text("bad_number", lang), 400, typed)
            order.msisdn = f"223{number.group(1)}"
            order.status = "SUCCESS"
        elif choice == "refuse":
            order.status = "FAILED"
        else:
            return self._render(request, order, status=400)
        order.answered_at = self.clock()
        order.txnid = self.new_txnid("MP")
        self._send_notification(order)
        back = order.return_url if order.status == "SUCCESS" else order.cancel_url
        if not back:
            return self._render(request, order)
        raise web.HTTPFound(back)

    def _send_notification(self, order: Order) -> None:
        """Orange notifies the merchant once, in the background, and never retries."""
        if not order.notif_url:
            return
        with self._lock:
            self.calls["notification"] += 1
        fault = self.take_fault("notification")
        if fault is not None and fault.drop:
            order.notification = {"sent": False, "why": "dropped by a sandbox fault"}
            return
        task = asyncio.ensure_future(self._notify(order, fault.delay_seconds if fault else 0))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _notify(self, order: Order, delay: float) -> None:
        await asyncio.sleep(delay)
        payload = {"status": order.status, "notif_token": order.notif_token, "txnid": order.txnid}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
                session.post(str(order.notif_url), json=payload) as answer,
            ):
                order.notification = {"sent": True, "answer": answer.status}
        except (aiohttp.ClientError, TimeoutError) as error:
            order.notification = {"sent": True, "answer": None, "error": type(error).__name__}

    # -- the sandbox's own page ------------------------------------------------------------------

    async def _overview(self, request: web.Request) -> web.Response:
        from keneya_local.mobile_money.overview import overview

        return overview(self, request)


def _link(url: str | None, label: str) -> str:
    if not url:
        return ""
    return f'<p><a class="button" href="{html.escape(url)}">{html.escape(label)}</a></p>'
