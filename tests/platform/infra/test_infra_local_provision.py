"""The local runtime reads infra/template.yaml: each service's environment and a working backbone.

The template is provisioned on the session's moto server (over HTTP) as `make up` does, then an
event published to the topic must reach exactly the queues whose filter policy names its type.
"""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from keneya_local.provision import Deployment, provision
from tests.platform.infra.builds import REPO, SERVICES

# A stage the other suites do not provision, so no test shares these resources.
STAGE = "staging"


@pytest.fixture(scope="module")
def deployment(aws_endpoint: str) -> Deployment:
    return provision(
        REPO / "infra" / "template.yaml",
        endpoint_url=aws_endpoint,
        stage=STAGE,
        parameter_overrides={
            "RedisUrl": "redis://127.0.0.1:6379/0",
            "MongoUrl": "mongodb://127.0.0.1:27017/keneya",
            "JwksUrl": "http://127.0.0.1:3000/api/v1/auth/.well-known/jwks.json",
        },
        functions_dir=REPO / "functions",
    )


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def receive_all(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """The messages waiting in the queue now, deleted as they are read."""
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages += batch
    return messages


def test_each_service_gets_its_code_and_environment_from_the_template(deployment: Deployment):
    assert set(deployment.services) == set(SERVICES)
    for name, spec in deployment.services.items():
        assert spec.code_dir == REPO / "functions" / name
        assert spec.environment["SERVICE_NAME"] == name
        assert spec.environment["STAGE"] == STAGE
        assert spec.environment["TABLE_NAME"] == f"keneya-{STAGE}-{name}"
        assert spec.environment["EVENTS_TOPIC_ARN"].endswith(f":keneya-{STAGE}-events")
    users = deployment.services["users"].environment
    assert users["EVENTS_QUEUE_NAME"] == f"keneya-{STAGE}-users-events"
    assert users["TABLE_STREAM_ARN"].startswith("arn:aws:dynamodb:")
    assert users["JWKS_URL"] == "http://127.0.0.1:3000/api/v1/auth/.well-known/jwks.json"
    assert users["ATTACHMENTS_PREFIX"] == "photos/"
    assert deployment.services["records"].environment["MONGO_URL"].startswith("mongodb://")


def test_an_event_reaches_exactly_the_queues_subscribed_to_its_type(
    deployment: Deployment, aws_endpoint: str
):
    sns, sqs = client("sns", aws_endpoint), client("sqs", aws_endpoint)
    queues = {
        name: sqs.get_queue_url(QueueName=f"keneya-{STAGE}-{name}-events")["QueueUrl"]
        for name in ("users", "consultations", "records", "payments", "notifications", "signaling")
    }
    for url in queues.values():
        receive_all(sqs, url)
    body = json.dumps({"id": "evt-1", "type": "user.registered", "data": {}})

    sns.publish(
        TopicArn=deployment.services["auth"].environment["EVENTS_TOPIC_ARN"],
        Message=body,
        MessageAttributes={"type": {"DataType": "String", "StringValue": "user.registered"}},
    )

    received: dict[str, list[dict[str, Any]]] = {name: [] for name in queues}
    deadline = time.monotonic() + 5
    while not any(received.values()) and time.monotonic() < deadline:
        for name, url in queues.items():
            received[name] += receive_all(sqs, url)
    time.sleep(0.2)  # anything still in flight to the other queues is counted too
    for name, url in queues.items():
        received[name] += receive_all(sqs, url)
    reached = {name for name, messages in received.items() if messages}
    assert reached == {"users", "records", "notifications"}
    # Raw delivery: the consumer gets the envelope itself, not SNS's wrapper around it.
    assert [m["Body"] for m in received["users"]] == [body]


def test_the_provider_secrets_point_at_the_sandboxes_of_the_stack_that_runs_payments(
    deployment: Deployment, aws_endpoint: str
):
    from keneya_local.provision import point_secrets_at_sandboxes

    secrets = client("secretsmanager", aws_endpoint)
    orange_arn = deployment.services["payments"].environment["ORANGE_MONEY_SECRET_ARN"]
    moov_arn = deployment.services["payments"].environment["MOOV_MONEY_SECRET_ARN"]
    assert deployment.sandbox_secrets == {"orange-money": orange_arn, "moov-money": moov_arn}
    values = {
        "orange-money": {"client_id": "om", "base_url": "http://127.0.0.1:9/_sandbox/om"},
        "moov-money": {"username": "mv", "base_url": "http://127.0.0.1:9/_sandbox/mv"},
    }
    before = secrets.get_secret_value(SecretId=orange_arn)["SecretString"]

    # a stack that runs auth alone leaves them as they are
    untouched = point_secrets_at_sandboxes(deployment, values, ["auth"], endpoint_url=aws_endpoint)
    assert untouched == []
    assert secrets.get_secret_value(SecretId=orange_arn)["SecretString"] == before

    # a stack that runs payments points them at its sandboxes
    written = point_secrets_at_sandboxes(
        deployment, values, ["auth", "payments"], endpoint_url=aws_endpoint
    )
    assert written == ["moov-money", "orange-money"]
    for arn, value in ((orange_arn, values["orange-money"]), (moov_arn, values["moov-money"])):
        assert json.loads(secrets.get_secret_value(SecretId=arn)["SecretString"]) == value
