"""The local provisioner builds a template's resources on a moto server, over HTTP."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from keneya_local.cfn import TemplateError
from keneya_local.provision import Deployment, environment_name, provision

TEMPLATE = Path(__file__).with_name("template.yaml")
REGION = "us-east-1"


@pytest.fixture(scope="module")
def prefix() -> str:
    return f"p{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def deployment(
    aws_endpoint: str, prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Deployment:
    return provision(
        TEMPLATE,
        endpoint_url=aws_endpoint,
        region=REGION,
        stage="local",
        parameter_overrides={"Prefix": prefix},
        functions_dir=tmp_path_factory.mktemp("functions"),
    )


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


def test_table_has_its_gsi_stream_and_ttl(deployment: Deployment, aws_endpoint: str, prefix: str):
    ddb = client("dynamodb", aws_endpoint)

    table = ddb.describe_table(TableName=f"{prefix}-local-orders")["Table"]

    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    ttl = ddb.describe_time_to_live(TableName=f"{prefix}-local-orders")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    orders = deployment.resources["OrdersTable"]
    assert orders.physical_id == f"{prefix}-local-orders"
    assert orders.attributes["StreamArn"] == table["LatestStreamArn"]


def test_topic_delivers_only_matching_types_to_the_queue_raw(
    deployment: Deployment, aws_endpoint: str
):
    sns, sqs = client("sns", aws_endpoint), client("sqs", aws_endpoint)
    topic_arn = deployment.resources["EventsTopic"].physical_id
    queue_url = deployment.resources["WorkerQueue"].physical_id

    for event_type in ("user.registered", "order.placed", "order.paid.partially"):
        sns.publish(
            TopicArn=topic_arn,
            Message=json.dumps({"type": event_type}),
            MessageAttributes={"type": {"DataType": "String", "StringValue": event_type}},
        )

    bodies = []
    for _ in range(3):  # moto delivers on publish; a short long-poll covers a slower endpoint
        received = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        bodies += [json.loads(message["Body"]) for message in received]
        for message in received:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if len(bodies) >= 2:
            break
    # Raw delivery: the body is the published message itself, not SNS's JSON envelope.
    assert sorted(body["type"] for body in bodies) == ["order.paid.partially", "order.placed"]


def test_queue_redrives_to_its_dead_letter_queue(deployment: Deployment, aws_endpoint: str):
    queue = deployment.resources["WorkerQueue"]
    dlq = deployment.resources["WorkerDeadLetterQueue"]

    attributes = client("sqs", aws_endpoint).get_queue_attributes(
        QueueUrl=queue.physical_id, AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
    )["Attributes"]

    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq.attributes["Arn"],
        "maxReceiveCount": 3,
    }
    assert attributes["VisibilityTimeout"] == "30"


def test_bucket_secret_and_parameter_exist(deployment: Deployment, aws_endpoint: str, prefix: str):
    cors = client("s3", aws_endpoint).get_bucket_cors(Bucket=f"{prefix}-local-attachments")
    secret = client("secretsmanager", aws_endpoint).get_secret_value(
        SecretId=deployment.resources["SigningSecret"].physical_id
    )
    flag = client("ssm", aws_endpoint).get_parameter(Name=f"/{prefix}/local/flags")

    assert cors["CORSRules"][0]["AllowedOrigins"] == [
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ]
    assert cors["CORSRules"][0]["MaxAgeSeconds"] == 3000
    generated = json.loads(secret["SecretString"])
    assert generated["kid"] == "k1"
    assert len(generated["secret"]) == 40 and generated["secret"].isalnum()
    assert flag["Parameter"]["Value"] == "local-on"  # the IsLocal branch of the !If


def test_resources_whose_condition_is_false_are_not_created(
    deployment: Deployment, aws_endpoint: str, prefix: str
):
    queues = client("sqs", aws_endpoint).list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])

    assert "ProdOnlyQueue" not in deployment.resources
    assert sorted(url.rsplit("/", 1)[1] for url in queues) == [
        f"{prefix}-local-worker",
        f"{prefix}-local-worker-dlq",
    ]


def test_services_get_resolved_names_and_arns(deployment: Deployment, prefix: str):
    orders, worker = deployment.services["orders"], deployment.services["worker"]
    resources = deployment.resources

    assert orders.environment == {
        "TABLE_NAME": f"{prefix}-local-orders",
        "TABLE_STREAM_ARN": resources["OrdersTable"].attributes["StreamArn"],
        "EVENTS_TOPIC_ARN": f"arn:aws:sns:{REGION}:123456789012:{prefix}-local-events",
        "ATTACHMENTS_BUCKET": f"{prefix}-local-attachments",
        "SIGNING_SECRET_ARN": resources["SigningSecret"].physical_id,
        "WORKER_FUNCTION_ARN": "arn:aws:serverless:us-east-1:123456789012:local-WorkerFunction",
    }
    assert worker.environment == {
        "EVENTS_QUEUE_NAME": f"{prefix}-local-worker",
        "EVENTS_QUEUE_URL": resources["WorkerQueue"].physical_id,
        "FEATURE_FLAG_NAME": f"/{prefix}/local/flags",
        "PUBLIC_URL": f"https://{prefix}-local-attachments.s3.{REGION}.amazonaws.com/{REGION}",
        "ALLOWED_ORIGINS": "http://localhost:5173,http://127.0.0.1:5173",
    }  # LayerArn is listed in Metadata.NotEnvironment: wiring, not environment
    assert orders.code_dir.name == "orders" and worker.code_dir.name == "worker"
    assert "WorkerFunction" not in resources  # referenced, but never created


def test_provisioning_twice_reuses_what_exists(
    deployment: Deployment, aws_endpoint: str, prefix: str
):
    again = provision(
        TEMPLATE,
        endpoint_url=aws_endpoint,
        region=REGION,
        stage="local",
        parameter_overrides={"Prefix": prefix},
        functions_dir=next(iter(deployment.services.values())).code_dir.parent,
    )

    assert again == deployment
    subscriptions = client("sns", aws_endpoint).list_subscriptions_by_topic(
        TopicArn=deployment.resources["EventsTopic"].physical_id
    )["Subscriptions"]
    assert len(subscriptions) == 1


def test_service_code_is_found_in_the_functions_folder_above_the_template(
    aws_endpoint: str, prefix: str
):
    deployment = provision(
        TEMPLATE, endpoint_url=aws_endpoint, stage="local", parameter_overrides={"Prefix": prefix}
    )

    repository = Path(__file__).resolve().parents[3]
    assert deployment.services["orders"].code_dir == repository / "functions" / "orders"


@pytest.mark.parametrize(
    ("parameter", "variable"),
    [
        ("EventsTopicArn", "EVENTS_TOPIC_ARN"),
        ("TableName", "TABLE_NAME"),
        ("JWKSUrl", "JWKS_URL"),
        ("S3BucketName", "S3_BUCKET_NAME"),
        ("REDIS_URL", "REDIS_URL"),
    ],
)
def test_parameter_names_become_upper_snake_case_variables(parameter: str, variable: str):
    assert environment_name(parameter) == variable


def test_circular_references_are_reported(aws_endpoint: str, tmp_path: Path, prefix: str):
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  First:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        f"      QueueName: {prefix}-first\n"
        "      RedrivePolicy: {deadLetterTargetArn: !GetAtt Second.Arn, maxReceiveCount: 1}\n"
        "  Second:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        f"      QueueName: {prefix}-second\n"
        "      RedrivePolicy: {deadLetterTargetArn: !GetAtt First.Arn, maxReceiveCount: 1}\n"
    )

    with pytest.raises(TemplateError, match="circular reference: First -> Second -> First"):
        provision(template, endpoint_url=aws_endpoint)
