"""Each sandbox's own page (`/_sandbox/<provider>/`): its recent payments, the faults waiting to
happen, and a form to add one, so that a person can try refusals and outages by hand."""

from __future__ import annotations

import html

from aiohttp import web

from keneya_local.mobile_money import pages
from keneya_local.mobile_money.pages import money, page, text
from keneya_local.mobile_money.sandbox import ProviderSandbox


def overview(sandbox: ProviderSandbox, request: web.Request) -> web.Response:
    lang = pages.language(request)
    for order in list(sandbox.orders.values()):
        sandbox.expire_if_late(order)
    recent = sorted(sandbox.orders.values(), key=lambda o: o.created_at, reverse=True)[:50]
    rows = "".join(
        f"<tr><td>{html.escape(o.order_id)}</td><td>{money(o.amount, lang)}</td>"
        f"<td>{html.escape(o.status)}</td><td>{html.escape(o.msisdn or '')}</td></tr>"
        for o in recent
    )
    orders = (
        f"<table><thead><tr><th>{text('order', lang)}</th><th>{text('amount', lang)}</th>"
        f"<th>Statut</th><th>MSISDN</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else f"<p>{text('none_yet', lang)}</p>"
    )
    faults = "".join(
        f"<li>{html.escape(f.operation)}: {f.status or '—'}, {f.delay_seconds:g} s"
        f"{', drop' if f.drop else ''} ({text('times', lang).lower()}: {f.times})</li>"
        for f in sandbox.faults
    )
    options = "".join(
        f'<option value="{html.escape(op)}">{html.escape(op)}</option>' for op in sandbox.operations
    )
    drop = (
        f'<label><input type="checkbox" name="drop" value="1" style="width:auto"> '
        f"{text('drop', lang)} (notification)</label>"
        if "notification" in sandbox.operations
        else ""
    )
    add = f"""<form method="post" action="{sandbox.base_url}/_control/faults" class="card">
<h2>{text("add_fault", lang)}</h2>
<label for="operation">{text("operation", lang)}</label>
<select id="operation" name="operation">{options}</select>
<label for="status">{text("status_code", lang)}</label>
<input id="status" name="status" inputmode="numeric" value="503">
<label for="delay">{text("delay", lang)}</label>
<input id="delay" name="delay_seconds" inputmode="decimal" value="0">
<label for="times">{text("times", lang)}</label>
<input id="times" name="times" inputmode="numeric" value="1">{drop}
<div class="row"><button class="primary">{text("add", lang)}</button></div></form>"""
    phone = (
        f'<p><a class="button" href="{sandbox.base_url}/phone?lang={lang}">'
        f"{text('moov_title', lang)}</a></p>"
        if sandbox.name == "moov-money"
        else ""
    )
    body = (
        f"{phone}<section class=card><h2>{text('recent', lang)}</h2>{orders}</section>"
        f"<section class=card><h2>{text('faults', lang)}</h2>"
        f"<ul>{faults or '<li>—</li>'}</ul></section>{add}"
        f"<p>API: <code>{html.escape(sandbox.base_url)}</code> — "
        f'<a href="{sandbox.base_url}/_control/orders">_control/orders</a></p>'
    )
    brand = "om" if sandbox.name == "orange-money" else "moov"
    other = "en" if lang == "fr" else "fr"
    return page(
        f"{sandbox.title} — {text('sandboxes', lang)}",
        lang,
        body,
        brand=brand,
        switch_to=f"{sandbox.base_url}/?lang={other}",
    )
