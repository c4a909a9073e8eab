"""What would leave the platform (SMS, e-mail) is caught and shown locally instead."""

from __future__ import annotations

import uuid

import pytest
import requests

from keneya_local.stack import EmbeddedStack

from .journal import eventually

pytestmark = pytest.mark.slow


def test_an_sms_and_an_email_sent_by_a_function_are_shown_with_their_code(
    local_stack: EmbeddedStack,
):
    phone = f"+2237{uuid.uuid4().int % 10**7:07d}"
    email = f"amadou.{uuid.uuid4().hex[:6]}@example.ml"

    sent = requests.post(
        local_stack.url("shop", "/notify"),
        json={"phone": phone, "email": email, "code": "482913"},
        timeout=10,
    )

    assert sent.status_code == 200

    def caught() -> list[dict]:
        listed = requests.get(f"{local_stack.http_url}/_local/messages.json", timeout=5).json()
        return [m for m in listed["messages"] if phone in m["to"] or email in m["to"]]

    messages = eventually(lambda: found if len(found := caught()) == 2 else None)
    by_channel = {m["channel"]: m for m in messages}
    assert by_channel["sms"]["body"] == "Your Keneya code is 482913"
    assert by_channel["email"]["subject"] == "Welcome"
    assert by_channel["email"]["sender"] == "no-reply@keneya.test"
    assert "482913" in by_channel["email"]["body"]
    page = requests.get(f"{local_stack.http_url}/_local/messages", timeout=5)
    assert phone in page.text
    assert "<mark>482913</mark>" in page.text
