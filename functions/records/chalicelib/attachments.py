"""Attachments (lab results, prescriptions, imaging reports) in S3 through presigned URLs.

1. The patient asks to upload, declaring type and size (at most `MAX_BYTES`): an attachment
   is written `pending` and they get a presigned PUT whose signature covers the key, the
   content type and that exact length (S3 refuses any other).
2. They upload straight to S3, then confirm: the object is checked (it exists, its size is
   within the limit, its first bytes are those of the declared type); only then the attachment
   is `available` in the record. A pending upload never confirmed is forgotten after a day.
3. Whoever may read the record gets a short-lived presigned GET to download it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONTENT_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
CATEGORIES = ("lab_result", "prescription", "imaging_report", "other")
MAX_BYTES = 10 * 1024 * 1024
URL_SECONDS = 900


class UploadRejected(Exception):
    """The uploaded object is missing, too large or not what it claims to be."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def looks_like(content_type: str, first_bytes: bytes) -> bool:
    return any(first_bytes.startswith(magic) for magic in CONTENT_TYPES[content_type])


@dataclass(frozen=True)
class Bucket:
    s3: Any
    name: str
    prefix: str

    def key(self, patient_id: str, attachment_id: str) -> str:
        return f"{self.prefix}{patient_id}/{attachment_id}"

    def upload_request(self, key: str, content_type: str, size: int) -> dict[str, Any]:
        """A presigned PUT: its signature covers the content type and the exact length the
        client declared (already checked against the limit), so S3 refuses anything else."""
        url = self.s3.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.name,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size,
            },
            ExpiresIn=URL_SECONDS,
        )
        return {
            "method": "PUT",
            "url": url,
            "headers": {"Content-Type": content_type, "Content-Length": str(size)},
            "expires_in": URL_SECONDS,
        }

    def check_upload(
        self,
        key: str,
        content_type: str,
        expected_size: int | None = None,
        max_bytes: int = MAX_BYTES,
    ) -> int:
        """The size of the uploaded object, once it passed the checks; `UploadRejected`
        (and the object deleted, if it was there) otherwise."""
        from botocore.exceptions import ClientError

        try:
            head = self.s3.head_object(Bucket=self.name, Key=key)
        except ClientError:
            raise UploadRejected("not_uploaded") from None
        size = int(head["ContentLength"])
        if size > max_bytes or size == 0 or (expected_size and size != expected_size):
            self.s3.delete_object(Bucket=self.name, Key=key)
            raise UploadRejected("wrong_size" if size else "empty")
        first = self.s3.get_object(Bucket=self.name, Key=key, Range="bytes=0-15")["Body"].read()
        if not looks_like(content_type, first):
            self.s3.delete_object(Bucket=self.name, Key=key)
            raise UploadRejected("wrong_content")
        return size

    def download_url(self, key: str, filename: str, content_type: str) -> str:
        safe = "".join(ch for ch in filename if ch.isalnum() or ch in " ._-")[:100] or "document"
        return self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.name,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'attachment; filename="{safe}"',
            },
            ExpiresIn=URL_SECONDS,
        )
