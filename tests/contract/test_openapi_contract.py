"""The API answers as its OpenAPI document says, whatever a client sends: schemathesis generates
requests from `/api/v1/openapi.json` (valid ones, and invalid ones that must be refused) and
sends them to the embedded stack as a patient, a doctor and an administrator.

Bounded and reproducible: a fixed number of examples per operation and mode, derandomized (the
same cases every run), so a failure reproduces with the same command. Every failure of every
operation is reported at once.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.support.consultations import sign_up, sign_up_admin

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 10
# An invalid request may also be refused by the gateway as too large (a URL over 8 KB).
CONFIG = {
    "checks": {
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "413",
                "415",
                "422",
                "428",
                "429",
            ]
        }
    }
}
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def tokens(platform: Any, aws_endpoint: str) -> dict[str, str]:
    """A bearer token per role."""
    return {
        "patient": sign_up(platform, "patient", "Sali Contrat").token,
        "doctor": sign_up(platform, "doctor", "Dr Contrat Diallo").token,
        "admin": sign_up_admin(platform, aws_endpoint).token,
    }


def failures_of(
    operation: Any, mode: GenerationMode, base_url: str, token: str, sent: list[str]
) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        sent.append(operation.label)
        try:
            case.call_and_validate(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )
        except Exception as failure:  # recorded, so every operation's failures are reported
            found.append(f"{operation.label} [{mode.value}]: {str(failure)[:1500]}")
            raise

    try:
        run()
    except Unsatisfiable:  # nothing of this operation can be made invalid (no parameter, no body)
        pass
    except Exception as failure:  # what hypothesis re-raised after shrinking
        found.append(f"{operation.label} [{mode.value}]: {str(failure)[:1500]}")
    return found


@pytest.mark.parametrize("role", ["patient", "doctor", "admin"])
def test_every_operation_answers_as_documented(platform: Any, tokens: dict[str, str], role: str):
    schema = schemathesis.openapi.from_url(
        f"{platform.http_url}/api/v1/openapi.json", config=schemathesis.Config.from_dict(CONFIG)
    )
    failures: list[str] = []
    sent: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in GenerationMode:
            failures += failures_of(operation, mode, platform.http_url, tokens[role], sent)

    assert len(operations) > 60 and len(set(sent)) == len(operations), "operations not tried"
    print(f"{len(sent)} requests over {len(operations)} operations as a {role}")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)
