"""The rules of a consultation's call, through the service's use cases with fakes (no I/O)."""

from __future__ import annotations

import json

import pytest

from chalicelib.rooms import NotAdmitted, RoomClosed, join
from chalicelib.service import Signaling

from .fakes import Clock, InMemoryRoomStore, RecordingSockets

CONSULTATION = "c-0001"
DOCTOR, PATIENT, STRANGER = "u-doctor", "u-patient", "u-stranger"
SDP = "v=0\r\no=- 46117326 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemoryRoomStore:
    return InMemoryRoomStore()


@pytest.fixture
def sockets() -> RecordingSockets:
    return RecordingSockets()


@pytest.fixture
def service(store, sockets, clock) -> Signaling:
    service = Signaling(store, sockets, clock)
    service.open_room(CONSULTATION, DOCTOR, PATIENT, clock())
    return service


def say(service: Signaling, connection_id: str, **frame) -> None:
    service.receive(connection_id, json.dumps(frame))


def joined(service: Signaling, connection_id: str, user_id: str) -> None:
    service.connect(connection_id, user_id, CONSULTATION)
    say(service, connection_id, action="join")


# -- admission ---------------------------------------------------------------------------------


def test_the_doctor_and_the_patient_are_admitted_with_their_roles(service):
    assert service.connect("d1", DOCTOR, CONSULTATION) == "doctor"
    assert service.connect("p1", PATIENT, CONSULTATION) == "patient"


def test_anyone_else_is_not_admitted(service):
    with pytest.raises(NotAdmitted):
        service.connect("s1", STRANGER, CONSULTATION)


def test_nobody_is_admitted_to_a_room_that_was_never_opened(service):
    with pytest.raises(NotAdmitted):
        service.connect("d1", DOCTOR, "c-unknown")


def test_a_closed_room_admits_nobody(service, clock):
    service.close_room(CONSULTATION, DOCTOR, PATIENT, "completed", clock())

    with pytest.raises(RoomClosed):
        service.connect("d1", DOCTOR, CONSULTATION)


def test_a_consultation_that_ended_before_its_start_was_heard_never_opens(store, sockets, clock):
    service = Signaling(store, sockets, clock)
    service.close_room(CONSULTATION, DOCTOR, PATIENT, "cancelled", clock())

    service.open_room(CONSULTATION, DOCTOR, PATIENT, clock())

    with pytest.raises(RoomClosed):
        service.connect("p1", PATIENT, CONSULTATION)


# -- joining and presence ----------------------------------------------------------------------


def test_the_first_to_join_is_told_the_other_is_not_there_yet(service, sockets, store, clock):
    joined(service, "d1", DOCTOR)

    assert sockets.last("d1") == {
        "type": "joined",
        "role": "doctor",
        "consultation_id": CONSULTATION,
        "peer": {"role": "patient", "present": False},
    }
    assert store.events == [
        (
            "call.joined",
            {
                "consultation_id": CONSULTATION,
                "user_id": DOCTOR,
                "role": "doctor",
                "joined_at": clock(),
            },
        )
    ]


def test_the_second_to_join_finds_the_first_and_the_first_is_told(service, sockets):
    joined(service, "d1", DOCTOR)

    joined(service, "p1", PATIENT)

    assert sockets.last("p1")["peer"] == {"role": "doctor", "present": True}
    assert sockets.last("d1") == {"type": "peer_joined", "role": "patient"}


def test_the_other_side_hears_of_a_join_before_the_joiner_can_offer(service, sockets):
    joined(service, "p1", PATIENT)

    joined(service, "d1", DOCTOR)

    assert sockets.order[-2:] == [("p1", "peer_joined"), ("d1", "joined")]


def test_joining_twice_on_one_connection_changes_nothing(service, sockets, store):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)

    say(service, "p1", action="join")

    assert store.event_types() == ["call.joined", "call.joined"]
    assert sockets.types("d1") == ["joined", "peer_joined"]


def test_a_join_that_loses_a_race_is_tried_again(service, sockets, store):
    service.connect("d1", DOCTOR, CONSULTATION)
    store.conflicts_to_raise = 1

    say(service, "d1", action="join")

    assert sockets.last("d1")["type"] == "joined"
    assert store.event_types() == ["call.joined"]


def test_two_joining_at_the_same_instant_are_each_told_the_other_is_there(
    service, sockets, store, clock
):
    # given the patient reads the room, and the doctor takes their seat before the patient writes
    service.connect("d1", DOCTOR, CONSULTATION)
    service.connect("p1", PATIENT, CONSULTATION)
    doctor_seat = store.load(CONSULTATION).seat("doctor")
    patient_seat = store.load(CONSULTATION).seat("patient")
    store.peer_moves_meanwhile = join(doctor_seat, patient_seat, "d1", clock()).seat

    # when the patient's join is written
    say(service, "p1", action="join")

    # then it was tried again on a fresh reading: the patient learns the doctor is there
    assert sockets.last("p1")["type"] == "joined"
    assert sockets.last("p1")["peer"] == {"role": "doctor", "present": True}


# -- relaying ----------------------------------------------------------------------------------


def test_an_offer_reaches_the_other_participant_only(service, sockets, store, clock):
    service.open_room("c-0002", "u-doctor-2", "u-patient-2", clock())
    service.connect("x1", "u-doctor-2", "c-0002")
    say(service, "x1", action="join")
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)

    say(service, "d1", action="offer", sdp=SDP)

    assert sockets.last("p1") == {"type": "offer", "from": "doctor", "sdp": SDP}
    assert "offer" not in sockets.types("x1")
    assert "offer" not in sockets.types("d1")


def test_answers_and_candidates_travel_back(service, sockets):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)
    candidate = {
        "candidate": "candidate:1 1 udp 2122260223 192.0.2.7 54400 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
    }

    say(service, "p1", action="answer", sdp=SDP)
    say(service, "p1", action="ice_candidate", candidate=candidate)
    say(service, "p1", action="ice_candidate", candidate=None)

    assert sockets.sent["d1"][-3:] == [
        {"type": "answer", "from": "patient", "sdp": SDP},
        {"type": "ice_candidate", "from": "patient", "candidate": candidate},
        {"type": "ice_candidate", "from": "patient", "candidate": None},
    ]


def test_nothing_is_relayed_before_joining(service, sockets):
    joined(service, "d1", DOCTOR)
    service.connect("p1", PATIENT, CONSULTATION)

    say(service, "p1", action="answer", sdp=SDP)

    assert sockets.last("p1")["code"] == "not_joined"
    assert sockets.types("d1") == ["joined"]


def test_the_sender_is_told_when_nobody_is_there_to_receive(service, sockets):
    joined(service, "d1", DOCTOR)

    say(service, "d1", action="offer", sdp=SDP)

    assert sockets.last("d1")["code"] == "peer_absent"


def test_a_peer_whose_connection_is_gone_loses_its_seat(service, sockets, store):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)
    sockets.gone.add("p1")

    say(service, "d1", action="offer", sdp=SDP)

    assert sockets.last("d1") == {"type": "peer_left", "role": "patient", "reason": "disconnected"}
    assert store.event_types()[-1] == "call.left"
    say(service, "d1", action="offer", sdp=SDP)
    assert sockets.last("d1")["code"] == "peer_absent"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ("not json", "bad_frame", None),
        ("[1, 2]", "bad_frame", None),
        (json.dumps({"action": "dance"}), "bad_frame", "action"),
        (json.dumps({"action": "offer"}), "bad_frame", "sdp"),
        (json.dumps({"action": "offer", "sdp": "hello"}), "bad_frame", "sdp"),
        (json.dumps({"action": "offer", "sdp": "v=0" + "a" * 17000}), "too_large", "sdp"),
        (json.dumps({"action": "ice_candidate"}), "bad_frame", "candidate"),
        (
            json.dumps({"action": "ice_candidate", "candidate": {"candidate": 7}}),
            "bad_frame",
            "candidate",
        ),
        (
            json.dumps(
                {"action": "ice_candidate", "candidate": {"candidate": "c", "sdpMLineIndex": "0"}}
            ),
            "bad_frame",
            "candidate.sdpMLineIndex",
        ),
        (json.dumps({"action": "ping", "padding": "x" * 40_000}), "too_large", None),
    ],
)
def test_a_malformed_or_oversized_frame_gets_an_error_naming_what_is_wrong(
    service, sockets, body, code, field
):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)

    service.receive("d1", body)

    error = sockets.last("d1")
    assert (error["type"], error["code"], error.get("field")) == ("error", code, field)
    assert sockets.types("p1") == ["joined"]


def test_only_the_fields_of_a_candidate_are_passed_on(service, sockets):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)

    say(
        service,
        "d1",
        action="ice_candidate",
        candidate={"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host", "note": "hello"},
    )

    assert sockets.last("p1")["candidate"] == {
        "candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host"
    }


def test_ping_is_answered_without_touching_the_room(service, sockets):
    service.connect("d1", DOCTOR, CONSULTATION)

    say(service, "d1", action="ping")

    assert sockets.last("d1") == {"type": "pong"}


def test_an_unknown_connection_is_told_to_reconnect(service, sockets):
    say(service, "nobody", action="join")

    assert sockets.last("nobody")["code"] == "not_connected"


# -- leaving, losing the connection, coming back -----------------------------------------------


def test_hanging_up_tells_the_other_side_and_records_how_long(service, sockets, store, clock):
    joined(service, "d1", DOCTOR)
    clock.advance(minutes=2)
    joined(service, "p1", PATIENT)
    clock.advance(minutes=12, seconds=34)

    say(service, "p1", action="leave")

    assert sockets.last("d1") == {"type": "peer_left", "role": "patient", "reason": "left"}
    assert sockets.last("p1") == {"type": "left"}
    assert "p1" in sockets.closed
    event_type, left = store.events[-1]
    assert event_type == "call.left"
    assert (left["role"], left["reason"], left["duration_seconds"]) == ("patient", "left", 754)


def test_a_lost_connection_then_a_new_one_is_a_reconnect(service, sockets, store):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)

    service.disconnect("p1")
    joined(service, "p2", PATIENT)

    assert sockets.sent["d1"][-2:] == [
        {"type": "peer_left", "role": "patient", "reason": "disconnected"},
        {"type": "peer_reconnected", "role": "patient"},
    ]
    assert store.event_types() == ["call.joined", "call.joined", "call.left", "call.joined"]


def test_a_new_connection_takes_the_seat_over_from_a_stale_one(service, sockets, store):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)

    joined(service, "p2", PATIENT)

    assert sockets.last("d1") == {"type": "peer_reconnected", "role": "patient"}
    assert sockets.last("p1") == {"type": "replaced"}
    assert "p1" in sockets.closed
    assert store.event_types() == ["call.joined", "call.joined"]  # presence never stopped
    service.disconnect("p1")  # the stale socket's end, heard later, changes nothing
    assert sockets.last("d1") == {"type": "peer_reconnected", "role": "patient"}
    say(service, "d1", action="offer", sdp=SDP)
    assert sockets.last("p2")["type"] == "offer"


def test_a_participant_who_hung_up_and_comes_back_is_a_new_join(service, sockets):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)
    say(service, "p1", action="leave")

    joined(service, "p2", PATIENT)

    assert sockets.last("d1") == {"type": "peer_joined", "role": "patient"}


# -- the room closes ---------------------------------------------------------------------------


def test_the_end_of_the_consultation_closes_the_room_and_disconnects_both(
    service, sockets, store, clock
):
    joined(service, "d1", DOCTOR)
    joined(service, "p1", PATIENT)
    clock.advance(minutes=20)

    service.close_room(CONSULTATION, DOCTOR, PATIENT, "completed", clock())

    for connection in ("d1", "p1"):
        assert sockets.last(connection) == {"type": "room_closed", "reason": "completed"}
        assert connection in sockets.closed
    lefts = [data for kind, data in store.events if kind == "call.left"]
    assert {(d["role"], d["reason"], d["duration_seconds"]) for d in lefts} == {
        ("doctor", "room_closed", 1200),
        ("patient", "room_closed", 1200),
    }


def test_closing_twice_changes_nothing_more(service, sockets, store, clock):
    joined(service, "d1", DOCTOR)
    service.close_room(CONSULTATION, DOCTOR, PATIENT, "completed", clock())
    events = list(store.events)

    service.close_room(CONSULTATION, DOCTOR, PATIENT, "no_show", clock())

    assert store.events == events
    assert store.rooms[CONSULTATION].closed_reason == "completed"


def test_a_frame_after_the_room_closed_is_refused(service, sockets, clock):
    service.connect("d1", DOCTOR, CONSULTATION)
    service.close_room(CONSULTATION, DOCTOR, PATIENT, "cancelled", clock())

    say(service, "d1", action="join")

    assert sockets.last("d1")["code"] == "room_closed"
