"""Attachments' contents in S3 (`chalicelib.service.AttachmentStorage`): presigned uploads and
downloads, and the check of what was uploaded against `chalicelib.attachments`' rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.attachments import MAX_BYTES, URL_SECONDS, UploadRejected, looks_like, size_refusal


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
        refusal = size_refusal(size, expected_size, max_bytes)
        if refusal:
            self.s3.delete_object(Bucket=self.name, Key=key)
            raise UploadRejected(refusal)
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
