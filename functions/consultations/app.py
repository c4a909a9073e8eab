"""Keneya consultations service: booking, the consultation lifecycle, teleconsultation sessions.

Routes (under /api/v1/consultations) are in `chalicelib.api`: GET /slots (public), POST / (book),
GET / (the caller's), GET /{id}, and the lifecycle actions (cancel, start, join, complete,
no-show). Events from the users, payments and signaling services arrive on the service's queue
(`chalicelib.handlers`); a schedule expires unpaid bookings and sends reminders; the outbox relay
publishes what was committed.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib import api
from chalicelib.bootstrap import service
from chalicelib.handlers import HANDLERS
from chalicelib.problems import problem_of
from keneya import http
from keneya.clock import scheduled_time
from keneya.consumer import consume, events_queue_name
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import jwt_authorizer

app = Chalice(app_name="keneya-consultations")
http.install(app, problems=problem_of)
access_token = jwt_authorizer(app)
app.register_blueprint(api.blueprint(access_token))


@app.route("/health")
@operation("Whether the consultations service is up")
def health() -> dict[str, str]:
    return {"service": "consultations", "status": "ok"}


@app.on_sqs_message(queue=events_queue_name("consultations"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    """Doctors' copies from the users service; payments confirming, failing, refunding; who
    joined and left the video call, from the signaling service."""
    return consume(event, HANDLERS)


@app.schedule("rate(1 minute)")
def sweep_due_work(event: Any) -> dict[str, int]:
    """Expire unpaid bookings past their deadline; send the reminders due. The sweep runs as of
    the scheduled event's time, so it can be replayed for a given moment."""
    return service().sweep(scheduled_time(event))


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
