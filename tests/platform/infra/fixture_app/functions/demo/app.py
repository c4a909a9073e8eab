"""A small app with every kind of function the packaging step rewires."""

import os

from chalice import Chalice

app = Chalice(app_name="keneya-demo")
app.experimental_feature_flags.update(["WEBSOCKETS"])


@app.route("/health")
def health():
    return {"service": "demo", "status": "ok"}


@app.on_sqs_message(queue=os.environ.get("EVENTS_QUEUE_NAME", "demo-events"), batch_size=10)
def handle_events_of_other_services_with_a_rather_long_name(event):
    return {"batchItemFailures": []}


@app.on_dynamodb_record(
    stream_arn=os.environ.get(
        "TABLE_STREAM_ARN", "arn:aws:dynamodb:us-east-1:000000000000:table/demo/stream/x"
    )
)
def publish_outbox(event):
    return {"batchItemFailures": []}


@app.schedule("rate(5 minutes)")
def send_reminders(event):
    return None


@app.on_ws_connect()
def connect(event):
    return {"statusCode": 200}


@app.on_ws_message()
def message(event):
    return None


@app.on_ws_disconnect()
def disconnect(event):
    return {"statusCode": 200}
