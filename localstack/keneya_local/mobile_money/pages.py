"""The sandboxes' pages: what a payer sees, in French (the default) or English.

Phone-first, readable without scripts, nothing loaded from anywhere else: one HTML document with
its own style, forms that post back to the sandbox. Every text is in `TEXTS`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from aiohttp import web

from keneya.i18n import language_of

TEXTS: dict[str, dict[str, str]] = {
    "sandbox": {"fr": "Bac à sable — aucun argent réel", "en": "Sandbox — no real money"},
    "om_title": {"fr": "Paiement Orange Money", "en": "Orange Money payment"},
    "merchant": {"fr": "Marchand", "en": "Merchant"},
    "amount": {"fr": "Montant", "en": "Amount"},
    "order": {"fr": "Commande", "en": "Order"},
    "payer_number": {"fr": "Votre numéro Orange Money", "en": "Your Orange Money number"},
    "payer_hint": {
        "fr": "8 chiffres, par exemple 76 12 34 56.",
        "en": "8 digits, for example 76 12 34 56.",
    },
    "pay": {"fr": "Payer", "en": "Pay"},
    "refuse": {"fr": "Refuser", "en": "Refuse"},
    "bad_number": {
        "fr": "Numéro invalide : écrivez les 8 chiffres de votre numéro malien.",
        "en": "Invalid number: write the 8 digits of your Malian number.",
    },
    "not_found": {"fr": "Ce paiement est introuvable.", "en": "This payment cannot be found."},
    "already": {
        "fr": "Ce paiement a déjà été traité ({status}).",
        "en": "This payment was already handled ({status}).",
    },
    "expired": {
        "fr": "Ce paiement a expiré. Retournez chez le marchand pour recommencer.",
        "en": "This payment has expired. Go back to the merchant to start again.",
    },
    "back": {"fr": "Retour au marchand", "en": "Back to the merchant"},
    "language": {"fr": "English", "en": "Français"},
    "moov_title": {"fr": "Téléphone Moov Money", "en": "Moov Money phone"},
    "moov_intro": {
        "fr": "Cette page tient lieu du téléphone du payeur : les demandes de paiement (USSD) "
        "envoyées à un numéro s'affichent ici.",
        "en": "This page stands in for the payer's phone: the payment requests (USSD) sent to "
        "a number appear here.",
    },
    "phone_number": {"fr": "Numéro de téléphone", "en": "Phone number"},
    "open_phone": {"fr": "Voir les demandes", "en": "Show the requests"},
    "prompts_for": {
        "fr": "Demandes en attente pour {number}",
        "en": "Waiting requests for {number}",
    },
    "no_prompt": {
        "fr": "Aucune demande en attente pour ce numéro. Elle apparaît quelques secondes après "
        "le choix de Moov Money dans l'application ; rechargez la page.",
        "en": "No waiting request for this number. It appears a few seconds after Moov Money is "
        "chosen in the app; reload the page.",
    },
    "prompt": {
        "fr": "{merchant} vous demande {amount}. Confirmez avec votre code secret.",
        "en": "{merchant} asks you for {amount}. Confirm with your PIN.",
    },
    "pin": {"fr": "Code secret (4 chiffres)", "en": "PIN (4 digits)"},
    "pin_hint": {
        "fr": "Bac à sable : n'importe quels 4 chiffres.",
        "en": "Sandbox: any 4 digits.",
    },
    "bad_pin": {"fr": "Le code secret a 4 chiffres.", "en": "The PIN has 4 digits."},
    "confirm": {"fr": "Confirmer", "en": "Confirm"},
    "answered_pay": {
        "fr": "Paiement de {amount} confirmé. Le marchand le verra à sa prochaine vérification.",
        "en": "Payment of {amount} confirmed. The merchant sees it at its next check.",
    },
    "answered_refuse": {"fr": "Paiement refusé.", "en": "Payment refused."},
    "reload": {"fr": "Recharger", "en": "Reload"},
    "sandboxes": {"fr": "Bacs à sable mobile money", "en": "Mobile-money sandboxes"},
    "recent": {"fr": "Paiements récents", "en": "Recent payments"},
    "none_yet": {"fr": "Aucun pour l'instant.", "en": "None yet."},
    "faults": {"fr": "Pannes simulées en attente", "en": "Simulated faults waiting"},
    "add_fault": {"fr": "Simuler une panne", "en": "Simulate a fault"},
    "operation": {"fr": "Opération", "en": "Operation"},
    "status_code": {"fr": "Réponse HTTP (vide : aucune)", "en": "HTTP answer (empty: none)"},
    "delay": {"fr": "Délai (secondes)", "en": "Delay (seconds)"},
    "times": {"fr": "Nombre de fois", "en": "Times"},
    "drop": {
        "fr": "Ne jamais envoyer la notification",
        "en": "Never send the notification",
    },
    "add": {"fr": "Ajouter", "en": "Add"},
}

_STYLE = """
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,sans-serif;color:#1d2733;
background:#f4f5f7}main{max-width:30rem;margin:0 auto;padding:1rem}
header{padding:.8rem 1rem;color:#fff;font-weight:700;font-size:1.15rem}
.om header{background:#ff7900;color:#000}.moov header{background:#0057a8}
.tag{display:block;font-size:.8rem;font-weight:400}
.card{background:#fff;border-radius:10px;padding:1rem;margin:0 0 1rem;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem .8rem;margin:0}dt{color:#5b6875}
dd{margin:0;font-weight:600;word-break:break-all}.big{font-size:1.6rem}
label{display:block;font-weight:600;margin:.8rem 0 .3rem}
input,select{width:100%;font-size:1.2rem;padding:.6rem;border:2px solid #8a96a3;border-radius:8px}
.hint{color:#5b6875;font-size:.9rem;margin:.2rem 0 0}
.row{display:flex;gap:.6rem;margin-top:1rem}button,.button{flex:1;font-size:1.1rem;
font-weight:700;padding:.85rem;border-radius:8px;border:2px solid #1d2733;background:#fff;
color:#1d2733;text-align:center;text-decoration:none;min-height:48px}
button.primary{background:#1d2733;color:#fff}
.error{background:#fde8e7;border-left:5px solid #b3261e;padding:.6rem .8rem}
.ok{background:#e5f4ea;border-left:5px solid #0b7a43;padding:.6rem .8rem}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{padding:.3rem;
border-bottom:1px solid #dde3ea;text-align:left}a{color:#0b57d0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}h1{font-size:1.35rem}
"""

# The pages carry no script and load nothing from elsewhere. `form-action` is left open on
# purpose: after a payment the browser is sent back to the merchant's site.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def language(request: web.Request, default: str | None = None) -> str:
    """`?lang=` first, then the order's language, then the browser's."""
    asked = request.query.get("lang")
    if asked in ("fr", "en"):
        return asked
    if default in ("fr", "en"):
        return default
    return language_of(request.headers.get("Accept-Language"))


def text(key: str, lang: str, **values: object) -> str:
    entry = TEXTS[key]
    return (entry.get(lang) or entry["fr"]).format(**values)


def money(amount: int, lang: str) -> str:
    """7500 -> "7 500 FCFA" (French, with a no-break space) / "7,500 FCFA"."""
    grouped = f"{amount:,}"
    if lang != "en":
        grouped = grouped.replace(",", "\u00a0")
    return f"{grouped}\u00a0FCFA"


def page(
    title: str, lang: str, body: str, *, brand: str, status: int = 200, switch_to: str = ""
) -> web.Response:
    """A whole page; `switch_to` is the URL of the same page in the other language."""
    other = (
        f'<p><a href="{html.escape(switch_to)}" lang="{"en" if lang == "fr" else "fr"}">'
        f"{text('language', lang)}</a></p>"
        if switch_to
        else ""
    )
    document = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)}</title><style>{_STYLE}</style></head>
<body class="{brand}"><header>{html.escape(title)}
<span class="tag">{text("sandbox", lang)}</span></header>
<main>{body}{other}</main></body></html>"""
    return web.Response(
        text=document,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Content-Security-Policy": PAGE_POLICY,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def details(rows: Iterable[tuple[str, str]], big: str = "") -> str:
    items = "".join(
        f"<dt>{html.escape(label)}</dt><dd{' class=big' if label == big else ''}>"
        f"{html.escape(value)}</dd>"
        for label, value in rows
    )
    return f"<dl>{items}</dl>"


def notice(message: str, kind: str = "error") -> str:
    role = "alert" if kind == "error" else "status"
    return f'<p class="{kind}" role="{role}">{html.escape(message)}</p>'


def with_language(url: str, lang: str) -> str:
    """`url` with `lang=` set to `lang`."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
    return urlunsplit(parts._replace(query=urlencode(query)))
