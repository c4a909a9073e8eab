"""Keneya records service: each patient's medical record, kept up to date by every consultation."""

from chalice import Chalice

from keneya import http
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn

app = Chalice(app_name="keneya-records")
http.install(app)


@app.route("/health")
@operation("Whether the records service is up")
def health():
    return {"service": "records", "status": "ok"}


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event):
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
