"""The HTTP API under /api/v1/payments: POST / (create an intent), GET / and GET /{id} (the
payer's), GET /earnings (a doctor's), POST /notifications/{provider}/{id} (the providers'
calls), and for administrators GET /refunds and POST /refunds/{id}/paid.

Views parse, check the caller's role, call the use cases and shape the answer; the domain's
refusals are answered by chalicelib/problems.py, installed on the app.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import schemas
from keneya.http import idempotency_key, json_response, parse_body, parse_query
from keneya.openapi import operation
from keneya.tokens import Principal, Role, principal, require_role

if TYPE_CHECKING:
    from chalicelib.service import PaymentService


def _service() -> PaymentService:
    # Wired at the first call, not when app.py is imported (its /health stays cheap).
    from chalicelib.bootstrap import service

    return service()


def blueprint(authorizer: Any) -> Blueprint:
    """The routes; those of people are protected by `authorizer` (the app's JWT authorizer),
    the providers' notifications by the token each provider gave for its payment."""
    api = Blueprint(__name__)

    def role_of(*roles: Role) -> Principal:
        return require_role(principal(api.current_request), *roles)

    def public_base() -> str:
        """This service's public URL as the caller reached it (the provider notifies there)."""
        headers = api.current_request.headers
        proto = headers.get("x-forwarded-proto", "http")
        return f"{proto}://{headers.get('host', 'localhost')}/api/v1/payments"

    @api.route("/", methods=["POST"], authorizer=authorizer)
    @operation(
        "Pay for a consultation",
        body=schemas.IntentRequest,
        response=schemas.IntentView,
        status=201,
        errors=(403, 404, 409, 422),
        description="By the patient, for one of their consultations awaiting payment. The "
        "amount is the consultation's fee. `next_action` says what the payer does next: open "
        "`url` (Orange Money) or confirm on the phone (Moov Money). An `Idempotency-Key` header "
        "makes a retry answer the same intent (`Idempotent-Replayed: true`); one consultation "
        "never has two live intents (409).",
    )
    def create_intent() -> Response:
        who = role_of("patient")
        request = parse_body(schemas.IntentRequest, api.current_request)
        key = idempotency_key(api.current_request)
        created = _service().create(
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

    @api.route("/", methods=["GET"], authorizer=authorizer)
    @operation("The caller's payments", response=schemas.IntentPage)
    def list_intents() -> Response:
        who = principal(api.current_request)
        intents = _service().list_of_payer(who.user_id)
        return json_response(schemas.IntentPage(items=[schemas.intent_view(i) for i in intents]))

    @api.route("/earnings", methods=["GET"], authorizer=authorizer)
    @operation(
        "A doctor's earnings per period",
        query=schemas.EarningsQuery,
        response=schemas.EarningsView,
        errors=(403,),
        description="Totals per month (or day) in Africa/Bamako: what consultations earned "
        "after the platform's commission, what was refunded, and the net.",
    )
    def earnings() -> Response:
        who = role_of("doctor")
        request = parse_query(schemas.EarningsQuery, api.current_request)
        totals = _service().earnings(who.user_id, request.period)
        return json_response(schemas.earnings_view(who.user_id, request.period, totals))

    @api.route("/refunds", methods=["GET"], authorizer=authorizer)
    @operation(
        "Refunds waiting for an administrator to pay them out",
        response=schemas.RefundQueue,
        errors=(403,),
    )
    def queued_refunds() -> Response:
        role_of("admin")
        return json_response({"items": _service().queued_refunds()})

    @api.route("/refunds/{payment_id}/paid", methods=["POST"], authorizer=authorizer)
    @operation(
        "Record that an administrator paid a refund out",
        body=schemas.RefundPaid,
        response=schemas.IntentView,
        errors=(403, 404, 409),
    )
    def refund_paid(payment_id: str) -> Response:
        role_of("admin")
        request = parse_body(schemas.RefundPaid, api.current_request)
        paid = _service().refund_paid_out(payment_id, request.reference)
        return json_response(schemas.intent_view(paid))

    @api.route("/{payment_id}", methods=["GET"], authorizer=authorizer)
    @operation("One of the caller's payments", response=schemas.IntentView, errors=(404,))
    def get_intent(payment_id: str) -> Response:
        who = principal(api.current_request)
        return json_response(schemas.intent_view(_service().of_payer(payment_id, who.user_id)))

    @api.route(
        "/notifications/{provider}/{payment_id}",
        methods=["POST"],
        content_types=["application/json", "application/x-www-form-urlencoded"],
    )
    @operation(
        "A provider's payment notification",
        response=schemas.NotificationAnswer,
        errors=(404, 409),
        description="Called by the provider. Accepted only with the token the provider gave "
        "for this payment; the payment's outcome is then asked of the provider's status API. "
        "A notification for a payment that has ended answers 200 and changes nothing.",
    )
    def notification(provider: str, payment_id: str) -> Response:
        raw = api.current_request.raw_body or b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        # A form-encoded or otherwise odd body carries no token: the notification is refused.
        if not isinstance(body, dict):
            body = {}
        intent = _service().notified(provider, payment_id, body)
        return json_response({"status": intent.status})

    return api
