"""Turns the SAM template `chalice package` writes for one service into that service's nested stack.

Chalice knows the app (its functions, REST and WebSocket APIs, event sources) but nothing of the
system around it. The root template (infra/template.yaml) knows the system: it passes each service
stack its wiring as parameters. This module joins the two:

- every parameter the root passes is declared, and becomes an environment variable of every
  function (PascalCase -> UPPER_SNAKE_CASE) unless the root lists it under
  `Metadata.NotEnvironment`;
- every function gets the shared layer, a predictable name, a log group with a retention and one
  role per service that reaches only the service's own table, stream, queue, topic, bucket prefix
  and secrets;
- the SQS event source reads the queue the root created and reports partial batch failures; the
  DynamoDB stream event source (the outbox relay) reads the service's table stream, starts from the
  oldest record, splits failing batches and records what it finally cannot publish.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.gateway_responses import GatewayAnswer, cloudformation_resources

RUNTIME = "python3.11"
LOG_RETENTION_DAYS = 30
STREAM_MAX_RETRIES = 10
# Lambda function names are at most 64 characters; "staging" is the longest stage name.
_FUNCTION_NAME_LIMIT = 64
_LONGEST_STAGE = "staging"

# The names the apps read their event sources from while `chalice package` imports them; the
# generated event sources are recognised by them and pointed at the template's real resources.
PACKAGING_QUEUE = "keneya-packaging-{service}-events"
PACKAGING_STREAM = (
    "arn:aws:dynamodb:us-east-1:000000000000:table/keneya-packaging-{service}/stream/packaging"
)


# The root's path-style base of API Gateway's APIs (empty on AWS), and the condition a service
# stack given it declares.
EXECUTE_API_ENDPOINT = "ExecuteApiEndpoint"
HAS_EXECUTE_API_ENDPOINT = "HasExecuteApiEndpoint"


class PackagingError(Exception):
    """The app and the template disagree; the message says what to change and where."""


def environment_name(parameter: str) -> str:
    """`EventsTopicArn` -> `EVENTS_TOPIC_ARN` (the rule the local runtime applies too)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", parameter).upper()


@dataclass(frozen=True)
class ServiceWiring:
    """What the root template says about one service: the `AWS::Serverless::Application`."""

    name: str
    logical_id: str
    parameters: tuple[str, ...]
    not_environment: frozenset[str] = frozenset()
    secrets_written: frozenset[str] = frozenset()
    sends: frozenset[str] = frozenset()
    no_echo: frozenset[str] = frozenset()

    @property
    def environment(self) -> dict[str, str]:
        """Parameter name -> environment variable name, for the parameters that are env."""
        return {
            name: environment_name(name)
            for name in self.parameters
            if name not in self.not_environment
        }

    @property
    def consumes(self) -> bool:
        return "EventsQueueArn" in self.parameters

    @property
    def emits(self) -> bool:
        return "TableStreamArn" in self.parameters

    def packaging_environment(self) -> dict[str, str]:
        """Environment for `chalice package`, so that the event sources can be recognised."""
        return {
            "SERVICE_NAME": self.name,
            "EVENTS_QUEUE_NAME": PACKAGING_QUEUE.format(service=self.name),
            "TABLE_STREAM_ARN": PACKAGING_STREAM.format(service=self.name),
        }


def services_of(root: Mapping[str, Any]) -> list[ServiceWiring]:
    """The services of the root template, in template order."""
    root_parameters = root.get("Parameters") or {}
    services = []
    for logical_id, resource in (root.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Application":
            continue
        metadata = resource.get("Metadata") or {}
        name = metadata.get("Service")
        if not name:
            raise PackagingError(f"{logical_id}: an application needs Metadata.Service")
        passed = (resource.get("Properties") or {}).get("Parameters") or {}
        no_echo = {
            key
            for key, value in passed.items()
            if isinstance(value, dict)
            and root_parameters.get(value.get("Ref"), {}).get("NoEcho") in (True, "true")
        }
        services.append(
            ServiceWiring(
                name=name,
                logical_id=logical_id,
                parameters=tuple(passed),
                not_environment=frozenset(metadata.get("NotEnvironment") or ()),
                secrets_written=frozenset(metadata.get("SecretsWritten") or ()),
                sends=frozenset(metadata.get("Sends") or ()),
                no_echo=frozenset(no_echo),
            )
        )
    return services


@dataclass
class ServiceStack:
    template: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def build_service_stack(
    chalice_template: Mapping[str, Any],
    wiring: ServiceWiring,
    *,
    visibility_timeout: int,
    gateway_answers: Mapping[str, GatewayAnswer] | None = None,
) -> ServiceStack:
    """The nested stack of `wiring.name`, from the template `chalice package` generated, with
    the root template's gateway responses (`gateway_answers`) on its REST API."""
    template = copy.deepcopy(dict(chalice_template))
    stack = ServiceStack(template)
    resources: dict[str, Any] = template["Resources"]
    functions = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    if not functions:
        raise PackagingError(f"functions/{wiring.name}: the app declares no function")

    template["Description"] = (
        f"Keneya {wiring.name} service: functions/{wiring.name} packaged by infra/package.py"
    )
    template["Parameters"] = {
        name: _parameter(name, wiring) for name in wiring.parameters
    }
    if EXECUTE_API_ENDPOINT in wiring.parameters:
        template.setdefault("Conditions", {})[HAS_EXECUTE_API_ENDPOINT] = {
            "Fn::Not": [{"Fn::Equals": [{"Ref": EXECUTE_API_ENDPOINT}, ""]}]
        }
    replaced_roles = [
        logical_id
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::IAM::Role"
    ]
    for logical_id in replaced_roles:
        del resources[logical_id]

    if "RestAPI" in resources:
        _shape_rest_api(template, wiring)
        resources.update(cloudformation_resources(gateway_answers or {}))
    websocket_stage = None
    if "WebsocketAPI" in resources:
        resources["WebsocketAPI"]["Properties"]["Name"] = {
            "Fn::Sub": f"keneya-${{Stage}}-{wiring.name}-websocket"
        }
        websocket_stage = resources["WebsocketAPIStage"]["Properties"]["StageName"]
        _auto_deploy_websocket_stage(resources)

    consumer_timeouts: list[int] = []
    kept_variables: set[str] = set()
    for logical_id, function in functions.items():
        properties = function["Properties"]
        kept_variables |= _set_environment(properties, wiring, websocket_stage=websocket_stage)
        properties["Layers"] = [{"Ref": "LayerArn"}] + [
            layer for layer in properties.get("Layers", []) if layer != {"Ref": "LayerArn"}
        ]
        if properties.get("Runtime") != RUNTIME:
            stack.notes.append(
                f"{logical_id}: runtime {properties.get('Runtime')} -> {RUNTIME} (the layer's)"
            )
            properties["Runtime"] = RUNTIME
        properties["FunctionName"] = {"Fn::Sub": _function_name(wiring.name, logical_id)}
        properties["Role"] = {"Fn::GetAtt": ["ServiceRole", "Arn"]}
        properties.setdefault("Tags", {})["keneya:service"] = wiring.name
        for event_id, event in (properties.get("Events") or {}).items():
            kind = event.get("Type")
            if kind == "SQS":
                _wire_queue(event, wiring, f"{logical_id}.{event_id}")
                consumer_timeouts.append(int(properties.get("Timeout", 3)))
            elif kind == "DynamoDB":
                _wire_stream(event, wiring, f"{logical_id}.{event_id}")
        _ensure_log_group(resources, logical_id)

    if kept_variables:
        stack.notes.append(f"kept from .chalice/config.json: {', '.join(sorted(kept_variables))}")
    for timeout in consumer_timeouts:
        if timeout * 6 > visibility_timeout:
            raise PackagingError(
                f"functions/{wiring.name}: the SQS handler's timeout ({timeout} s) needs a queue "
                f"visibility timeout of at least {timeout * 6} s; EventsVisibilityTimeout in "
                f"infra/template.yaml is {visibility_timeout} s (lower lambda_timeout in "
                f".chalice/config.json or raise the parameter)"
            )
    if wiring.consumes and not consumer_timeouts:
        stack.notes.append("no SQS handler yet: the service's events queue has no consumer")
    if wiring.emits and not any(
        event.get("Type") == "DynamoDB"
        for function in functions.values()
        for event in (function["Properties"].get("Events") or {}).values()
    ):
        stack.notes.append("no DynamoDB stream handler yet: nothing publishes the outbox")

    tracing = any(f["Properties"].get("Tracing") == "Active" for f in functions.values())
    resources["ServiceRole"] = _service_role(
        wiring, websocket=websocket_stage is not None, tracing=tracing
    )
    _check_no_dangling_references(template, removed=replaced_roles)
    return stack


# --- parameters and environment ----------------------------------------------------------------


def _parameter(name: str, wiring: ServiceWiring) -> dict[str, Any]:
    declaration: dict[str, Any] = {"Type": "String"}
    if name in wiring.not_environment:
        declaration["Description"] = "Wiring only (not an environment variable)."
    else:
        declaration["Description"] = f"Environment variable {environment_name(name)}."
    if name in wiring.no_echo:
        declaration["NoEcho"] = True
    return declaration


def _set_environment(
    properties: dict[str, Any], wiring: ServiceWiring, *, websocket_stage: str | None
) -> set[str]:
    """Sets the function's variables; returns those kept from Chalice's config only."""
    variables: dict[str, Any] = dict(
        (properties.get("Environment") or {}).get("Variables") or {}
    )
    from_template = {env: {"Ref": name} for name, env in wiring.environment.items()}
    kept = set(variables) - set(from_template)
    variables.update(from_template)
    if websocket_stage is not None:
        # Handlers that push to sockets outside a WebSocket request (an SQS consumer, say) need
        # the management endpoint; Chalice only derives it from a WebSocket event's context.
        aws_host = {
            "Fn::Sub": "https://${WebsocketAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
            + websocket_stage
        }
        variables["WEBSOCKET_MANAGEMENT_URL"] = aws_host
        if EXECUTE_API_ENDPOINT in wiring.parameters:
            # An emulator's path-style address of the API, when the root is given one.
            variables["WEBSOCKET_MANAGEMENT_URL"] = {
                "Fn::If": [
                    HAS_EXECUTE_API_ENDPOINT,
                    {"Fn::Sub": f"${{{EXECUTE_API_ENDPOINT}}}/${{WebsocketAPI}}/{websocket_stage}"},
                    aws_host,
                ]
            }
    properties["Environment"] = {"Variables": variables}
    return kept


def _function_name(service: str, logical_id: str) -> str:
    prefix = f"keneya-${{Stage}}-{service}-"
    room = _FUNCTION_NAME_LIMIT - len(prefix.replace("${Stage}", _LONGEST_STAGE))
    name = logical_id
    if len(name) > room:
        digest = hashlib.sha256(logical_id.encode()).hexdigest()[:6]
        name = f"{logical_id[: room - 7]}-{digest}"
    return prefix + name


# --- event sources -------------------------------------------------------------------------------


def _wire_queue(event: dict[str, Any], wiring: ServiceWiring, where: str) -> None:
    properties = event["Properties"]
    expected = PACKAGING_QUEUE.format(service=wiring.name)
    queue = properties.get("Queue")
    queue_text = queue.get("Fn::Sub", "") if isinstance(queue, dict) else str(queue)
    if not wiring.consumes:
        raise PackagingError(
            f"functions/{wiring.name} ({where}): an SQS handler, but infra/template.yaml gives "
            f"{wiring.logical_id} no EventsQueueArn (add the queue and subscription there)"
        )
    if not queue_text.endswith(f":{expected}"):
        raise PackagingError(
            f"functions/{wiring.name} ({where}): the SQS handler listens on {queue_text!r}; "
            f"read the queue name from EVENTS_QUEUE_NAME so it gets the template's queue"
        )
    properties["Queue"] = {"Ref": "EventsQueueArn"}
    properties["FunctionResponseTypes"] = ["ReportBatchItemFailures"]


def _wire_stream(event: dict[str, Any], wiring: ServiceWiring, where: str) -> None:
    properties = event["Properties"]
    if not wiring.emits:
        raise PackagingError(
            f"functions/{wiring.name} ({where}): a DynamoDB stream handler, but "
            f"infra/template.yaml gives {wiring.logical_id} no TableStreamArn"
        )
    if properties.get("Stream") != PACKAGING_STREAM.format(service=wiring.name):
        raise PackagingError(
            f"functions/{wiring.name} ({where}): the stream handler reads "
            f"{properties.get('Stream')!r}; read it from TABLE_STREAM_ARN so it gets the "
            f"service table's stream"
        )
    properties["Stream"] = {"Ref": "TableStreamArn"}
    # The outbox must not lose an event: start from the oldest record still in the stream (a
    # mapping created or re-created after writes would skip them from LATEST), retry only what
    # failed, and isolate a poison record by halving the batch.
    properties["StartingPosition"] = "TRIM_HORIZON"
    properties["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    properties["BisectBatchOnFunctionError"] = True
    properties["MaximumRetryAttempts"] = STREAM_MAX_RETRIES
    if "OutboxFailureQueueArn" in wiring.parameters:
        properties["DestinationConfig"] = {
            "OnFailure": {"Destination": {"Ref": "OutboxFailureQueueArn"}}
        }


# --- APIs, logs ----------------------------------------------------------------------------------


def _auto_deploy_websocket_stage(resources: dict[str, Any]) -> None:
    """The WebSocket stage deploys its API itself (`AutoDeploy`), instead of Chalice's
    `AWS::ApiGatewayV2::Deployment`: that resource keeps its logical id from one stack update to
    the next, so CloudFormation never re-creates it and a changed route or integration would not
    be deployed; an auto-deploying stage deploys every change. (MiniStack's CloudFormation also
    has no `AWS::ApiGatewayV2::Deployment`.)"""
    stage = resources["WebsocketAPIStage"]
    deployments = [
        logical_id
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::ApiGatewayV2::Deployment"
    ]
    routes: list[str] = []
    for logical_id in deployments:
        routes += resources.pop(logical_id).get("DependsOn") or []
    stage["Properties"].pop("DeploymentId", None)
    stage["Properties"]["AutoDeploy"] = True
    if routes:
        stage["DependsOn"] = sorted(set(routes) | set(stage.get("DependsOn") or []))



def _shape_rest_api(template: dict[str, Any], wiring: ServiceWiring) -> None:
    api = template["Resources"]["RestAPI"]["Properties"]
    api["Name"] = {"Fn::Sub": f"keneya-${{Stage}}-{wiring.name}"}
    # Regional, like the custom domain the root maps api/v1/<service> on.
    api["EndpointConfiguration"] = "REGIONAL"
    template.setdefault("Outputs", {})["RestAPIStage"] = {
        "Description": "Stage of the REST API (the root maps the custom domain onto it).",
        "Value": api["StageName"],
    }


def _ensure_log_group(resources: dict[str, Any], function_id: str) -> None:
    own_name = {"Fn::Sub": f"/aws/lambda/${{{function_id}}}"}
    for resource in resources.values():
        if (
            resource.get("Type") == "AWS::Logs::LogGroup"
            and resource.get("Properties", {}).get("LogGroupName") == own_name
        ):
            return
    resources[f"{function_id}LogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": own_name, "RetentionInDays": LOG_RETENTION_DAYS},
    }


# --- the service role ----------------------------------------------------------------------------


def _arn(text: str) -> dict[str, str]:
    return {"Fn::Sub": "arn:${AWS::Partition}:" + text}


def _statements(
    wiring: ServiceWiring, *, websocket: bool, tracing: bool
) -> Iterator[dict[str, Any]]:
    has = set(wiring.parameters)
    yield {
        "Sid": "OwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": _arn(
            f"logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/"
            f"keneya-${{Stage}}-{wiring.name}-*"
        ),
    }
    if tracing:
        yield {
            "Sid": "Tracing",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        }
    if "TableName" in has:
        table = "dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}"
        yield {
            "Sid": "OwnTable",
            "Effect": "Allow",
            "Action": [
                "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
                "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem",
            ],
            "Resource": [_arn(table), _arn(table + "/index/*")],
        }
    if "TableStreamArn" in has:
        yield {
            "Sid": "OwnTableStream",
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
            ],
            "Resource": {"Ref": "TableStreamArn"},
        }
        yield {
            "Sid": "FindStreams",
            "Effect": "Allow",
            "Action": ["dynamodb:ListStreams"],
            "Resource": "*",
        }
        yield {
            "Sid": "PublishEvents",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": {"Ref": "EventsTopicArn"},
        }
        yield {
            # The events topic is encrypted with the AWS managed key of SNS.
            "Sid": "EncryptEvents",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": {"Fn::Sub": "sns.${AWS::Region}.${AWS::URLSuffix}"}
                }
            },
        }
    if "OutboxFailureQueueArn" in has:
        yield {
            "Sid": "RecordOutboxFailures",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": {"Ref": "OutboxFailureQueueArn"},
        }
    if "EventsQueueArn" in has:
        yield {
            "Sid": "ConsumeOwnQueue",
            "Effect": "Allow",
            "Action": [
                "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            "Resource": {"Ref": "EventsQueueArn"},
        }
    if "AttachmentsBucket" in has:
        prefix = "${AttachmentsPrefix}" if "AttachmentsPrefix" in has else ""
        yield {
            "Sid": "OwnAttachments",
            "Effect": "Allow",
            "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "Resource": _arn(f"s3:::${{AttachmentsBucket}}/{prefix}*"),
        }
        listing: dict[str, Any] = {
            "Sid": "ListOwnAttachments",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": _arn("s3:::${AttachmentsBucket}"),
        }
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": {"Fn::Sub": f"{prefix}*"}}}
        yield listing
    for name in wiring.parameters:
        if not name.endswith("SecretArn"):
            continue
        actions = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        if name in wiring.secrets_written:
            actions += ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]
        yield {
            "Sid": "Secret" + name.removesuffix("Arn"),
            "Effect": "Allow",
            "Action": actions,
            "Resource": {"Ref": name},
        }
    if websocket:
        yield {
            "Sid": "PushToOwnSockets",
            "Effect": "Allow",
            "Action": ["execute-api:ManageConnections"],
            "Resource": _arn("execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketAPI}/*"),
        }
    if "sms" in wiring.sends:
        yield {
            # An SMS has no ARN to name; excluding every ARN keeps topics out of reach.
            "Sid": "SendSms",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "NotResource": "arn:*:sns:*:*:*",
        }
    if "push" in wiring.sends:
        yield {
            "Sid": "SendPush",
            "Effect": "Allow",
            "Action": [
                "sns:CreatePlatformEndpoint", "sns:DeleteEndpoint", "sns:GetEndpointAttributes",
                "sns:Publish", "sns:SetEndpointAttributes",
            ],
            "Resource": [
                _arn("sns:${AWS::Region}:${AWS::AccountId}:app/*"),
                _arn("sns:${AWS::Region}:${AWS::AccountId}:endpoint/*"),
            ],
        }
    if "email" in wiring.sends:
        yield {
            "Sid": "SendEmail",
            "Effect": "Allow",
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": _arn("ses:${AWS::Region}:${AWS::AccountId}:identity/*"),
        }


def _service_role(wiring: ServiceWiring, *, websocket: bool, tracing: bool) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": {
                "Fn::Sub": f"Keneya ${{Stage}} {wiring.name} service: its own resources only"
            },
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": f"keneya-{wiring.name}",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": list(
                            _statements(wiring, websocket=websocket, tracing=tracing)
                        ),
                    },
                }
            ],
        },
    }


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                target = item.split(".", 1)[0] if isinstance(item, str) else item[0]
                yield target
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else item[0]
                yield from (
                    name.split(".", 1)[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text)
                )
                if isinstance(item, list):
                    yield from _references(item[1])
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _check_no_dangling_references(template: Mapping[str, Any], removed: list[str]) -> None:
    dangling = sorted(set(_references(template)) & set(removed))
    if dangling:
        raise PackagingError(f"still referenced after replacing Chalice's roles: {dangling}")
