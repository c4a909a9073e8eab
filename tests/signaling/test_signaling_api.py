"""The signaling service on the local platform: real WebSocket clients, real HTTP, rooms opened
and closed by the consultation's events on the topic."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.signaling import Room, ice_servers, open_socket, turn_secret

pytestmark = pytest.mark.slow

SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
CANDIDATE = {
    "candidate": "candidate:842163049 1 udp 1677729535 192.0.2.10 59412 typ srflx",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "Xq8f",
}


def of_type(kind):
    return lambda frame: frame.get("type") == kind


def joined(platform, person, room):
    socket = open_socket(platform, person.token, room.consultation_id)
    socket.send({"action": "join"})
    socket.wait_for(of_type("joined"))
    return socket


def resigned(token: str, **claims) -> str:
    """The token's claims changed and signed with another key under the same key id."""
    from cryptography.hazmat.primitives.asymmetric import ec

    decoded = jwt.decode(token, options={"verify_signature": False}) | claims
    return jwt.encode(
        decoded,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": jwt.get_unverified_header(token)["kid"]},
    )


def refused_status(platform, token, consultation_id) -> int:
    """The status the handshake is refused with (API Gateway answers with the one `$connect`
    returned)."""
    with pytest.raises(InvalidStatus) as refusal:
        open_socket(platform, token, consultation_id)
    return refusal.value.response.status_code


# -- the handshake -----------------------------------------------------------------------------


def test_both_participants_are_admitted_and_find_each_other(platform, room):
    with (
        joined(platform, room.doctor, room) as doctor,
        open_socket(platform, room.patient.token, room.consultation_id) as patient,
    ):
        patient.send({"action": "join"})

        answer = patient.wait_for(of_type("joined"))
        assert answer["role"] == "patient"
        assert answer["peer"] == {"role": "doctor", "present": True}
        assert doctor.wait_for(of_type("peer_joined"))["role"] == "patient"


def test_someone_who_is_not_a_participant_is_refused_at_the_handshake(platform, room, stranger):
    assert refused_status(platform, stranger.token, room.consultation_id) == 403


@pytest.mark.parametrize("token", [None, "not-a-jwt", "forged", "expired", "other-audience"])
def test_a_missing_forged_or_expired_token_is_refused(platform, room, token):
    real = room.patient.token
    token = {
        "forged": resigned(real),
        "expired": resigned(real, exp=int(time.time()) - 60),
        "other-audience": resigned(real, aud="someone-else"),
    }.get(token, token)

    assert refused_status(platform, token, room.consultation_id) == 401


def test_a_participant_of_a_closed_room_is_refused(platform, room):
    room.close("consultation.completed")
    assert eventually_refused(platform, room.patient.token, room.consultation_id) == 403


def test_a_room_that_was_never_opened_refuses_everyone(platform, doctor):
    assert refused_status(platform, doctor.token, "c-never-started") == 403


def test_a_handshake_without_a_consultation_is_refused(platform, doctor):
    assert refused_status(platform, doctor.token, None) == 400


def eventually_refused(platform, token, consultation_id, timeout=20) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open_socket(platform, token, consultation_id):
                pass
        except InvalidStatus as refused:
            return refused.response.status_code
        assert time.monotonic() < deadline, "the room never closed"
        time.sleep(0.2)


# -- relaying ----------------------------------------------------------------------------------


def test_offer_answer_and_candidates_cross_between_the_two_participants(platform, room):
    with (
        joined(platform, room.doctor, room) as doctor,
        joined(platform, room.patient, room) as patient,
    ):
        doctor.send({"action": "offer", "sdp": SDP})
        assert patient.wait_for(of_type("offer")) == {"type": "offer", "from": "doctor", "sdp": SDP}

        patient.send({"action": "answer", "sdp": SDP})
        patient.send({"action": "ice_candidate", "candidate": CANDIDATE})
        patient.send({"action": "ice_candidate", "candidate": None})

        assert doctor.wait_for(of_type("answer"))["from"] == "patient"
        candidates = [doctor.wait_for(of_type("ice_candidate"))]
        candidates.append(
            doctor.wait_for(lambda f: f.get("type") == "ice_candidate" and f is not candidates[0])
        )
        assert [c["candidate"] for c in candidates] == [CANDIDATE, None]


def test_nothing_crosses_into_another_room(platform, topic, room, doctor, stranger):
    other_room = Room(topic, doctor, stranger).open(platform)
    with (
        joined(platform, room.doctor, room) as d1,
        joined(platform, room.patient, room) as p1,
        open_socket(platform, stranger.token, other_room.consultation_id) as outsider,
    ):
        outsider.send({"action": "join"})
        outsider.wait_for(of_type("joined"))

        d1.send({"action": "offer", "sdp": SDP})
        p1.wait_for(of_type("offer"))

        assert outsider.quiet_for(1.0) == []


def test_a_malformed_frame_gets_an_error_naming_the_field(platform, room):
    with joined(platform, room.doctor, room) as doctor:
        doctor.send({"action": "offer", "sdp": 42})

        error = doctor.wait_for(of_type("error"))
        assert (error["code"], error["field"]) == ("bad_frame", "sdp")


def test_an_oversized_description_gets_an_error_and_the_socket_stays_open(platform, room):
    with joined(platform, room.doctor, room) as doctor:
        doctor.send({"action": "offer", "sdp": "v=0\r\n" + "a=x\r\n" * 4000})

        assert doctor.wait_for(of_type("error"))["code"] == "too_large"
        doctor.send({"action": "ping"})
        assert doctor.wait_for(of_type("pong"))


def test_a_frame_above_the_gateway_limit_closes_the_socket(platform, room):
    with joined(platform, room.doctor, room) as doctor:
        doctor.connection.send("x" * (33 * 1024))

        with pytest.raises(ConnectionClosed) as closed:
            doctor.connection.recv(timeout=10)
        assert closed.value.rcvd.code == 1009


# -- presence ----------------------------------------------------------------------------------


def test_hanging_up_tells_the_other_side_and_closes_the_socket(platform, room, published_events):
    with (
        joined(platform, room.doctor, room) as doctor,
        joined(platform, room.patient, room) as patient,
    ):
        patient.send({"action": "leave"})

        assert patient.wait_for(of_type("left"))
        assert doctor.wait_for(of_type("peer_left")) == {
            "type": "peer_left",
            "role": "patient",
            "reason": "left",
        }
        with pytest.raises(ConnectionClosed):
            patient.connection.recv(timeout=10)
    left = published_events.wait_for(
        "call.left", consultation_id=room.consultation_id, role="patient"
    )
    assert left.data["reason"] == "left"
    joined_event = published_events.wait_for(
        "call.joined", consultation_id=room.consultation_id, role="patient"
    )
    assert left.data["joined_at"] == joined_event.data["joined_at"]


def test_a_lost_connection_is_announced_to_the_other_side(platform, room):
    with joined(platform, room.doctor, room) as doctor:
        patient = joined(platform, room.patient, room)
        doctor.wait_for(of_type("peer_joined"))

        patient.close()

        assert doctor.wait_for(of_type("peer_left"))["reason"] == "disconnected"


def test_a_phone_that_comes_back_on_a_new_connection_is_announced_as_reconnected(platform, room):
    with (
        joined(platform, room.doctor, room) as doctor,
        joined(platform, room.patient, room) as old,
        joined(platform, room.patient, room) as new,
    ):
        assert doctor.wait_for(of_type("peer_reconnected"))["role"] == "patient"
        assert old.wait_for(of_type("replaced"))
        with pytest.raises(ConnectionClosed):
            old.connection.recv(timeout=10)

        doctor.send({"action": "offer", "sdp": SDP})
        assert new.wait_for(of_type("offer"))["sdp"] == SDP
        assert [f for f in doctor.quiet_for(0.5) if f.get("type") == "peer_left"] == []


# -- rooms closing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "reason"),
    [
        ("consultation.completed", "completed"),
        ("consultation.cancelled", "cancelled"),
        ("consultation.no_show", "no_show"),
    ],
)
def test_the_end_of_the_consultation_closes_the_room_and_disconnects_both(
    platform, room, published_events, event_type, reason
):
    with (
        joined(platform, room.doctor, room) as doctor,
        joined(platform, room.patient, room) as patient,
    ):
        room.close(event_type)

        for socket in (doctor, patient):
            assert socket.wait_for(of_type("room_closed"), timeout=30)["reason"] == reason
            with pytest.raises(ConnectionClosed):
                while True:
                    socket.connection.recv(timeout=10)
    for role in ("doctor", "patient"):
        left = published_events.wait_for(
            "call.left", consultation_id=room.consultation_id, role=role
        )
        assert left.data["reason"] == "room_closed"


# -- ICE servers -------------------------------------------------------------------------------


def test_a_participant_gets_turn_credentials_that_verify_with_the_shared_secret(
    platform, room, turn_port
):
    answer = ice_servers(platform, room.patient, room.consultation_id)

    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    turn = next(server for server in body["ice_servers"] if "username" in server)
    expiry, user_id = turn["username"].split(":")
    assert user_id == room.patient.user_id
    assert datetime.now(UTC) + timedelta(hours=3) < datetime.fromtimestamp(int(expiry), UTC)
    secret = turn_secret(platform)
    expected = base64.b64encode(
        hmac.new(secret.encode(), turn["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert turn["credential"] == expected
    assert turn["urls"] and all(url.startswith(("turn:", "turns:")) for url in turn["urls"])
    assert {"urls": [f"stun:127.0.0.1:{turn_port}"]} in body["ice_servers"]


def test_someone_else_gets_no_credentials(platform, room, stranger):
    answer = ice_servers(platform, stranger, room.consultation_id)

    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_a_closed_room_hands_out_no_credentials(platform, room):
    room.close("consultation.cancelled")

    deadline = time.monotonic() + 20
    while (answer := ice_servers(platform, room.doctor, room.consultation_id)).status_code == 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert answer.status_code == 409


def test_ice_servers_need_a_token_and_a_consultation(platform, room):
    assert ice_servers(platform, None, room.consultation_id).status_code == 401
    missing = ice_servers(platform, room.doctor, None)
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["consultation_id"]


# -- privacy -----------------------------------------------------------------------------------


def test_nothing_a_participant_sends_and_no_token_reaches_the_log(platform, room):
    marker = f"a=keneya-private-{time.time_ns()}"
    with (
        joined(platform, room.doctor, room) as doctor,
        joined(platform, room.patient, room) as patient,
    ):
        doctor.send({"action": "offer", "sdp": f"{SDP}{marker}\r\n"})
        patient.wait_for(of_type("offer"))
        patient.send({"action": "leave"})
        doctor.wait_for(of_type("peer_left"))

    log = (platform.log_dir / "signaling.log").read_text()
    assert "participant left the call" in log  # the log was written, and is the right one
    for secret in (marker, room.doctor.token, room.patient.token):
        assert secret not in log
