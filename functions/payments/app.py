"""Keneya payments service: Orange Money and Moov Money payments and the ledger.

Routes (under /api/v1/payments): POST / (create an intent), GET / and GET /{id} (the payer's),
GET /earnings (a doctor's), POST /notifications/{provider}/{id} (the providers' calls), and for
administrators GET /refunds and POST /refunds/{id}/paid. Consultations' events arrive on the
queue; a schedule reconciles pending intents with the providers; the relay publishes the outbox.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chalice import Chalice, Response

from chalicelib import schemas
from chalicelib.problems import problem_of
from keneya import http
from keneya.consumer import consume, events_queue_name
from keneya.http import (
    Conflict,
    NotFound,
    idempotency_key,
    json_response,
    parse_body,
    parse_query,
)
from keneya.openapi import operation
from keneya.relay import relay, table_stream_arn
from keneya.tokens import Role, jwt_authorizer, principal, require_role

app = Chalice(app_name="keneya-payments")
http.install(app, problems=problem_of)
access_token = jwt_authorizer(app)


def service() -> Any:
    from chalicelib.bootstrap import service as wired

    return wired()


def role_of(*roles: Role) -> Any:
    return require_role(principal(app.current_request), *roles)


def public_base() -> str:
    """This service's public URL as the caller reached it (the provider notifies there)."""
    headers = app.current_request.headers
    proto = headers.get("x-forwarded-proto", "http")
    return f"{proto}://{headers.get('host', 'localhost')}/api/v1/payments"


@app.route("/health")
@operation("Whether the payments service is up")
def health() -> dict[str, str]:
    return {"service": "payments", "status": "ok"}


@app.route("/", methods=["POST"], authorizer=access_token)
@operation(
    "Pay for a consultation",
    body=schemas.IntentRequest,
    response=schemas.IntentView,
    status=201,
    errors=(403, 404, 409, 422),
    description="By the patient, for one of their consultations awaiting payment. The amount "
    "is the consultation's fee. `next_action` says what the payer does next: open `url` "
    "(Orange Money) or confirm on the phone (Moov Money). An `Idempotency-Key` header makes a "
    "retry answer the same intent (`Idempotent-Replayed: true`); one consultation never has "
    "two live intents (409).",
)
def create_intent() -> Response:
    who = role_of("patient")
    request = parse_body(schemas.IntentRequest, app.current_request)
    key = idempotency_key(app.current_request)
    created = service().create(
        payer_id=who.user_id,
        consultation_id=request.consultation_id,
        provider=request.provider,
        payer_phone=request.phone,
        language=request.language,
        idempotency_key=key,
        notification_base=f"{public_base()}/notifications",
    )
    headers = {"Location": f"/api/v1/payments/{created.intent.id}"}
    if created.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(schemas.intent_view(created.intent), status=201, headers=headers)


@app.route("/", methods=["GET"], authorizer=access_token)
@operation("The caller's payments", response=schemas.IntentPage)
def list_intents() -> Response:
    who = principal(app.current_request)
    intents = service().list_of_payer(who.user_id)
    return json_response(schemas.IntentPage(items=[schemas.intent_view(i) for i in intents]))


@app.route("/earnings", methods=["GET"], authorizer=access_token)
@operation(
    "A doctor's earnings per period",
    query=schemas.EarningsQuery,
    response=schemas.EarningsView,
    errors=(403,),
    description="Totals per month (or day) in Africa/Bamako: what consultations earned after "
    "the platform's commission, what was refunded, and the net.",
)
def earnings() -> Response:
    who = role_of("doctor")
    request = parse_query(schemas.EarningsQuery, app.current_request)
    totals = service().earnings(who.user_id, request.period)
    return json_response(schemas.earnings_view(who.user_id, request.period, totals))


@app.route("/refunds", methods=["GET"], authorizer=access_token)
@operation(
    "Refunds waiting for an administrator to pay them out",
    response=schemas.RefundQueue,
    errors=(403,),
)
def queued_refunds() -> Response:
    role_of("admin")
    return json_response({"items": service().queued_refunds()})


@app.route("/refunds/{payment_id}/paid", methods=["POST"], authorizer=access_token)
@operation(
    "Record that an administrator paid a refund out",
    body=schemas.RefundPaid,
    response=schemas.IntentView,
    errors=(403, 404, 409),
)
def refund_paid(payment_id: str) -> Response:
    role_of("admin")
    request = parse_body(schemas.RefundPaid, app.current_request)
    intent = service().find(payment_id)
    if intent is None:
        raise NotFound("No such payment.")
    if intent.refund_status != "queued":
        raise Conflict("No refund of this payment is waiting.")
    return json_response(schemas.intent_view(service().refunded(intent, request.reference)))


@app.route("/{payment_id}", methods=["GET"], authorizer=access_token)
@operation("One of the caller's payments", response=schemas.IntentView, errors=(404,))
def get_intent(payment_id: str) -> Response:
    who = principal(app.current_request)
    return json_response(schemas.intent_view(service().of_payer(payment_id, who.user_id)))


@app.route(
    "/notifications/{provider}/{payment_id}",
    methods=["POST"],
    content_types=["application/json", "application/x-www-form-urlencoded"],
)
@operation(
    "A provider's payment notification",
    response=schemas.NotificationAnswer,
    errors=(404, 409),
    description="Called by the provider. Accepted only with the token the provider gave for "
    "this payment; the payment's outcome is then asked of the provider's status API. A "
    "notification for a payment that has ended answers 200 and changes nothing.",
)
def notification(provider: str, payment_id: str) -> Response:
    raw = app.current_request.raw_body or b"{}"
    try:
        body = json.loads(raw)
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    intent = service().notified(provider, payment_id, body)
    return json_response({"status": intent.status})


@app.on_sqs_message(queue=events_queue_name("payments"), batch_size=10)
def consume_events(event: Any) -> dict[str, Any]:
    """Consultations booked (what to charge), cancelled (refunds) and expired."""
    svc = service()
    return consume(
        event,
        {
            "consultation.booked": svc.on_booked,
            "consultation.cancelled": svc.on_cancelled,
            "consultation.expired": svc.on_expired,
        },
    )


@app.schedule("rate(1 minute)")
def reconcile(event: Any) -> dict[str, int]:
    """Ask the providers about every pending intent that is due; runs as of the scheduled
    event's time, so a test can replay it for a given moment."""
    raw = getattr(event, "time", None) or (event.get("time") if isinstance(event, dict) else None)
    as_of = datetime.fromisoformat(raw) if raw else datetime.now(UTC)
    return service().reconcile(as_of.astimezone(UTC))


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=25)
def publish_outbox(event: Any) -> dict[str, Any]:
    """Publish the events this service committed to its outbox."""
    return relay(event, event.context)
