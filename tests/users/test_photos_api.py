"""/me/photo: a doctor uploads a photo straight to S3 with a presigned POST, then confirms it."""

from __future__ import annotations

import pytest
import requests

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 1000


def upload(users_api, doctor, content: bytes, content_type: str = "image/jpeg") -> str:
    """Ask for a form, post the file to S3 with it, return the upload id."""
    started = users_api.post(
        "/me/photo", {"content_type": content_type, "size": len(content)}, who=doctor
    )
    assert started.status_code == 201, started.text
    form = started.json()
    sent = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("photo", content, content_type)},
        timeout=30,
    )
    assert sent.status_code in (200, 201, 204), sent.text
    return form["upload_id"]


def fetched(users_api, path: str, **options) -> requests.Response:
    redirect = users_api.get(path, **options)
    assert redirect.status_code == 302, redirect.text
    return requests.get(redirect.headers["Location"], timeout=30)


@pytest.fixture(scope="module")
def patient(people):
    return people.patient()


@pytest.fixture(scope="module")
def refused_doctor(people):
    """A doctor whose photos below are all refused: they never have one."""
    return people.doctor()


def test_a_doctors_photo_is_uploaded_confirmed_and_shown(people, users_api, admin, published):
    doctor = people.doctor()
    started = users_api.post(
        "/me/photo", {"content_type": "image/jpeg", "size": len(JPEG)}, who=doctor
    ).json()
    assert started["max_bytes"] == 5 * 1024 * 1024
    assert started["accepted_types"] == ["image/jpeg", "image/png", "image/webp"]
    upload_id = upload(users_api, doctor, JPEG)

    response = users_api.put("/me/photo", {"upload_id": upload_id}, who=doctor)

    assert response.status_code == 200, response.text
    assert response.json()["photo_url"] == f"/api/v1/users/me/photo?v={upload_id}"
    assert fetched(users_api, "/me/photo", who=doctor).content == JPEG
    assert fetched(users_api, f"/admin/doctors/{doctor.user_id}/photo", who=admin).content == JPEG
    event = published.wait_for("profile.updated", user_id=doctor.user_id, changed=["photo"])
    assert event.data["role"] == "doctor"


def test_a_listed_doctors_photo_is_public_and_a_new_one_replaces_it(listed_doctor, users_api):
    doctor = listed_doctor(city="Koutiala")
    first = upload(users_api, doctor, JPEG)
    users_api.put("/me/photo", {"upload_id": first}, who=doctor)
    second = upload(users_api, doctor, PNG, "image/png")

    users_api.put("/me/photo", {"upload_id": second}, who=doctor)

    public = users_api.get(f"/doctors/{doctor.user_id}").json()
    assert public["photo_url"] == f"/api/v1/users/doctors/{doctor.user_id}/photo?v={second}"
    assert fetched(users_api, f"/doctors/{doctor.user_id}/photo").content == PNG
    [card] = [
        c
        for c in users_api.get("/doctors", params={"city": "Koutiala", "limit": 50}).json()["items"]
        if c["id"] == doctor.user_id
    ]
    assert card["photo_url"] == public["photo_url"]


@pytest.mark.parametrize(
    ("announced", "field", "code"),
    [
        ({"content_type": "image/svg+xml", "size": 2000}, "content_type", "photo_type"),
        ({"content_type": "image/gif", "size": 2000}, "content_type", "photo_type"),
        ({"content_type": "image/jpeg", "size": 6 * 1024 * 1024}, "size", "photo_too_large"),
    ],
)
def test_a_photo_of_the_wrong_type_or_size_is_refused_before_upload(
    refused_doctor, users_api, announced, field, code
):
    response = users_api.post("/me/photo", announced, who=refused_doctor, language="en")

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_a_file_that_is_not_an_image_is_refused_and_deleted_whatever_it_claims(
    refused_doctor, users_api, platform
):
    import boto3

    doctor = refused_doctor
    pdf = b"%PDF-1.7\n" + b"0" * 2000
    upload_id = upload(users_api, doctor, pdf, "image/jpeg")

    response = users_api.put("/me/photo", {"upload_id": upload_id}, who=doctor, language="en")

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("upload_id", "photo_type")
    ]
    assert users_api.get("/me", who=doctor).json()["photo_url"] is None
    environment = platform.deployment.services["users"].environment
    s3 = boto3.client("s3", endpoint_url=platform.aws_endpoint, region_name="us-east-1")
    listed = s3.list_objects_v2(
        Bucket=environment["ATTACHMENTS_BUCKET"],
        Prefix=f"{environment['ATTACHMENTS_PREFIX']}{doctor.user_id}/",
    )
    assert listed.get("KeyCount", 0) == 0


def test_confirming_before_uploading_is_refused(refused_doctor, users_api):
    doctor = refused_doctor
    started = users_api.post(
        "/me/photo", {"content_type": "image/png", "size": 5000}, who=doctor
    ).json()

    response = users_api.put("/me/photo", {"upload_id": started["upload_id"]}, who=doctor)

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "photo_missing"


def test_a_doctor_removes_their_photo(people, users_api, published):
    doctor = people.doctor()
    users_api.put("/me/photo", {"upload_id": upload(users_api, doctor, JPEG)}, who=doctor)
    added = published.wait_for("profile.updated", user_id=doctor.user_id, changed=["photo"])

    response = users_api.delete("/me/photo", who=doctor)

    assert response.status_code == 204
    assert users_api.get("/me", who=doctor).json()["photo_url"] is None
    assert users_api.get("/me/photo", who=doctor).status_code == 404
    published.wait_for(
        "profile.updated", user_id=doctor.user_id, revision=added.data["revision"] + 1
    )


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("POST", {"content_type": "image/jpeg", "size": 2000}),
        ("PUT", {"upload_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}),
        ("DELETE", None),
    ],
)
def test_patients_have_no_photo(patient, users_api, method, body):
    assert users_api.call(method, "/me/photo", body, who=patient).status_code == 403
