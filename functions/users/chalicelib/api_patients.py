"""A patient's profile as others may see it (`chalicelib.access` decides who)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas, views
from chalicelib.request_context import NO_STORE, caller, checked_id, language, users
from keneya.http import json_response
from keneya.openapi import operation


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
        profile = users().patient_for(caller(request), checked_id(patient_id))
        view = views.profile_view(profile, language(request)).root
        return json_response(view, headers=NO_STORE)

    return patients
