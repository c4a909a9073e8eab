"""The room store against DynamoDB's API (the platform's moto server): seats change under a
version condition, and a closed room stays closed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chalicelib.rooms import Room, depart, join
from chalicelib.store import Conflict, Connection, RoomStore

pytestmark = pytest.mark.slow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(platform) -> RoomStore:
    return RoomStore(platform.deployment.services["signaling"].environment["TABLE_NAME"])


@pytest.fixture
def room(store) -> Room:
    room = Room(f"c-{uuid.uuid4().hex[:12]}", "u-doctor", "u-patient", opened_at=NOW)
    assert store.open(room)
    return room


def test_a_room_opens_once_with_two_empty_seats(store, room):
    assert store.open(room) is False
    state = store.load(room.consultation_id)
    assert state.room == room
    assert {role: seat.present for role, seat in state.seats.items()} == {
        "doctor": False,
        "patient": False,
    }


def test_of_two_connections_racing_for_one_seat_only_one_wins(store, room):
    state = store.load(room.consultation_id)
    seat, peer = state.seat("patient"), state.seat("doctor")
    first, second = join(seat, peer, "conn-1", NOW), join(seat, peer, "conn-2", NOW)

    store.take_seat(room, seat, first.seat, peer=peer, record_join=True)

    with pytest.raises(Conflict):
        store.take_seat(room, seat, second.seat, peer=peer, record_join=True)
    assert store.load(room.consultation_id).seat("patient").connection_id == "conn-1"


def test_a_seat_is_not_taken_when_the_peer_moved_since_it_was_read(store, room):
    state = store.load(room.consultation_id)
    doctor, patient = state.seat("doctor"), state.seat("patient")
    store.take_seat(
        room, doctor, join(doctor, patient, "conn-d", NOW).seat, peer=patient, record_join=True
    )

    with pytest.raises(Conflict):  # the patient's reading said the doctor was not there
        store.take_seat(
            room, patient, join(patient, doctor, "conn-p", NOW).seat, peer=doctor, record_join=True
        )
    assert store.load(room.consultation_id).seat("patient").present is False


def test_a_seat_cannot_be_taken_in_a_closed_room(store, room):
    state = store.load(room.consultation_id)
    seat = state.seat("doctor")
    closed = Room(**{**room.__dict__, "closed_at": NOW, "closed_reason": "completed"})
    store.close(state, closed, [])

    with pytest.raises(Conflict):
        store.take_seat(
            room,
            seat,
            join(seat, state.seat("patient"), "c", NOW).seat,
            peer=state.seat("patient"),
            record_join=True,
        )
    assert store.open(room) is False
    assert store.load(room.consultation_id).room.closed_reason == "completed"


def test_a_departure_vacates_the_seat_it_was_computed_from(store, room):
    state = store.load(room.consultation_id)
    seat = state.seat("doctor")
    taken = join(seat, state.seat("patient"), "conn-d", NOW).seat
    store.take_seat(room, seat, taken, peer=state.seat("patient"), record_join=True)

    store.vacate_seat(room, taken, depart(taken, "conn-d", "left", NOW))

    vacated = store.load(room.consultation_id).seat("doctor")
    assert (vacated.present, vacated.last_left_reason) == (False, "left")
    with pytest.raises(Conflict):  # a second departure from the same reading loses
        store.vacate_seat(room, taken, depart(taken, "conn-d", "left", NOW))


def test_a_connection_is_remembered_and_forgotten(store, room):
    connection = Connection("conn-x", room.consultation_id, "u-patient", "patient")

    store.remember_connection(connection, NOW)
    assert store.connection("conn-x") == connection

    store.forget_connection("conn-x")
    assert store.connection("conn-x") is None
