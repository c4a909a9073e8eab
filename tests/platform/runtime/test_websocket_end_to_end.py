"""The WebSocket API of a service, end to end through its worker process."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from keneya_local.stack import EmbeddedStack

from .journal import Journal

pytestmark = pytest.mark.slow


def test_a_connection_without_the_token_is_refused_by_the_connect_function(
    local_stack: EmbeddedStack,
):
    with pytest.raises(InvalidStatus) as refused:
        connect(local_stack.websocket_url("chat"), open_timeout=5)

    assert refused.value.response.status_code == 403


def test_a_message_is_answered_through_post_to_connection(local_stack: EmbeddedStack):
    with connect(f"{local_stack.websocket_url('chat')}?token=let-me-in", open_timeout=5) as ws:
        ws.send(json.dumps({"text": "i ni ce"}))
        reply = json.loads(ws.recv(timeout=5))

    assert reply["echo"] == {"text": "i ni ce"}
    assert reply["connection_id"]


def test_sending_to_a_closed_connection_is_gone(local_stack: EmbeddedStack):
    with connect(f"{local_stack.websocket_url('chat')}?token=let-me-in", open_timeout=5) as ws:
        ws.send(json.dumps({"action": "send-to", "connection_id": "Zm9yZ290dGVu"}))
        reply = json.loads(ws.recv(timeout=5))

    assert reply == {"outcome": "gone"}


def test_a_backend_reaches_a_client_and_its_disconnect_runs(
    local_stack: EmbeddedStack, journal: Journal
):
    management = _management_client(local_stack)
    with connect(f"{local_stack.websocket_url('chat')}?token=let-me-in", open_timeout=5) as ws:
        ws.send(json.dumps({"text": "who am i"}))
        connection_id = json.loads(ws.recv(timeout=5))["connection_id"]

        management.post_to_connection(ConnectionId=connection_id, Data=b'{"pushed": true}')

        assert json.loads(ws.recv(timeout=5)) == {"pushed": True}
    journal.wait_for("ws-disconnect", connection_id=connection_id)
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")


def _management_client(stack: EmbeddedStack) -> Any:
    endpoint = stack.websocket_url("chat").replace("ws://", "http://")
    return boto3.client("apigatewaymanagementapi", endpoint_url=endpoint, region_name="us-east-1")
