"""The local gateway serves the consultation room (web/room/) and the endpoints it needs."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from keneya_local.rest_gateway import API_BASE, ROOM_DIR, room_file
from keneya_local.stack import LocalStack
from keneya_local.supervisor import _summary

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[3] / "README.md"


def raw_get(stack: LocalStack, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written: no client folds `..` or decodes `%2e` on the way."""
    address = urlsplit(stack.http_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_room_page_and_its_files_are_served_with_their_content_types(
    local_stack: LocalStack,
):
    page = requests.get(f"{local_stack.http_url}/room/?consultation=c-1", timeout=5)
    script = requests.get(f"{local_stack.http_url}/room/room.js", timeout=5)
    style = requests.get(f"{local_stack.http_url}/room/room.css", timeout=5)

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.text == (ROOM_DIR / "index.html").read_text(encoding="utf-8")
    for element in ('id="remote-video"', 'id="local-video"', 'id="join"', 'id="hangup"'):
        assert element in page.text
    # No inline script and no other origin than the stack's own.
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert local_stack.ws_url in policy
    assert script.status_code == 200
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "window.keneyaRoom" in script.text
    assert style.status_code == 200
    assert style.headers["Content-Type"] == "text/css; charset=utf-8"


def test_the_room_without_its_slash_redirects_keeping_the_consultation(local_stack: LocalStack):
    response = requests.get(
        f"{local_stack.http_url}/room?consultation=c-42", allow_redirects=False, timeout=5
    )

    assert response.status_code == 301
    assert response.headers["Location"] == "/room/?consultation=c-42"


def test_config_json_names_this_stacks_api_and_websocket_urls(local_stack: LocalStack):
    response = requests.get(f"{local_stack.http_url}/room/config.json", timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    config = response.json()
    assert config == {
        "api": f"{local_stack.http_url}{API_BASE}",
        "signaling": local_stack.websocket_url("signaling"),
        "notifications": local_stack.websocket_url("notifications"),
    }
    # The API base it gives is the one that answers.
    assert requests.get(f"{config['api']}/shop/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/room/../../README.md",
        "/room/%2e%2e/%2e%2e/README.md",
        "/room/..%2f..%2fREADME.md",
        "/room/%2E%2E%2F%2E%2E%2FREADME.md",
        "/room/..%5c..%5cREADME.md",
        "/room//etc/passwd",
        "/room/.hidden.js",
        "/room/missing.js",
    ],
)
def test_a_path_outside_the_room_or_not_one_of_its_files_is_404(
    local_stack: LocalStack, path: str
):
    status, body = raw_get(local_stack, path)

    assert status == 404
    assert README.read_bytes()[:200] not in body


def test_only_visible_files_of_the_served_types_inside_the_room_are_served(tmp_path: Path):
    room = tmp_path / "room"
    (room / "assets").mkdir(parents=True)
    (room / "index.html").write_text("<!doctype html>")
    (room / "assets" / "icon.svg").write_text("<svg/>")
    (room / "notes.txt").write_text("not a page file")
    (room / ".env.json").write_text("{}")
    (tmp_path / "outside.js").write_text("secret()")
    (room / "link.js").symlink_to(tmp_path / "outside.js")

    assert room_file(room, "index.html") == (room / "index.html").resolve()
    assert room_file(room, "assets/icon.svg") == (room / "assets" / "icon.svg").resolve()
    for refused in ("notes.txt", ".env.json", "../outside.js", "link.js", "assets", "", "a//b"):
        assert room_file(room, refused) is None, refused


def test_the_up_summary_tells_where_the_consultation_room_is(
    local_stack: LocalStack, tmp_path: Path
):
    summary = _summary(local_stack, None, tmp_path)

    assert f"{local_stack.http_url}/room/?consultation=<id>" in summary
    assert "Consultation room" in summary
