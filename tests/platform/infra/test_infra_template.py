"""infra/template.yaml holds the system's shared resources as the design describes them."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from infra.cfn_yaml import load_template
from infra.service_stack import environment_name, services_of
from tests.platform.infra.builds import REPO, SERVICES, lint

# Who consumes which event types (DESIGN.md, "Events"): the subscriptions must say exactly this.
CONSUMED = {
    "users": {
        "user.registered", "user.phone_verified", "consultation.booked",
        "consultation.completed", "consultation.cancelled", "consultation.expired",
    },
    "consultations": {
        "payment.succeeded", "payment.failed", "payment.refunded", "doctor.verified",
        "doctor.suspended", "doctor.availability_changed", "profile.updated", "call.joined",
        "call.left",
    },
    "records": {
        "consultation.booked", "consultation.confirmed", "consultation.started",
        "consultation.completed", "consultation.cancelled", "consultation.expired",
        "consultation.no_show", "user.registered",
    },
    "payments": {"consultation.booked", "consultation.cancelled", "consultation.expired"},
    "notifications": {
        "user.registered", "auth.otp_requested", "user.phone_verified", "doctor.verified",
        "consultation.booked", "consultation.confirmed", "consultation.cancelled",
        "consultation.expired", "consultation.reminder_due", "consultation.started",
        "consultation.completed", "payment.succeeded", "payment.failed", "payment.refunded",
        "record.updated", "auth.password_changed", "profile.updated", "call.joined",
    },
    "signaling": {
        "consultation.started", "consultation.completed", "consultation.cancelled",
        "consultation.no_show",
    },
}
EMITTERS = {"auth", "users", "consultations", "records", "payments"}
FOURTEEN_DAYS = 14 * 24 * 3600


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(REPO / "infra" / "template.yaml")


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def physical_name(resource: dict[str, Any], key: str) -> str:
    return resource["Properties"][key]["Fn::Sub"]


def queue_named(template: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    for logical_id, queue in of_type(template, "AWS::SQS::Queue").items():
        if physical_name(queue, "QueueName") == name:
            return logical_id, queue
    raise AssertionError(f"no queue named {name}")


def test_each_consuming_service_is_subscribed_to_exactly_its_event_types(template):
    subscriptions = of_type(template, "AWS::SNS::Subscription")
    by_queue = {}
    for subscription in subscriptions.values():
        properties = subscription["Properties"]
        if properties["Protocol"] != "sqs":
            continue
        assert properties["TopicArn"] == {"Ref": "EventsTopic"}
        assert properties["RawMessageDelivery"] is True
        assert properties["FilterPolicyScope"] == "MessageAttributes"
        assert set(properties["FilterPolicy"]) == {"type"}
        by_queue[properties["Endpoint"]["Fn::GetAtt"][0]] = set(properties["FilterPolicy"]["type"])

    for service, types in CONSUMED.items():
        logical_id, _ = queue_named(template, f"keneya-${{Stage}}-{service}-events")
        assert by_queue.pop(logical_id) == types, service
    assert by_queue == {}, "a subscription for a service that consumes nothing"


@pytest.mark.parametrize("service", sorted(CONSUMED))
def test_events_queue_moves_a_message_to_its_dead_letter_queue_after_five_receives(
    template, service
):
    _, queue = queue_named(template, f"keneya-${{Stage}}-{service}-events")
    dlq_id, dlq = queue_named(template, f"keneya-${{Stage}}-{service}-events-dlq")

    redrive = queue["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": 5}
    assert dlq["Properties"]["MessageRetentionPeriod"] == FOURTEEN_DAYS
    assert queue["Properties"]["VisibilityTimeout"] == {"Ref": "EventsVisibilityTimeout"}


def test_visibility_timeout_default_is_six_times_the_default_lambda_timeout(template):
    # Chalice's default lambda_timeout is 60 s; the packaging step checks each app's own.
    assert template["Parameters"]["EventsVisibilityTimeout"]["Default"] >= 6 * 60


def test_only_the_events_topic_may_send_to_an_events_queue(template):
    policies = of_type(template, "AWS::SQS::QueuePolicy")
    covered = set()
    for policy in policies.values():
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "EventsTopic"}}}
        (queue_ref,) = policy["Properties"]["Queues"]
        assert statement["Resource"] == {"Fn::GetAtt": [queue_ref["Ref"], "Arn"]}
        covered.add(queue_ref["Ref"])
    expected = {queue_named(template, f"keneya-${{Stage}}-{s}-events")[0] for s in CONSUMED}
    assert covered == expected


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_table_keyed_pk_sk_with_gsi1_stream_and_ttl(template, service):
    (table,) = [
        t for t in of_type(template, "AWS::DynamoDB::Table").values()
        if physical_name(t, "TableName") == f"keneya-${{Stage}}-{service}"
    ]
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}
    ]
    (index,) = properties["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "gsi1"
    assert index["KeySchema"] == [
        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]} == {
        "pk": "S", "sk": "S", "gsi1pk": "S", "gsi1sk": "S"
    }
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": {"Fn::If": ["IsCloud", True, False]}
    }
    assert template["Conditions"]["IsCloud"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "local"]}]
    }


def test_attachments_bucket_is_private_encrypted_and_open_to_browser_uploads(template):
    bucket = template["Resources"]["AttachmentsBucket"]
    properties = bucket["Properties"]
    assert all(properties["PublicAccessBlockConfiguration"].values())
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    (cors,) = properties["CorsConfiguration"]["CorsRules"]
    assert {"PUT", "POST", "GET"} <= set(cors["AllowedMethods"])
    assert cors["AllowedOrigins"] == {"Ref": "WebOrigins"}


def test_each_service_stack_is_named_after_its_service_and_gets_its_wiring(template):
    services = {wiring.name: wiring for wiring in services_of(template)}
    assert set(services) == set(SERVICES)
    common = {"ServiceName", "Stage", "EventsTopicArn", "TableName", "LayerArn", "JwtIssuer",
              "JwtAudience"}
    for name, wiring in services.items():
        application = template["Resources"][wiring.logical_id]
        assert wiring.logical_id == f"{name.capitalize()}Service"
        assert application["Properties"]["Location"] == f"../build/{name}/sam.json"
        given = set(wiring.parameters)
        assert common <= given, name
        assert ({"TableStreamArn", "OutboxFailureQueueArn"} <= given) == (name in EMITTERS)
        assert ({"EventsQueueName", "EventsQueueArn"} <= given) == (name in CONSUMED)
        assert ("RedisUrl" in given) == (name in {"auth", "users"})
        assert ("MongoUrl" in given) == (name == "records")
        assert ("AttachmentsBucket" in given) == (name in {"records", "users"})
        assert ("JwksUrl" in given) == (name != "auth")
        # The WebSocket services also get the emulators' path-style API base (wiring only).
        sockets = {"ExecuteApiEndpoint"} if name in {"notifications", "signaling"} else set()
        assert wiring.not_environment == {"LayerArn"} | sockets, name


def test_every_service_parameter_maps_to_an_environment_variable_by_the_naming_rule(template):
    for wiring in services_of(template):
        for name in wiring.parameters:
            # Plain PascalCase words: the rule gives one obvious variable name for each.
            assert re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name), name
        assert wiring.environment["EventsTopicArn"] == "EVENTS_TOPIC_ARN"
        assert wiring.environment["TableName"] == "TABLE_NAME"
        assert "LayerArn" not in wiring.environment
    assert environment_name("TableStreamArn") == "TABLE_STREAM_ARN"
    assert environment_name("EventsQueueName") == "EVENTS_QUEUE_NAME"
    assert environment_name("JwtSigningKeySecretArn") == "JWT_SIGNING_KEY_SECRET_ARN"


def test_custom_domain_maps_each_service_at_api_v1_only_when_a_domain_is_given(template):
    mappings = of_type(template, "AWS::ApiGatewayV2::ApiMapping")
    keys = {m["Properties"]["ApiMappingKey"] for m in mappings.values()}
    assert keys == {f"api/v1/{service}" for service in SERVICES}
    assert {m.get("Condition") for m in mappings.values()} == {"HasDomain"}
    for mapping in mappings.values():
        (application, output) = mapping["Properties"]["ApiId"]["Fn::GetAtt"]
        assert output == "Outputs.RestAPIId"
        service = mapping["Properties"]["ApiMappingKey"].rsplit("/", 1)[1]
        assert application == f"{service.capitalize()}Service"


def test_outputs_give_the_api_urls_websocket_urls_and_topic(template):
    outputs = template["Outputs"]
    assert outputs["EventsTopicArn"]["Value"] == {"Ref": "EventsTopic"}
    for service in SERVICES:
        assert outputs[f"{service.capitalize()}ApiUrl"]["Value"] == {
            "Fn::GetAtt": [f"{service.capitalize()}Service", "Outputs.EndpointURL"]
        }
    for service in ("notifications", "signaling"):
        assert outputs[f"{service.capitalize()}WebSocketUrl"]["Value"] == {
            "Fn::GetAtt": [f"{service.capitalize()}Service", "Outputs.WebsocketConnectEndpointURL"]
        }


def test_infra_template_passes_cfn_lint(tmp_path: Path):
    # Linted alone: its nested stacks (../build/...) are checked with a fresh build elsewhere.
    (tmp_path / "infra").mkdir()
    shutil.copy(REPO / "infra" / "template.yaml", tmp_path / "infra" / "template.yaml")

    assert lint([tmp_path / "infra" / "template.yaml"]) == []


def test_samconfig_deploys_the_composed_template_to_localstack_staging_and_prod():
    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    for environment, stage in (("localstack", "local"), ("staging", "staging"), ("prod", "prod")):
        deploy = config[environment]["deploy"]["parameters"]
        assert deploy["template_file"] == "build/template.yaml"
        assert "CAPABILITY_AUTO_EXPAND" in deploy["capabilities"]  # nested SAM applications
        overrides = dict(item.split("=", 1) for item in deploy["parameter_overrides"].split())
        assert overrides["Stage"] == stage
        if environment != "localstack":
            # Credentials come from the deployer's secret store, never from this file.
            assert not {"RedisUrl", "MongoUrl"} & set(overrides)
