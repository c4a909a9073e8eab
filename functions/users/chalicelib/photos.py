"""Doctors' photos: uploaded by the browser straight to S3 with a presigned POST, then checked
(the S3 side is `chalicelib.photo_store`).

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

from chalicelib.errors import PhotoRejected

MAX_BYTES = 5 * 1024 * 1024
MIN_BYTES = 100
UPLOAD_SECONDS = 10 * 60
DOWNLOAD_SECONDS = 5 * 60
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
# How much of an upload is read to tell its type.
SIGNATURE_BYTES = 12


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
