"""Keneya consultations service: booking, the consultation lifecycle, teleconsultation sessions.

Routes (under /api/v1/consultations): GET /slots (public), POST / (book), GET / (the caller's),
GET /{id}, and the lifecycle actions in `chalicelib.actions_api` (cancel, start, join, complete,
no-show). Events from the users, payments and signaling services arrive on the service's queue;
a schedule expires unpaid bookings and sends reminders; the outbox relay publishes what was
committed.
Each view parses, calls one `chalicelib.service` method and shapes the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Chalice, Response

from chalicelib import schemas
from chalicelib.actions_api import actions_blueprint
from chalicelib.messages import text
from chalicelib.problems import problem_of
from chalicelib.web import (
    body,
    caller,
    consultation_response,
    language,
    query,
    service,
)
from keneya import http
from keneya.consumer import consume, events_queue_name
from keneya.http import idempotency_key, json_response
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import Role, jwt_authorizer, require_role

app = Chalice(app_name="keneya-consultations")
http.install(app, problems=problem_of)
access_token = jwt_authorizer(app)
app.register_blueprint(actions_blueprint(access_token))


def only(who: Any, *roles: Role, because: str) -> Any:
    """`who`, if one of `roles`; a 403 saying `because` (a text key) otherwise."""
    lang = language(app.current_request)
    return require_role(who, *roles, detail=text(because, lang), language=lang)


@app.route("/health")
@operation("Whether the consultations service is up")
def health() -> dict[str, str]:
    return {"service": "consultations", "status": "ok"}


@app.route("/slots")
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
    request = query(schemas.SlotsQuery, app.current_request)
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


@app.route("/", methods=["POST"], authorizer=access_token)
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
    who = only(caller(app.current_request), "patient", because="patients_only")
    request = body(schemas.BookingRequest, app.current_request)
    booked = service().book(
        patient_id=who.user_id,
        doctor_id=request.doctor_id,
        starts_at=request.starts_at,
        reason=request.reason,
        mode=request.mode,
        idempotency_key=idempotency_key(app.current_request),
    )
    headers = {"Location": f"/api/v1/consultations/{booked.consultation.id}"}
    if booked.replayed:
        headers["Idempotent-Replayed"] = "true"
    return consultation_response(booked.consultation, status=201, headers=headers)


@app.route("/", methods=["GET"], authorizer=access_token)
@operation(
    "The caller's consultations",
    query=schemas.ListQuery,
    response=schemas.ConsultationPage,
    errors=(403,),
    description="A patient's or a doctor's own consultations by start time, filtered by "
    "status (comma-separated) and start window; `next_cursor` gives the next page.",
)
def list_consultations() -> Response:
    who = only(caller(app.current_request), "patient", "doctor", because="participants_only")
    request = query(schemas.ListQuery, app.current_request)
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


@app.route("/{consultation_id}", methods=["GET"], authorizer=access_token)
@operation(
    "One consultation",
    response=schemas.ConsultationView,
    description="For its patient and its doctor; anyone else gets 404. `call` tells who was "
    "in the video call and how long (each stay, and the total seconds of each participant).",
)
def get_consultation(consultation_id: str) -> Response:
    return consultation_response(service().get(caller(app.current_request), consultation_id))


@app.on_sqs_message(queue=events_queue_name("consultations"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    """Doctors' copies from the users service; payments confirming, failing, refunding; who
    joined and left the video call, from the signaling service."""
    svc = service()
    return consume(
        event,
        {
            "doctor.verified": svc.on_doctor_event,
            "doctor.suspended": svc.on_doctor_event,
            "doctor.availability_changed": svc.on_doctor_event,
            "profile.updated": svc.on_doctor_event,
            "payment.succeeded": svc.on_payment_succeeded,
            "payment.failed": svc.on_payment_failed,
            "payment.refunded": svc.on_payment_refunded,
            "call.joined": svc.on_call_joined,
            "call.left": svc.on_call_left,
        },
    )


@app.schedule("rate(1 minute)")
def sweep_due_work(event: Any) -> dict[str, int]:
    """Expire unpaid bookings past their deadline; send the reminders due. The sweep runs as of
    the scheduled event's time, so it can be replayed for a given moment."""
    raw = getattr(event, "time", None) or (event.get("time") if isinstance(event, dict) else None)
    as_of = datetime.fromisoformat(raw) if raw else datetime.now(UTC)
    return service().sweep(as_of.astimezone(UTC))


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
