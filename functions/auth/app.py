"""Keneya auth service: credentials, phone verification and the tokens every service trusts.

Routes (under /api/v1/auth) are in `chalicelib.api`: register, otp/send, otp/verify, login,
refresh, logout, logout-all, password/reset, password/change, .well-known/jwks.json; what each
does is in `chalicelib.service`. A daily schedule rotates the signing keys; the outbox relay
publishes the service's events. Administrators are created by `python -m chalicelib.admin`,
never through this API.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib.api import api
from chalicelib.problems import problem_of
from keneya import http
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn

app = Chalice(app_name="keneya-auth")
http.install(app, problems=problem_of)
app.register_blueprint(api)


@app.route("/health")
@operation("Whether the auth service is up")
def health() -> dict[str, str]:
    return {"service": "auth", "status": "ok"}


@app.schedule("rate(1 day)")
def rotate_signing_keys(event: Any) -> dict[str, Any]:
    """Add a signing key when the active one is 30 days old; drop keys whose tokens expired."""
    from chalicelib.bootstrap import service

    return {"kids": service().rotate_signing_keys()}


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
