"""Doctors' photos in S3: the adapter behind the `Photos` port of `chalicelib.service` (the
rules it applies are `chalicelib.photos`)."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import PhotoRejected
from chalicelib.photos import (
    DOWNLOAD_SECONDS,
    MAX_BYTES,
    MIN_BYTES,
    SIGNATURE_BYTES,
    UPLOAD_SECONDS,
    UploadForm,
    check_announced,
    photo_key,
    sniffed_type,
)


class PhotoStorage:
    """The service's prefix of the attachments bucket."""

    def __init__(self, s3: Any, bucket: str, prefix: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix

    def key(self, doctor_id: str, upload_id: str) -> str:
        return photo_key(self._prefix, doctor_id, upload_id)

    def upload_form(
        self, doctor_id: str, upload_id: str, content_type: str, size: int
    ) -> UploadForm:
        check_announced(content_type, size)
        post = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=self.key(doctor_id, upload_id),
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", MIN_BYTES, MAX_BYTES],
            ],
            ExpiresIn=UPLOAD_SECONDS,
        )
        return UploadForm(post["url"], post["fields"], upload_id, UPLOAD_SECONDS)

    def accept(self, doctor_id: str, upload_id: str) -> str:
        """The key of the uploaded photo once it passed the checks; raises `PhotoRejected`
        (and deletes what was uploaded) otherwise."""
        from botocore.exceptions import ClientError

        key = self.key(doctor_id, upload_id)
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise PhotoRejected("photo_missing", "upload_id") from None
            raise
        size = int(head["ContentLength"])
        if size > MAX_BYTES or size < MIN_BYTES:
            self.delete(key)
            code = "photo_too_large" if size > MAX_BYTES else "photo_too_small"
            raise PhotoRejected(code, "upload_id")
        first = self._s3.get_object(
            Bucket=self._bucket, Key=key, Range=f"bytes=0-{SIGNATURE_BYTES - 1}"
        )["Body"].read()
        if sniffed_type(first) is None:
            self.delete(key)
            raise PhotoRejected("photo_type", "upload_id")
        return key

    def download_url(self, key: str) -> str:
        return self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=DOWNLOAD_SECONDS,
        )

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)
