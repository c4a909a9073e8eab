"""Routes of the record itself: the summary, encounters, the patient's own entries, vital signs,
the access log and the FHIR export."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas
from chalicelib.api_common import (
    NO_STORE,
    answer,
    body,
    caller,
    listing,
    no_content,
    not_found,
    records,
    router,
)

# section -> (body to add an entry, body to change one)
SECTIONS = {
    "allergies": ("NewAllergy", None),
    "conditions": ("NewCondition", "ConditionChange"),
    "medications": ("NewMedication", "MedicationChange"),
    "vaccinations": ("NewVaccination", None),
}


def blueprint(authorizer: Any) -> Blueprint:
    bp = Blueprint(__name__)
    route = router(bp, authorizer)

    @route(
        "/{patient_id}",
        ["GET"],
        "The patient's record: current state and latest vitals",
        errors=(404,),
    )
    def get_record(patient_id):
        return answer(records().summary(caller(bp), patient_id))

    @route(
        "/{patient_id}/encounters",
        ["GET"],
        "Encounters, newest first",
        query=schemas.Listing,
        errors=(404,),
    )
    def list_encounters(patient_id):
        return answer(records().encounters(caller(bp), patient_id, listing(bp).limit))

    @route("/{patient_id}/encounters/{consultation_id}", ["GET"], "One encounter", errors=(404,))
    def get_encounter(patient_id, consultation_id):
        return answer(records().encounter(caller(bp), patient_id, consultation_id))

    @route(
        "/{patient_id}/{section}",
        ["POST"],
        "Add an allergy, condition, medication or vaccination",
        status=201,
        errors=(404, 409, 422),
    )
    def add_entry(patient_id, section):
        if section not in SECTIONS:
            raise not_found(bp)
        fields = body(bp, SECTIONS[section][0]).model_dump(mode="json", exclude_none=True)
        return answer(records().add_entry(caller(bp), patient_id, section, fields), status=201)

    @route(
        "/{patient_id}/{section}/{entry_id}",
        ["PATCH"],
        "Resolve or stop a condition or medication",
        errors=(404, 422),
    )
    def change_entry(patient_id, section, entry_id):
        if section not in SECTIONS or SECTIONS[section][1] is None:
            raise not_found(bp)
        fields = body(bp, SECTIONS[section][1]).model_dump(mode="json")
        return answer(records().update_entry(caller(bp), patient_id, section, entry_id, fields))

    @route(
        "/{patient_id}/{section}/{entry_id}",
        ["DELETE"],
        "Remove an entry the patient made",
        status=204,
        errors=(404,),
    )
    def remove_entry(patient_id, section, entry_id):
        if section not in SECTIONS:
            raise not_found(bp)
        records().remove_entry(caller(bp), patient_id, section, entry_id)
        return no_content()

    @route(
        "/{patient_id}/observations",
        ["POST"],
        "Record a vital sign or measurement",
        status=201,
        body=schemas.NewObservation,
        errors=(404, 422),
    )
    def add_observation(patient_id):
        fields = body(bp, "NewObservation").model_dump()
        return answer(records().add_observation(caller(bp), patient_id, fields), status=201)

    @route(
        "/{patient_id}/observations",
        ["GET"],
        "Vital signs and measurements, newest first",
        query=schemas.Listing,
        errors=(404,),
    )
    def list_observations(patient_id):
        query = listing(bp)
        return answer(records().observations(caller(bp), patient_id, query.kind, query.limit))

    @route(
        "/{patient_id}/access-log",
        ["GET"],
        "Who read or changed the record",
        query=schemas.Listing,
        errors=(404,),
    )
    def access_log(patient_id):
        return answer(records().audit_log(caller(bp), patient_id, listing(bp).limit))

    @route("/{patient_id}/fhir", ["GET"], "The record as a FHIR R4 Bundle", errors=(404,))
    def fhir_export(patient_id):
        bundle = records().export(caller(bp), patient_id)
        return Response(
            body=bundle,
            status_code=200,
            headers={"Content-Type": "application/fhir+json", **NO_STORE},
        )

    return bp
