"""How the consultations service lays its items out in its one DynamoDB table.

    item                             pk                      sk         gsi1pk / gsi1sk
    consultation, patient's view     CONSULTATION#<id>       PATIENT    PATIENT#<id> / <start>#<id>
    consultation, doctor's view      CONSULTATION#<id>       DOCTOR     DOCTOR#<id> / <start>#<id>
    doctor (copy from users' events) DOCTOR#<id>             PROFILE
    a doctor's busy 5-minute block   DOCTOR#<id>             BUSY#<block>
    a patient's agenda               PATIENT#<id>            AGENDA
    next due work of a consultation  DUE                     <due>#<consultation id>
    Idempotency-Key of a booking     IDEMPOTENCY#<sha256>    BOOKING
    applied event ids                APPLIED#consultations   <event id>   (keneya.consumer)
    outbox event                     OUTBOX#<event id>       EVENT        (keneya.outbox)

Access patterns: a consultation by id (GetItem on its patient's view); the consultations of a
patient or of a doctor by start time (gsi1, one view each, written together in every
transaction); a doctor's busy blocks in a time window (Query on DOCTOR#<id>, BUSY#...); the work
due before now (Query on DUE). Each consultation is stored as one JSON document plus the few
attributes keys, conditions and filters need (`status`, `version`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from keneya.config import settings
from keneya.tables import gsi1, keyed_item

PATIENT_VIEW = "PATIENT"
DOCTOR_VIEW = "DOCTOR"
PROFILE_SK = "PROFILE"
AGENDA_SK = "AGENDA"
DUE_PK = "DUE"
BOOKING_SK = "BOOKING"
BUSY_PREFIX = "BUSY#"


def consultation_pk(consultation_id: str) -> str:
    return f"CONSULTATION#{consultation_id}"


def doctor_pk(doctor_id: str) -> str:
    return f"DOCTOR#{doctor_id}"


def patient_pk(patient_id: str) -> str:
    return f"PATIENT#{patient_id}"


def participant_key(role: str, user_id: str) -> str:
    """The gsi1 partition of a participant's consultations."""
    return patient_pk(user_id) if role == "patient" else doctor_pk(user_id)


SORTABLE = "%Y-%m-%dT%H:%M:%SZ"


def sortable(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the time it names: `2025-03-01T09:05:00Z`."""
    return moment.astimezone(UTC).strftime(SORTABLE)


def from_sortable(text: str) -> datetime:
    return datetime.strptime(text, SORTABLE).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Models:
    ConsultationItem: type[Model]
    DoctorItem: type[Model]
    BusyBlockItem: type[Model]
    AgendaItem: type[Model]
    TimerItem: type[Model]
    IdempotencyItem: type[Model]


def models() -> Models:
    """The models bound to the service's table (TABLE_NAME)."""
    return models_for(settings().table_name)


@cache
def models_for(table_name: str) -> Models:
    Item = keyed_item(table_name)

    class ConsultationItem(Item):
        status = UnicodeAttribute()
        version = NumberAttribute()
        document = UnicodeAttribute()
        gsi1pk = UnicodeAttribute()
        gsi1sk = UnicodeAttribute()
        by_participant = gsi1()

    class DoctorItem(Item):
        version = NumberAttribute()
        document = UnicodeAttribute()

    class BusyBlockItem(Item):
        consultation_id = UnicodeAttribute()
        expires_at = TTLAttribute()

    class AgendaItem(Item):
        version = NumberAttribute()
        holds = UnicodeAttribute()

    class TimerItem(Item):
        consultation_id = UnicodeAttribute()
        kind = UnicodeAttribute()

    class IdempotencyItem(Item):
        patient_id = UnicodeAttribute()
        consultation_id = UnicodeAttribute()
        fingerprint = UnicodeAttribute()
        first_result = UnicodeAttribute()
        expires_at = TTLAttribute()

    return Models(
        ConsultationItem, DoctorItem, BusyBlockItem, AgendaItem, TimerItem, IdempotencyItem
    )
