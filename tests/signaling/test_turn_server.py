"""The credentials the signaling service hands out open relays on a real TURN server (coturn
with `use-auth-secret` and the same secret), and nobody else's do."""

from __future__ import annotations

import time

import pytest

from chalicelib.turn import turn_password
from tests.support.signaling import ice_servers, turn_secret

pytestmark = pytest.mark.slow


def turn_credential(platform, person, consultation_id) -> dict:
    answer = ice_servers(platform, person, consultation_id)
    assert answer.status_code == 200, answer.text
    return next(server for server in answer.json()["ice_servers"] if "username" in server)


def test_a_participants_credential_opens_relays_on_the_turn_server(platform, room, turn_server):
    turn = turn_credential(platform, room.patient, room.consultation_id)
    assert any(f":{turn_server.port}" in url for url in turn["urls"])

    relayed = turn_server.allocate(turn["username"], turn["credential"])

    assert relayed.returncode == 0, relayed.stdout[-2000:]
    assert "Total lost packets 0" in relayed.stdout


@pytest.mark.parametrize("tampered", ["someone else", "a later expiry", "another password"])
def test_a_tampered_credential_is_refused_by_the_turn_server(
    platform, room, turn_server, tampered
):
    turn = turn_credential(platform, room.patient, room.consultation_id)
    expiry, user_id = turn["username"].split(":")
    username, password = turn["username"], turn["credential"]
    if tampered == "someone else":
        username = f"{expiry}:{room.doctor.user_id}"
    elif tampered == "a later expiry":
        username = f"{int(expiry) + 86_400}:{user_id}"
    else:
        password = turn_credential(platform, room.doctor, room.consultation_id)["credential"]

    refused = turn_server.allocate(username, password, messages=1)

    assert refused.returncode != 0
    assert "Cannot complete Allocation" in refused.stdout


def test_an_expired_credential_is_refused(platform, room, turn_server):
    username = f"{int(time.time()) - 60}:{room.patient.user_id}"
    password = turn_password(turn_secret(platform), username)

    assert turn_server.allocate(username, password, messages=1).returncode != 0
