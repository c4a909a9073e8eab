"""Moov Money (Moov Africa Malitel) merchant API, as a sandbox, with a page standing in for the
payer's phone.

    POST /api/v1/payments/push                 Basic username:password; {merchant_id,
                                               transaction_id, msisdn, amount, currency,
                                               description} -> 202 {"status": "PENDING"}; the
                                               payer's phone shows a USSD prompt
    GET  /api/v1/payments/{transaction_id}?merchant_id=   SUCCESS, FAILED or PENDING; the
                                               merchant polls it (there is no webhook)
    POST /api/v1/disbursements                 money sent to a subscriber (refunds)
    GET  /phone                                the "phone": type a number
    GET  /phone/{msisdn}                       its waiting prompts, each with a PIN field and
                                               "Confirmer" / "Refuser"
    POST /phone/{msisdn}/prompts/{transaction_id}   the payer's answer: choice=pay|refuse, pin

Operations faults can target: push, status, disbursement. A prompt left unanswered for the
order lifetime fails, as a USSD session that timed out.
"""

from __future__ import annotations

import html
import re
import secrets
import urllib.parse
from typing import Any

from aiohttp import web

from keneya_local.mobile_money import pages
from keneya_local.mobile_money.pages import details, money, notice, page, text
from keneya_local.mobile_money.sandbox import (
    Order,
    ProviderSandbox,
    basic_credentials,
    generated,
    json_body,
)

MERCHANT_NAME = "Keneya"
_PIN = re.compile(r"^\d{4}$")


def normalised_msisdn(raw: str) -> str | None:
    """ "+223 76 12 34 56", "76123456" or "22376123456" -> "22376123456"; None otherwise."""
    digits = re.sub(r"[\s.+-]", "", raw)
    if digits.startswith("00"):
        digits = digits[2:]
    if re.fullmatch(r"[5-9]\d{7}", digits):
        digits = f"223{digits}"
    return digits if re.fullmatch(r"223[5-9]\d{7}", digits) else None


class MoovMoneySandbox(ProviderSandbox):
    name = "moov-money"
    title = "Moov Money"
    operations = ("push", "status", "disbursement")

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        merchant_id: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.username = username or "keneya-sandbox"
        self.password = password or generated("moov-")
        self.merchant_id = merchant_id or "MALITEL-KENEYA-SANDBOX"
        self.disbursements: list[dict[str, Any]] = []

    def credentials(self) -> dict[str, str]:
        return {
            "username": self.username,
            "password": self.password,
            "merchant_id": self.merchant_id,
        }

    def expire_if_late(self, order: Order) -> None:
        if order.status == "PENDING" and self.clock() - order.created_at > self.order_lifetime:
            order.status = "FAILED"
            order.answered_at = self.clock()

    def waiting_prompts(self, msisdn: str) -> list[Order]:
        for order in list(self.orders.values()):
            self.expire_if_late(order)
        return sorted(
            (o for o in self.orders.values() if o.msisdn == msisdn and o.status == "PENDING"),
            key=lambda o: o.created_at,
        )

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/v1/payments/push", self.operation("push", self._push))
        router.add_get("/api/v1/payments/{transaction_id}", self.operation("status", self._status))
        router.add_post("/api/v1/disbursements", self.operation("disbursement", self._disbursement))
        router.add_get("/phone", self._phone)
        router.add_get("/phone/{msisdn}", self._prompts)
        router.add_post("/phone/{msisdn}/prompts/{transaction_id}", self._answer)
        router.add_get("/_control/disbursements", self._disbursements)
        router.add_get("/", self._overview)

    # -- the merchant API --------------------------------------------------------------------

    def _authenticated(self, request: web.Request) -> bool:
        return basic_credentials(request) == (self.username, self.password)

    async def _push(self, request: web.Request) -> web.Response:
        if not self._authenticated(request):
            return web.json_response({"message": "authentication failed"}, status=401)
        body = json_body(await request.read())
        if body.get("merchant_id") != self.merchant_id:
            return web.json_response({"message": "unknown merchant"}, status=403)
        transaction_id = str(body.get("transaction_id") or "")
        if not transaction_id or len(transaction_id) > 64:
            return web.json_response({"message": "invalid transaction_id"}, status=400)
        if transaction_id in self.orders:
            return web.json_response({"message": "duplicate transaction_id"}, status=409)
        msisdn = normalised_msisdn(str(body.get("msisdn") or ""))
        if msisdn is None:
            return web.json_response({"message": "invalid msisdn"}, status=400)
        amount = body.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return web.json_response({"message": "invalid amount"}, status=400)
        order = Order(
            order_id=transaction_id,
            amount=amount,
            created_at=self.clock(),
            status="PENDING",
            merchant=MERCHANT_NAME,
            reference=str(body.get("description") or ""),
            msisdn=msisdn,
        )
        self.orders[transaction_id] = order
        return web.json_response(
            {"status": "PENDING", "reference": f"MV{secrets.token_hex(6).upper()}"}, status=202
        )

    async def _status(self, request: web.Request) -> web.Response:
        if not self._authenticated(request):
            return web.json_response({"message": "authentication failed"}, status=401)
        order = self.order(request.match_info["transaction_id"])
        if order is None or request.query.get("merchant_id") != self.merchant_id:
            return web.json_response({"message": "transaction not found"}, status=404)
        return web.json_response(
            {
                "transaction_id": order.order_id,
                "status": order.status,
                "amount": order.amount_reported,
                "reference": order.txnid,
            }
        )

    async def _disbursement(self, request: web.Request) -> web.Response:
        if not self._authenticated(request):
            return web.json_response({"message": "authentication failed"}, status=401)
        body = json_body(await request.read())
        if body.get("merchant_id") != self.merchant_id:
            return web.json_response({"message": "unknown merchant"}, status=403)
        msisdn = normalised_msisdn(str(body.get("msisdn") or ""))
        amount = body.get("amount")
        if msisdn is None or not isinstance(amount, int) or amount <= 0:
            return web.json_response({"message": "invalid msisdn or amount"}, status=400)
        reference = f"DB{secrets.token_hex(6).upper()}"
        self.disbursements.append(
            {
                "transaction_id": body.get("transaction_id"),
                "msisdn": msisdn,
                "amount": amount,
                "reference": reference,
            }
        )
        return web.json_response({"status": "SUCCESS", "reference": reference})

    async def _disbursements(self, request: web.Request) -> web.Response:
        return web.json_response({"disbursements": self.disbursements})

    # -- the payer's phone ------------------------------------------------------------------------

    def _phone_url(self, msisdn: str, lang: str) -> str:
        return f"{self.base_url}/phone/{msisdn}?lang={lang}"

    async def _phone(self, request: web.Request) -> web.StreamResponse:
        lang = pages.language(request)
        raw = request.query.get("msisdn")
        error = ""
        if raw is not None:
            msisdn = normalised_msisdn(raw)
            if msisdn is not None:
                raise web.HTTPSeeOther(self._phone_url(msisdn, lang))
            error = notice(text("bad_number", lang))
        form = f"""<p>{text("moov_intro", lang)}</p>{error}
<form method="get" class="card"><input type="hidden" name="lang" value="{lang}">
<label for="msisdn">{text("phone_number", lang)}</label>
<input id="msisdn" name="msisdn" type="tel" inputmode="tel" aria-describedby="number-hint"
 value="{html.escape(raw or "")}">
<p class="hint" id="number-hint">{text("payer_hint", lang)}</p>
<div class="row"><button class="primary">{text("open_phone", lang)}</button></div></form>"""
        other = "en" if lang == "fr" else "fr"
        return page(
            text("moov_title", lang),
            lang,
            form,
            brand="moov",
            status=400 if error else 200,
            switch_to=f"{self.base_url}/phone?lang={other}",
        )

    async def _prompts(
        self, request: web.Request, message: str = "", status: int = 200
    ) -> web.Response:
        lang = pages.language(request)
        msisdn = normalised_msisdn(request.match_info["msisdn"])
        if msisdn is None:
            raise web.HTTPSeeOther(f"{self.base_url}/phone?lang={lang}")
        waiting = self.waiting_prompts(msisdn)
        answered = request.query.get("answered")
        parts = [f"<h1>{html.escape(text('prompts_for', lang, number='+' + msisdn))}</h1>"]
        if message:
            parts.append(notice(message))
        elif answered:
            order = self.orders.get(answered)
            if order is not None and order.msisdn == msisdn:
                said = (
                    text("answered_pay", lang, amount=money(order.amount, lang))
                    if order.status == "SUCCESS"
                    else text("answered_refuse", lang)
                )
                parts.append(notice(said, "ok"))
        if not waiting:
            parts.append(f"<p>{text('no_prompt', lang)}</p>")
        for order in waiting:
            action = f"{self.base_url}/phone/{msisdn}/prompts/{urllib.parse.quote(order.order_id)}"
            prompt = text("prompt", lang, merchant=order.merchant, amount=money(order.amount, lang))
            pin_id = f"pin-{order.order_id}"
            summary = details(
                [
                    (text("amount", lang), money(order.amount, lang)),
                    (text("order", lang), order.order_id),
                ],
                big=text("amount", lang),
            )
            parts.append(
                f"""<form method="post" action="{html.escape(action)}" class="card">
<p>{html.escape(prompt)}</p>{summary}<input type="hidden" name="lang" value="{lang}">
<label for="{html.escape(pin_id)}">{text("pin", lang)}</label>
<input id="{html.escape(pin_id)}" name="pin" type="password" inputmode="numeric"
 autocomplete="off" maxlength="4" aria-describedby="{html.escape(pin_id)}-hint">
<p class="hint" id="{html.escape(pin_id)}-hint">{text("pin_hint", lang)}</p>
<div class="row"><button class="primary" name="choice" value="pay">{text("confirm", lang)}
</button><button name="choice" value="refuse">{text("refuse", lang)}</button></div></form>"""
            )
        parts.append(
            f'<p><a class="button" href="{self._phone_url(msisdn, lang)}">{text("reload", lang)}'
            "</a></p>"
        )
        other = "en" if lang == "fr" else "fr"
        return page(
            text("moov_title", lang),
            lang,
            "".join(parts),
            brand="moov",
            status=status,
            switch_to=self._phone_url(msisdn, other),
        )

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        lang = str(form.get("lang") or "") or pages.language(request)
        msisdn = normalised_msisdn(request.match_info["msisdn"])
        order = self.order(request.match_info["transaction_id"])
        if msisdn is None or order is None or order.msisdn != msisdn:
            return await self._prompts(request, text("not_found", lang), status=404)
        if order.status != "PENDING":
            return await self._prompts(
                request, text("already", lang, status=order.status), status=409
            )
        choice = str(form.get("choice") or "")
        if choice == "pay":
            if not _PIN.match(str(form.get("pin") or "")):
                return await self._prompts(request, text("bad_pin", lang), status=400)
            order.status = "SUCCESS"
        elif choice == "refuse":
            order.status = "FAILED"
        else:
            return await self._prompts(request, status=400)
        order.answered_at = self.clock()
        order.txnid = self.new_txnid("MOOV")
        raise web.HTTPSeeOther(
            f"{self._phone_url(msisdn, lang)}&answered={urllib.parse.quote(order.order_id)}"
        )

    async def _overview(self, request: web.Request) -> web.Response:
        from keneya_local.mobile_money.overview import overview

        return overview(self, request)
