"""How the payments service lays its items out in its one DynamoDB table.

    item                          pk                         sk                  gsi1pk / gsi1sk
    intent                        PAYMENT#<id>               INTENT              PAYER#<payer> /
                                                                                 <created_at>#<id>
    copy of a consultation        CONSULTATION#<id>          COPY
    idempotency key               IDEMPOTENCY#<payer>#<key>  KEY
    check due (reconciler)        DUE                        <when>#<intent id>
    refund for an administrator   REFUNDS                    <payment id>
    ledger entry                  LEDGER#<txn>               ENTRY#<n>           ACCOUNT#<account> /
                                                                                 <posted_at>#<txn>#<n>
    applied event (consumer)      APPLIED#<consumer>         <event key>         (keneya.consumer)
    outbox event                  OUTBOX#<event id>          EVENT               (keneya.outbox)

Access patterns: an intent by id; a payer's intents newest first (gsi1); the checks due by a
time, the longest overdue first (DUE, sk up to that time); the queued refunds (REFUNDS); an
account's ledger entries (gsi1). Every item but the outbox's keeps its content as one JSON
`body` and is written under a condition on its `version`, so that two writers of one item (a
notification and the reconciler, two creations of one consultation's intent) cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

from keneya.config import settings
from keneya.tables import gsi1, keyed_item

INTENT_SK = "INTENT"
COPY_SK = "COPY"
KEY_SK = "KEY"
DUE_PK = "DUE"
REFUNDS_PK = "REFUNDS"
# `moment` writes this format, and every character of it sorts below "~".
MOMENT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def intent_pk(intent_id: str) -> str:
    return f"PAYMENT#{intent_id}"


def consultation_pk(consultation_id: str) -> str:
    return f"CONSULTATION#{consultation_id}"


def idempotency_pk(payer_id: str, key: str) -> str:
    return f"IDEMPOTENCY#{payer_id}#{key}"


def payer_pk(payer_id: str) -> str:
    return f"PAYER#{payer_id}"


def account_pk(account: str) -> str:
    return f"ACCOUNT#{account}"


def moment(at: datetime) -> str:
    """A UTC time that sorts as text (fixed width)."""
    return at.astimezone(UTC).strftime(MOMENT_FORMAT)


def instant(moment_text: str) -> datetime:
    return datetime.strptime(moment_text, MOMENT_FORMAT).replace(tzinfo=UTC)


def due_sk(intent_id: str, at: datetime) -> str:
    return f"{moment(at)}#{intent_id}"


def due_until_sk(at: datetime) -> str:
    """The last possible sort key of a check due by `at`."""
    return f"{moment(at)}#~"


@dataclass(frozen=True)
class Models:
    IntentItem: type[Model]
    ConsultationCopy: type[Model]
    IdempotencyKey: type[Model]
    DueCheck: type[Model]
    QueuedRefund: type[Model]
    LedgerEntry: type[Model]


def models() -> Models:
    """The models bound to the service's table (TABLE_NAME)."""
    return models_for(settings().table_name)


@cache
def models_for(table_name: str) -> Models:
    Item = keyed_item(table_name)

    class Versioned(Item):
        body = UnicodeAttribute(default="{}")  # JSON
        version = VersionAttribute()

    class IntentItem(Versioned):
        gsi1pk = UnicodeAttribute()
        gsi1sk = UnicodeAttribute()
        by_payer = gsi1()

    class ConsultationCopy(Versioned):
        """What the consultation's events said of it, and its live intent."""

    class IdempotencyKey(Versioned):
        """The intent a keyed request created, and a digest of that request."""

    class DueCheck(Versioned):
        """A pending intent's next check by the reconciler (the item's sort key says it all)."""

    class QueuedRefund(Versioned):
        """A refund an administrator pays out by hand."""

    class LedgerEntry(Versioned):
        gsi1pk = UnicodeAttribute()
        gsi1sk = UnicodeAttribute()
        amount_xof = NumberAttribute()
        by_account = gsi1()

    return Models(
        IntentItem=IntentItem,
        ConsultationCopy=ConsultationCopy,
        IdempotencyKey=IdempotencyKey,
        DueCheck=DueCheck,
        QueuedRefund=QueuedRefund,
        LedgerEntry=LedgerEntry,
    )
