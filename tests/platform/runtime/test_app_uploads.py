"""A browser on the app's page uploads attachments straight to storage with a presigned PUT, as
on AWS: the page's policy lets it reach that one origin (and no other), and storage answers the
browser's CORS preflight from the bucket's rules, without asking it for a signature."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from keneya_local.stack import EmbeddedStack

pytestmark = pytest.mark.slow


def connect_sources(stack: EmbeddedStack) -> list[str]:
    page = requests.get(f"{stack.http_url}/record", timeout=10)
    assert page.status_code == 200, "build the app first: make app"
    policy = page.headers["Content-Security-Policy"]
    return re.search(r"connect-src ([^;]+)", policy).group(1).split()


def test_the_apps_policy_lets_it_reach_the_upload_origin_and_nothing_else(
    local_stack: EmbeddedStack,
):
    endpoint = urlsplit(local_stack.aws_endpoint)

    assert connect_sources(local_stack) == [
        "'self'",
        local_stack.ws_url,
        f"{endpoint.scheme}://{endpoint.netloc}",
    ]


def test_storage_answers_the_browsers_preflight_of_a_presigned_upload(
    local_stack: EmbeddedStack, aws: Any
):
    s3 = aws("s3")
    bucket = f"uploads-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]}
            ]
        },
    )
    url = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": "records/p/a", "ContentType": "image/png"},
        ExpiresIn=60,
    )
    preflight = requests.options(
        url,
        headers={
            "Origin": local_stack.http_url,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )

    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["Access-Control-Allow-Origin"] == local_stack.http_url
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    # and the upload itself still has to carry what was signed
    unsigned = requests.put(
        url, data=b"\x89PNG", headers={"Content-Type": "image/jpeg"}, timeout=10
    )
    assert unsigned.status_code == 403
    uploaded = requests.put(url, data=b"\x89PNG", headers={"Content-Type": "image/png"}, timeout=10)
    assert uploaded.status_code == 200, uploaded.text
