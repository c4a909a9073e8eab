"""Time-limited TURN credentials, as coturn's `use-auth-secret` (the "TURN REST API") checks them.

The TURN server and this service share a secret. The username is `<expiry unix time>:<user id>`
and the password is base64(HMAC-SHA1(secret, username)); the server recomputes it and refuses
the allocation once the expiry has passed. Nothing is stored, and a leaked credential dies on
its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit


def turn_password(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class IceServers:
    servers: list[dict[str, Any]]
    expires_at: datetime | None
    ttl_seconds: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ice_servers": self.servers,
            "ttl_seconds": self.ttl_seconds,
            "expires_at": (
                self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.expires_at else None
            ),
        }


def parse_turn_urls(configured: str | None) -> list[str]:
    """`turn:h:3478?transport=udp, turns:h:5349` -> the URLs, each checked to be a TURN URL."""
    urls = [url.strip() for url in (configured or "").split(",") if url.strip()]
    for url in urls:
        if not url.startswith(("turn:", "turns:")):
            raise ValueError(f"TURN_URLS: {url!r} is not a turn: or turns: URL")
    return urls


def stun_urls(turn_urls: list[str]) -> list[str]:
    """A TURN server answers STUN on its plain port too (coturn does):
    `turn:h:3478` -> `stun:h:3478`."""
    found: list[str] = []
    for url in turn_urls:
        if not url.startswith("turn:"):
            continue
        address = urlsplit(url).path.split("?")[0]
        stun = f"stun:{address}"
        if stun not in found:
            found.append(stun)
    return found


def ice_servers(
    *, turn_urls: list[str], secret: str | None, user_id: str, now: datetime, ttl: timedelta
) -> IceServers:
    """The RTCIceServer list for one participant. No TURN server configured (a developer's
    machine): an empty list, and host candidates connect the two browsers."""
    if not turn_urls:
        return IceServers([], None, 0)
    if not secret:
        raise ValueError("TURN_URLS is set but the TURN shared secret is empty")
    expires_at = (now + ttl).astimezone(UTC).replace(microsecond=0)
    username = f"{int(expires_at.timestamp())}:{user_id}"
    servers: list[dict[str, Any]] = []
    stun = stun_urls(turn_urls)
    if stun:
        servers.append({"urls": stun})
    servers.append(
        {"urls": turn_urls, "username": username, "credential": turn_password(secret, username)}
    )
    return IceServers(servers, expires_at, int(ttl.total_seconds()))
