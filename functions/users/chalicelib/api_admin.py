"""Administrators' routes: the review of doctors (`/admin/doctors...`) and its history.

A caller who is not an administrator gets 403 before anything is looked up.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import schemas
from chalicelib.bootstrap import service
from chalicelib.texts import text
from keneya.http import json_response, parse_body, parse_query
from keneya.i18n import request_language
from keneya.openapi import operation
from keneya.tokens import Principal, principal, require_role


def admin(request: Request) -> Principal:
    """The caller, when an administrator; 403 in their language otherwise."""
    lang = request_language(request)
    return require_role(principal(request), "admin", detail=text("for_admins", lang), language=lang)


def blueprint(authorizer: Any) -> Blueprint:
    review = Blueprint(__name__)

    def doctor_response(profile: Any) -> Response:
        view = schemas.doctor_view(
            profile,
            request_language(review.current_request),
            schemas.REVIEW_PHOTO_PATH.format(id=profile.user_id),
        )
        return json_response(view, headers=schemas.NO_STORE)

    @review.route("/admin/doctors", authorizer=authorizer)
    @operation(
        "Doctors by review status",
        query=schemas.ReviewQuery,
        response=schemas.ReviewPage,
        errors=(403,),
        description="pending and suspended: longest waiting first; verified: by name.",
    )
    def doctors_to_review() -> Response:
        request = review.current_request
        admin(request)
        query = parse_query(schemas.ReviewQuery, request)
        listed, next_cursor = service().review_queue(query.status, query.cursor, query.limit)
        lang = request_language(request)
        items = [
            schemas.doctor_view(
                item.profile, lang, schemas.REVIEW_PHOTO_PATH.format(id=item.profile.user_id)
            )
            for item in listed
        ]
        return json_response(
            schemas.ReviewPage(items=items, next_cursor=next_cursor), headers=schemas.NO_STORE
        )

    @review.route("/admin/doctors/{doctor_id}", authorizer=authorizer)
    @operation("A doctor's whole profile", response=schemas.DoctorProfile, errors=(403,))
    def doctor_to_review(doctor_id: str) -> Response:
        admin(review.current_request)
        return doctor_response(service().doctor_for_review(schemas.checked_id(doctor_id)))

    @review.route("/admin/doctors/{doctor_id}/photo", authorizer=authorizer)
    @operation("A doctor's photo, whatever their status (a redirect)", status=302, errors=(403,))
    def doctor_photo_to_review(doctor_id: str) -> Response:
        admin(review.current_request)
        url = service().review_photo_url(schemas.checked_id(doctor_id))
        return Response(
            body="", status_code=302, headers={"Location": url, "Cache-Control": "no-store"}
        )

    @review.route("/admin/doctors/{doctor_id}/verify", methods=["POST"], authorizer=authorizer)
    @operation(
        "Verify (or reinstate) a doctor",
        response=schemas.DoctorProfile,
        errors=(403, 409),
        description="Lists the doctor and makes them bookable; emits doctor.verified. 409 when "
        "already verified, or when the profile lacks what verification checks (named).",
    )
    def verify_doctor(doctor_id: str) -> Response:
        who = admin(review.current_request)
        return doctor_response(
            service().review(schemas.checked_id(doctor_id), "verify", who.user_id)
        )

    @review.route("/admin/doctors/{doctor_id}/suspend", methods=["POST"], authorizer=authorizer)
    @operation(
        "Suspend a doctor",
        body=schemas.SuspendRequest,
        response=schemas.DoctorProfile,
        errors=(403, 409),
        description="Removes the doctor from the directory and from booking; emits "
        "doctor.suspended. The reason is kept for administrators.",
    )
    def suspend_doctor(doctor_id: str) -> Response:
        request = review.current_request
        who = admin(request)
        body = parse_body(schemas.SuspendRequest, request)
        return doctor_response(
            service().review(schemas.checked_id(doctor_id), "suspend", who.user_id, body.reason)
        )

    @review.route("/admin/doctors/{doctor_id}/history", authorizer=authorizer)
    @operation(
        "The history of a doctor's review",
        response=schemas.ReviewHistory,
        errors=(403,),
        description="Every verification and suspension, newest first: when, by which "
        "administrator, from which status to which, and the reason of a suspension.",
    )
    def doctor_review_history(doctor_id: str) -> Response:
        admin(review.current_request)
        decisions = service().review_history(schemas.checked_id(doctor_id))
        return json_response(schemas.review_history(decisions), headers=schemas.NO_STORE)

    return review
