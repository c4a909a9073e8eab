"""The consultations suite's fixtures, shared with the suites that drive it
(tests/support/consultation_fixtures.py)."""

from tests.support.consultation_fixtures import (  # noqa: F401 (fixtures)
    api,
    aws,
    doctor,
    drained,
    environment,
    new_doctor,
    new_patient,
    patient,
    published,
    table,
    topic,
)
