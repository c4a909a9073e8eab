"""How the signaling service reads and writes rooms, seats and connections (layout in
`chalicelib.tables`).

A seat changes only under a condition on its version, so two connections of one person (or a
join racing the room's closing) cannot both win; `call.*` events are written in the same
transaction as the seat change they record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model

from chalicelib.rooms import Departure, Role, Room, Seat, call_joined
from chalicelib.tables import (
    CONNECTION_LIFETIME,
    CONNECTION_SK,
    ROOM_SK,
    connection_pk,
    models_for,
    room_pk,
    seat_sk,
)
from keneya.config import settings
from keneya.events import new_event
from keneya.outbox import OutboxTransaction


class Conflict(Exception):
    """Someone changed the room between our read and our write; read again."""


@dataclass(frozen=True)
class Connection:
    connection_id: str
    consultation_id: str
    user_id: str
    role: Role


@dataclass(frozen=True)
class RoomState:
    room: Room
    seats: dict[str, Seat]

    def seat(self, role: Role) -> Seat:
        return self.seats.get(role) or self.room.empty_seat(role)


class RoomStore:
    def __init__(self, table_name: str | None = None) -> None:
        self.models = models_for(table_name or settings().table_name)

    # -- reads -------------------------------------------------------------------------------

    def load(self, consultation_id: str) -> RoomState | None:
        room: Room | None = None
        seats: dict[str, Seat] = {}
        for item in self.models.Item.query(room_pk(consultation_id), consistent_read=True):
            if isinstance(item, self.models.RoomItem):
                room = _room(consultation_id, item)
            elif isinstance(item, self.models.SeatItem):
                seats[item.role] = _seat(item)
        return RoomState(room, seats) if room else None

    def connection(self, connection_id: str) -> Connection | None:
        try:
            item = self.models.ConnectionItem.get(
                connection_pk(connection_id), CONNECTION_SK, consistent_read=True
            )
        except self.models.ConnectionItem.DoesNotExist:
            return None
        return Connection(connection_id, item.consultation_id, item.user_id, item.role)

    # -- writes ------------------------------------------------------------------------------

    def open(self, room: Room) -> bool:
        """Create the room with its two empty seats; False when it already exists (open or
        closed: a closed room is never reopened)."""
        try:
            with self._transaction(room) as tx:
                tx.save(self._room_item(room), condition=self.models.RoomItem.pk.does_not_exist())
                for seat in (room.empty_seat("doctor"), room.empty_seat("patient")):
                    tx.save(self._seat_item(room, seat))
        except Conflict:
            return False
        return True

    def close(self, state: RoomState | None, room: Room, departures: Iterable[Departure]) -> None:
        """Mark the room closed, vacate its seats and record the departures, in one transaction.
        `state` None: the room was never opened here (its end came first); it is kept closed."""
        RoomItem = self.models.RoomItem
        with self._transaction(room) as tx:
            if state is None:
                tx.save(self._room_item(room), condition=RoomItem.pk.does_not_exist())
            else:
                tx.save(self._room_item(room), condition=RoomItem.closed_at.does_not_exist())
            for departure in departures:
                self._write_departure(tx, room, departure)

    def take_seat(
        self, room: Room, before: Seat, after: Seat, *, peer: Seat, record_join: bool
    ) -> None:
        """Give the seat to its new connection, while the room is open and the peer's seat is
        as it was read (what the joiner is told of the peer stays true); `call.joined` when a
        presence begins."""
        with self._transaction(room) as tx:
            tx.condition_check(
                self.models.RoomItem,
                room_pk(room.consultation_id),
                ROOM_SK,
                condition=self.models.RoomItem.closed_at.does_not_exist(),
            )
            tx.condition_check(
                self.models.SeatItem,
                room_pk(room.consultation_id),
                seat_sk(peer.role),
                condition=self._unchanged(peer),
            )
            tx.save(self._seat_item(room, after), condition=self._unchanged(before))
            if record_join:
                tx.emit(new_event("call.joined", call_joined(room.consultation_id, after)))

    def vacate_seat(self, room: Room, before: Seat, departure: Departure) -> None:
        with self._transaction(room) as tx:
            self._write_departure(tx, room, departure, before)

    @contextmanager
    def _transaction(self, room: Room) -> Iterator[OutboxTransaction]:
        """An outbox transaction whose refusal (a condition failed) is a `Conflict`."""
        try:
            with OutboxTransaction(self.models.Item.Meta.table_name) as tx:
                yield tx
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise Conflict(room.consultation_id) from None
            raise

    def remember_connection(self, connection: Connection, now: datetime) -> None:
        self.models.ConnectionItem(
            connection_pk(connection.connection_id),
            CONNECTION_SK,
            consultation_id=connection.consultation_id,
            user_id=connection.user_id,
            role=connection.role,
            connected_at=now,
            expires_at=now + CONNECTION_LIFETIME,
        ).save()

    def forget_connection(self, connection_id: str) -> None:
        self.models.ConnectionItem(connection_pk(connection_id), CONNECTION_SK).delete()

    # -- mapping -----------------------------------------------------------------------------

    def _write_departure(
        self, tx: OutboxTransaction, room: Room, departure: Departure, before: Seat | None = None
    ) -> None:
        previous = before or _previous(departure.seat)
        tx.save(self._seat_item(room, departure.seat), condition=self._unchanged(previous))
        tx.emit(new_event("call.left", departure.call_left(room.consultation_id)))

    def _unchanged(self, seat: Seat) -> Any:
        SeatItem = self.models.SeatItem
        if seat.version == 0:
            return SeatItem.version.does_not_exist() | (SeatItem.version == 0)
        return SeatItem.version == seat.version

    def _room_item(self, room: Room) -> Model:
        return self.models.RoomItem(
            room_pk(room.consultation_id),
            ROOM_SK,
            doctor_id=room.doctor_id,
            patient_id=room.patient_id,
            opened_at=room.opened_at,
            closed_at=room.closed_at,
            closed_reason=room.closed_reason,
            expires_at=room.expires_at(),
        )

    def _seat_item(self, room: Room, seat: Seat) -> Model:
        return self.models.SeatItem(
            room_pk(room.consultation_id),
            seat_sk(seat.role),
            role=seat.role,
            user_id=seat.user_id,
            connection_id=seat.connection_id,
            joined_at=seat.joined_at,
            last_left_reason=seat.last_left_reason,
            version=seat.version,
            expires_at=room.expires_at(),
        )


def _previous(seat: Seat) -> Seat:
    """The seat as it was read: every change adds one to its version."""
    from dataclasses import replace

    return replace(seat, version=seat.version - 1)


def _room(consultation_id: str, item: Any) -> Room:
    return Room(
        consultation_id=consultation_id,
        doctor_id=item.doctor_id,
        patient_id=item.patient_id,
        opened_at=item.opened_at.astimezone(UTC),
        closed_at=item.closed_at.astimezone(UTC) if item.closed_at else None,
        closed_reason=item.closed_reason,
    )


def _seat(item: Any) -> Seat:
    return Seat(
        role=item.role,
        user_id=item.user_id,
        connection_id=item.connection_id,
        joined_at=item.joined_at.astimezone(UTC) if item.joined_at else None,
        last_left_reason=item.last_left_reason,
        version=int(item.version or 0),
    )
