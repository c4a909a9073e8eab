"""Vital signs and measurements: the kinds a patient may enter, their units and plausible ranges.

Each kind is stored in one canonical UCUM unit (what FHIR's `valueQuantity` carries); other
units people use are converted on entry. A value outside the plausible range of its kind is
refused: it is far more likely a typing error than a reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.errors import InvalidEntry


@dataclass(frozen=True)
class Kind:
    name: str
    loinc: str
    display: str
    unit: str  # canonical UCUM code
    low: float
    high: float
    # accepted unit -> conversion to the canonical unit
    units: dict[str, Callable[[float], float]]


def _same(value: float) -> float:
    return value


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("heart_rate", "8867-4", "Heart rate", "/min", 20, 250, {"/min": _same, "bpm": _same}),
        Kind(
            "temperature",
            "8310-5",
            "Body temperature",
            "Cel",
            30,
            45,
            {
                "Cel": _same,
                "°C": _same,
                "[degF]": lambda f: (f - 32) * 5 / 9,
                "°F": lambda f: (f - 32) * 5 / 9,
            },
        ),
        Kind(
            "weight",
            "29463-7",
            "Body weight",
            "kg",
            0.3,
            400,
            {"kg": _same, "g": lambda g: g / 1000},
        ),
        Kind(
            "height", "8302-2", "Body height", "cm", 20, 260, {"cm": _same, "m": lambda m: m * 100}
        ),
        Kind(
            "blood_glucose",
            "15074-8",
            "Glucose [Moles/volume] in Blood",
            "mmol/L",
            1,
            40,
            {"mmol/L": _same, "mg/dL": lambda mg: mg / 18.016},
        ),
        Kind(
            "spo2",
            "59408-5",
            "Oxygen saturation in Arterial blood by Pulse oximetry",
            "%",
            50,
            100,
            {"%": _same},
        ),
    )
}
BLOOD_PRESSURE = "blood_pressure"
BLOOD_PRESSURE_LOINC = "85354-9"
SYSTOLIC = Kind(
    "systolic",
    "8480-6",
    "Systolic blood pressure",
    "mm[Hg]",
    50,
    260,
    {"mm[Hg]": _same, "mmHg": _same},
)
DIASTOLIC = Kind(
    "diastolic",
    "8462-4",
    "Diastolic blood pressure",
    "mm[Hg]",
    30,
    160,
    {"mm[Hg]": _same, "mmHg": _same},
)
ALL_KINDS = (BLOOD_PRESSURE, *KINDS)


@dataclass(frozen=True)
class Measurement:
    """A validated measurement in its canonical unit; blood pressure has two values."""

    kind: str
    unit: str
    value: float | None = None
    systolic: float | None = None
    diastolic: float | None = None

    def as_document(self) -> dict[str, object]:
        document: dict[str, object] = {"kind": self.kind, "unit": self.unit}
        if self.kind == BLOOD_PRESSURE:
            document.update(systolic=self.systolic, diastolic=self.diastolic)
        else:
            document["value"] = self.value
        return document


def _convert(kind: Kind, value: float | None, unit: str, field: str) -> float:
    if value is None:
        raise InvalidEntry(field, "required", "missing")
    convert = kind.units.get(unit)
    if convert is None:
        accepted = ", ".join(kind.units)
        raise InvalidEntry("unit", f"{kind.name} is measured in one of: {accepted}", "unit")
    canonical = round(convert(value), 2)
    if not kind.low <= canonical <= kind.high:
        raise InvalidEntry(
            field,
            f"{kind.name} must be between {kind.low:g} and {kind.high:g} {kind.unit}",
            "out_of_range",
        )
    return canonical


def measure(
    kind: str,
    unit: str,
    value: float | None = None,
    systolic: float | None = None,
    diastolic: float | None = None,
) -> Measurement:
    """The measurement of `kind` in its canonical unit, or `InvalidEntry` naming the field."""
    if kind == BLOOD_PRESSURE:
        high = _convert(SYSTOLIC, systolic, unit, "systolic")
        low = _convert(DIASTOLIC, diastolic, unit, "diastolic")
        if high <= low:
            raise InvalidEntry("systolic", "must be higher than diastolic", "inconsistent")
        return Measurement(BLOOD_PRESSURE, SYSTOLIC.unit, systolic=high, diastolic=low)
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidEntry("kind", f"one of: {', '.join(ALL_KINDS)}", "unknown_kind")
    return Measurement(kind, spec.unit, value=_convert(spec, value, unit, "value"))
