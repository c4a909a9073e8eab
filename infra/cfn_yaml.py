"""Reading and writing CloudFormation templates as plain data.

The short-form tags (`!Ref X`, `!Sub s`, `!GetAtt A.B`) load as their long forms (`{"Ref": "X"}`,
`{"Fn::Sub": s}`, `{"Fn::GetAtt": ["A", "B"]}`), which every CloudFormation and SAM tool reads, so
a template written back with `dump_yaml` is the same template without its comments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

_INTRINSICS = (
    "And", "Base64", "Cidr", "Condition", "Equals", "FindInMap", "GetAtt", "GetAZs", "If",
    "ImportValue", "Join", "Length", "Not", "Or", "Ref", "Select", "Split", "Sub", "ToJsonString",
    "Transform",
)


class _Loader(yaml.SafeLoader):
    """SafeLoader that knows CloudFormation's short-form tags."""


# `AWSTemplateFormatVersion: 2010-09-09` must stay a string, not become a date.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_form(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _name in _INTRINSICS:
    _Loader.add_constructor(f"!{_name}", _short_form(_name))


def load_template(path: Path) -> dict[str, Any]:
    """The YAML or JSON template at `path`, intrinsics in long form."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    document = yaml.load(text, Loader=_Loader)
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise ValueError(f"{path}: not a CloudFormation template (no Resources mapping)")
    return document


class _Dumper(yaml.SafeDumper):
    """Block-style YAML that keeps keys in template order."""


def _no_aliases(_dumper: yaml.SafeDumper, _data: Any) -> bool:
    # CloudFormation does not accept YAML aliases: repeat shared values instead.
    return True


_Dumper.ignore_aliases = _no_aliases  # type: ignore[method-assign]


def dump_yaml(template: dict[str, Any], path: Path, header: str = "") -> None:
    """Write `template` as YAML, preceded by `header` (comment lines) when given."""
    body = yaml.dump(
        template, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100,
        allow_unicode=True,
    )
    path.write_text(header + body, encoding="utf-8")


def dump_json(template: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
