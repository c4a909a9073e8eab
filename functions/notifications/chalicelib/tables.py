"""How the notifications service lays its items out in its one DynamoDB table.

    item                        pk                  sk                 gsi1pk / gsi1sk
    person (contact, choices)   USER#<id>           PERSON
    inbox notification          USER#<id>           NOTIF#<ulid>       UNREAD#<id> / NOTIF#<ulid>
                                                                       (only while unread)
    socket (by person)          USER#<id>           CONN#<conn id>
    socket (by connection)      CONN#<conn id>      CONN
    device                      USER#<id>           DEVICE#<digest>    DEVICE#<digest> / USER#<id>
    delivery (per channel)      NOTIF#<ulid>        CHANNEL#<channel>
    consultation's participants CONSULTATION#<id>   PARTICIPANTS
    applied event (consumer)    APPLIED#notifications  <event id>      (keneya.consumer)

Access patterns: a person's inbox newest first (pk + sk prefix, descending), their unread ones
(the sparse gsi1), their live sockets (pk + CONN# prefix), a connection's owner on disconnect
(CONN#), who holds a device token (gsi1), a notification's deliveries (NOTIF#), the other
participant of a consultation when one joins its call (CONSULTATION#). The unread count is
counted from the person's notifications (strongly consistent), never stored apart.

Sockets expire with API Gateway's two-hour connection limit; read notifications a while after
they were read; delivery entries after the retention below; a consultation's participants a
while after it was due. Unread notifications do not expire: nothing a person has not seen
disappears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from keneya.config import settings
from keneya.tables import gsi1, keyed_item

CONNECTION_LIFETIME = timedelta(hours=2)
READ_RETENTION = timedelta(days=180)
DELIVERY_RETENTION = timedelta(days=90)
PARTICIPANTS_RETENTION = timedelta(days=7)

PERSON_SK = "PERSON"
CONNECTION_SK = "CONN"
NOTIFICATION_PREFIX = "NOTIF#"
CONNECTION_PREFIX = "CONN#"
DEVICE_PREFIX = "DEVICE#"
PARTICIPANTS_SK = "PARTICIPANTS"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def unread_pk(user_id: str) -> str:
    return f"UNREAD#{user_id}"


def notification_sk(notification_id: str) -> str:
    return f"{NOTIFICATION_PREFIX}{notification_id}"


def connection_pk(connection_id: str) -> str:
    return f"{CONNECTION_PREFIX}{connection_id}"


def device_key(device_id: str) -> str:
    return f"{DEVICE_PREFIX}{device_id}"


def delivery_key(notification_id: str, channel: str) -> tuple[str, str]:
    return f"{NOTIFICATION_PREFIX}{notification_id}", f"CHANNEL#{channel}"


def consultation_pk(consultation_id: str) -> str:
    return f"CONSULTATION#{consultation_id}"


@dataclass(frozen=True)
class Models:
    Person: type[Model]
    Notification: type[Model]
    PersonSocket: type[Model]
    Socket: type[Model]
    Device: type[Model]
    Delivery: type[Model]
    Consultation: type[Model]


def models() -> Models:
    """The models bound to the service's table (TABLE_NAME)."""
    return models_for(settings().table_name)


@cache
def models_for(table_name: str) -> Models:
    Item = keyed_item(table_name)

    class Person(Item):
        """How to reach the person (learned from events) and their choices (set by them):
        one item, so that sending reads one. Each side updates only its own attributes."""

        sk = UnicodeAttribute(range_key=True, default=PERSON_SK)
        full_name = UnicodeAttribute(null=True)
        role = UnicodeAttribute(null=True)
        phone = UnicodeAttribute(null=True)
        phone_verified = BooleanAttribute(null=True)
        email = UnicodeAttribute(null=True)
        language = UnicodeAttribute(null=True)
        choices = UnicodeAttribute(null=True)  # JSON: category -> channel -> bool
        chosen_language = UnicodeAttribute(null=True)
        choices_updated_at = UTCDateTimeAttribute(null=True)

    class Notification(Item):
        notification_id = UnicodeAttribute()
        kind = UnicodeAttribute()
        category = UnicodeAttribute()
        title = UnicodeAttribute()
        body = UnicodeAttribute()
        link = UnicodeAttribute(default="{}")  # JSON object of ids a client opens
        created_at = UTCDateTimeAttribute()
        read_at = UTCDateTimeAttribute(null=True)
        gsi1pk = UnicodeAttribute(null=True)
        gsi1sk = UnicodeAttribute(null=True)
        expires_at = TTLAttribute(null=True)
        unread_index = gsi1()

    class PersonSocket(Item):
        connection_id = UnicodeAttribute()
        connected_at = UTCDateTimeAttribute()
        expires_at = TTLAttribute()

    class Socket(Item):
        sk = UnicodeAttribute(range_key=True, default=CONNECTION_SK)
        user_id = UnicodeAttribute()
        role = UnicodeAttribute()
        connected_at = UTCDateTimeAttribute()
        expires_at = TTLAttribute()

    class Device(Item):
        device_id = UnicodeAttribute()
        platform = UnicodeAttribute()
        endpoint_arn = UnicodeAttribute()
        registered_at = UTCDateTimeAttribute()
        gsi1pk = UnicodeAttribute()
        gsi1sk = UnicodeAttribute()
        by_token = gsi1()

    class Delivery(Item):
        channel = UnicodeAttribute()
        user_id = UnicodeAttribute(null=True)
        status = UnicodeAttribute()
        attempts = NumberAttribute(default=0)
        reason = UnicodeAttribute(null=True)
        reference = UnicodeAttribute(null=True)
        updated_at = UTCDateTimeAttribute()
        expires_at = TTLAttribute()

    class Consultation(Item):
        """A consultation's two participants (from its events), and the last arrival in its
        call announced for each (JSON: user id -> {joined_at, event_id})."""

        sk = UnicodeAttribute(range_key=True, default=PARTICIPANTS_SK)
        patient_id = UnicodeAttribute(null=True)
        doctor_id = UnicodeAttribute(null=True)
        announced = UnicodeAttribute(null=True)
        expires_at = TTLAttribute(null=True)

    return Models(
        Person=Person,
        Notification=Notification,
        PersonSocket=PersonSocket,
        Socket=Socket,
        Device=Device,
        Delivery=Delivery,
        Consultation=Consultation,
    )
