"""Routes of attachments (presigned S3 upload and download) and of the patient's shares."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import schemas
from chalicelib.api_common import answer, body, caller, listing, no_content, records, router


def blueprint(authorizer: Any) -> Blueprint:
    bp = Blueprint(__name__)
    route = router(bp, authorizer)

    @route(
        "/{patient_id}/attachments",
        ["POST"],
        "Start an upload: a presigned S3 form",
        response=schemas.AttachmentView,
        status=201,
        body=schemas.NewAttachment,
        errors=(404, 422),
    )
    def start_upload(patient_id):
        fields = body(bp, "NewAttachment").model_dump()
        attachment, form = records().start_upload(caller(bp), patient_id, fields)
        return answer({**attachment, "upload": form}, status=201)

    @route(
        "/{patient_id}/attachments/{attachment_id}/confirm",
        ["POST"],
        "Confirm an upload: the file is checked and joins the record",
        response=schemas.AttachmentView,
        errors=(404, 422),
    )
    def confirm_upload(patient_id, attachment_id):
        return answer(records().confirm_upload(caller(bp), patient_id, attachment_id))

    @route(
        "/{patient_id}/attachments",
        ["GET"],
        "Attachments, newest first",
        response=schemas.AttachmentPage,
        query=schemas.Listing,
        errors=(404,),
    )
    def list_attachments(patient_id):
        return answer(records().attachments(caller(bp), patient_id, listing(bp).limit))

    @route(
        "/{patient_id}/attachments/{attachment_id}",
        ["GET"],
        "An attachment with a short-lived download URL",
        response=schemas.AttachmentView,
        errors=(404,),
    )
    def download(patient_id, attachment_id):
        return answer(records().download(caller(bp), patient_id, attachment_id))

    @route(
        "/{patient_id}/shares",
        ["POST"],
        "Share the record with a doctor until a date",
        response=schemas.ShareView,
        status=201,
        body=schemas.NewShare,
        errors=(404, 422),
    )
    def share(patient_id):
        request = body(bp, "NewShare")
        return answer(
            records().share(caller(bp), patient_id, request.doctor_id, request.until), 201
        )

    @route(
        "/{patient_id}/shares",
        ["GET"],
        "The record's shares",
        response=schemas.SharePage,
        errors=(404,),
    )
    def list_shares(patient_id):
        return answer(records().shares(caller(bp), patient_id))

    @route(
        "/{patient_id}/shares/{share_id}", ["DELETE"], "Revoke a share", status=204, errors=(404,)
    )
    def revoke(patient_id, share_id):
        records().revoke(caller(bp), patient_id, share_id)
        return no_content()

    return bp
