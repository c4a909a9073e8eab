"""Fixtures of the end-to-end flows: people, bookable doctors and the consultations API as the
consultations tests make them, and the payments API with the mobile-money sandboxes as the
payments tests use them."""

from tests.support.consultation_fixtures import (  # noqa: F401 (fixtures)
    api,
    aws,
    environment,
    new_doctor,
    new_patient,
    patient,
    topic,
)
from tests.support.payment_fixtures import (  # noqa: F401 (fixtures)
    moov,
    orange,
    payment_events,
    payments,
    payments_environment,
)

from .app_screen import phone_browser, verified_doctor  # noqa: F401 (fixtures)
from .call_page import browsers, chromium  # noqa: F401 (fixtures)
