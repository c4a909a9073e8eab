"""Vital signs: units are checked and converted, implausible values refused naming the field."""

from __future__ import annotations

import pytest

from chalicelib.errors import InvalidEntry
from chalicelib.vitals import measure


def test_a_temperature_in_fahrenheit_is_stored_in_celsius():
    measurement = measure("temperature", "[degF]", 102.2)

    assert (measurement.value, measurement.unit) == (39.0, "Cel")


def test_blood_glucose_in_mg_per_dl_is_stored_in_mmol_per_l():
    assert measure("blood_glucose", "mg/dL", 90).value == pytest.approx(5.0, abs=0.01)


def test_a_blood_pressure_keeps_both_values_in_mm_hg():
    measurement = measure("blood_pressure", "mmHg", systolic=128, diastolic=82)

    assert measurement.as_document() == {
        "kind": "blood_pressure", "unit": "mm[Hg]", "systolic": 128, "diastolic": 82,
    }


@pytest.mark.parametrize(
    ("kind", "unit", "values", "field", "code"),
    [
        ("temperature", "Cel", {"value": 52}, "value", "out_of_range"),
        ("heart_rate", "/min", {"value": 400}, "value", "out_of_range"),
        ("spo2", "%", {"value": 101}, "value", "out_of_range"),
        ("weight", "lb", {"value": 70}, "unit", "unit"),
        ("height", "cm", {}, "value", "missing"),
        ("blood_pressure", "mmHg", {"systolic": 80, "diastolic": 90}, "systolic", "inconsistent"),
        ("blood_pressure", "mmHg", {"systolic": 120, "diastolic": 10}, "diastolic",
         "out_of_range"),
        ("cholesterol", "mmol/L", {"value": 5}, "kind", "unknown_kind"),
    ],
)
def test_implausible_or_mis_united_values_are_refused_naming_the_field(
    kind, unit, values, field, code
):
    with pytest.raises(InvalidEntry) as refused:
        measure(kind, unit, **values)

    assert (refused.value.field, refused.value.code) == (field, code)
