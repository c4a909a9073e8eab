"""A small Chalice app with a WebSocket API, served by the local WebSocket gateway in tests."""

from __future__ import annotations

import json
from typing import Any

from chalice import Chalice
from chalice.app import WebsocketEvent

app = Chalice(app_name="ws-fixture")

TOKEN = "let-me-in"


@app.on_ws_connect()
def connect(event: WebsocketEvent) -> dict[str, Any]:
    query = event.to_dict().get("queryStringParameters") or {}
    if query.get("token") == "explode":
        raise RuntimeError("connect handler failed")
    if query.get("token") != TOKEN:
        return {"statusCode": 403}
    offered = event.to_dict()["headers"].get("Sec-WebSocket-Protocol", "")
    if "chat.v1" in [protocol.strip() for protocol in offered.split(",")]:
        return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "chat.v1"}}
    return {"statusCode": 200}


@app.on_ws_message()
def message(event: WebsocketEvent) -> None:
    body = event.json_body if event.body.startswith("{") else {"text": event.body}
    if body.get("action") == "explode":
        raise RuntimeError("message handler failed")
    reply = {"route": "$default", "received": body, "connectionId": event.connection_id}
    app.websocket_api.send(event.connection_id, json.dumps(reply))


@app.on_ws_disconnect()
def disconnect(event: WebsocketEvent) -> None:
    # API Gateway ignores what $disconnect returns; the test reads the event it was given.
    return None


# API Gateway can route on `action` to further routes; Chalice has no decorator for them, so a
# plain Lambda function stands for the function behind a custom route key.
@app.lambda_function(name="shout")
def shout(event: dict[str, Any], context: Any) -> dict[str, Any]:
    text = json.loads(event["body"])["text"]
    app.websocket_api.send(
        event["requestContext"]["connectionId"],
        json.dumps({"route": event["requestContext"]["routeKey"], "text": text.upper()}),
    )
    return {"statusCode": 200}
