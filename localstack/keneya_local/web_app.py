"""The web app, served as CloudFront serves it from S3 in front of the API.

    /, /sign-in, /doctors/...     the app's page for each of its paths (it routes in the
                                  browser); /consultations/<id>/payment is where a payer comes
                                  back from the provider's page, /consultations/<id>/call the call
    /assets/<name>                its hashed, compressed assets, cached for a year
    /sw.js, /manifest.webmanifest, /icon.svg   the files that live at its root
    /config.json                  the app's two sockets in this stack (on AWS, a file the
                                  deployment writes beside the app)
    /room/?consultation=<id>      the old room's address: sent on to the app's call

The app is `web/app/dist`, built by `make up`. Its page carries the content security policy
the CloudFront distribution sends, with this stack's sockets and upload origin in it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from keneya_local.http_common import CONTENT_TYPES, WEB_DIR, json_answer, served_file

if TYPE_CHECKING:
    from keneya_local.stack import EmbeddedStack

# Where the consultation room was before it became part of the app; links people kept still work.
ROOM_PATH = "/room"
# The web app (web/app, built by `make up`), served at `/` and at each of its own paths, as
# CloudFront serves it from S3 in front of the API.
APP_DIR = WEB_DIR / "app" / "dist"
APP_ROUTES = (
    "/sign-in",
    "/sign-up",
    "/sign-up/doctor",
    "/reset-password",
    "/account",
    "/doctors",
    "/doctors/{doctor_id}",
    "/consultations",
    "/consultations/{consultation_id}",
    "/consultations/{consultation_id}/payment",
    "/consultations/{consultation_id}/call",
    "/record",
    "/record/{section:.+}",
    "/notifications",
    "/doctor",
    "/doctor/{rest:.+}",
    "/admin",
    "/admin/{rest:.+}",
)
# Files of the app that live at its root: the service worker must, to control every page.
APP_ROOT_FILES = ("sw.js", "manifest.webmanifest", "icon.svg")


class WebApp:
    """The app's files and the two it gets from the stack (`config.json`, its page's policy)."""

    def __init__(
        self,
        stack: EmbeddedStack,
        unbuilt_index: Callable[[web.Request], Awaitable[web.Response]] | None = None,
    ) -> None:
        """`stack`: what the app needs of it (`ws_url`, `aws_endpoint`, `websocket_url`).
        `unbuilt_index`: the page `/` shows while the app is not built."""
        self.stack = stack
        self._unbuilt_index = unbuilt_index

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/", self.app_page)
        for route in APP_ROUTES:
            app.router.add_get(route, self.app_page)
        app.router.add_get("/assets/{name}", self.app_asset)
        for name in APP_ROOT_FILES:
            app.router.add_get(f"/{name}", self.app_root_file)
        app.router.add_get("/favicon.ico", self.no_favicon)
        app.router.add_get(ROOM_PATH, self.room_redirect)
        app.router.add_get(f"{ROOM_PATH}/", self.room_redirect)
        app.router.add_get("/config.json", self.app_config)

    async def room_redirect(self, request: web.Request) -> web.Response:
        """The room page people kept a link to is the app's call now."""
        consultation = request.query.get("consultation", "")
        if not consultation.replace("-", "").replace("_", "").isalnum():
            raise web.HTTPFound("/consultations")
        relay = "?relay=1" if request.query.get("relay") == "1" else ""
        raise web.HTTPMovedPermanently(f"/consultations/{consultation}/call{relay}")

    async def app_page(self, request: web.Request) -> web.Response:
        """The web app's page for every path of the app (it routes in the browser)."""
        index = APP_DIR / "index.html"
        if not index.is_file():
            if request.path == "/" and self._unbuilt_index is not None:
                return await self._unbuilt_index(request)
            return json_answer(404, {"message": "the web app is not built: run `make up`"})
        headers = {
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": self.content_security_policy(),
            "Referrer-Policy": "no-referrer",
        }
        response = web.Response(
            body=index.read_bytes(), content_type="text/html", charset="utf-8", headers=headers
        )
        response.enable_compression()
        return response

    async def app_asset(self, request: web.Request) -> web.Response:
        path = served_file(APP_DIR / "assets", request.match_info["name"])
        if path is None:
            return json_answer(404, {"message": "Not Found"})
        content_type = CONTENT_TYPES[path.suffix]
        # Hashed names: an asset never changes under its name.
        response = web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset="utf-8" if content_type.startswith("text/") else None,
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )
        # Compressed, as CloudFront sends it: what a phone on a weak network downloads.
        response.enable_compression()
        return response

    async def app_root_file(self, request: web.Request) -> web.Response:
        path = served_file(APP_DIR, request.path.lstrip("/"))
        if path is None:
            return json_answer(404, {"message": "Not Found"})
        content_type = CONTENT_TYPES[path.suffix]
        return web.Response(
            body=path.read_bytes(),
            content_type=content_type,
            charset="utf-8",
            # A new service worker must reach phones at once.
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    def content_security_policy(self) -> str:
        """The app's own origin, this stack's sockets and the storage attachments are uploaded
        to and doctors' photos are shown from (presigned links), nothing else."""
        storage = self._upload_origin()
        connect = " ".join(filter(None, ("'self'", self.stack.ws_url, storage)))
        images = " ".join(filter(None, ("'self'", "data:", "blob:", storage)))
        return (
            f"default-src 'self'; connect-src {connect}; img-src {images}; "
            "media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'"
        )

    def _upload_origin(self) -> str:
        """The origin of the attachments bucket's presigned URLs: the records service signs
        them for the stack's AWS endpoint (S3 itself on AWS, where CloudFront's policy lists
        the bucket's origin), and the browser PUTs the file straight there, as the bucket's
        CORS rules allow for the app's origin. Only that origin: no wildcard, no other host."""
        endpoint = urlsplit(self.stack.aws_endpoint or "")
        if endpoint.scheme not in ("http", "https") or not endpoint.hostname:
            return ""
        host = f"[{endpoint.hostname}]" if ":" in endpoint.hostname else endpoint.hostname
        port = f":{endpoint.port}" if endpoint.port else ""
        return f"{endpoint.scheme}://{host}{port}"

    async def app_config(self, request: web.Request) -> web.Response:
        """Where the app finds its sockets; on AWS a file deployed beside it."""
        return web.json_response(
            {
                "signaling": self.stack.websocket_url("signaling"),
                "notifications": self.stack.websocket_url("notifications"),
            },
            headers={"Cache-Control": "no-store"},
        )

    async def no_favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})
