"""Everything that would leave the platform: SMS and push through SNS, e-mail through SES.

Nothing is delivered locally; like a mail catcher, the stack shows what was "sent" at
`/_local/messages` (a page) and `/_local/messages.json`, so a person signing up can read the
one-time code the auth service texted them.

The messages are read from moto itself: from the moto process's `/_keneya/messages.json` (which
reads its backends, `from_moto_backends`), otherwise from another moto's `/moto-api/data.json`,
or LocalStack's `/_aws/...` endpoints when the endpoint is LocalStack.
"""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class CaughtMessage:
    id: str
    channel: str  # "sms" | "email" | "push"
    to: list[str]
    body: str
    sender: str | None = None
    subject: str | None = None
    caught_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class MessageCatcher:
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self._first_seen: dict[str, str] = {}
        self._hidden: set[str] = set()
        self._lock = threading.Lock()

    def messages(self) -> list[CaughtMessage]:
        """Every caught message, newest first (`caught_at`: when the catcher first saw it)."""
        found = list(self._read())
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._lock:
            result = []
            for message in found:
                key = f"{message.channel}:{message.id}"
                if key in self._hidden:
                    continue
                seen = self._first_seen.setdefault(key, now)
                result.append(_with_time(message, seen))
        # Stable order for messages seen at the same instant: the backend's own order.
        order = {id(m): i for i, m in enumerate(result)}
        return sorted(result, key=lambda m: (m.caught_at, order[id(m)]), reverse=True)

    def clear(self) -> int:
        """Hide every message caught so far (moto keeps them; the page stops showing them)."""
        found = list(self._read())
        with self._lock:
            before = len(self._hidden)
            self._hidden.update(f"{m.channel}:{m.id}" for m in found)
            return len(self._hidden) - before

    def _read(self) -> Iterable[CaughtMessage]:
        for source in (_from_moto_process, _from_moto_api):
            try:
                return list(source(self.endpoint_url))
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
        return list(_from_localstack(self.endpoint_url))


def _with_time(message: CaughtMessage, caught_at: str) -> CaughtMessage:
    return CaughtMessage(**{**asdict(message), "caught_at": caught_at})


# -- sources ----------------------------------------------------------------------------------


def from_moto_backends() -> Iterable[CaughtMessage]:
    """The messages of the moto running in this process (the moto process's)."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    for account in list(sns_backends.values()):
        for backend in list(account.values()):
            for message_id, (phone, text) in list(backend.sms_messages.items()):
                yield CaughtMessage(id=message_id, channel="sms", to=[phone], body=text)
            for endpoint in list(backend.platform_endpoints.values()):
                for message_id, text in list(endpoint.messages.items()):
                    yield CaughtMessage(
                        id=message_id,
                        channel="push",
                        to=[endpoint.arn],
                        body=_push_text(text),
                        sender=endpoint.application.name,
                    )
    for account in list(ses_backends.values()):
        for backend in list(account.values()):
            for message in list(backend.sent_messages):
                yield from _ses_message(vars(message))


def _from_moto_process(endpoint_url: str) -> Iterable[CaughtMessage]:
    with urllib.request.urlopen(f"{endpoint_url}/_keneya/messages.json", timeout=10) as response:
        return [CaughtMessage(**message) for message in json.load(response)]


def _from_moto_api(endpoint_url: str) -> Iterable[CaughtMessage]:
    with urllib.request.urlopen(f"{endpoint_url}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    sns, ses = data.get("sns") or {}, data.get("ses") or {}
    for sms in sns.get("SMS") or []:
        yield CaughtMessage(
            id=sms["message_id"], channel="sms", to=[sms["phone_number"]], body=sms["message"]
        )
    for endpoint in sns.get("PlatformEndpoint") or []:
        for message_id, text in (endpoint.get("messages") or {}).items():
            yield CaughtMessage(
                id=message_id,
                channel="push",
                to=[endpoint.get("arn", "")],
                body=_push_text(text),
            )
    for model in ("Message", "RawMessage", "TemplateMessage", "BulkTemplateMessage"):
        for message in ses.get(model) or []:
            yield from _ses_message(message)


def _from_localstack(endpoint_url: str) -> Iterable[CaughtMessage]:
    def get(path: str) -> Any:
        with urllib.request.urlopen(f"{endpoint_url}{path}", timeout=10) as response:
            return json.load(response)

    sms = get("/_aws/sns/sms-messages").get("sms_messages") or {}
    for messages in sms.values():
        for message in messages:
            yield CaughtMessage(
                id=message.get("MessageId", ""),
                channel="sms",
                to=[message.get("PhoneNumber", "")],
                body=message.get("Message", ""),
            )
    push = get("/_aws/sns/platform-endpoint-messages").get("platform_endpoint_messages") or {}
    for target, messages in push.items():
        for message in messages:
            yield CaughtMessage(
                id=message.get("MessageId", ""),
                channel="push",
                to=[target],
                body=_push_text(message.get("Message", "")),
            )
    for message in get("/_aws/ses").get("messages") or []:
        destination = message.get("Destination") or {}
        body = message.get("Body") or {}
        yield CaughtMessage(
            id=message.get("Id", ""),
            channel="email",
            to=[
                a
                for key in ("ToAddresses", "CcAddresses", "BccAddresses")
                for a in destination.get(key) or []
            ],
            sender=message.get("Source"),
            subject=message.get("Subject"),
            body=body.get("text_part") or body.get("html_part") or message.get("RawData") or "",
        )


def _ses_message(message: dict[str, Any]) -> Iterable[CaughtMessage]:
    destinations = message.get("destinations") or {}
    if isinstance(destinations, dict):
        recipients = [
            address
            for key in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(key) or []
        ]
    else:
        recipients = [str(d) for d in destinations]
    if "raw_data" in message:
        body, subject = message["raw_data"], _raw_subject(message["raw_data"])
    elif "template" in message:
        body = f"template {message['template']} with {message.get('template_data')}"
        subject = None
    else:
        body, subject = message.get("body") or "", message.get("subject")
    ids = message.get("ids") or [message.get("id", "")]
    yield CaughtMessage(
        id=str(ids[0]),
        channel="email",
        to=recipients,
        sender=message.get("source"),
        subject=subject,
        body=body,
    )


def _raw_subject(raw: str) -> str | None:
    match = re.search(r"^Subject:\s*(.*)$", raw, flags=re.MULTILINE | re.IGNORECASE)
    return match.group(1).strip() if match else None


def _push_text(text: str) -> str:
    """A push published with MessageStructure=json is a JSON object of per-platform texts."""
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError):
        return text
    if isinstance(parsed, dict):
        return str(parsed.get("default") or parsed.get("GCM") or parsed.get("APNS") or text)
    return text


# -- the page ---------------------------------------------------------------------------------

_CODE = re.compile(r"\b(\d{4,8})\b")


def render_page(messages: list[CaughtMessage]) -> str:
    rows = []
    for message in messages:
        body = _CODE.sub(r"<mark>\1</mark>", html.escape(message.body))
        subject = (
            f"<div class=subject>{html.escape(message.subject)}</div>" if message.subject else ""
        )
        sender = html.escape(message.sender or "")
        rows.append(
            f"<tr><td>{html.escape(message.caught_at[:19].replace('T', ' '))}</td>"
            f"<td class=ch-{message.channel}>{message.channel}</td>"
            f"<td>{html.escape(', '.join(message.to))}</td><td>{sender}</td>"
            f"<td>{subject}<pre>{body}</pre></td></tr>"
        )
    table = (
        "<table><thead><tr><th>caught (UTC)</th><th>channel</th><th>to</th><th>from</th>"
        "<th>message</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        if rows
        else "<p class=empty>Nothing sent yet. SMS, e-mail and push messages appear here.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keneya local: sent messages</title>
<meta http-equiv="refresh" content="3">
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#1d2733}}
table{{border-collapse:collapse;width:100%}}
th,td{{border-bottom:1px solid #dde3ea;padding:.5rem;text-align:left;vertical-align:top}}
pre{{white-space:pre-wrap;margin:0;font-size:.95rem}} mark{{background:#ffe066;font-weight:bold}}
.subject{{font-weight:600}} .empty{{color:#5b6875}}
.ch-sms{{color:#0b7a43}} .ch-email{{color:#1f5fa8}} .ch-push{{color:#8a3ab9}}
</style></head><body>
<h1>Sent messages</h1>
<p>What the platform would have sent: nothing leaves this machine. Refreshes every 3 s.
JSON: <a href="/_local/messages.json">/_local/messages.json</a>.</p>
<form method="post" action="/_local/messages/clear"><button>Clear</button></form>
{table}
</body></html>"""
