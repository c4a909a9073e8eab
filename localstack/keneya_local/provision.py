"""Create the resources of a CloudFormation/SAM template on an AWS-compatible endpoint.

Neither moto's CloudFormation nor any local tool without Docker runs SAM templates with SNS
subscriptions, so the template is read here and each supported resource is created through its
own service API. Every step tolerates what already exists, so provisioning twice against the
same endpoint reuses the first run's resources.

Supported: DynamoDB tables (keys, GSIs/LSIs, stream, TTL), SNS topics and subscriptions, SQS
queues (redrive to a dead-letter queue) and queue policies, S3 buckets (CORS, versioning),
Secrets Manager secrets (given or generated) and SSM parameters. `AWS::Serverless::Application`
resources become `ServiceSpec`s. Other types are not created; a reference to one resolves to a
placeholder id or ARN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from keneya_local.cfn import (
    PhysicalResource,
    Pseudo,
    Resolver,
    TemplateError,
    load_template,
    parameter_values,
)

APPLICATION = "AWS::Serverless::Application"


@dataclass(frozen=True)
class ServiceSpec:
    """One service of the template: where its code is and the environment of its functions."""

    name: str
    code_dir: Path
    environment: dict[str, str]


@dataclass(frozen=True)
class Deployment:
    """What `provision` created: services by name, resources by logical id."""

    services: dict[str, ServiceSpec]
    resources: dict[str, PhysicalResource]
    # Secrets the local runtime's sandboxes stand behind: sandbox name -> secret ARN.
    sandbox_secrets: dict[str, str] = field(default_factory=dict)


def provision(
    template_path: Path,
    *,
    endpoint_url: str,
    region: str = "us-east-1",
    stage: str = "local",
    parameter_overrides: Mapping[str, str] | None = None,
    functions_dir: Path | None = None,
    stack_name: str | None = None,
) -> Deployment:
    """Create every supported resource of the template at `endpoint_url` (idempotent).

    `stage` is the value of the template parameter `Stage` when it declares one (an override
    wins). Service code is looked up in `functions_dir/<service>`; by default `functions_dir` is
    the nearest `functions` folder beside the template or above it.
    """
    template_path = Path(template_path)
    template = load_template(template_path)
    overrides = dict(parameter_overrides or {})
    if "Stage" in (template.get("Parameters") or {}):
        overrides.setdefault("Stage", stage)
    session = _session(region)
    account_id = session.client("sts", endpoint_url=endpoint_url).get_caller_identity()["Account"]
    stack = _Stack(
        template,
        session=session,
        endpoint_url=endpoint_url,
        parameters=parameter_values(template, overrides),
        pseudo=Pseudo(region=region, account_id=account_id, stack_name=stack_name or stage),
    )
    functions_dir = Path(functions_dir) if functions_dir else _functions_dir(template_path)

    services: dict[str, ServiceSpec] = {}
    applications = []
    for logical_id, definition in template["Resources"].items():
        if not stack.is_enabled(logical_id):
            continue
        if definition.get("Type") == APPLICATION:
            applications.append(logical_id)
        elif definition.get("Type") in _CREATORS:
            stack.ensure(logical_id)
    for logical_id in applications:
        spec = stack.service(logical_id, functions_dir)
        if spec.name in services:
            raise TemplateError(f"two applications declare the service {spec.name}")
        services[spec.name] = spec
    sandbox_secrets = {
        sandbox: stack.created[logical_id].physical_id
        for logical_id, definition in template["Resources"].items()
        if logical_id in stack.created
        and (sandbox := (definition.get("Metadata") or {}).get("LocalSandbox"))
    }
    return Deployment(
        services=services, resources=dict(stack.created), sandbox_secrets=sandbox_secrets
    )


def point_secrets_at_sandboxes(
    deployment: Deployment,
    values: Mapping[str, Mapping[str, Any]],
    services: Iterable[str],
    *,
    endpoint_url: str,
    region: str = "us-east-1",
) -> list[str]:
    """Write `values[name]` into each secret the template marks `LocalSandbox: <name>` (the
    payment providers' credentials and `base_url`), when one of `services` reads it: a stack
    points the secrets of the services it runs at its own sandboxes, and leaves alone those of
    another stack sharing the endpoint. Returns the sandboxes written."""
    environments = [
        set(deployment.services[name].environment.values())
        for name in services
        if name in deployment.services
    ]
    written = []
    secrets = _session(region).client("secretsmanager", endpoint_url=endpoint_url)
    for sandbox, arn in sorted(deployment.sandbox_secrets.items()):
        if sandbox in values and any(arn in environment for environment in environments):
            secrets.put_secret_value(SecretId=arn, SecretString=json.dumps(values[sandbox]))
            written.append(sandbox)
    return written


def environment_name(parameter: str) -> str:
    """`EventsTopicArn` -> `EVENTS_TOPIC_ARN`; a name already in UPPER_SNAKE stays as it is."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", parameter)
    return words.upper()


# --- the stack being provisioned -------------------------------------------------------------


def _session(region: str) -> boto3.session.Session:
    session = boto3.session.Session(region_name=region)
    if session.get_credentials() is None:
        # Local endpoints accept any key; without one boto3 refuses to sign at all.
        session = boto3.session.Session(
            region_name=region, aws_access_key_id="test", aws_secret_access_key="test"
        )
    return session


def _functions_dir(template_path: Path) -> Path:
    for folder in template_path.resolve().parents:
        if (folder / "functions").is_dir():
            return folder / "functions"
    return template_path.resolve().parent.parent / "functions"


class _Stack:
    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        session: boto3.session.Session,
        endpoint_url: str,
        parameters: Mapping[str, Any],
        pseudo: Pseudo,
    ) -> None:
        self.template = template
        self.session = session
        self.endpoint_url = endpoint_url
        self.pseudo = pseudo
        self.created: dict[str, PhysicalResource] = {}
        self._placeholders: dict[str, PhysicalResource] = {}
        self._in_progress: list[str] = []
        self._clients: dict[str, Any] = {}
        self.resolver = Resolver(
            template, parameters=parameters, resource=self.ensure, pseudo=pseudo
        )

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service,
                endpoint_url=self.endpoint_url,
                config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
            )
        return self._clients[service]

    def definition(self, logical_id: str) -> Mapping[str, Any]:
        return self.template["Resources"][logical_id]

    def is_enabled(self, logical_id: str) -> bool:
        condition = self.definition(logical_id).get("Condition")
        return condition is None or self.resolver.condition(condition)

    def generated_name(self, logical_id: str, max_length: int, suffix: str = "") -> str:
        """CloudFormation's `<stack>-<logical id>` name for resources the template leaves unnamed;
        without its random tail, so that a second run finds the same resource."""
        name = re.sub(r"[^A-Za-z0-9-]", "-", f"{self.pseudo.stack_name}-{logical_id}")
        return name[: max_length - len(suffix)] + suffix

    def arn(self, service: str, resource: str) -> str:
        p = self.pseudo
        return f"arn:{p.partition}:{service}:{p.region}:{p.account_id}:{resource}"

    def ensure(self, logical_id: str) -> PhysicalResource:
        """The resource `logical_id`, created first if this run has not created it yet."""
        if logical_id in self.created:
            return self.created[logical_id]
        if logical_id in self._placeholders:
            return self._placeholders[logical_id]
        if logical_id in self._in_progress:
            cycle = " -> ".join([*self._in_progress, logical_id])
            raise TemplateError(f"circular reference: {cycle}")
        if not self.is_enabled(logical_id):
            raise TemplateError(f"{logical_id} is referenced but its condition is false")
        definition = self.definition(logical_id)
        kind = definition.get("Type", "")
        creator = _CREATORS.get(kind)
        if creator is None:
            self._placeholders[logical_id] = self._placeholder(logical_id, kind)
            return self._placeholders[logical_id]
        self._in_progress.append(logical_id)
        try:
            depends_on = definition.get("DependsOn") or []
            for dependency in [depends_on] if isinstance(depends_on, str) else depends_on:
                self.ensure(dependency)
            properties = self.resolver.resolve(definition.get("Properties") or {})
            self.created[logical_id] = creator(self, logical_id, properties)
        except ClientError as error:
            raise TemplateError(f"{logical_id} ({kind}): {error}") from error
        finally:
            self._in_progress.pop()
        return self.created[logical_id]

    def _placeholder(self, logical_id: str, kind: str) -> PhysicalResource:
        service = kind.split("::")[1].lower() if kind.count("::") >= 2 else "unknown"
        physical_id = self.generated_name(logical_id, 128)
        return PhysicalResource(kind, physical_id, _AnyAttribute(self.arn(service, physical_id)))

    def service(self, logical_id: str, functions_dir: Path) -> ServiceSpec:
        definition = self.definition(logical_id)
        metadata = definition.get("Metadata") or {}
        name = metadata.get("Service")
        if not name:
            name = re.sub(r"Service$", "", logical_id).lower()
        # Wiring-only parameters (the layer ARN) are not the functions' environment.
        not_environment = set(metadata.get("NotEnvironment") or ())
        parameters = self.resolver.resolve((definition.get("Properties") or {}).get("Parameters"))
        environment = {
            environment_name(key): _parameter_text(value)
            for key, value in (parameters or {}).items()
            if key not in not_environment
        }
        return ServiceSpec(name=name, code_dir=functions_dir / name, environment=environment)


class _AnyAttribute(dict):
    """Attributes of a resource that is not created: any `GetAtt` gets a stand-in ARN."""

    def __init__(self, arn: str) -> None:
        super().__init__()
        self.arn = arn

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return self.arn if key == "Arn" else f"{self.arn}/{key}"


def _parameter_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_parameter_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# --- one creator per resource type -----------------------------------------------------------


def _dynamodb_table(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    ddb = stack.client("dynamodb")
    name = p.get("TableName") or stack.generated_name(logical_id, 255)
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": p["AttributeDefinitions"],
        "KeySchema": p["KeySchema"],
        "BillingMode": p.get(
            "BillingMode", "PROVISIONED" if "ProvisionedThroughput" in p else "PAY_PER_REQUEST"
        ),
    }
    if "ProvisionedThroughput" in p:
        request["ProvisionedThroughput"] = _throughput(p["ProvisionedThroughput"])
    if p.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [_index(i) for i in p["GlobalSecondaryIndexes"]]
    if p.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [_index(i) for i in p["LocalSecondaryIndexes"]]
    stream = p.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    try:
        ddb.create_table(**request)
    except ClientError as error:
        if _error_code(error) != "ResourceInUseException":
            raise
        _update_existing_table(ddb, request)
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})

    ttl = p.get("TimeToLiveSpecification")
    if ttl and _is_true(ttl.get("Enabled")):
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    table = ddb.describe_table(TableName=name)["Table"]
    attributes = {"Arn": table["TableArn"]}
    if table.get("LatestStreamArn"):
        attributes["StreamArn"] = table["LatestStreamArn"]
    return PhysicalResource("AWS::DynamoDB::Table", name, attributes)


def _update_existing_table(ddb: Any, request: Mapping[str, Any]) -> None:
    """Adds the stream and the GSIs a table created by an earlier run lacks."""
    name = request["TableName"]
    table = ddb.describe_table(TableName=name)["Table"]
    if "StreamSpecification" in request and not table.get("StreamSpecification", {}).get(
        "StreamEnabled"
    ):
        ddb.update_table(TableName=name, StreamSpecification=request["StreamSpecification"])
    existing = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    for index in request.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] not in existing:
            ddb.update_table(
                TableName=name,
                AttributeDefinitions=request["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )


def _throughput(value: Mapping[str, Any]) -> dict[str, int]:
    return {key: int(value[key]) for key in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _index(index: Mapping[str, Any]) -> dict[str, Any]:
    # CloudFormation also allows keys the API does not (ContributorInsightsSpecification, ...).
    kept = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
    if "ProvisionedThroughput" in index:
        kept["ProvisionedThroughput"] = _throughput(index["ProvisionedThroughput"])
    return kept


def _sns_topic(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    sns = stack.client("sns")
    fifo = _is_true(p.get("FifoTopic"))
    name = p.get("TopicName") or stack.generated_name(logical_id, 256, ".fifo" if fifo else "")
    attributes = {
        key: _attribute_text(p[key])
        for key in ("DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId")
        if key in p
    }
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for subscription in p.get("Subscription") or []:
        sns.subscribe(
            TopicArn=arn,
            Protocol=subscription["Protocol"],
            Endpoint=subscription["Endpoint"],
            ReturnSubscriptionArn=True,
        )
    return PhysicalResource("AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name})


_SUBSCRIPTION_ATTRIBUTES = (
    "FilterPolicyScope",  # first: the filter policy is validated against the scope
    "FilterPolicy",
    "RawMessageDelivery",
    "RedrivePolicy",
    "DeliveryPolicy",
    "SubscriptionRoleArn",
)


def _sns_subscription(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    sns = stack.client("sns")
    attributes = {k: _attribute_text(p[k]) for k in _SUBSCRIPTION_ATTRIBUTES if k in p}
    request = {"TopicArn": p["TopicArn"], "Protocol": p["Protocol"], "Endpoint": p["Endpoint"]}
    try:
        response = sns.subscribe(**request, Attributes=attributes, ReturnSubscriptionArn=True)
    except ClientError as error:
        # AWS refuses to subscribe again with other attributes: update the existing one.
        if _error_code(error) != "InvalidParameter":
            raise
        response = sns.subscribe(**request, ReturnSubscriptionArn=True)
    arn = response["SubscriptionArn"]
    for key, value in attributes.items():
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName=key, AttributeValue=value
        )
    return PhysicalResource("AWS::SNS::Subscription", arn, {"Arn": arn})


_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def _sqs_queue(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    sqs = stack.client("sqs")
    fifo = _is_true(p.get("FifoQueue"))
    name = p.get("QueueName") or stack.generated_name(logical_id, 80, ".fifo" if fifo else "")
    attributes = {k: _attribute_text(p[k]) for k in _QUEUE_ATTRIBUTES if k in p}
    try:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as error:
        if "QueueAlreadyExists" not in _error_code(error) and "QueueNameExists" not in (
            _error_code(error)
        ):
            raise
        # Same name, other attributes: an earlier run with an older template. Bring it up to date.
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes.pop("FifoQueue", None)  # cannot be changed after creation
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return PhysicalResource(
        "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url}
    )


def _sqs_queue_policy(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    policy = _attribute_text(p["PolicyDocument"])
    for url in p.get("Queues") or []:
        stack.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return PhysicalResource("AWS::SQS::QueuePolicy", logical_id)


def _s3_bucket(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    s3 = stack.client("s3")
    name = p.get("BucketName") or stack.generated_name(logical_id, 63).lower()
    region = stack.pseudo.region
    location = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    try:
        s3.create_bucket(Bucket=name, **location)
    except ClientError as error:
        if _error_code(error) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    cors = (p.get("CorsConfiguration") or {}).get("CorsRules")
    if cors:
        s3.put_bucket_cors(
            Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(rule) for rule in cors]}
        )
    versioning = p.get("VersioningConfiguration")
    if versioning:
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": versioning["Status"]}
        )
    suffix = stack.pseudo.url_suffix
    attributes = {
        "Arn": f"arn:{stack.pseudo.partition}:s3:::{name}",
        "DomainName": f"{name}.s3.{suffix}",
        "RegionalDomainName": f"{name}.s3.{region}.{suffix}",
        "DualStackDomainName": f"{name}.s3.dualstack.{region}.{suffix}",
        "WebsiteURL": f"http://{name}.s3-website-{region}.{suffix}",
    }
    return PhysicalResource("AWS::S3::Bucket", name, attributes)


def _cors_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    # The template's spelling of a CORS rule differs from the API's in three keys.
    renamed = {"ExposedHeaders": "ExposeHeaders", "Id": "ID", "MaxAge": "MaxAgeSeconds"}
    converted = {renamed.get(key, key): value for key, value in rule.items()}
    if "MaxAgeSeconds" in converted:
        converted["MaxAgeSeconds"] = int(converted["MaxAgeSeconds"])
    return converted


def _secret(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    secrets = stack.client("secretsmanager")
    name = p.get("Name") or stack.generated_name(logical_id, 512)
    try:
        # An existing secret keeps its value: a generated password must not change on every run.
        arn = secrets.describe_secret(SecretId=name)["ARN"]
    except ClientError as error:
        if _error_code(error) != "ResourceNotFoundException":
            raise
        value = (
            p["SecretString"]
            if "SecretString" in p
            else _generated_secret(secrets, p.get("GenerateSecretString") or {})
        )
        extra = {"Description": p["Description"]} if "Description" in p else {}
        arn = secrets.create_secret(Name=name, SecretString=value, **extra)["ARN"]
    return PhysicalResource("AWS::SecretsManager::Secret", arn, {"Id": arn})


def _generated_secret(secrets: Any, spec: Mapping[str, Any]) -> str:
    renamed = {
        "ExcludeUppercase": "ExcludeUppercaseLetters",
        "ExcludeLowercase": "ExcludeLowercaseLetters",
    }
    options: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "PasswordLength":
            options[key] = int(value)
        elif key == "ExcludeCharacters":
            options[key] = value
        elif key not in ("SecretStringTemplate", "GenerateStringKey"):
            options[renamed.get(key, key)] = _is_true(value)
    password = secrets.get_random_password(**options)["RandomPassword"]
    if "SecretStringTemplate" in spec:
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)
    return password


def _ssm_parameter(stack: _Stack, logical_id: str, p: Mapping[str, Any]) -> PhysicalResource:
    name = p.get("Name") or stack.generated_name(logical_id, 1011)
    value = _parameter_text(p["Value"])
    extra = {k: p[k] for k in ("Description", "AllowedPattern", "Tier", "DataType") if k in p}
    stack.client("ssm").put_parameter(
        Name=name, Value=value, Type=p.get("Type", "String"), Overwrite=True, **extra
    )
    return PhysicalResource(
        "AWS::SSM::Parameter", name, {"Type": p.get("Type", "String"), "Value": value}
    )


def _attribute_text(value: Any) -> str:
    """A value as the string an attribute map takes: documents as JSON, booleans lower case."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return _parameter_text(value)


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


_CREATORS: dict[str, Callable[[_Stack, str, Mapping[str, Any]], PhysicalResource]] = {
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::SNS::Subscription": _sns_subscription,
    "AWS::SQS::Queue": _sqs_queue,
    "AWS::SQS::QueuePolicy": _sqs_queue_policy,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SSM::Parameter": _ssm_parameter,
}
