"""What API Gateway answers by itself, as problem documents: one declaration, two readers.

The declarations live in infra/template.yaml (`Metadata.GatewayResponses`, keyed by API
Gateway's gateway-response type). `infra/package.py` turns them into one
`AWS::ApiGateway::GatewayResponse` per type in every service's REST API; the local stack's
gateway answers from the same declarations (`answer()`), and both add their statuses to the
OpenAPI document. Nothing here is written twice.

A declaration: `StatusCode` (optional for DEFAULT_4XX / DEFAULT_5XX, which keep the status of
the error they stand for), `Slug` (the problem type is `urn:keneya:problem:<slug>`), `Title` and
`Detail`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROBLEM_JSON = "application/problem+json"
# API Gateway fills this in for each answer; the local stack substitutes its own request id.
REQUEST_ID = "$context.requestId"


@dataclass(frozen=True)
class GatewayAnswer:
    response_type: str
    status: int | None
    slug: str
    title: str
    detail: str

    def body_template(self) -> str:
        """The response template (VTL) API Gateway renders: a problem document."""
        document: dict[str, Any] = {"type": f"urn:keneya:problem:{self.slug}", "title": self.title}
        if self.status is not None:
            document["status"] = self.status
        document |= {"detail": self.detail, "request_id": REQUEST_ID}
        return json.dumps(document, ensure_ascii=False)

    def render(self, request_id: str, status: int) -> bytes:
        """The body the local gateway sends, as API Gateway would render it."""
        return self.body_template().replace(REQUEST_ID, request_id).encode()


def declarations(template: Mapping[str, Any]) -> dict[str, GatewayAnswer]:
    """The template's gateway responses by type; {} when it declares none (API Gateway's own
    defaults then apply)."""
    declared = ((template.get("Metadata") or {}).get("GatewayResponses")) or {}
    answers = {}
    for response_type, spec in declared.items():
        status = spec.get("StatusCode")
        answers[response_type] = GatewayAnswer(
            response_type=response_type,
            status=int(status) if status is not None else None,
            slug=str(spec["Slug"]),
            title=str(spec["Title"]),
            detail=str(spec["Detail"]),
        )
    return answers


def cloudformation_resources(
    answers: Mapping[str, GatewayAnswer], rest_api_id: str = "RestAPI"
) -> dict[str, Any]:
    """One `AWS::ApiGateway::GatewayResponse` per declaration, for the REST API `rest_api_id`."""
    resources = {}
    for answer in answers.values():
        logical_id = "GatewayResponse" + "".join(
            part.capitalize() for part in answer.response_type.split("_")
        )
        properties: dict[str, Any] = {
            "RestApiId": {"Ref": rest_api_id},
            "ResponseType": answer.response_type,
            "ResponseParameters": {
                "gatewayresponse.header.Content-Type": f"'{PROBLEM_JSON}'",
                "gatewayresponse.header.Cache-Control": "'no-store'",
            },
            "ResponseTemplates": {PROBLEM_JSON: answer.body_template()},
        }
        if answer.status is not None:
            properties["StatusCode"] = str(answer.status)
        resources[logical_id] = {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": properties,
        }
    return resources


def openapi_statuses(answers: Mapping[str, GatewayAnswer]) -> dict[str, dict[int, str]]:
    """The statuses the gateway may answer on an operation, with their titles: `every` for all
    operations, `secured` for those behind the authorizer."""
    every, secured = {}, {}
    for response_type, answer in answers.items():
        if answer.status is None:
            continue
        target = secured if response_type in ("UNAUTHORIZED", "ACCESS_DENIED") else every
        if response_type not in ("MISSING_AUTHENTICATION_TOKEN", "RESOURCE_NOT_FOUND"):
            target[answer.status] = answer.title
    return {"every": every, "secured": secured}
