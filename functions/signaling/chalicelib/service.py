"""The signaling service's use cases: admitting a connection, the frames of a call, a lost
connection, and rooms opened and closed by the consultation's events.

`Signaling` is driven by app.py and by the tests with the same parts: a `RoomStore` (or a fake
with its methods) and `Sockets`, which reach the WebSocket connections. Nothing a participant
sends is stored or logged; only who was present, and when.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from chalicelib import rooms
from chalicelib.frames import FrameError, Join, Leave, Ping, Relay, parse_frame
from chalicelib.rooms import ClosedReason, Departure, NotAdmitted, Role, Room, RoomClosed, Seat
from chalicelib.store import Conflict, Connection, RoomState
from keneya.clock import utc_now
from keneya.logs import logger

# Two people, one seat each: a conflict means the other side moved at the same instant.
ATTEMPTS = 4
# Connections whose room is known, per process: a connection's room and role never change.
KNOWN_CONNECTIONS = 2048


class Sockets(Protocol):
    def send(self, connection_id: str, frame: dict[str, Any]) -> bool:
        """Send one frame; False when the connection is gone."""
        ...

    def close(self, connection_id: str) -> None: ...


class Store(Protocol):
    def load(self, consultation_id: str) -> RoomState | None: ...
    def connection(self, connection_id: str) -> Connection | None: ...
    def open(self, room: Room) -> bool: ...
    def close(
        self, state: RoomState | None, room: Room, departures: Iterable[Departure]
    ) -> None: ...
    def take_seat(
        self, room: Room, before: Seat, after: Seat, *, peer: Seat, record_join: bool
    ) -> None: ...
    def vacate_seat(self, room: Room, before: Seat, departure: Departure) -> None: ...
    def remember_connection(self, connection: Connection, now: datetime) -> None: ...
    def forget_connection(self, connection_id: str) -> None: ...



class Signaling:
    def __init__(
        self, store: Store, sockets: Sockets, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.store = store
        self.sockets = sockets
        self.clock = clock
        self._known: OrderedDict[str, Connection] = OrderedDict()

    # -- the room, as the REST API sees it ----------------------------------------------------

    def admit(self, user_id: str, consultation_id: str) -> Role:
        """The caller's role in the open room of the consultation; NotAdmitted / RoomClosed."""
        state = self.store.load(consultation_id)
        return rooms.admit(state.room if state else None, user_id)

    # -- connections --------------------------------------------------------------------------

    def connect(self, connection_id: str, user_id: str, consultation_id: str) -> Role:
        role = self.admit(user_id, consultation_id)
        connection = Connection(connection_id, consultation_id, user_id, role)
        self.store.remember_connection(connection, self.clock())
        self._remember(connection)
        return role

    def disconnect(self, connection_id: str) -> None:
        connection = self._known.pop(connection_id, None) or self.store.connection(connection_id)
        if connection is None:
            return
        self.store.forget_connection(connection_id)
        self._depart(connection, "disconnected")

    # -- frames -------------------------------------------------------------------------------

    def receive(self, connection_id: str, body: str | bytes | None) -> None:
        connection = self._connection(connection_id)
        if connection is None:
            self._error(connection_id, "not_connected", "Reconnect to the room.")
            return
        try:
            command = parse_frame(body)
        except FrameError as error:
            self.sockets.send(connection_id, error.frame())
            return
        if isinstance(command, Ping):
            self.sockets.send(connection_id, {"type": "pong"})
        elif isinstance(command, Join):
            self._join(connection)
        elif isinstance(command, Leave):
            self._leave(connection)
        else:
            self._relay(connection, command)

    def _join(self, connection: Connection) -> None:
        role, peer_role = connection.role, rooms.other(connection.role)
        for _ in range(ATTEMPTS):
            state = self.store.load(connection.consultation_id)
            if state is None or not state.room.is_open:
                self._room_closed(connection.connection_id)
                return
            seat, peer = state.seat(role), state.seat(peer_role)
            joining = rooms.join(seat, peer, connection.connection_id, self.clock())
            if joining.seat != seat:
                try:
                    # Only if the peer's seat is still as read: two people joining at the same
                    # instant would otherwise each be told the other is not there.
                    self.store.take_seat(
                        state.room,
                        seat,
                        joining.seat,
                        peer=peer,
                        record_join=joining.presence_began,
                    )
                except Conflict:
                    continue
            break
        else:
            self._error(connection.connection_id, "busy", "The room is busy; join again.")
            return
        logger.info(
            "participant joined the call",
            extra={
                "consultation_id": connection.consultation_id,
                "role": role,
                "reconnected": joining.peer_notice == "peer_reconnected",
            },
        )
        if joining.replaced_connection:
            self.sockets.send(joining.replaced_connection, {"type": "replaced"})
            self.sockets.close(joining.replaced_connection)
        # The other side hears of the join first: the doctor offers as soon as it is told
        # `joined`, and the patient must not get that offer before it knows a new call begins.
        if joining.peer_notice and peer.connection_id:
            self._tell(state, peer, {"type": joining.peer_notice, "role": role})
        self.sockets.send(
            connection.connection_id,
            {
                "type": "joined",
                "role": role,
                "consultation_id": connection.consultation_id,
                "peer": {"role": peer_role, "present": joining.peer_present},
            },
        )

    def _leave(self, connection: Connection) -> None:
        self._depart(connection, "left")
        self.sockets.send(connection.connection_id, {"type": "left"})
        self.sockets.close(connection.connection_id)

    def _relay(self, connection: Connection, command: Relay) -> None:
        state = self.store.load(connection.consultation_id)
        if state is None or not state.room.is_open:
            self._room_closed(connection.connection_id)
            return
        role = connection.role
        if state.seat(role).connection_id != connection.connection_id:
            self._error(connection.connection_id, "not_joined", "Send `join` first.")
            return
        peer = state.seat(rooms.other(role))
        if peer.connection_id is None:
            self._error(connection.connection_id, "peer_absent", "The other person is not here.")
            return
        self._tell(state, peer, {"type": command.kind, "from": role, **command.payload})

    # -- rooms from the consultation's events ---------------------------------------------------

    def open_room(
        self, consultation_id: str, doctor_id: str, patient_id: str, started_at: datetime
    ) -> None:
        room = Room(consultation_id, doctor_id, patient_id, opened_at=started_at)
        if self.store.open(room):
            logger.info("room opened", extra={"consultation_id": consultation_id})

    def close_room(
        self,
        consultation_id: str,
        doctor_id: str,
        patient_id: str,
        reason: ClosedReason,
        at: datetime,
    ) -> None:
        for _ in range(ATTEMPTS):
            state = self.store.load(consultation_id)
            if state is not None and not state.room.is_open:
                return
            room = state.room if state else Room(consultation_id, doctor_id, patient_id, at)
            closed = Room(
                consultation_id,
                room.doctor_id,
                room.patient_id,
                opened_at=room.opened_at,
                closed_at=max(at, room.opened_at),
                closed_reason=reason,
            )
            present = [s for s in (state.seats.values() if state else ()) if s.connection_id]
            departures = [rooms.depart(seat, None, "room_closed", at) for seat in present]
            try:
                self.store.close(state, closed, [d for d in departures if d])
            except Conflict:
                continue
            break
        else:
            raise Conflict(consultation_id)  # the event is retried from the queue
        logger.info("room closed", extra={"consultation_id": consultation_id, "reason": reason})
        for seat in present:
            assert seat.connection_id is not None
            self.sockets.send(seat.connection_id, {"type": "room_closed", "reason": reason})
            self.sockets.close(seat.connection_id)

    # -- parts --------------------------------------------------------------------------------

    def _depart(self, connection: Connection, reason: rooms.LeftReason) -> None:
        for _ in range(ATTEMPTS):
            state = self.store.load(connection.consultation_id)
            if state is None:
                return
            seat = state.seat(connection.role)
            departure = rooms.depart(seat, connection.connection_id, reason, self.clock())
            if departure is None:
                return
            try:
                self.store.vacate_seat(state.room, seat, departure)
            except Conflict:
                continue
            break
        else:
            return
        logger.info(
            "participant left the call",
            extra={
                "consultation_id": connection.consultation_id,
                "role": connection.role,
                "reason": reason,
                "duration_seconds": departure.duration_seconds,
            },
        )
        peer = state.seat(rooms.other(connection.role))
        if peer.connection_id:
            self._tell(
                state, peer, {"type": "peer_left", "role": connection.role, "reason": reason}
            )

    def _tell(self, state: RoomState, peer: rooms.Seat, frame: dict[str, Any]) -> None:
        """Send to the other participant; a connection found gone loses its seat."""
        assert peer.connection_id is not None
        if self.sockets.send(peer.connection_id, frame):
            return
        gone = Connection(peer.connection_id, state.room.consultation_id, peer.user_id, peer.role)
        self._known.pop(peer.connection_id, None)
        self._depart(gone, "disconnected")

    def _room_closed(self, connection_id: str) -> None:
        self._error(connection_id, "room_closed", "This consultation's room is closed.")
        self.sockets.close(connection_id)

    def _error(self, connection_id: str, code: str, message: str) -> None:
        self.sockets.send(connection_id, {"type": "error", "code": code, "message": message})

    def _connection(self, connection_id: str) -> Connection | None:
        known = self._known.get(connection_id)
        if known is not None:
            self._known.move_to_end(connection_id)
            return known
        connection = self.store.connection(connection_id)
        if connection is not None:
            self._remember(connection)
        return connection

    def _remember(self, connection: Connection) -> None:
        self._known[connection.connection_id] = connection
        while len(self._known) > KNOWN_CONNECTIONS:
            self._known.popitem(last=False)


__all__ = ["NotAdmitted", "RoomClosed", "Signaling"]
