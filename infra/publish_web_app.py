"""Publish the built web app (web/app/dist) to its bucket behind CloudFront.

The deployed stack's outputs say where: `WebAppBucketName`, `WebAppDistributionId`, and the two
WebSocket URLs the app reads from `config.json` (written beside it, never cached). Hashed assets
are kept a year by browsers and edges; the page, the service worker, the manifest and
`config.json` are always revalidated, so a new version reaches phones at once.

    make app && python infra/publish_web_app.py --stack keneya-prod [--region eu-west-1]
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "web" / "app" / "dist"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    content_type: str
    cache_control: str


def uploads(dist: Path) -> list[Upload]:
    """Every file of the build, with the headers it is served with; `index.html` last, so a
    page is never published before the assets it names."""
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist}/index.html is missing: build the app first (make app)")
    found = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        content_type = CONTENT_TYPES.get(path.suffix) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        found.append(Upload(key, path, content_type, cache))
    return sorted(found, key=lambda upload: upload.key == "index.html")


def app_config(outputs: dict[str, str]) -> dict[str, str]:
    """What the app reads from /config.json: its two sockets."""
    return {
        "signaling": outputs["SignalingWebSocketUrl"],
        "notifications": outputs["NotificationsWebSocketUrl"],
    }


def publish(dist: Path, bucket: str, config: dict[str, str], s3: Any) -> list[str]:
    """Upload the build and config.json; the keys written, in order."""
    written = []
    for upload in uploads(dist):
        s3.put_object(
            Bucket=bucket,
            Key=upload.key,
            Body=upload.path.read_bytes(),
            ContentType=upload.content_type,
            CacheControl=upload.cache_control,
        )
        written.append(upload.key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config).encode(),
        ContentType="application/json",
        CacheControl="no-store",
    )
    written.append("config.json")
    return written


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {item["OutputKey"]: item["OutputValue"] for item in described.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True, help="the deployed stack (keneya-<stage>)")
    parser.add_argument("--region", default=None)
    parser.add_argument("--dist", type=Path, default=DIST)
    args = parser.parse_args(argv)

    import boto3

    session = boto3.session.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack)
    if "WebAppBucketName" not in outputs:
        print(
            f"{args.stack} hosts no web app: deploy it with WebDomainName, WebCertificateArn "
            "and DomainName set.",
            file=sys.stderr,
        )
        return 2
    bucket = outputs["WebAppBucketName"]
    print(f"==> uploading {args.dist} to s3://{bucket}")
    written = publish(args.dist, bucket, app_config(outputs), session.client("s3"))
    print(f"    {len(written)} files")
    distribution = outputs["WebAppDistributionId"]
    paths = ["/", "/index.html", "/sw.js", "/manifest.webmanifest", "/config.json"]
    session.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": f"publish-{time.time_ns()}",
        },
    )
    print(f"==> CloudFront {distribution}: the page, service worker and config.json renewed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
