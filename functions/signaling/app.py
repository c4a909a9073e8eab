"""Keneya signaling service: WebRTC signaling and TURN credentials for video consultations."""

import json

import boto3
from chalice import Chalice, Response

from keneya import http
from keneya.openapi import operation
from keneya.websocket import connection_principal

app = Chalice(app_name="keneya-signaling")
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.websocket_api.session = boto3.session.Session()
http.install(app)


@app.route("/health")
@operation("Whether the signaling service is up")
def health():
    return {"service": "signaling", "status": "ok"}


@app.on_ws_connect()
def connect(event):
    """Admit only callers with a valid access token in the `token` query parameter."""
    if connection_principal(event.to_dict()) is None:
        return Response(body="Unauthorized", status_code=401)
    return {"statusCode": 200}


@app.on_ws_disconnect()
def disconnect(event):
    return {"statusCode": 200}


@app.on_ws_message()
def message(event):
    reply = {"type": "error", "code": "unknown_action", "message": "No such action."}
    app.websocket_api.send(event.connection_id, json.dumps(reply))
