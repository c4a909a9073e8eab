"""OpenAPI 3 documents generated from the routes and pydantic models of each Chalice app.

    @app.route("/login", methods=["POST"])
    @operation(summary="Log in", body=LoginRequest, response=TokenPair)
    def login(): ...

`service_document(app, "auth")` documents one service under `/api/v1/auth`;
`merge_documents` joins them into the one document of the whole `/api/v1`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice import Chalice

if TYPE_CHECKING:  # documents are built by tools, not on a cold start
    from pydantic import BaseModel

API_BASE = "/api/v1"
_DOC_ATTRIBUTE = "__keneya_operation__"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    description: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    response_media_type: str = "application/json"


def example(value: Mapping[str, Any], **config: Any) -> Any:
    """A model's `model_config` carrying one example of it: shown in the API document, and
    what "Try it out" sends as it is (`config`: other settings of the model, if it has any)."""
    from pydantic import ConfigDict

    return ConfigDict(**config, json_schema_extra={"examples": [dict(value)]})


def operation(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    description: str | None = None,
    tags: tuple[str, ...] = (),
    response_media_type: str = "application/json",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Describe a view for the OpenAPI document; place it below `@app.route`."""

    def describe(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(
            view,
            _DOC_ATTRIBUTE,
            Operation(
                summary,
                body,
                query,
                response,
                status,
                errors,
                description,
                tags,
                response_media_type,
            ),
        )
        return view

    return describe


def _models_of(app: Chalice) -> list[type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for methods in app.routes.values():
        for entry in methods.values():
            doc: Operation | None = getattr(entry.view_function, _DOC_ATTRIBUTE, None)
            for model in (doc.body, doc.query, doc.response) if doc else ():
                if model is not None:
                    models[f"{model.__module__}.{model.__qualname__}"] = model
    return list(models.values())


def service_document(app: Chalice, service: str, version: str = "1") -> dict[str, Any]:
    """The OpenAPI document of one service's routes, as served under `/api/v1/<service>`."""
    from pydantic.json_schema import models_json_schema

    prefix = f"{API_BASE}/{service}"
    schema_prefix = f"{service}."
    models = _models_of(app)
    _, definitions = models_json_schema(
        [(model, "validation") for model in models],
        ref_template=f"#/components/schemas/{schema_prefix}{{model}}",
    )
    schemas = {
        f"{schema_prefix}{name}": schema for name, schema in definitions.get("$defs", {}).items()
    }
    schemas["Problem"] = PROBLEM_SCHEMA

    def ref(model: type[BaseModel]) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{schema_prefix}{model.__name__}"}

    paths: dict[str, Any] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            if method == "OPTIONS":
                continue
            doc: Operation | None = getattr(entry.view_function, _DOC_ATTRIBUTE, None)
            op: dict[str, Any] = {
                "operationId": f"{service}_{entry.view_name}",
                "summary": doc.summary if doc else entry.view_name.replace("_", " "),
                "tags": list(doc.tags) if doc and doc.tags else [service],
                "responses": {},
            }
            if doc and doc.description:
                op["description"] = doc.description
            parameters = [_path_parameter(name) for name in re.findall(r"{([^}]+)}", path)]
            if doc and doc.query:
                query_schema = doc.query.model_json_schema()
                required = set(query_schema.get("required", []))
                for name, prop in query_schema.get("properties", {}).items():
                    parameters.append(
                        {"name": name, "in": "query", "required": name in required, "schema": prop}
                    )
            if parameters:
                op["parameters"] = parameters
            if doc and doc.body:
                media: dict[str, Any] = {"schema": ref(doc.body)}
                examples = (doc.body.model_config.get("json_schema_extra") or {}).get("examples")
                if examples:
                    media["example"] = examples[0]
                op["requestBody"] = {"required": True, "content": {"application/json": media}}
            success: dict[str, Any] = {"description": "Success"}
            if path == "/health" and not (doc and doc.response):
                success["content"] = {"application/json": {"schema": HEALTH_SCHEMA}}
            if doc and doc.response:
                success["content"] = {doc.response_media_type: {"schema": ref(doc.response)}}
            op["responses"][str(doc.status if doc else 200)] = success
            problem = {
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }
            }
            statuses = set(doc.errors if doc else ())
            if doc and (doc.body or doc.query):
                statuses |= {400, 422}
            if doc and doc.body:
                statuses.add(415)  # a body not declared as JSON
            if entry.authorizer is not None:
                op["security"] = [{"bearerAuth": []}]
                statuses |= {401, 404}
            for status in sorted(statuses):
                op["responses"][str(status)] = {"description": "Problem", **problem}
            op["responses"]["500"] = {"description": "Unexpected error", **problem}
            paths.setdefault(prefix + ("" if path == "/" else path), {})[method.lower()] = op

    return {
        "openapi": "3.1.0",
        "info": {"title": f"Keneya {service} API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


# Path parameters are ids (ULIDs, or a provider's name): what each names, and an example.
_PATH_PARAMETERS = {
    "patient_id": "The patient's user id",
    "doctor_id": "The doctor's user id",
    "consultation_id": "The consultation's id",
    "payment_id": "The payment's id (pay_...)",
    "notification_id": "The notification's id",
    "device_id": "The registered device's id",
    "entry_id": "The record entry's id",
    "attachment_id": "The attachment's id",
    "share_id": "The share's id",
}
_EXAMPLE_ID = "01JB8X7Q5M3ZK2V4W6Y8N0P1R3"
# What every service's GET /health answers.
HEALTH_SCHEMA = {
    "type": "object",
    "properties": {"service": {"type": "string"}, "status": {"const": "ok"}},
    "required": ["service", "status"],
}


def _path_parameter(name: str) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 64},
        "description": _PATH_PARAMETERS.get(name, name.replace("_", " ").capitalize()),
    }
    if name == "provider":
        parameter["schema"] = {"enum": ["orange_money", "moov_money"]}
    elif name.endswith("_id"):
        parameter["example"] = (
            f"pay_{_EXAMPLE_ID.lower()}" if name == "payment_id" else _EXAMPLE_ID
        )
    return parameter


def merge_documents(
    documents: Mapping[str, dict[str, Any]],
    gateway_statuses: Mapping[str, Mapping[int, str]] | None = None,
) -> dict[str, Any]:
    """One document for the whole `/api/v1` from the services' documents (keyed by service).

    `gateway_statuses`: what API Gateway itself may answer (from the template's gateway
    responses): `every` status on every operation, `secured` ones on those behind the
    authorizer; each a problem document."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Keneya API",
            "version": "1",
            "description": "Telemedicine for Mali and West Africa. Times are UTC (ISO-8601); "
            "amounts are integer XOF. Errors are application/problem+json.",
        },
        "servers": [{"url": "/"}],
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
        "tags": [],
    }
    for service, document in sorted(documents.items()):
        document = copy.deepcopy(document)
        merged["paths"].update(document.get("paths", {}))
        components = document.get("components", {})
        merged["components"]["schemas"].update(components.get("schemas", {}))
        merged["components"]["securitySchemes"].update(components.get("securitySchemes", {}))
        merged["tags"].append({"name": service})
    problem = {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    statuses = gateway_statuses or {}
    for operations in merged["paths"].values():
        for operation in operations.values():
            answered = dict(statuses.get("every") or {})
            if operation.get("security"):
                answered |= statuses.get("secured") or {}
            for status, title in sorted(answered.items()):
                operation["responses"].setdefault(
                    str(status), {"description": f"{title} (the gateway)", "content": problem}
                )
    return merged
