"""Keneya records service: each patient's medical record, kept up to date by every consultation.

Routes (under /api/v1/records/{patient_id}): the record, encounters, the patient's own entries
(allergies, conditions, medications, vaccinations, observations), attachments, shares, the
access log and the FHIR export. Who may do what is decided in `chalicelib.access`; a record
one may not see answers 404 as if it did not exist. Consumes the consultation events (care
status, and the encounter on completion) and `user.registered` (the patient's name).
"""

from __future__ import annotations

from chalice import Chalice

from chalicelib import api_files, api_record
from chalicelib.api_common import records
from chalicelib.handlers import HANDLERS
from chalicelib.problems import problem_of
from keneya import http
from keneya.consumer import consume, events_queue_name
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import jwt_authorizer

app = Chalice(app_name="keneya-records")
http.install(app, problems=problem_of)
# Chalice names the authorizer function's handler `app.access_token` (the function's own name):
# the module must have that attribute, or API Gateway cannot load the authorizer.
access_token = jwt_authorizer(app)

app.register_blueprint(api_record.blueprint(access_token))
app.register_blueprint(api_files.blueprint(access_token))


@app.route("/health")
@operation("Whether the records service is up")
def health():
    return {"service": "records", "status": "ok"}


@app.on_sqs_message(queue=events_queue_name("records"), batch_size=10)
def on_event(event):
    """Apply the consultation and registration events, each once."""
    return consume(event, HANDLERS)


@app.schedule("rate(5 minutes)")
def publish_stranded(event):
    """Announce the record changes whose `record.updated` was left pending by a failure."""
    return {"published": records().publish_stranded()}


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event):
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
