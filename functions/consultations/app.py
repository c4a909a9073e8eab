"""Keneya consultations service: booking, the lifecycle, teleconsultation sessions."""

from chalice import Chalice

from keneya import http
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn

app = Chalice(app_name="keneya-consultations")
http.install(app)


@app.route("/health")
@operation("Whether the consultations service is up")
def health():
    return {"service": "consultations", "status": "ok"}


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event):
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
