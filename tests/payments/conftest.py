"""The payments suite's fixtures (tests/support/payment_fixtures.py), with the consultations
suite's people and bookings it builds on."""

from tests.support.consultation_fixtures import (  # noqa: F401 (fixtures)
    api,
    aws,
    environment,
    new_doctor,
    new_patient,
    patient,
    published,
    topic,
)
from tests.support.payment_fixtures import (  # noqa: F401 (fixtures)
    ledger_balances,
    moov,
    orange,
    payment_events,
    payment_table,
    payments,
    payments_environment,
)
