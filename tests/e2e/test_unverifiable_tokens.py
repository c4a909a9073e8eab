"""A token that cannot be verified, whatever the reason, is a 401 on every protected route of
every service and at the handshake of both WebSocket APIs: never a 500."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def published_kid(platform: Any) -> str:
    keys = requests.get(platform.url("auth", "/.well-known/jwks.json"), timeout=30).json()
    return keys["keys"][0]["kid"]


def another_key_family(platform: Any) -> str:
    """RS256, signed by a stranger's RSA key, naming the kid of the published ES256 key."""
    now = int(time.time())
    claims = {"iss": "keneya-auth", "aud": "keneya-api", "sub": "someone", "role": "admin"}
    claims |= {"iat": now, "exp": now + 600, "jti": "forged"}
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": published_kid(platform)})


def protected_routes(platform: Any) -> list[tuple[str, str]]:
    """Every protected operation of the merged OpenAPI document, path parameters filled in."""
    document = requests.get(f"{platform.http_url}/api/v1/openapi.json", timeout=30).json()
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and operation.get("security"):
                filled = path
                while "{" in filled:
                    start, end = filled.index("{"), filled.index("}")
                    filled = filled[:start] + "01HZZZZZZZZZZZZZZZZZZZZZZZ" + filled[end + 1 :]
                routes.append((method.upper(), filled))
    return routes


def test_a_token_of_another_key_family_is_a_401_on_every_protected_route(platform):
    token = another_key_family(platform)
    routes = protected_routes(platform)
    assert len(routes) > 40

    answers = {
        f"{method} {path}": requests.request(
            method,
            f"{platform.http_url}{path}",
            headers={"Authorization": f"Bearer {token}"},
            json={},
            timeout=30,
        ).status_code
        for method, path in routes
    }

    assert {route: status for route, status in answers.items() if status != 401} == {}


@pytest.mark.parametrize("api", ["notifications", "signaling"])
def test_a_token_of_another_key_family_is_refused_at_the_websocket_handshake(platform, api):
    token = another_key_family(platform)
    url = f"{platform.websocket_url(api)}?token={token}&consultation_id=01HZZZZZZZZZZZZZZZZZZZZZZZ"

    with pytest.raises(InvalidStatus) as refusal, connect(url, open_timeout=30):
        pass

    assert refusal.value.response.status_code == 401
