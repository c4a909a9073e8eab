"""Attachments (lab results, prescriptions, imaging reports) in S3 through presigned URLs.

1. The patient asks to upload, declaring type and size (at most `MAX_BYTES`): an attachment
   is written `pending` and they get a presigned PUT whose signature covers the key, the
   content type and that exact length (S3 refuses any other).
2. They upload straight to S3, then confirm: the object is checked (it exists, its size is
   within the limit, its first bytes are those of the declared type); only then the attachment
   is `available` in the record. A pending upload never confirmed is forgotten after a day.
3. Whoever may read the record gets a short-lived presigned GET to download it.

The rules only; the S3 side is `chalicelib.attachment_store.Bucket`.
"""

from __future__ import annotations

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


def size_refusal(size: int, expected_size: int | None, max_bytes: int = MAX_BYTES) -> str | None:
    """Why an uploaded object of `size` bytes is refused (`wrong_size`, `empty`), or None:
    empty, over the limit, or not the length the patient declared."""
    if size > max_bytes or size == 0 or (expected_size and size != expected_size):
        return "wrong_size" if size else "empty"
    return None
