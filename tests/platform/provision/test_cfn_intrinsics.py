"""Template loading and intrinsic functions, evaluated without any AWS endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keneya_local.cfn import PhysicalResource, Pseudo, Resolver, TemplateError, load_template

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Stage": {"Type": "String"}, "Zones": {"Type": "CommaDelimitedList"}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "IsNotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "IsProdOrStaging": {
            "Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Stage"}, "staging"]}]
        },
    },
    "Mappings": {"Sizes": {"local": {"Memory": 128}}},
    "Resources": {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Table": {"Type": "AWS::DynamoDB::Table"},
    },
}

PHYSICAL = {
    "Topic": PhysicalResource("AWS::SNS::Topic", "arn:aws:sns:eu-west-1:111:events", {}),
    "Table": PhysicalResource(
        "AWS::DynamoDB::Table",
        "orders",
        {"Arn": "arn:aws:dynamodb:eu-west-1:111:table/orders", "StreamArn": "arn:stream/1"},
    ),
}


def resolver(stage: str = "local", asked: list[str] | None = None) -> Resolver:
    def resource(logical_id: str) -> PhysicalResource:
        if asked is not None:
            asked.append(logical_id)
        return PHYSICAL[logical_id]

    return Resolver(
        TEMPLATE,
        parameters={"Stage": stage, "Zones": ["a", "b"]},
        resource=resource,
        pseudo=Pseudo(region="eu-west-1", account_id="111", stack_name="shop"),
    )


def test_sub_replaces_parameters_pseudo_parameters_and_attributes():
    value = {"Fn::Sub": "${AWS::StackName}-${Stage}/${Table.StreamArn}@${AWS::Region}/${!Keep}"}

    assert resolver().resolve(value) == "shop-local/arn:stream/1@eu-west-1/${Keep}"


def test_sub_with_a_variable_map():
    value = {"Fn::Sub": ["${Name}.${AWS::URLSuffix}", {"Name": {"Ref": "Table"}}]}

    assert resolver().resolve(value) == "orders.amazonaws.com"


def test_ref_and_get_att_ask_for_the_resource_only_when_used():
    asked: list[str] = []
    subject = resolver(asked=asked)

    assert subject.resolve({"Ref": "Topic"}) == "arn:aws:sns:eu-west-1:111:events"
    assert subject.resolve({"Fn::GetAtt": ["Table", "Arn"]}) == PHYSICAL["Table"].attributes["Arn"]
    assert subject.resolve({"Fn::GetAtt": "Table.StreamArn"}) == "arn:stream/1"
    assert asked == ["Topic", "Table", "Table"]


def test_join_select_and_split():
    subject = resolver()

    assert subject.resolve({"Fn::Join": ["-", [{"Ref": "Stage"}, "x", 3]]}) == "local-x-3"
    assert subject.resolve({"Fn::Select": [1, {"Ref": "Zones"}]}) == "b"
    split = {"Fn::Split": [":", {"Fn::GetAtt": ["Table", "Arn"]}]}
    assert subject.resolve({"Fn::Select": ["3", split]}) == "eu-west-1"


@pytest.mark.parametrize(
    ("stage", "expected"), [("prod", "big"), ("staging", "medium"), ("local", "small")]
)
def test_if_follows_conditions(stage: str, expected: str):
    value = {"Fn::If": ["IsProd", "big", {"Fn::If": ["IsProdOrStaging", "medium", "small"]}]}

    assert resolver(stage).resolve(value) == expected
    assert resolver(stage).condition("IsNotProd") is (stage != "prod")


def test_no_value_removes_the_property():
    value = {"Name": "a", "Extra": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}}

    assert resolver("local").resolve(value) == {"Name": "a"}


def test_find_in_map_and_base64():
    subject = resolver()

    assert subject.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 128
    assert subject.resolve({"Fn::Base64": "hi"}) == "aGk="


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Nowhere"},
        {"Fn::GetAtt": ["Table", "Colour"]},
        {"Fn::If": ["NoSuchCondition", 1, 2]},
        {"Fn::Cidr": ["10.0.0.0/16", 2, 8]},
    ],
)
def test_what_cannot_be_evaluated_is_an_error(value: dict[str, Any]):
    with pytest.raises(TemplateError):
        resolver().resolve(value)


def test_yaml_short_forms_load_as_long_forms(tmp_path: Path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "Resources:\n"
        "  Queue:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      QueueName: !Sub '${AWS::StackName}-q'\n"
        "      Arn: !GetAtt Dlq.Arn\n"
        "      Tags: !If [IsProd, [a], !Ref AWS::NoValue]\n"
        "      Parts: !Select [0, !Split [',', !Join [',', [a, b]]]]\n"
    )

    template = load_template(path)

    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Resources"]["Queue"]["Properties"] == {
        "QueueName": {"Fn::Sub": "${AWS::StackName}-q"},
        "Arn": {"Fn::GetAtt": ["Dlq", "Arn"]},
        "Tags": {"Fn::If": ["IsProd", ["a"], {"Ref": "AWS::NoValue"}]},
        "Parts": {"Fn::Select": [0, {"Fn::Split": [",", {"Fn::Join": [",", ["a", "b"]]}]}]},
    }
