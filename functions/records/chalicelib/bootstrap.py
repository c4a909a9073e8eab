"""The service's parts wired once per process (a Lambda sandbox), on first use: the outbox relay
and /health never pay for pymongo or S3."""

from __future__ import annotations

from functools import cache

from chalicelib.service import Records


@cache
def service() -> Records:
    from chalicelib.attachment_store import Bucket
    from chalicelib.outbox_store import emit_record_updated
    from chalicelib.store import Store, database
    from keneya.aws import client
    from keneya.config import settings

    config = settings()
    bucket = Bucket(
        client("s3"),
        config.require("ATTACHMENTS_BUCKET"),
        config.get("ATTACHMENTS_PREFIX", "records/") or "records/",
    )
    return Records(Store(database()), emit_record_updated, bucket=bucket)
