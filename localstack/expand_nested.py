"""Applies the SAM transform to the nested stacks of a packaged template, client-side.

On AWS, CloudFormation applies the `AWS::Serverless-2016-10-31` transform to every template it
creates a stack from, nested stacks included. MiniStack applies it to the root template only: a
nested stack whose template declares the transform fails with "Unsupported resource type:
AWS::Serverless::Function". This step runs after `sam package` (which has uploaded every
artifact and every nested template to the emulator's S3) and before `sam deploy`: it reads each
nested template the packaged root points at, expands it with the SAM translator (the same
library CloudFormation's transform and `sam validate` use), uploads the expanded copy beside the
original and points the root at it. Nothing else of the template changes.

Run with the Python of the SAM CLI's environment (it has `samtranslator` and `boto3`), with
`AWS_ENDPOINT_URL` pointing at the emulator:

    python localstack/expand_nested.py build/packaged.yaml build/packaged-expanded.yaml
"""

from __future__ import annotations

import copy
import json
import logging
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import boto3
import yaml
from samtranslator.translator.transform import transform

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
# The nested templates here name no managed policies (infra/service_stack.py writes one role
# per service), so the translator never needs IAM's list of them.
NO_MANAGED_POLICIES = SimpleNamespace(load=lambda: {})


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !Sub, ...) read as their long forms."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _construct_tag)


def load(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=_Loader)


def _bucket_and_key(url: str) -> tuple[str, str]:
    """`https://s3.<region>.amazonaws.com/<bucket>/<key>` or `s3://<bucket>/<key>`."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        return parsed.netloc, parsed.path.lstrip("/")
    host_bucket = re.match(r"^([^.]+)\.s3[.-]", parsed.netloc)
    if host_bucket:
        return host_bucket.group(1), parsed.path.lstrip("/")
    bucket, _, key = parsed.path.lstrip("/").partition("/")
    return bucket, key


def expand(template: dict[str, Any]) -> dict[str, Any]:
    declared = template.get("Transform")
    names = declared if isinstance(declared, list) else [declared]
    if SAM_TRANSFORM not in names:
        return template
    expanded = transform(copy.deepcopy(template), {}, NO_MANAGED_POLICIES)
    expanded.pop("Transform", None)
    return expanded


def main(argv: list[str]) -> int:
    # The translator logs "There are unpublished metrics" for every template it transforms.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    source, target = Path(argv[0]), Path(argv[1])
    root = load(source.read_text(encoding="utf-8"))
    s3 = boto3.client("s3")
    for logical_id, resource in root.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Application":
            continue
        location = resource["Properties"]["Location"]
        if not isinstance(location, str):
            continue  # a SAR application ({ApplicationId, SemanticVersion}): left to the engine
        bucket, key = _bucket_and_key(location)
        nested = load(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8"))
        expanded = expand(nested)
        if expanded is nested:
            continue
        expanded_key = f"{key}.expanded.json"
        s3.put_object(Bucket=bucket, Key=expanded_key, Body=json.dumps(expanded).encode())
        # The path-style S3 address, as `sam package` writes it on AWS: the SAM CLI (which
        # re-packages on deploy) takes it as already uploaded, and MiniStack reads it from its S3.
        resource["Properties"]["Location"] = (
            f"https://s3.{s3.meta.region_name}.amazonaws.com/{bucket}/{expanded_key}"
        )
        functions = sum(
            1 for r in expanded["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
        )
        print(f"    {logical_id:<22} SAM transform applied ({functions} functions)")
    target.write_text(json.dumps(root, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
