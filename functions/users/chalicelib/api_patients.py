"""A patient's profile as others may see it (`chalicelib.access` decides who)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas
from chalicelib.bootstrap import service
from keneya.http import json_response
from keneya.i18n import request_language
from keneya.openapi import operation
from keneya.tokens import principal


def blueprint(authorizer: Any) -> Blueprint:
    patients = Blueprint(__name__)

    @patients.route("/patients/{patient_id}", authorizer=authorizer)
    @operation(
        "A patient's profile",
        response=schemas.PatientProfile,
        description="For the patient, administrators, and doctors who have a consultation with "
        "the patient; 404 for anyone else.",
    )
    def patient_profile(patient_id: str) -> Response:
        request = patients.current_request
        profile = service().patient_for(principal(request), schemas.checked_id(patient_id))
        view = schemas.profile_view(profile, request_language(request)).root
        return json_response(view, headers=schemas.NO_STORE)

    return patients
