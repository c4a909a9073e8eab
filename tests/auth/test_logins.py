"""Phone numbers and e-mail addresses get one canonical spelling before anything uses them."""

from __future__ import annotations

import pytest

from chalicelib.phones import InvalidLogin, normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("76 12 34 56", "+22376123456"),
        ("76123456", "+22376123456"),
        ("76.12.34.56", "+22376123456"),
        ("+223 76 12 34 56", "+22376123456"),
        ("00223 66 12 34 56", "+22366123456"),
        ("223 90 12 34 56", "+22390123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+1 (415) 555-0100", "+14155550100"),
    ],
)
def test_a_phone_number_is_stored_in_e164(written, stored):
    assert normalise_phone(written) == stored


@pytest.mark.parametrize(
    "written",
    ["", "12345", "7612345", "761234567", "+223 7612345", "+223 16 12 34 56", "phone", "+0123456"],
)
def test_something_that_is_not_a_reachable_number_is_refused(written):
    with pytest.raises(InvalidLogin):
        normalise_phone(written)


def test_an_email_address_is_trimmed_and_lower_cased():
    assert normalise_email("  Awa.Traore@Keneya.ML ") == "awa.traore@keneya.ml"


@pytest.mark.parametrize("written", ["awa", "awa@", "@keneya.ml", "awa@keneya", "a b@keneya.ml"])
def test_something_that_is_not_an_email_address_is_refused(written):
    with pytest.raises(InvalidLogin):
        normalise_email(written)
