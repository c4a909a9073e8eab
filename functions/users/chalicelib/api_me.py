"""Routes of the signed-in user: their profile, a doctor's schedule and photo (`/me...`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas
from chalicelib.bootstrap import service
from chalicelib.photos import ACCEPTED_TYPES, MAX_BYTES
from chalicelib.profiles import EmergencyContact
from keneya.http import json_response, parse_body
from keneya.i18n import request_language
from keneya.openapi import operation
from keneya.tokens import principal


def _changes(patch: schemas.ProfilePatch) -> dict[str, Any]:
    """Field -> new value for the fields the body gives (`null` included)."""
    changes: dict[str, Any] = {}
    for name in sorted(patch.model_fields_set):
        value = getattr(patch, name)
        if name == "emergency_contact" and value is not None:
            changes[name] = EmergencyContact(value.name, value.phone, value.relationship)
        elif name == "languages":
            changes[name] = tuple(value)
        else:
            changes[name] = value
    return changes


def blueprint(authorizer: Any) -> Blueprint:
    me = Blueprint(__name__)

    def profile_response(profile: Any) -> Response:
        return json_response(
            schemas.profile_view(profile, request_language(me.current_request)),
            headers=schemas.NO_STORE,
        )

    @me.route("/me", authorizer=authorizer)
    @operation(
        "The signed-in user's profile",
        response=schemas.ProfileView,
        description="Created from the account within seconds of registration; until then 404 "
        "with code profile_not_ready and Retry-After.",
    )
    def get_me() -> Response:
        return profile_response(service().own_profile(principal(me.current_request).user_id))

    @me.route("/me", methods=["PATCH"], authorizer=authorizer)
    @operation(
        "Change the signed-in user's profile",
        body=schemas.ProfilePatch,
        response=schemas.ProfileView,
        errors=(409,),
        description="Only the fields given change. Emits profile.updated. A verified doctor's "
        "specialty and licence number: 409 (support changes them).",
    )
    def patch_me() -> Response:
        patch = parse_body(schemas.ProfilePatch, me.current_request)
        who = principal(me.current_request)
        return profile_response(service().update_profile(who.user_id, _changes(patch)))

    @me.route("/me/availability", authorizer=authorizer)
    @operation(
        "The signed-in doctor's schedule",
        response=schemas.AvailabilityView,
        errors=(403,),
        description="Defaults (no hours, 30-minute slots, Africa/Bamako) until one is set; "
        "past special days are left out.",
    )
    def get_availability() -> Response:
        profile = service().own_schedule(principal(me.current_request).user_id)
        return json_response(schemas.availability_view(profile, service().clock()))

    @me.route("/me/availability", methods=["PUT"], authorizer=authorizer)
    @operation(
        "Set the signed-in doctor's schedule",
        body=schemas.AvailabilityBody,
        response=schemas.AvailabilityView,
        errors=(403, 409),
        description="Weekly ranges per weekday, slot length, time zone and special days (days "
        "off, other hours). Emits doctor.availability_changed with the whole schedule.",
    )
    def put_availability() -> Response:
        body = parse_body(schemas.AvailabilityBody, me.current_request)
        who = principal(me.current_request)
        profile = service().set_availability(who.user_id, body.model_dump(mode="json"))
        return json_response(schemas.availability_view(profile, service().clock()))

    @me.route("/me/photo", methods=["POST"], authorizer=authorizer)
    @operation(
        "Start uploading the signed-in doctor's photo",
        body=schemas.PhotoUploadRequest,
        response=schemas.PhotoUploadForm,
        status=201,
        errors=(403,),
        description=f"JPEG, PNG or WebP, at most {MAX_BYTES // (1024 * 1024)} MB. Upload the "
        "file with the form returned, then confirm with PUT /me/photo.",
    )
    def start_photo() -> Response:
        body = parse_body(schemas.PhotoUploadRequest, me.current_request)
        who = principal(me.current_request)
        form = service().photo_upload_form(who.user_id, body.content_type, body.size)
        return json_response(
            schemas.PhotoUploadForm(
                upload_id=form.upload_id,
                url=form.url,
                fields=form.fields,
                expires_in=form.expires_in,
                max_bytes=MAX_BYTES,
                accepted_types=list(ACCEPTED_TYPES),
            ),
            status=201,
            headers=schemas.NO_STORE,
        )

    @me.route("/me/photo", methods=["PUT"], authorizer=authorizer)
    @operation(
        "Use the uploaded photo",
        body=schemas.PhotoConfirm,
        response=schemas.ProfileView,
        errors=(403,),
        description="The file is checked (size, image signature); a refused one is deleted. "
        "Emits profile.updated.",
    )
    def confirm_photo() -> Response:
        body = parse_body(schemas.PhotoConfirm, me.current_request)
        who = principal(me.current_request)
        return profile_response(service().accept_photo(who.user_id, body.upload_id))

    @me.route("/me/photo", methods=["DELETE"], authorizer=authorizer)
    @operation("Remove the signed-in doctor's photo", status=204, errors=(403,))
    def delete_photo() -> Response:
        service().remove_photo(principal(me.current_request).user_id)
        return Response(body="", status_code=204)

    @me.route("/me/photo", authorizer=authorizer)
    @operation("The signed-in doctor's photo (a redirect)", status=302)
    def own_photo() -> Response:
        url = service().own_photo_url(principal(me.current_request).user_id)
        return Response(
            body="", status_code=302, headers={"Location": url, "Cache-Control": "no-store"}
        )

    return me
