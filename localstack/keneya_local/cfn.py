"""CloudFormation templates as plain data: loading (short-form tags included) and intrinsics.

`load_template` turns a YAML or JSON template into dicts where `!Ref X` is `{"Ref": "X"}` and
`!Sub s` is `{"Fn::Sub": s}`. `Resolver` evaluates intrinsic functions and conditions against
parameter values, pseudo parameters and the physical ids/attributes of resources, which it asks
for through a callback so that the caller can create a resource the moment it is referenced.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    """The template cannot be read or one of its expressions cannot be evaluated."""


@dataclass(frozen=True)
class PhysicalResource:
    """What a created resource answers to: `Ref` gives `physical_id`, `GetAtt` its attributes."""

    type: str
    physical_id: str
    attributes: dict[str, str] = field(default_factory=dict)


# --- loading -------------------------------------------------------------------------------


def load_template(path: Path | str) -> dict[str, Any]:
    """The template at `path` (YAML or JSON) as plain dicts with long-form intrinsics, read as
    the packaging reads it (infra/cfn_yaml.py: one reader of CloudFormation's short forms)."""
    from infra.cfn_yaml import load_template as read_template

    try:
        document = read_template(Path(path))
    except (yaml.YAMLError, ValueError) as error:
        raise TemplateError(f"{path}: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path}: a template needs a Resources mapping")
    return document


# --- resolution ----------------------------------------------------------------------------

NO_VALUE = object()
"""What `!Ref AWS::NoValue` evaluates to; `Resolver.resolve` drops it from mappings and lists."""

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _text(value: Any) -> str:
    """A scalar as CloudFormation writes it into a string (YAML's `true` is "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Pseudo:
    """Values of the pseudo parameters (`AWS::Region`, ...)."""

    region: str = "us-east-1"
    account_id: str = "123456789012"
    stack_name: str = "local"
    partition: str = "aws"
    url_suffix: str = "amazonaws.com"

    def as_parameters(self) -> dict[str, str]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}"
                f":stack/{self.stack_name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::NotificationARNs": [],
        }


def parameter_values(template: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    """Each declared parameter's value: the override, else its Default; lists split on commas."""
    values: dict[str, Any] = {}
    for name, declaration in (template.get("Parameters") or {}).items():
        if name in overrides:
            value: Any = overrides[name]
        elif "Default" in declaration:
            value = declaration["Default"]
        else:
            raise TemplateError(f"parameter {name} has no Default and no value was given")
        kind = str(declaration.get("Type", "String"))
        if (kind == "CommaDelimitedList" or kind.startswith("List<")) and isinstance(value, str):
            value = [item.strip() for item in value.split(",")] if value else []
        elif not isinstance(value, list):
            value = _text(value)
        values[name] = value
    return values


class Resolver:
    """Evaluates intrinsic functions of one template.

    `resource(logical_id)` must return the `PhysicalResource` of a resource of the template
    (creating it if need be); it is called only for resources an expression refers to.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        parameters: Mapping[str, Any],
        resource: Callable[[str], PhysicalResource],
        pseudo: Pseudo = Pseudo(),
        exports: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.parameters = {**pseudo.as_parameters(), **parameters}
        self.resource = resource
        self.pseudo = pseudo
        self.exports = dict(exports or {})
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # conditions

    def condition(self, name: str) -> bool:
        """The value of the template condition `name` (each evaluated once)."""
        if name not in self._conditions:
            declared = self.template.get("Conditions") or {}
            if name not in declared:
                raise TemplateError(f"unknown condition {name}")
            if name in self._evaluating:
                raise TemplateError(f"condition {name} refers to itself")
            self._evaluating.add(name)
            try:
                self._conditions[name] = self._truth(declared[name])
            finally:
                self._evaluating.discard(name)
        return self._conditions[name]

    def _truth(self, expression: Any) -> bool:
        value = self.resolve(expression)
        if not isinstance(value, bool):
            raise TemplateError(f"a condition must be true or false, got {value!r}")
        return value

    # values

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function replaced by its result."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(self.resolve(argument))
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                function = self._FUNCTIONS.get(key)
                if function is None:
                    raise TemplateError(f"{key} is not supported")
                return function(self, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name in (self.template.get("Resources") or {}):
            return self.resource(name).physical_id
        raise TemplateError(f"Ref to unknown parameter or resource {name}")

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        logical_id, attribute = (self.resolve(part) for part in argument)
        if logical_id not in (self.template.get("Resources") or {}):
            raise TemplateError(f"GetAtt of unknown resource {logical_id}")
        physical = self.resource(logical_id)
        if attribute not in physical.attributes:
            raise TemplateError(f"{logical_id} ({physical.type}) has no attribute {attribute}")
        return physical.attributes[attribute]

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} stays as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and name.split(".", 1)[0] in (self.template.get("Resources") or {}):
                value = self._get_att(name)
            else:
                value = self._ref(name)
            if isinstance(value, list):
                raise TemplateError(f"Fn::Sub variable {name} is a list")
            return _text(value)

        return _SUB_VARIABLE.sub(replace, text)

    def _join(self, argument: Any) -> str:
        delimiter, items = argument[0], self.resolve(argument[1])
        return str(delimiter).join(_text(item) for item in items)

    def _select(self, argument: Any) -> Any:
        index, items = self.resolve(argument[0]), self.resolve(argument[1])
        try:
            return items[int(index)]
        except (IndexError, ValueError) as error:
            raise TemplateError(f"Fn::Select index {index} out of {items!r}") from error

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = argument[0], self.resolve(argument[1])
        return _text(text).split(delimiter)

    def _if(self, argument: Any) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(name) else when_false)

    def _equals(self, argument: Any) -> bool:
        left, right = (self.resolve(item) for item in argument)
        if isinstance(left, list) or isinstance(right, list):
            return left == right
        return _text(left) == _text(right)

    def _and(self, argument: Any) -> bool:
        return all(self._truth(item) for item in argument)

    def _or(self, argument: Any) -> bool:
        return any(self._truth(item) for item in argument)

    def _not(self, argument: Any) -> bool:
        return not self._truth(argument[0])

    def _find_in_map(self, argument: Any) -> Any:
        map_name, top, second = (self.resolve(item) for item in argument[:3])
        try:
            return self.template["Mappings"][map_name][top][second]
        except (KeyError, TypeError):
            if len(argument) > 3 and isinstance(argument[3], dict):  # DefaultValue
                return self.resolve(argument[3].get("DefaultValue"))
            raise TemplateError(f"Fn::FindInMap {map_name}/{top}/{second} not found") from None

    def _import_value(self, argument: Any) -> str:
        name = self.resolve(argument)
        if name not in self.exports:
            raise TemplateError(f"Fn::ImportValue {name}: no such export")
        return self.exports[name]

    def _base64(self, argument: Any) -> str:
        return base64.b64encode(_text(self.resolve(argument)).encode()).decode()

    def _get_azs(self, argument: Any) -> list[str]:
        region = self.resolve(argument) or self.pseudo.region
        return [f"{region}{zone}" for zone in "abc"]

    def _length(self, argument: Any) -> int:
        return len(self.resolve(argument))

    def _to_json_string(self, argument: Any) -> str:
        return json.dumps(self.resolve(argument), separators=(",", ":"))

    _FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
        "Fn::GetAtt": _get_att,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::Split": _split,
        "Fn::If": _if,
        "Fn::Equals": _equals,
        "Fn::And": _and,
        "Fn::Or": _or,
        "Fn::Not": _not,
        "Fn::FindInMap": _find_in_map,
        "Fn::ImportValue": _import_value,
        "Fn::Base64": _base64,
        "Fn::GetAZs": _get_azs,
        "Fn::Length": _length,
        "Fn::ToJsonString": _to_json_string,
    }
