"""The lifecycle routes of a consultation (a Chalice blueprint mounted by `app.py`):

    POST /{id}/cancel     patient, doctor (or an administrator); body {"note"} optional
    POST /{id}/start      doctor: opens the teleconsultation session
    POST /{id}/join       a participant joins the open session
    POST /{id}/complete   doctor: ends it with the clinical summary
    POST /{id}/no-show    doctor: the patient did not come

Each answers the consultation as it now is; an action its state does not allow is a 409 naming
the current status.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas
from chalicelib.clinical import ClinicalSummary
from chalicelib.web import body, caller, consultation_response, service
from keneya.openapi import operation


def actions_blueprint(access_token: Any) -> Blueprint:
    """The blueprint of the lifecycle routes, protected by the app's `access_token` authorizer."""
    bp = Blueprint(__name__)

    @bp.route("/{consultation_id}/cancel", methods=["POST"], authorizer=access_token)
    @operation(
        "Cancel a consultation",
        body=schemas.CancelRequest,
        response=schemas.ConsultationView,
        errors=(409,),
        description="By its patient or doctor, or an administrator, while awaiting payment or "
        "confirmed. The refund rule is recorded (`cancellation.refund_due`) and told to the "
        "payments service: a doctor's or administrator's cancellation is refunded, a patient's "
        "when made at least 2 hours before the start, or when the doctor has not started the "
        "session 15 minutes after it. The body (a `note`) is optional.",
    )
    def cancel(consultation_id: str) -> Response:
        request = bp.current_request
        note = body(schemas.CancelRequest, request).note if request.raw_body else None
        return consultation_response(service().cancel(caller(request), consultation_id, note))

    @bp.route("/{consultation_id}/start", methods=["POST"], authorizer=access_token)
    @operation(
        "Start the teleconsultation",
        response=schemas.ConsultationView,
        errors=(403, 409),
        description="By the doctor, from 10 minutes before the start time to its end. Creates "
        "the session (`session.room_id`, participants) the signaling service opens.",
    )
    def start(consultation_id: str) -> Response:
        who = caller(bp.current_request)
        return consultation_response(service().start(who, consultation_id))

    @bp.route("/{consultation_id}/join", methods=["POST"], authorizer=access_token)
    @operation(
        "Join the teleconsultation",
        response=schemas.ConsultationView,
        errors=(409,),
        description="By a participant while the session is open (again after a network "
        "change); the patient's first join is recorded.",
    )
    def join(consultation_id: str) -> Response:
        who = caller(bp.current_request)
        return consultation_response(service().join(who, consultation_id))

    @bp.route("/{consultation_id}/complete", methods=["POST"], authorizer=access_token)
    @operation(
        "Complete the teleconsultation with its clinical summary",
        body=ClinicalSummary,
        response=schemas.ConsultationView,
        errors=(403, 409),
        description="By the doctor, once started: reason, notes, diagnoses (ICD-10), "
        "prescriptions, recommended follow-up. Sent to the patient's medical record.",
    )
    def complete(consultation_id: str) -> Response:
        request = bp.current_request
        summary = body(ClinicalSummary, request)
        return consultation_response(service().complete(caller(request), consultation_id, summary))

    @bp.route("/{consultation_id}/no-show", methods=["POST"], authorizer=access_token)
    @operation(
        "Record that the patient did not come",
        response=schemas.ConsultationView,
        errors=(403, 409),
        description="By the doctor, after the start time, if the patient never joined.",
    )
    def no_show(consultation_id: str) -> Response:
        who = caller(bp.current_request)
        return consultation_response(service().mark_no_show(who, consultation_id))

    return bp
