"""The record as a FHIR R4 `Bundle` (type `collection`), for export to other health systems.

Built from the stored documents with no I/O. Codes: ICD-10 for diagnoses, LOINC for vital
signs, UCUM for units; free text where the patient typed it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from chalicelib.vitals import BLOOD_PRESSURE, BLOOD_PRESSURE_LOINC, DIASTOLIC, KINDS, SYSTOLIC

ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}
Resource = dict[str, Any]


def instant(moment: datetime | str | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _fhir_id(value: str) -> str:
    """FHIR ids are [A-Za-z0-9-.]{1,64}: ours when they fit, else a stable digest of ours."""
    if len(value) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "-.") for ch in value):
        return value
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def _ref(kind: str, ident: str) -> dict[str, str]:
    return {"reference": f"{kind}/{_fhir_id(ident)}"}


def patient_resource(patient_id: str, profile: dict[str, Any]) -> Resource:
    resource: Resource = {"resourceType": "Patient", "id": _fhir_id(patient_id)}
    if profile.get("full_name"):
        resource["name"] = [{"text": profile["full_name"]}]
    if profile.get("language"):
        resource["communication"] = [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": profile["language"]}]}}
        ]
    return resource


def encounter_resource(patient_id: str, encounter: dict[str, Any]) -> Resource:
    resource: Resource = {
        "resourceType": "Encounter",
        "id": _fhir_id(encounter["_id"]),
        "status": "finished",
        "class": {"system": ACT_CODE, "code": "VR", "display": "virtual"},
        "subject": _ref("Patient", patient_id),
        "period": {"end": instant(encounter["completed_at"])},
        "reasonCode": [{"text": encounter["reason"]}],
        "participant": [
            {
                "individual": {
                    "display": encounter.get("doctor_name") or "Doctor",
                    "identifier": {"system": "urn:keneya:user", "value": encounter["doctor_id"]},
                }
            }
        ],
    }
    if encounter.get("diagnoses"):
        resource["diagnosis"] = [
            {"condition": {"display": f"{d['code']} {d['label']}"}} for d in encounter["diagnoses"]
        ]
    return resource


def condition_resource(patient_id: str, entry: dict[str, Any]) -> Resource:
    code: Resource = {"text": entry["label"]}
    if entry.get("code"):
        code["coding"] = [{"system": ICD10, "code": entry["code"], "display": entry["label"]}]
    resource: Resource = {
        "resourceType": "Condition",
        "id": _fhir_id(entry["id"]),
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": entry["status"]}]},
        "code": code,
        "subject": _ref("Patient", patient_id),
        "recordedDate": instant(entry["recorded_at"]),
    }
    if entry.get("consultation_id"):
        resource["encounter"] = _ref("Encounter", entry["consultation_id"])
    return resource


def medication_resource(patient_id: str, entry: dict[str, Any]) -> Resource:
    dosage = ", ".join(
        str(entry[k]) for k in ("dose", "route", "frequency", "duration") if entry.get(k)
    )
    resource: Resource = {
        "resourceType": "MedicationRequest",
        "id": _fhir_id(entry["id"]),
        "status": "active" if entry["status"] == "active" else "stopped",
        "intent": "order" if entry.get("source") == "consultation" else "plan",
        "medicationCodeableConcept": {"text": entry["medicine"]},
        "subject": _ref("Patient", patient_id),
        "authoredOn": instant(entry["recorded_at"]),
    }
    if dosage or entry.get("instructions"):
        instruction: Resource = {"text": dosage or entry["instructions"]}
        if entry.get("instructions"):
            instruction["patientInstruction"] = entry["instructions"]
        resource["dosageInstruction"] = [instruction]
    if entry.get("consultation_id"):
        resource["encounter"] = _ref("Encounter", entry["consultation_id"])
    else:
        resource["reportedBoolean"] = True
    return resource


def allergy_resource(patient_id: str, entry: dict[str, Any]) -> Resource:
    resource: Resource = {
        "resourceType": "AllergyIntolerance",
        "id": _fhir_id(entry["id"]),
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
        "code": {"text": entry["substance"]},
        "patient": _ref("Patient", patient_id),
        "recordedDate": instant(entry["recorded_at"]),
    }
    if entry.get("reaction"):
        reaction: Resource = {"manifestation": [{"text": entry["reaction"]}]}
        if entry.get("severity") in SEVERITY:
            reaction["severity"] = SEVERITY[entry["severity"]]
        resource["reaction"] = [reaction]
    if entry.get("severity") == "severe":
        resource["criticality"] = "high"
    return resource


def _quantity(value: float, unit: str) -> Resource:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _loinc(code: str, display: str) -> Resource:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def observation_resource(patient_id: str, observation: dict[str, Any]) -> Resource:
    resource: Resource = {
        "resourceType": "Observation",
        "id": _fhir_id(observation["_id"]),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs"}]}],
        "subject": _ref("Patient", patient_id),
        "effectiveDateTime": instant(observation["measured_at"]),
    }
    if observation["kind"] == BLOOD_PRESSURE:
        resource["code"] = _loinc(BLOOD_PRESSURE_LOINC, "Blood pressure panel")
        resource["component"] = [
            {
                "code": _loinc(SYSTOLIC.loinc, SYSTOLIC.display),
                "valueQuantity": _quantity(observation["systolic"], SYSTOLIC.unit),
            },
            {
                "code": _loinc(DIASTOLIC.loinc, DIASTOLIC.display),
                "valueQuantity": _quantity(observation["diastolic"], DIASTOLIC.unit),
            },
        ]
    else:
        kind = KINDS[observation["kind"]]
        resource["code"] = _loinc(kind.loinc, kind.display)
        resource["valueQuantity"] = _quantity(observation["value"], kind.unit)
    return resource


def immunization_resource(patient_id: str, entry: dict[str, Any]) -> Resource:
    resource: Resource = {
        "resourceType": "Immunization",
        "id": _fhir_id(entry["id"]),
        "status": "completed",
        "vaccineCode": {"text": entry["vaccine"]},
        "patient": _ref("Patient", patient_id),
        "occurrenceDateTime": str(entry["date"]),
        "primarySource": False,
    }
    if entry.get("dose_number"):
        resource["protocolApplied"] = [{"doseNumberPositiveInt": entry["dose_number"]}]
    return resource


def document_resource(patient_id: str, attachment: dict[str, Any]) -> Resource:
    return {
        "resourceType": "DocumentReference",
        "id": _fhir_id(attachment["_id"]),
        "status": "current",
        "type": {"text": attachment["category"].replace("_", " ")},
        "subject": _ref("Patient", patient_id),
        "date": instant(attachment.get("confirmed_at")),
        "content": [
            {
                "attachment": {
                    "contentType": attachment["content_type"],
                    "title": attachment["title"],
                    "size": attachment["size"],
                    "creation": instant(attachment.get("confirmed_at")),
                }
            }
        ],
    }


def bundle(
    patient_id: str,
    profile: dict[str, Any],
    record: dict[str, Any],
    encounters: Iterable[dict[str, Any]],
    observations: Iterable[dict[str, Any]],
    attachments: Iterable[dict[str, Any]],
    now: datetime,
) -> Resource:
    """The whole record as one FHIR R4 collection bundle."""
    resources = [patient_resource(patient_id, profile)]
    resources += [encounter_resource(patient_id, e) for e in encounters]
    resources += [condition_resource(patient_id, c) for c in record.get("conditions", [])]
    resources += [medication_resource(patient_id, m) for m in record.get("medications", [])]
    resources += [allergy_resource(patient_id, a) for a in record.get("allergies", [])]
    resources += [observation_resource(patient_id, o) for o in observations]
    resources += [immunization_resource(patient_id, v) for v in record.get("vaccinations", [])]
    resources += [document_resource(patient_id, a) for a in attachments]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": instant(now),
        "entry": [
            {"fullUrl": f"urn:keneya:{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
