"""The API answers as its OpenAPI document says, whatever a client sends: schemathesis generates
requests from `/api/v1/openapi.json` (valid and invalid ones) and sends them to the embedded
stack as a patient, a doctor and an administrator.

Bounded and reproducible: a fixed number of examples per operation, derandomized (the same
cases every run), so a failure reproduces with the same command.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.consultations.over_http import sign_up, sign_up_admin

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(scope="session")
def contract_people(platform: Any, aws_endpoint: str) -> dict[str, str]:
    """A bearer token per role."""
    return {
        "patient": sign_up(platform, "patient", "Sali Contrat").token,
        "doctor": sign_up(platform, "doctor", "Dr Contrat Diallo").token,
        "admin": sign_up_admin(platform, aws_endpoint).token,
    }


@pytest.fixture(scope="session")
def contract_schema(platform: Any) -> Any:
    return schemathesis.openapi.from_url(f"{platform.http_url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("contract_schema")


@pytest.mark.slow
@pytest.mark.parametrize("role", ["patient", "doctor", "admin"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: Any, role: str, platform: Any, contract_people: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=platform.http_url,
        headers={"Authorization": f"Bearer {contract_people[role]}"},
        checks=CHECKS,
    )
