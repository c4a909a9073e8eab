"""Keneya notifications service: in-app notifications over WebSocket, SMS, e-mail and push.

- HTTP (under /api/v1/notifications): the inbox, preferences and push devices
  (`chalicelib.api`).
- WebSocket: `$connect` admits a valid access token given as the `token` query parameter and
  remembers the connection; `$disconnect` forgets it; messages are the client's actions
  (`chalicelib.socket_actions`).
- Events (its SQS queue, `chalicelib.handlers`): each consumed event becomes notices delivered
  by `chalicelib.service`; a transient channel failure sends the event back for a later retry,
  later each time.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from chalicelib import api
from chalicelib.problems import problem_of
from chalicelib.socket_protocol import socket_api
from keneya import http
from keneya.asyncapi import describe_socket
from keneya.consumer import events_queue_name
from keneya.openapi import operation
from keneya.tokens import jwt_authorizer

app = Chalice(app_name="keneya-notifications")
app.experimental_feature_flags.update(["WEBSOCKETS"])
http.install(app, problems=problem_of)
describe_socket(app, socket_api())
# Chalice names the authorizer function's handler `app.access_token` (the function's own name):
# the module must have that attribute, or API Gateway cannot load the authorizer.
access_token = jwt_authorizer(app)
app.register_blueprint(api.blueprint(access_token))


def parts() -> Any:
    """The service's parts, wired on first use (keeps /health and the socket handlers' cold
    start free of what they do not use)."""
    from chalicelib.bootstrap import parts as wired

    return wired()


@app.route("/health")
@operation("Whether the notifications service is up")
def health() -> dict[str, str]:
    return {"service": "notifications", "status": "ok"}


# -- WebSocket -------------------------------------------------------------------------------


@app.on_ws_connect()
def connect(event: Any) -> Any:
    """Admit only callers with a valid access token in the `token` query parameter."""
    from keneya.websocket import connection_principal

    who = connection_principal(event.to_dict())
    if who is None:
        return Response(body="Unauthorized", status_code=401)
    parts().connections.open(event.connection_id, who.user_id, who.role)
    return {"statusCode": 200}


@app.on_ws_disconnect()
def disconnect(event: Any) -> dict[str, int]:
    parts().connections.close(event.connection_id)
    return {"statusCode": 200}


@app.on_ws_message()
def message(event: Any) -> dict[str, int]:
    from chalicelib.socket_actions import SocketActions

    wired = parts()
    owner = wired.connections.owner(event.connection_id)
    SocketActions(wired.inbox, wired.sockets).handle(owner, event.connection_id, event.body)
    return {"statusCode": 200}


# -- events ----------------------------------------------------------------------------------


@app.on_sqs_message(queue=events_queue_name("notifications"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    from chalicelib.handlers import consume_events as consume

    wired = parts()
    return consume(event, wired.dispatcher.handle, wired.batch.scope)
