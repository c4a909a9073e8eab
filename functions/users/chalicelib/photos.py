"""Doctors' photos: uploaded by the browser straight to S3 with a presigned POST, then checked.

1. `POST /me/photo` with the file's type and size: refused unless JPEG, PNG or WebP of at most
   `MAX_BYTES`; otherwise a presigned POST whose policy repeats those limits, for the key
   `<prefix><doctor id>/<upload id>`.
2. The browser uploads. 3. `PUT /me/photo` with the upload id: the object must exist, be no
   larger than the limit, and start with the signature of an accepted image type (what the
   browser *said* it sent is not trusted). Refused uploads are deleted.

Photos are served through `GET /doctors/{id}/photo`, a redirect to a short-lived presigned URL,
so the bucket stays private.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.errors import PhotoRejected

MAX_BYTES = 5 * 1024 * 1024
MIN_BYTES = 100
UPLOAD_SECONDS = 10 * 60
DOWNLOAD_SECONDS = 5 * 60
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
_SIGNATURE_BYTES = 12


def sniffed_type(head: bytes) -> str | None:
    """The image type the first bytes of a file announce, if one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_announced(content_type: str, size: int) -> None:
    """Refuse, before any upload, what the client says it will send if it is not acceptable."""
    if content_type not in ACCEPTED_TYPES:
        raise PhotoRejected("photo_type", "content_type")
    if size > MAX_BYTES:
        raise PhotoRejected("photo_too_large", "size")
    if size < MIN_BYTES:
        raise PhotoRejected("photo_too_small", "size")


def photo_key(prefix: str, doctor_id: str, upload_id: str) -> str:
    return f"{prefix}{doctor_id}/{upload_id}"


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    upload_id: str
    expires_in: int


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
            Bucket=self._bucket, Key=key, Range=f"bytes=0-{_SIGNATURE_BYTES - 1}"
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
