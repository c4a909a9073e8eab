"""TURN credentials as coturn's `use-auth-secret` checks them (no I/O)."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.turn import ice_servers, parse_turn_urls, stun_urls, turn_password

NOW = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
URLS = [
    "turn:turn.keneya.ml:3478?transport=udp",
    "turn:turn.keneya.ml:3478?transport=tcp",
    "turns:turn.keneya.ml:5349?transport=tcp",
]


def openssl_hmac_sha1(secret: str, text: str) -> str:
    """The credential computed by another implementation: OpenSSL's HMAC, as coturn links it."""
    digest = subprocess.run(
        ["openssl", "dgst", "-sha1", "-hmac", secret, "-binary"],
        input=text.encode(),
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(digest).decode()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")
def test_the_password_is_the_base64_hmac_sha1_of_the_username_as_openssl_computes_it():
    username = "1772445600:u-patient"

    assert turn_password("s3cret-shared-with-coturn", username) == openssl_hmac_sha1(
        "s3cret-shared-with-coturn", username
    )


def test_the_username_carries_the_expiry_and_the_person():
    servers = ice_servers(
        turn_urls=URLS, secret="k", user_id="u-42", now=NOW, ttl=timedelta(hours=4)
    )

    turn = servers.servers[-1]
    expiry, user = turn["username"].split(":")
    assert user == "u-42"
    assert int(expiry) == int((NOW + timedelta(hours=4)).timestamp())
    assert turn["credential"] == turn_password("k", turn["username"])
    assert turn["urls"] == URLS
    assert servers.to_json()["expires_at"] == "2026-03-02T13:00:00Z"
    assert servers.to_json()["ttl_seconds"] == 14400


def test_stun_is_offered_on_the_plain_turn_ports():
    assert stun_urls(URLS) == ["stun:turn.keneya.ml:3478"]
    servers = ice_servers(turn_urls=URLS, secret="k", user_id="u", now=NOW, ttl=timedelta(hours=1))
    assert servers.servers[0] == {"urls": ["stun:turn.keneya.ml:3478"]}


def test_no_turn_server_configured_means_an_empty_list():
    servers = ice_servers(turn_urls=[], secret=None, user_id="u", now=NOW, ttl=timedelta(hours=1))

    assert servers.to_json() == {"ice_servers": [], "ttl_seconds": 0, "expires_at": None}


def test_turn_urls_are_read_from_configuration_and_checked():
    assert parse_turn_urls(" turn:a:3478 , turns:a:5349 ,") == ["turn:a:3478", "turns:a:5349"]
    assert parse_turn_urls("") == []
    with pytest.raises(ValueError, match="TURN_URLS"):
        parse_turn_urls("http://a:3478")


def test_a_turn_server_without_a_secret_is_a_configuration_error():
    with pytest.raises(ValueError, match="secret"):
        ice_servers(turn_urls=URLS, secret="", user_id="u", now=NOW, ttl=timedelta(hours=1))
