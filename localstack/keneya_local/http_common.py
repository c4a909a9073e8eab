"""What the parts of the stack's HTTP port share: the API's base path, the JSON answer, and
which files may be served.

One port (3000) serves what sits behind one CloudFront distribution on AWS, plus the stack's
own pages: the API (`keneya_local.rest_gateway`), its references (`keneya_local.api_docs`), the
web app (`keneya_local.web_app`) and the local console (`keneya_local.control_panel`). The
gateway assembles them; this module is what they have in common, so that none imports another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web

# Every service's routes are under /api/v1/<service>/, as the custom domain's API mappings.
API_BASE = "/api/v1"
WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# What the app's and the references' files may be; anything else is not served.
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}


def json_answer(status: int, body: Any, error_type: str | None = None) -> web.Response:
    """`body` as JSON, flagged with `x-amzn-ErrorType` when it is an AWS service's error."""
    headers = {"x-amzn-ErrorType": error_type} if error_type else None
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def served_file(root: Path, name: str) -> Path | None:
    """The file `name` (relative, `/`-separated) names under `root`; None when it would leave
    `root`, is hidden, is not a file or is not of a type the gateway serves."""
    if not name or "\\" in name or "\x00" in name:
        return None
    if any(part in ("", ".", "..") or part.startswith(".") for part in name.split("/")):
        return None
    base = root.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base) or path.suffix not in CONTENT_TYPES:
        return None
    return path if path.is_file() else None
