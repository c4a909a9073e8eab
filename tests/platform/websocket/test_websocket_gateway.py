"""The local WebSocket gateway behaves like API Gateway's WebSocket APIs for real clients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from .websocket_harness import RunningGateway

TOKEN = "let-me-in"


@contextmanager
def open_socket(running: RunningGateway) -> Iterator[tuple[ClientConnection, str]]:
    """A connected client and its connection id (as the $connect function saw it)."""
    with connect(f"{running.url}?token={TOKEN}", open_timeout=5) as client:
        yield client, running.functions.events("connect")[-1]["requestContext"]["connectionId"]


def receive_json(client: ClientConnection) -> dict:
    return json.loads(client.recv(timeout=5))


def test_connect_with_a_valid_token_is_accepted(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (_, connection_id):
        event = running_gateway.functions.events("connect")[0]

    assert event["queryStringParameters"] == {"token": TOKEN}
    assert event["multiValueQueryStringParameters"] == {"token": [TOKEN]}
    assert event["headers"]["Upgrade"].lower() == "websocket"
    context = event["requestContext"]
    assert context["routeKey"] == "$connect" and context["eventType"] == "CONNECT"
    assert context["connectionId"] == connection_id
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert {"domainName", "stage", "apiId", "requestId", "connectedAt"} <= context.keys()


@pytest.mark.parametrize(("token", "status"), [("wrong", 403), ("explode", 500)])
def test_connect_refused_or_failing_ends_the_handshake_with_an_http_error(
    running_gateway: RunningGateway, token: str, status: int
):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{running_gateway.url}?token={token}", open_timeout=5)

    assert refused.value.response.status_code == status
    assert running_gateway.gateway.connections == {}
    assert running_gateway.functions.events("disconnect") == []


def test_connect_without_a_token_is_refused_with_403(running_gateway: RunningGateway):
    with pytest.raises(InvalidStatus) as refused:
        connect(running_gateway.url, open_timeout=5)

    assert refused.value.response.status_code == 403
    assert "queryStringParameters" not in running_gateway.functions.events("connect")[0]


def test_service_without_websocket_api_is_not_found(running_gateway: RunningGateway):
    with pytest.raises(InvalidStatus) as refused:
        connect(running_gateway.gateway.websocket_url("plain"), open_timeout=5)

    assert refused.value.response.status_code == 404


def test_messages_are_routed_on_action_else_to_default(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (client, connection_id):
        client.send(json.dumps({"action": "shout", "text": "hello"}))
        shouted = receive_json(client)
        client.send(json.dumps({"action": "unknown", "text": "hi"}))
        unknown_action = receive_json(client)
        client.send("not json")
        not_json = receive_json(client)

    assert shouted == {"route": "shout", "text": "HELLO"}
    assert unknown_action["route"] == "$default"
    assert unknown_action["received"] == {"action": "unknown", "text": "hi"}
    assert not_json["received"] == {"text": "not json"}
    message_event = running_gateway.functions.events("message")[0]
    assert message_event["requestContext"]["eventType"] == "MESSAGE"
    assert message_event["requestContext"]["connectionId"] == connection_id
    assert message_event["body"] == json.dumps({"action": "unknown", "text": "hi"})


def test_chalice_websocket_api_send_reaches_the_client(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (client, connection_id):
        client.send(json.dumps({"action": "ping"}))
        reply = receive_json(client)

    # The $default handler answered through app.websocket_api.send -> the management API.
    assert reply == {
        "route": "$default",
        "received": {"action": "ping"},
        "connectionId": connection_id,
    }


def test_failing_message_handler_sends_api_gateways_error_message(
    running_gateway: RunningGateway,
):
    with open_socket(running_gateway) as (client, connection_id):
        client.send(json.dumps({"action": "explode"}))
        reply = receive_json(client)

    assert reply["message"] == "Internal server error"
    assert reply["connectionId"] == connection_id


def test_unreachable_function_is_an_internal_server_error_not_a_broken_gateway(
    running_gateway: RunningGateway,
):
    with open_socket(running_gateway) as (client, _):
        client.send(json.dumps({"action": "vanish"}))
        failed = receive_json(client)
        client.send(json.dumps({"action": "ping"}))
        still_served = receive_json(client)

    assert failed["message"] == "Internal server error"
    assert still_served["route"] == "$default"


def test_connect_function_can_choose_the_subprotocol(running_gateway: RunningGateway):
    url = f"{running_gateway.url}?token={TOKEN}"
    with connect(url, subprotocols=["chat.v2", "chat.v1"], open_timeout=5) as client:
        chosen = client.subprotocol

    assert chosen == "chat.v1"


def test_post_to_connection_delivers_to_the_client(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (client, connection_id):
        running_gateway.management_client().post_to_connection(
            ConnectionId=connection_id, Data=b'{"type": "notification.created"}'
        )
        received = client.recv(timeout=5)

    assert received == '{"type": "notification.created"}'


def test_get_connection_describes_the_connection(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (_, connection_id):
        info = running_gateway.management_client().get_connection(ConnectionId=connection_id)

    assert isinstance(info["ConnectedAt"], datetime)
    assert info["LastActiveAt"] >= info["ConnectedAt"]
    assert info["Identity"]["SourceIp"] == "127.0.0.1"
    assert info["Identity"]["UserAgent"].startswith("Python")


def test_delete_connection_closes_the_socket_and_runs_disconnect(
    running_gateway: RunningGateway,
):
    with open_socket(running_gateway) as (client, connection_id):
        running_gateway.management_client().delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed) as closed:
            client.recv(timeout=5)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    (event,) = running_gateway.functions.wait_for("disconnect")
    assert event["requestContext"]["connectionId"] == connection_id


def test_posting_to_a_closed_connection_is_gone(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (_, connection_id):
        pass
    running_gateway.functions.wait_for("disconnect")
    management = running_gateway.management_client()

    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")
    with pytest.raises(ClientError) as unknown:
        management.get_connection(ConnectionId="bm90LWEtY29ubmVjdGlvbg==")
    assert unknown.value.response["Error"]["Code"] == "GoneException"


def test_client_close_runs_disconnect_with_the_close_code(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (client, connection_id):
        client.close()

    (event,) = running_gateway.functions.wait_for("disconnect")
    context = event["requestContext"]
    assert context["eventType"] == "DISCONNECT" and context["routeKey"] == "$disconnect"
    assert context["connectionId"] == connection_id
    assert context["disconnectStatusCode"] == 1000


def test_message_over_32_kb_closes_the_socket_with_1009(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (client, _):
        client.send("x" * (32 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            client.recv(timeout=5)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    running_gateway.functions.wait_for("disconnect")
    assert running_gateway.functions.events("message") == []


def test_stopping_the_gateway_closes_clients_as_going_away(running_gateway: RunningGateway):
    with open_socket(running_gateway) as (client, _):
        running_gateway.stop()
        with pytest.raises(ConnectionClosed) as closed:
            client.recv(timeout=5)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    # The functions stop with the gateway: no $disconnect is attempted.
    assert running_gateway.functions.events("disconnect") == []
