"""`make package` (infra/package.py): one deployment package per service, wired to the template.

The fixture system (tests/platform/infra/fixture_app: one app with every kind of function) pins the
rewiring down in detail; the whole system is then packaged once and checked for what every
service must have.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from infra.service_stack import environment_name
from tests.platform.infra.builds import (
    SERVICES,
    Build,
    copy_fixture_app,
    lint,
    run_package,
)

pytestmark = pytest.mark.slow

WEBSOCKET_SERVICES = {"notifications", "signaling"}


def functions_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def events_of(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        event["Properties"]
        for function in functions_of(template).values()
        for event in (function.get("Events") or {}).values()
        if event["Type"] == kind
    ]


def statements_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (policy,) = template["Resources"]["ServiceRole"]["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


# --- the fixture system: how a Chalice template is rewired ------------------------------------


def test_sqs_handler_reads_the_template_queue_and_reports_partial_batch_failures(fixture_build):
    (sqs,) = events_of(fixture_build.nested("demo"), "SQS")

    assert sqs["Queue"] == {"Ref": "EventsQueueArn"}
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sqs["BatchSize"] == 10


def test_outbox_relay_reads_the_table_stream_from_the_oldest_record_and_records_failures(
    fixture_build,
):
    (stream,) = events_of(fixture_build.nested("demo"), "DynamoDB")

    assert stream["Stream"] == {"Ref": "TableStreamArn"}
    assert stream["StartingPosition"] == "TRIM_HORIZON"
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True
    assert 0 < stream["MaximumRetryAttempts"] <= 10
    assert stream["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Ref": "OutboxFailureQueueArn"}}
    }


def test_every_function_gets_the_service_environment_the_layer_and_the_service_role(
    fixture_build,
):
    nested = fixture_build.nested("demo")
    passed = fixture_build.root()["Resources"]["DemoService"]["Properties"]["Parameters"]
    functions = functions_of(nested)
    assert len(functions) == 7  # REST, SQS, stream, schedule and three WebSocket handlers

    assert set(nested["Parameters"]) == set(passed)
    for properties in functions.values():
        variables = properties["Environment"]["Variables"]
        for name in passed:
            if name != "LayerArn":
                assert variables[environment_name(name)] == {"Ref": name}
        assert "LAYER_ARN" not in variables
        assert properties["Layers"][0] == {"Ref": "LayerArn"}
        assert properties["Role"] == {"Fn::GetAtt": ["ServiceRole", "Arn"]}
        assert properties["Runtime"] == "python3.11"
    assert nested["Parameters"]["RedisUrl"]["NoEcho"] is True


def test_template_values_win_over_chalice_config_and_other_config_variables_stay(fixture_build):
    for properties in functions_of(fixture_build.nested("demo")).values():
        variables = properties["Environment"]["Variables"]
        assert variables["STAGE"] == {"Ref": "Stage"}  # config.json says "dev"
        assert variables["DEMO_GREETING"] == "hello"
    assert "kept from .chalice/config.json: DEMO_GREETING" in fixture_build.stdout


def test_websocket_handlers_can_push_outside_a_websocket_request(fixture_build):
    nested = fixture_build.nested("demo")
    stage = nested["Resources"]["WebsocketAPIStage"]["Properties"]["StageName"]

    for properties in functions_of(nested).values():
        url = properties["Environment"]["Variables"]["WEBSOCKET_MANAGEMENT_URL"]["Fn::Sub"]
        assert url.startswith("https://${WebsocketAPI}.execute-api.")
        assert url.endswith(f"/{stage}")
    assert statements_of(nested)["PushToOwnSockets"]["Action"] == ["execute-api:ManageConnections"]


def test_websocket_stage_deploys_every_change_itself(fixture_build):
    # Chalice's Deployment resource keeps its logical id, so a stack update would never deploy
    # a changed route; an auto-deploying stage does (and MiniStack has no such resource).
    resources = fixture_build.nested("demo")["Resources"]

    assert not [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Deployment"]
    stage = resources["WebsocketAPIStage"]
    assert stage["Properties"]["AutoDeploy"] is True
    assert "DeploymentId" not in stage["Properties"]
    routes = [k for k, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Route"]
    assert set(routes) <= set(stage["DependsOn"])


def test_service_role_reaches_only_the_service_own_resources(fixture_build):
    nested = fixture_build.nested("demo")
    statements = statements_of(nested)

    assert statements and all(s["Effect"] == "Allow" for s in statements.values())
    assert statements["OwnTable"]["Resource"][0] == {
        "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}"
        ":table/${TableName}"
    }
    assert statements["OwnTableStream"]["Resource"] == {"Ref": "TableStreamArn"}
    assert statements["ConsumeOwnQueue"]["Resource"] == {"Ref": "EventsQueueArn"}
    assert statements["PublishEvents"]["Resource"] == {"Ref": "EventsTopicArn"}
    assert statements["RecordOutboxFailures"]["Resource"] == {"Ref": "OutboxFailureQueueArn"}
    assert statements["OwnAttachments"]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::${AttachmentsBucket}/${AttachmentsPrefix}*"
    }
    # Only the secret the template lists as written may be written.
    assert "secretsmanager:PutSecretValue" in statements["SecretSigningKeySecret"]["Action"]
    assert statements["SecretProviderSecret"]["Action"] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]
    # "*" only where AWS offers nothing narrower, and never for data.
    wide = {sid for sid, s in statements.items() if s.get("Resource") == "*"}
    assert wide <= {"FindStreams", "EncryptEvents", "Tracing"}
    assert "Condition" in statements["EncryptEvents"]
    assert statements["SendSms"]["NotResource"] == "arn:*:sns:*:*:*"
    # Chalice's own role (with its broad autogenerated policy) is gone.
    roles = [r for r in nested["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert roles == [nested["Resources"]["ServiceRole"]]


def test_function_names_fit_lambda_limit_even_for_the_longest_stage(fixture_build):
    for logical_id, properties in functions_of(fixture_build.nested("demo")).items():
        name = properties["FunctionName"]["Fn::Sub"].replace("${Stage}", "staging")
        assert name.startswith("keneya-staging-demo-")
        assert len(name) <= 64, logical_id


def test_composed_template_points_at_the_packaged_stack_and_layer(fixture_build):
    root = fixture_build.root()

    assert root["Resources"]["DemoService"]["Properties"]["Location"] == "demo/sam.json"
    assert root["Resources"]["CommonLayer"]["Properties"]["ContentUri"] == "layer"
    with zipfile.ZipFile(fixture_build.out / "demo" / "deployment.zip") as archive:
        assert "app.py" in archive.namelist()


def test_fixture_templates_pass_cfn_lint(fixture_build):
    templates = [fixture_build.out / "template.yaml", fixture_build.out / "demo" / "sam.json"]

    assert lint(templates) == []


def test_a_consumer_timeout_above_a_sixth_of_the_visibility_timeout_fails_packaging(
    tmp_path: Path,
):
    system = copy_fixture_app(tmp_path / "system")
    template = system / "template.yaml"
    # The demo's SQS handler has a 60 s timeout: 300 s of visibility is less than 6 x 60 s.
    template.write_text(template.read_text().replace("Default: 360", "Default: 300"))

    result = run_package(
        "--template",
        template,
        "--functions",
        system / "functions",
        "--out",
        tmp_path / "build",
        "--no-layer",
        "--no-openapi",
    )

    assert result.returncode == 1
    assert "visibility timeout of at least 360 s" in result.stderr


def test_an_sqs_handler_on_a_queue_the_template_does_not_define_fails_packaging(tmp_path: Path):
    system = copy_fixture_app(tmp_path / "system")
    app = system / "functions" / "demo" / "app.py"
    app.write_text(
        app.read_text().replace(
            'queue=os.environ.get("EVENTS_QUEUE_NAME", "demo-events")', 'queue="somebody-elses"'
        )
    )

    result = run_package(
        "--template",
        system / "template.yaml",
        "--functions",
        system / "functions",
        "--out",
        tmp_path / "build",
        "--no-layer",
        "--no-openapi",
    )

    assert result.returncode == 1
    assert "read the queue name from EVENTS_QUEUE_NAME" in result.stderr


# --- the whole system -----------------------------------------------------------------------------


def test_package_writes_one_deployment_package_per_service(system_build: Build):
    for service in SERVICES:
        with zipfile.ZipFile(system_build.out / service / "deployment.zip") as archive:
            names = archive.namelist()
        assert "app.py" in names, service
        assert any(name.startswith("chalicelib/") for name in names), service
        assert (system_build.out / service / "sam.json").is_file()
        # One progress line per service.
        assert re.search(rf"^{service}\s+\d+\.\d s\s", system_build.stdout, re.MULTILINE)


def test_every_service_stack_is_wired_to_the_template(system_build: Build):
    root = system_build.root()
    for service in SERVICES:
        application = root["Resources"][f"{service.capitalize()}Service"]
        passed = application["Properties"]["Parameters"]
        nested = system_build.nested(service)
        assert application["Properties"]["Location"] == f"{service}/sam.json"
        assert set(nested["Parameters"]) == set(passed), service
        for properties in functions_of(nested).values():
            variables = properties["Environment"]["Variables"]
            wiring_only = set(application["Metadata"].get("NotEnvironment", []))
            assert {environment_name(p) for p in passed if p not in wiring_only} <= set(variables)
            assert not {environment_name(p) for p in wiring_only} & set(variables)
            assert properties["Layers"][0] == {"Ref": "LayerArn"}
        if "EventsQueueArn" in passed:
            assert events_of(nested, "SQS"), f"{service} is given a queue it does not consume"
        assert all(e["Queue"] == {"Ref": "EventsQueueArn"} for e in events_of(nested, "SQS"))
        assert all(
            e["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
            for e in events_of(nested, "SQS") + events_of(nested, "DynamoDB")
        )
        assert all(e["Stream"] == {"Ref": "TableStreamArn"} for e in events_of(nested, "DynamoDB"))
        if "TableStreamArn" in passed:
            assert events_of(nested, "DynamoDB"), f"{service} emits but relays no outbox"


def test_both_websocket_apis_are_part_of_the_composed_system(system_build: Build):
    root = system_build.root()
    for service in SERVICES:
        apis = [
            r["Properties"]
            for r in system_build.nested(service)["Resources"].values()
            if r["Type"] == "AWS::ApiGatewayV2::Api"
        ]
        if service in WEBSOCKET_SERVICES:
            (api,) = apis
            assert api["ProtocolType"] == "WEBSOCKET"
            assert api["Name"] == {"Fn::Sub": f"keneya-${{Stage}}-{service}-websocket"}
            assert "WebsocketConnectEndpointURL" in system_build.nested(service)["Outputs"]
        else:
            assert apis == [], service
    assert {"NotificationsWebSocketUrl", "SignalingWebSocketUrl"} <= set(root["Outputs"])


def test_layer_holds_the_shared_code_and_its_dependencies_but_not_the_runtime_sdk(
    system_build: Build,
):
    site = system_build.out / "layer" / "python"

    assert (site / "keneya" / "__init__.py").is_file()
    assert (site / "pydantic").is_dir()
    assert (site / "pynamodb").is_dir()
    assert list(site.glob("pydantic_core/*.cpython-311-x86_64-linux-gnu.so"))
    assert not (site / "botocore").exists()
    assert not list(site.rglob("__pycache__"))


def test_composed_nested_and_source_templates_pass_cfn_lint(system_build: Build):
    # infra/template.yaml sits in <tmp>/infra beside this build, so cfn-lint also checks that
    # each nested stack declares exactly the parameters the root passes (E3043).
    source = system_build.out.parent / "infra" / "template.yaml"
    templates = [system_build.out / "template.yaml", source]
    templates += [system_build.out / service / "sam.json" for service in SERVICES]

    assert lint(templates) == []


def test_openapi_document_covers_every_service(system_build: Build):
    document = json.loads((system_build.out / "openapi.json").read_text())
    for service in SERVICES:
        assert f"/api/v1/{service}/health" in document["paths"]


def test_every_rest_api_answers_the_templates_gateway_responses_as_problems(system_build: Build):
    declared = system_build.root()["Metadata"]["GatewayResponses"]
    for service in SERVICES:
        responses = {
            r["Properties"]["ResponseType"]: r["Properties"]
            for r in system_build.nested(service)["Resources"].values()
            if r["Type"] == "AWS::ApiGateway::GatewayResponse"
        }
        assert set(responses) == set(declared), service
        for response_type, properties in responses.items():
            assert properties["RestApiId"] == {"Ref": "RestAPI"}
            headers = properties["ResponseParameters"]
            assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
            body = json.loads(properties["ResponseTemplates"]["application/problem+json"])
            assert body["request_id"] == "$context.requestId"
            assert body["title"] == declared[response_type]["Title"]
            if "StatusCode" in declared[response_type]:
                assert properties["StatusCode"] == str(declared[response_type]["StatusCode"])
                assert body["status"] == declared[response_type]["StatusCode"]


def test_every_operation_lists_the_gateways_own_answers(system_build: Build):
    document = json.loads((system_build.out / "openapi.json").read_text())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"413", "429", "502", "504"} | (
                {"401"} if operation.get("security") else set()
            )
            assert expected <= set(operation["responses"]), f"{method} {path}"
            for status in expected:
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content, f"{method} {path} {status}"
