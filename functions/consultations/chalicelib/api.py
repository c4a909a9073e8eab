"""The consultations routes (a Chalice blueprint mounted by `app.py`, under
/api/v1/consultations):

    GET  /slots             a doctor's free slots (public)
    POST /                  patient: book a slot
    GET  /                  the caller's consultations
    GET  /{id}              one consultation, for its patient and its doctor
    POST /{id}/cancel       patient, doctor (or an administrator); body {"note"} optional
    POST /{id}/start        doctor: opens the teleconsultation session
    POST /{id}/join         a participant joins the open session
    POST /{id}/complete     doctor: ends it with the clinical summary
    POST /{id}/no-show      doctor: the patient did not come

Each view parses, calls one `chalicelib.service` method and shapes the answer; the lifecycle
actions answer the consultation as it now is, and one its state does not allow is a 409 naming
the current status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import schemas
from chalicelib.bootstrap import service
from chalicelib.clinical import ClinicalSummary
from chalicelib.lifecycle import Actor, Consultation
from chalicelib.texts import text
from keneya.http import idempotency_key, json_response, parse_body, parse_query
from keneya.i18n import request_language
from keneya.openapi import operation
from keneya.tokens import Role, principal, require_role


def caller(request: Request) -> Actor:
    who = principal(request)
    return Actor(user_id=who.user_id, role=who.role)


def only(request: Request, *roles: Role, because: str) -> Actor:
    """The caller, if one of `roles`; a 403 saying `because` (a text key) otherwise."""
    who = caller(request)
    lang = request_language(request)
    return require_role(who, *roles, detail=text(because, lang), language=lang)


def consultation_response(
    consultation: Consultation, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    # Clinical content: never kept by a browser's or a proxy's cache.
    return json_response(
        schemas.consultation_view(consultation, service().policy),
        status=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def blueprint(access_token: Any) -> Blueprint:
    """The routes, the caller's own ones protected by the app's `access_token` authorizer."""
    bp = Blueprint(__name__)

    # -- slots and booking ------------------------------------------------------------------

    @bp.route("/slots")
    @operation(
        "A doctor's free slots",
        query=schemas.SlotsQuery,
        response=schemas.SlotsView,
        errors=(404,),
        description="Slots of a verified doctor's schedule that nobody holds, from `from` "
        "(default now) to `to` (default 7 days later, 31 days at most), in UTC, with the local "
        "date and time of the doctor's time zone. Unknown or unverified doctor: 404.",
    )
    def free_slots() -> Response:
        request = parse_query(schemas.SlotsQuery, bp.current_request)
        found = service().free_slots(request.doctor_id, request.from_, request.to)
        schedule = found.doctor.schedule
        assert schedule is not None and found.doctor.fee_xof is not None
        return json_response(
            schemas.SlotsView(
                doctor_id=found.doctor.doctor_id,
                doctor_name=found.doctor.full_name,
                time_zone=schedule.time_zone,
                slot_minutes=schedule.slot_minutes,
                fee_xof=found.doctor.fee_xof,
                slots=[schemas.slot_view(slot, schedule.time_zone) for slot in found.slots],
            )
        )

    @bp.route("/", methods=["POST"], authorizer=access_token)
    @operation(
        "Book a consultation",
        body=schemas.BookingRequest,
        response=schemas.ConsultationView,
        status=201,
        errors=(403, 409),
        description="By a patient, for a free slot. The fee is the doctor's at this moment: a "
        "free consultation is confirmed at once, a paid one waits 15 minutes for payment "
        "(`payment_due_at`). 409 when the slot was taken or the patient already has a "
        "consultation then. An `Idempotency-Key` header makes a retry answer the first result "
        "(`Idempotent-Replayed: true`); the same key with another request: 422.",
    )
    def book() -> Response:
        who = only(bp.current_request, "patient", because="patients_only")
        request = parse_body(schemas.BookingRequest, bp.current_request)
        booked = service().book(
            patient_id=who.user_id,
            doctor_id=request.doctor_id,
            starts_at=request.starts_at,
            reason=request.reason,
            mode=request.mode,
            idempotency_key=idempotency_key(bp.current_request),
        )
        headers = {"Location": f"/api/v1/consultations/{booked.consultation.id}"}
        if booked.replayed:
            headers["Idempotent-Replayed"] = "true"
        return consultation_response(booked.consultation, status=201, headers=headers)

    # -- reading ----------------------------------------------------------------------------

    @bp.route("/", methods=["GET"], authorizer=access_token)
    @operation(
        "The caller's consultations",
        query=schemas.ListQuery,
        response=schemas.ConsultationPage,
        errors=(403,),
        description="A patient's or a doctor's own consultations by start time, filtered by "
        "status (comma-separated) and start window; `next_cursor` gives the next page.",
    )
    def list_consultations() -> Response:
        who = only(bp.current_request, "patient", "doctor", because="participants_only")
        request = parse_query(schemas.ListQuery, bp.current_request)
        page = service().list_for(
            who,
            statuses=request.statuses,
            starts_from=request.from_,
            starts_before=request.to,
            limit=request.limit,
            cursor=request.cursor,
            descending=request.order == "desc",
        )
        return json_response(
            schemas.ConsultationPage(
                items=[schemas.consultation_view(c, service().policy) for c in page.consultations],
                next_cursor=page.next_cursor,
            )
        )

    @bp.route("/{consultation_id}", methods=["GET"], authorizer=access_token)
    @operation(
        "One consultation",
        response=schemas.ConsultationView,
        description="For its patient and its doctor; anyone else gets 404. `call` tells who "
        "was in the video call and how long (each stay, and the total seconds of each "
        "participant).",
    )
    def get_consultation(consultation_id: str) -> Response:
        return consultation_response(service().get(caller(bp.current_request), consultation_id))

    # -- the lifecycle ----------------------------------------------------------------------

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
        note = parse_body(schemas.CancelRequest, request).note if request.raw_body else None
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
        summary = parse_body(ClinicalSummary, request)
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
