"""How the signaling service keeps rooms, seats and connections in its one DynamoDB table.

    item                      pk                        sk           kind
    a consultation's room     ROOM#<consultation id>    ROOM         room
    a seat of that room       ROOM#<consultation id>    SEAT#<role>  seat
    a WebSocket connection    CONNECTION#<id>           CONNECTION   connection
    applied event ids         APPLIED#signaling         <event id>   (keneya.consumer)
    outbox event              OUTBOX#<event id>         EVENT        (keneya.outbox)

Access patterns: a room with both seats in one Query (every relayed frame needs the peer's
connection); a connection by id (every frame, then cached: a connection's room never changes).
A seat changes only under a condition on its version, so two connections of one person (or a
join racing the room's closing) cannot both win; `call.*` events are written in the same
transaction as the seat change they record. Room, seat and connection items expire (TTL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from pynamodb.attributes import (
    DiscriminatorAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from keneya.tables import keyed_item

ROOM_SK = "ROOM"
CONNECTION_SK = "CONNECTION"
# A connection item outlives API Gateway's two-hour connection limit, then goes by itself.
CONNECTION_LIFETIME = timedelta(hours=3)


def room_pk(consultation_id: str) -> str:
    return f"ROOM#{consultation_id}"


def seat_sk(role: str) -> str:
    return f"SEAT#{role}"


def connection_pk(connection_id: str) -> str:
    return f"CONNECTION#{connection_id}"


@dataclass(frozen=True)
class Models:
    Item: type[Model]
    RoomItem: type[Model]
    SeatItem: type[Model]
    ConnectionItem: type[Model]


@cache
def models_for(table_name: str) -> Models:
    class Item(keyed_item(table_name)):
        kind = DiscriminatorAttribute()
        expires_at = TTLAttribute(null=True)

    class RoomItem(Item, discriminator="room"):
        doctor_id = UnicodeAttribute()
        patient_id = UnicodeAttribute()
        opened_at = UTCDateTimeAttribute()
        closed_at = UTCDateTimeAttribute(null=True)
        closed_reason = UnicodeAttribute(null=True)

    class SeatItem(Item, discriminator="seat"):
        role = UnicodeAttribute()
        user_id = UnicodeAttribute()
        connection_id = UnicodeAttribute(null=True)
        joined_at = UTCDateTimeAttribute(null=True)
        last_left_reason = UnicodeAttribute(null=True)
        version = NumberAttribute(default=0)

    class ConnectionItem(Item, discriminator="connection"):
        consultation_id = UnicodeAttribute()
        user_id = UnicodeAttribute()
        role = UnicodeAttribute()
        connected_at = UTCDateTimeAttribute()

    return Models(Item, RoomItem, SeatItem, ConnectionItem)
