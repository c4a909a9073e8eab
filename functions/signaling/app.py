"""Keneya signaling service: the video call of a consultation between its doctor and patient.

- WebSocket: `$connect` admits the doctor or the patient of a consultation whose room is open
  (`?token=<access token>&consultation_id=<id>`); every message is a frame of
  `chalicelib.protocol` (join, offer, answer, ice_candidate, leave, ping), relayed only to the
  other participant. Chalice gives one `$default` route; the frame's `action` picks the command.
- HTTP (under /api/v1/signaling, `chalicelib.api`): the ICE servers with time-limited TURN
  credentials.
- Events: `consultation.started` opens a room; `.completed`, `.cancelled` and `.no_show` close
  it and disconnect its members. The outbox relay publishes `call.joined` / `call.left`.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from chalicelib import api, protocol
from chalicelib.problems import problem_of
from keneya import http
from keneya.asyncapi import describe_socket
from keneya.consumer import events_queue_name
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import jwt_authorizer

app = Chalice(app_name="keneya-signaling")
app.experimental_feature_flags.update(["WEBSOCKETS"])
http.install(app, problems=problem_of)
describe_socket(app, protocol.socket_api())
# Chalice names the authorizer function's handler `app.access_token` (the function's own name):
# the module must have that attribute, or API Gateway cannot load the authorizer.
access_token = jwt_authorizer(app)
app.register_blueprint(api.blueprint(access_token))


def signaling(event: Any = None) -> Any:
    """The service's use cases, wired on first use (keeps /health and the relay light)."""
    from chalicelib.bootstrap import signaling as wired

    return wired(event.to_dict().get("requestContext") if event is not None else None)


@app.route("/health")
@operation("Whether the signaling service is up")
def health() -> dict[str, str]:
    return {"service": "signaling", "status": "ok"}


# -- WebSocket -------------------------------------------------------------------------------


@app.on_ws_connect()
def connect(event: Any) -> Any:
    """Admit the doctor or the patient of an open room; refuse anyone else at the handshake."""
    from chalicelib.rooms import NotAdmitted, RoomClosed
    from keneya.websocket import connection_principal

    request = event.to_dict()
    who = connection_principal(request)
    if who is None:
        return Response(body="Unauthorized", status_code=401)
    consultation_id = (request.get("queryStringParameters") or {}).get("consultation_id")
    if not consultation_id or len(consultation_id) > 64:
        return Response(body="consultation_id is required", status_code=400)
    try:
        signaling(event).connect(event.connection_id, who.user_id, consultation_id)
    except (NotAdmitted, RoomClosed):
        return Response(body="Forbidden", status_code=403)
    return {"statusCode": 200}


@app.on_ws_disconnect()
def disconnect(event: Any) -> dict[str, int]:
    signaling(event).disconnect(event.connection_id)
    return {"statusCode": 200}


@app.on_ws_message()
def message(event: Any) -> dict[str, int]:
    signaling(event).receive(event.connection_id, event.body)
    return {"statusCode": 200}


# -- events ----------------------------------------------------------------------------------


@app.on_sqs_message(queue=events_queue_name("signaling"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    from chalicelib.handlers import handlers
    from keneya.consumer import consume

    return consume(event, handlers(signaling()))


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events committed to the outbox (`call.joined`, `call.left`)."""
    return relay(event, event.context)
