"""Routes of the record itself: the summary, encounters, the patient's own entries, vital signs,
the access log and the FHIR export."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel

from chalicelib import schemas
from chalicelib.api_common import (
    NO_STORE,
    answer,
    body,
    caller,
    listing,
    no_content,
    records,
    router,
)
from keneya import http

# section -> (body to add an entry, body to change one)
SECTIONS: dict[str, tuple[type[BaseModel], type[BaseModel] | None]] = {
    "allergies": (schemas.NewAllergy, None),
    "conditions": (schemas.NewCondition, schemas.ConditionChange),
    "medications": (schemas.NewMedication, schemas.MedicationChange),
    "vaccinations": (schemas.NewVaccination, None),
}
# What changing an entry of a section means.
_CHANGE = {
    "conditions": "Mark a condition resolved or active again",
    "medications": "Mark a medication stopped or taken again",
}
# What one entry of each section is called in a summary.
_ENTRY = {
    "allergies": "an allergy",
    "conditions": "a condition",
    "medications": "a medication",
    "vaccinations": "a vaccination",
}


def _entry_routes(
    bp: Blueprint,
    route: Any,
    section: str,
    new_model: type[BaseModel],
    change_model: type[BaseModel] | None,
) -> None:
    """Add, change (where a section allows it) and remove routes of one section."""
    entry = _ENTRY[section]
    singular = section.removesuffix("s")

    def add(patient_id: str) -> Response:
        parsed = http.parse_body(new_model, bp.current_request)
        fields = parsed.model_dump(mode="json", exclude_none=True)
        return answer(records().add_entry(caller(bp), patient_id, section, fields), status=201)

    add.__name__ = f"add_{singular}"
    route(
        f"/{{patient_id}}/{section}",
        ["POST"],
        f"Add {entry} the patient reports",
        response=schemas.EntryView,
        body=new_model,
        status=201,
        errors=(404, 409, 422),
    )(add)

    if change_model is not None:

        def change(patient_id: str, entry_id: str) -> Response:
            fields = http.parse_body(change_model, bp.current_request).model_dump(mode="json")
            return answer(records().update_entry(caller(bp), patient_id, section, entry_id, fields))

        change.__name__ = f"change_{singular}"
        route(
            f"/{{patient_id}}/{section}/{{entry_id}}",
            ["PATCH"],
            _CHANGE[section],
            response=schemas.EntryView,
            body=change_model,
            errors=(404, 422),
        )(change)

    def remove(patient_id: str, entry_id: str) -> Response:
        records().remove_entry(caller(bp), patient_id, section, entry_id)
        return no_content()

    remove.__name__ = f"remove_{singular}"
    route(
        f"/{{patient_id}}/{section}/{{entry_id}}",
        ["DELETE"],
        f"Remove {entry} the patient entered",
        status=204,
        errors=(404,),
    )(remove)


def blueprint(authorizer: Any) -> Blueprint:
    bp = Blueprint(__name__)
    route = router(bp, authorizer)

    @route(
        "/{patient_id}",
        ["GET"],
        "The patient's record: current state and latest vitals",
        response=schemas.RecordView,
        errors=(404,),
    )
    def get_record(patient_id):
        return answer(records().summary(caller(bp), patient_id))

    @route(
        "/{patient_id}/encounters",
        ["GET"],
        "Encounters, newest first",
        response=schemas.EncounterPage,
        query=schemas.Listing,
        errors=(404,),
    )
    def list_encounters(patient_id):
        return answer(records().encounters(caller(bp), patient_id, listing(bp).limit))

    @route(
        "/{patient_id}/encounters/{consultation_id}",
        ["GET"],
        "One encounter",
        response=schemas.EncounterView,
        errors=(404,),
    )
    def get_encounter(patient_id, consultation_id):
        return answer(records().encounter(caller(bp), patient_id, consultation_id))

    # One route per section and action (rather than `/{patient_id}/{section}`), so that the
    # API document names each body and a generated client has a typed call for each.
    for section, (new_model, change_model) in SECTIONS.items():
        _entry_routes(bp, route, section, new_model, change_model)

    @route(
        "/{patient_id}/observations",
        ["POST"],
        "Record a vital sign or measurement",
        response=schemas.ObservationView,
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
        response=schemas.ObservationPage,
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
        response=schemas.AuditPage,
        query=schemas.Listing,
        errors=(404,),
    )
    def access_log(patient_id):
        return answer(records().audit_log(caller(bp), patient_id, listing(bp).limit))

    @route(
        "/{patient_id}/fhir",
        ["GET"],
        "The record as a FHIR R4 Bundle",
        response=schemas.FhirBundle,
        response_media_type="application/fhir+json",
        errors=(404,),
    )
    def fhir_export(patient_id):
        bundle = records().export(caller(bp), patient_id)
        return Response(
            body=bundle,
            status_code=200,
            headers={"Content-Type": "application/fhir+json", **NO_STORE},
        )

    return bp
