"""The clinical summary a doctor writes when completing a consultation.

It is clinical content: stored with the consultation, shown to its two participants, carried by
`consultation.completed` to the records service, and never written to a log.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from keneya.openapi import example


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Icd10 = Annotated[
    str,
    BeforeValidator(_upper),
    StringConstraints(pattern=r"^[A-Z]\d{2}(\.\d{1,2})?$"),
    Field(description="ICD-10 code, e.g. J45.9", examples=["B54"]),
]


class Diagnosis(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    code: Icd10
    label: Text


class Prescription(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    medicine: Text = Field(examples=["Artéméther-luméfantrine 20/120 mg"])
    dose: Text = Field(examples=["4 comprimés"])
    route: Text = Field(examples=["orale"])
    frequency: Text = Field(examples=["2 fois par jour"])
    duration: Text = Field(examples=["3 jours"])
    instructions: Text | None = None


class ClinicalSummary(BaseModel):
    """`reason` defaults to the one the patient gave when booking."""

    model_config = example(
        {
            "reason": "Fièvre depuis deux jours",
            "notes": "TDR paludisme positif.",
            "diagnoses": [{"code": "B54", "label": "Paludisme, sans précision"}],
            "prescriptions": [
                {
                    "medicine": "Artéméther-luméfantrine 20/120 mg",
                    "dose": "4 comprimés",
                    "route": "orale",
                    "frequency": "2 fois par jour",
                    "duration": "3 jours",
                }
            ],
            "follow_up": "Contrôle dans 7 jours si la fièvre persiste",
        },
        extra="forbid",
        frozen=True,
        defer_build=True,
    )

    reason: Text | None = None
    notes: LongText | None = None
    diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=20)
    prescriptions: list[Prescription] = Field(default_factory=list, max_length=30)
    follow_up: Text | None = Field(
        default=None, description="Recommended follow-up, e.g. 'contrôle dans 7 jours'"
    )
