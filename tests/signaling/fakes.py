"""Fakes of the signaling service's ports, kept by the tests: a room store in memory that keeps
the same promises as `chalicelib.store.RoomStore` (versions checked, events recorded with the
change) and sockets that remember what each connection was sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.rooms import Departure, Room, Seat, call_joined
from chalicelib.store import Conflict, Connection, RoomState


class InMemoryRoomStore:
    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.seats: dict[tuple[str, str], Seat] = {}
        self.connections: dict[str, Connection] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        # Set to make the next seat write lose a race (someone else wrote first).
        self.conflicts_to_raise = 0
        # Set to a seat: the peer takes it between the next join's read and its write.
        self.peer_moves_meanwhile: Seat | None = None

    def load(self, consultation_id: str) -> RoomState | None:
        room = self.rooms.get(consultation_id)
        if room is None:
            return None
        seats = {role: seat for (cid, role), seat in self.seats.items() if cid == consultation_id}
        return RoomState(room, seats)

    def connection(self, connection_id: str) -> Connection | None:
        return self.connections.get(connection_id)

    def open(self, room: Room) -> bool:
        if room.consultation_id in self.rooms:
            return False
        self.rooms[room.consultation_id] = room
        for role in ("doctor", "patient"):
            self.seats[(room.consultation_id, role)] = room.empty_seat(role)
        return True

    def close(self, state: RoomState | None, room: Room, departures: Any) -> None:
        current = self.rooms.get(room.consultation_id)
        if (state is None) != (current is None) or (current and not current.is_open):
            raise Conflict(room.consultation_id)
        departures = list(departures)
        for departure in departures:
            self._check(room, _before(departure.seat))
        self.rooms[room.consultation_id] = room
        for departure in departures:
            self._write_departure(room, departure)

    def take_seat(
        self, room: Room, before: Seat, after: Seat, *, peer: Seat, record_join: bool
    ) -> None:
        if not self.rooms[room.consultation_id].is_open:
            raise Conflict(room.consultation_id)
        self._check(room, before)
        if self.peer_moves_meanwhile is not None:
            moved, self.peer_moves_meanwhile = self.peer_moves_meanwhile, None
            self.seats[(room.consultation_id, moved.role)] = moved
        stored_peer = self.seats.get((room.consultation_id, peer.role))
        if stored_peer is not None and stored_peer.version != peer.version:
            raise Conflict(room.consultation_id)
        self.seats[(room.consultation_id, after.role)] = after
        if record_join:
            self.events.append(("call.joined", call_joined(room.consultation_id, after)))

    def vacate_seat(self, room: Room, before: Seat, departure: Departure) -> None:
        self._check(room, before)
        self._write_departure(room, departure)

    def remember_connection(self, connection: Connection, now: datetime) -> None:
        self.connections[connection.connection_id] = connection

    def forget_connection(self, connection_id: str) -> None:
        self.connections.pop(connection_id, None)

    def _check(self, room: Room, before: Seat) -> None:
        if self.conflicts_to_raise:
            self.conflicts_to_raise -= 1
            raise Conflict(room.consultation_id)
        stored = self.seats.get((room.consultation_id, before.role))
        if stored is not None and stored.version != before.version:
            raise Conflict(room.consultation_id)

    def _write_departure(self, room: Room, departure: Departure) -> None:
        self.seats[(room.consultation_id, departure.role)] = departure.seat
        self.events.append(("call.left", departure.call_left(room.consultation_id)))

    def event_types(self) -> list[str]:
        return [event_type for event_type, _ in self.events]


def _before(seat: Seat) -> Seat:
    return replace(seat, version=seat.version - 1)


class RecordingSockets:
    def __init__(self) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self.closed: list[str] = []
        self.gone: set[str] = set()
        # (connection id, frame type) in the order they were sent, across connections.
        self.order: list[tuple[str, str]] = []

    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        if connection_id in self.gone or connection_id in self.closed:
            return False
        self.sent.setdefault(connection_id, []).append(frame)
        self.order.append((connection_id, frame["type"]))
        return True

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)

    def types(self, connection_id: str) -> list[str]:
        return [frame["type"] for frame in self.sent.get(connection_id, [])]

    def last(self, connection_id: str) -> dict[str, Any]:
        return self.sent[connection_id][-1]


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)
