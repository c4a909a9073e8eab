"""Keneya users service: patient and doctor profiles, doctors' schedules and the directory.

Routes (under /api/v1/users) are grouped in blueprints: the signed-in user's (`/me...`,
chalicelib.api_me), the public directory (`/doctors...`, `/specialties`, `/languages`,
chalicelib.api_directory), patients' profiles for those who may see them (`/patients/{id}`,
chalicelib.api_patients) and the review of doctors (`/admin/doctors...`, chalicelib.api_admin).
Each view parses, calls one `chalicelib.service.Users` method, and shapes the answer.
Profiles are opened from `user.registered`; consultations' events say which doctor may read
which patient's profile.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib import api_admin, api_directory, api_me, api_patients
from chalicelib.handlers import HANDLERS
from chalicelib.problems import problem_of
from keneya import http
from keneya.consumer import consume, events_queue_name
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import jwt_authorizer

app = Chalice(app_name="keneya-users")
http.install(app, problems=problem_of)
access_token = jwt_authorizer(app)

app.register_blueprint(api_me.blueprint(access_token))
app.register_blueprint(api_directory.blueprint())
app.register_blueprint(api_patients.blueprint(access_token))
app.register_blueprint(api_admin.blueprint(access_token))


@app.route("/health")
@operation("Whether the users service is up")
def health() -> dict[str, str]:
    return {"service": "users", "status": "ok"}


@app.on_sqs_message(queue=events_queue_name("users"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    """Apply the events of other services (each once; failures are retried, then
    dead-lettered)."""
    return consume(event, HANDLERS)


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
