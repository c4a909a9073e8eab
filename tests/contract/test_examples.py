"""Every request body of the OpenAPI document comes with an example a client can send as it is
(Swagger UI's "Try it out" fills it in): each is valid against its own schema."""

from __future__ import annotations

import jsonschema
import requests


def test_every_request_body_has_an_example_valid_against_its_schema(platform):
    document = requests.get(f"{platform.http_url}/api/v1/openapi.json", timeout=30).json()
    missing, invalid = [], []

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if body is None:
                continue
            where = f"{method.upper()} {path}"
            if "example" not in body:
                missing.append(where)
                continue
            schema = {**body["schema"], "components": document["components"]}
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(body["example"]))
            if errors:
                invalid.append(f"{where}: {errors[0].message}")

    assert not missing, f"request bodies without an example: {missing}"
    assert not invalid, "\n".join(invalid)


def test_every_answer_is_described_with_its_content_type(platform):
    document = requests.get(f"{platform.http_url}/api/v1/openapi.json", timeout=30).json()

    undescribed = [
        f"{method.upper()} {path} {status}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status != "204" and not status.startswith("3") and not response.get("content")
    ]

    assert not undescribed, undescribed
