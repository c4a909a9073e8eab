"""Keneya auth service: credentials, phone verification and the tokens every service trusts."""

from chalice import Chalice

from keneya import http
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn

app = Chalice(app_name="keneya-auth")
http.install(app)


@app.route("/health")
@operation("Whether the auth service is up")
def health():
    return {"service": "auth", "status": "ok"}


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event):
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
