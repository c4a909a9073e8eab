"""Keneya payments service: Orange Money and Moov Money payments and the ledger.

Routes under /api/v1/payments (`chalicelib.api`): intents, earnings, the providers'
notifications and the refunds administrators pay out. Consultations' events arrive on the queue
(`chalicelib.handlers`); a schedule reconciles pending intents with the providers; the relay
publishes the outbox.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib import api
from chalicelib.handlers import HANDLERS
from chalicelib.problems import problem_of
from keneya import http
from keneya.clock import scheduled_time
from keneya.consumer import consume, events_queue_name
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import jwt_authorizer

app = Chalice(app_name="keneya-payments")
http.install(app, problems=problem_of)
access_token = jwt_authorizer(app)


@app.route("/health")
@operation("Whether the payments service is up")
def health() -> dict[str, str]:
    return {"service": "payments", "status": "ok"}


app.register_blueprint(api.blueprint(access_token))


@app.on_sqs_message(queue=events_queue_name("payments"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    """Consultations booked (what to charge), cancelled (refunds) and expired."""
    return consume(event, HANDLERS)


@app.schedule("rate(1 minute)")
def reconcile(event: Any) -> dict[str, int]:
    """Ask the providers about every pending intent that is due; runs as of the scheduled
    event's time, so a test can replay it for a given moment."""
    from chalicelib.bootstrap import service

    return service().reconcile(scheduled_time(event))


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
