"""The local gateway serves the web app's files safely, the sockets it needs, and sends the old
room address on to the app's call."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from keneya_local.http_common import served_file
from keneya_local.stack import EmbeddedStack
from keneya_local.supervisor import _summary

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[3] / "README.md"


def raw_get(stack: EmbeddedStack, path: str) -> tuple[int, bytes]:
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


def test_the_old_room_address_sends_people_on_to_the_apps_call(local_stack: EmbeddedStack):
    for path in ("/room/?consultation=c-42", "/room?consultation=c-42"):
        # when someone opens a room link they kept
        response = requests.get(f"{local_stack.http_url}{path}", allow_redirects=False, timeout=5)
        # then they land on the consultation's call in the app
        assert response.status_code == 301
        assert response.headers["Location"] == "/consultations/c-42/call"
    forced = requests.get(
        f"{local_stack.http_url}/room/?consultation=c-42&relay=1", allow_redirects=False, timeout=5
    )
    assert forced.headers["Location"] == "/consultations/c-42/call?relay=1"
    odd = requests.get(
        f"{local_stack.http_url}/room/?consultation=../../x", allow_redirects=False, timeout=5
    )
    assert odd.status_code == 302
    assert odd.headers["Location"] == "/consultations"


def test_config_json_names_this_stacks_two_sockets(local_stack: EmbeddedStack):
    response = requests.get(f"{local_stack.http_url}/config.json", timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json() == {
        "signaling": local_stack.websocket_url("signaling"),
        "notifications": local_stack.websocket_url("notifications"),
    }


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../README.md",
        "/assets/%2e%2e/%2e%2e/README.md",
        "/assets/..%2f..%2fREADME.md",
        "/assets/%2E%2E%2F%2E%2E%2FREADME.md",
        "/assets/..%5c..%5cREADME.md",
        "/assets//etc/passwd",
        "/assets/.hidden.js",
        "/assets/missing.js",
        "/api/v1/docs/assets/..%2f..%2f..%2fREADME.md",
    ],
)
def test_a_path_outside_the_apps_files_or_not_one_of_them_is_404(
    local_stack: EmbeddedStack, path: str
):
    status, body = raw_get(local_stack, path)

    assert status == 404
    assert README.read_bytes()[:200] not in body


def test_only_visible_files_of_the_served_types_inside_a_folder_are_served(tmp_path: Path):
    room = tmp_path / "room"
    (room / "assets").mkdir(parents=True)
    (room / "index.html").write_text("<!doctype html>")
    (room / "assets" / "icon.svg").write_text("<svg/>")
    (room / "notes.txt").write_text("not a page file")
    (room / ".env.json").write_text("{}")
    (tmp_path / "outside.js").write_text("secret()")
    (room / "link.js").symlink_to(tmp_path / "outside.js")

    assert served_file(room, "index.html") == (room / "index.html").resolve()
    assert served_file(room, "assets/icon.svg") == (room / "assets" / "icon.svg").resolve()
    for refused in ("notes.txt", ".env.json", "../outside.js", "link.js", "assets", "", "a//b"):
        assert served_file(room, refused) is None, refused


def test_the_up_summary_tells_where_the_app_and_a_call_are(
    local_stack: EmbeddedStack, tmp_path: Path
):
    summary = _summary(local_stack, None, tmp_path)

    assert f"{local_stack.http_url}/consultations/<id>/call" in summary
    assert f"Web app        {local_stack.http_url}/" in summary
