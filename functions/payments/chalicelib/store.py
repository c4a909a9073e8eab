"""The payments table: intents, copies of consultations, idempotency keys, the reconciliation
queue, refunds awaiting an administrator, and ledger entries (one item per entry).

    PAYMENT#<id> / INTENT          gsi1: PAYER#<payer> / <created_at>#<id>
    CONSULTATION#<id> / COPY       what `consultation.booked` said, and the live intent
    IDEMPOTENCY#<payer>#<key> / KEY
    DUE / <when>#<intent id>       pending intents, by when the reconciler checks them
    REFUNDS / <payment id>         refunds queued for an administrator
    LEDGER#<txn> / ENTRY#<n>       gsi1: ACCOUNT#<account> / <posted_at>#<txn>#<n>
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from keneya.aws import table_meta
from keneya.config import settings

from .intents import Intent
from .ledger import LedgerTransaction, PostedEntry


class ByGsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


@cache
def item_model() -> type[Model]:
    class Item(Model):
        Meta = table_meta(settings().table_name)
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        gsi1pk = UnicodeAttribute(null=True)
        gsi1sk = UnicodeAttribute(null=True)
        body = UnicodeAttribute(default="{}")
        amount_xof = NumberAttribute(null=True)
        version = VersionAttribute()
        by_gsi1 = ByGsi1()

    return Item


def dump(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else v)


_DATES = ("created_at", "updated_at", "next_check_at", "due_at")


def intent_item(intent: Intent, existing: Model | None = None) -> Model:
    item = existing or item_model()(f"PAYMENT#{intent.id}", "INTENT")
    item.gsi1pk = f"PAYER#{intent.payer_id}"
    item.gsi1sk = f"{intent.created_at.isoformat()}#{intent.id}"
    item.body = dump(asdict(intent))
    return item


def intent_of(item: Model) -> Intent:
    raw = json.loads(item.body)
    for name in _DATES:
        if raw.get(name):
            raw[name] = datetime.fromisoformat(raw[name])
    known = {f.name for f in fields(Intent)}
    return Intent(**{k: v for k, v in raw.items() if k in known})


def get(pk: str, sk: str) -> Model | None:
    try:
        return item_model().get(pk, sk, consistent_read=True)
    except item_model().DoesNotExist:
        return None


def intent_items_of_payer(payer_id: str, limit: int = 50) -> Iterator[Model]:
    return item_model().by_gsi1.query(f"PAYER#{payer_id}", scan_index_forward=False, limit=limit)


def body_of(item: Model) -> dict[str, Any]:
    return json.loads(item.body)


def ledger_items(txn: LedgerTransaction) -> list[Model]:
    items = []
    for n, entry in enumerate(txn.entries):
        items.append(
            item_model()(
                f"LEDGER#{txn.id}",
                f"ENTRY#{n}",
                gsi1pk=f"ACCOUNT#{entry.account}",
                gsi1sk=f"{txn.posted_at.isoformat()}#{txn.id}#{n}",
                amount_xof=entry.amount_xof,
                body=dump({"kind": txn.kind, "payment_id": txn.payment_id}),
            )
        )
    return items


def entries_of_account(account: str) -> list[PostedEntry]:
    found = []
    for item in item_model().by_gsi1.query(f"ACCOUNT#{account}"):
        posted_at = datetime.fromisoformat(item.gsi1sk.split("#", 1)[0])
        found.append(PostedEntry(account, int(item.amount_xof), body_of(item)["kind"], posted_at))
    return found


def moment(at: datetime) -> str:
    """A UTC time that sorts as text (fixed width)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def due_key(intent: Intent) -> str:
    assert intent.next_check_at is not None
    return f"{moment(intent.next_check_at)}#{intent.id}"


def due_items(now: datetime, limit: int = 100) -> list[Model]:
    """Pending intents due by `now`, the longest overdue first."""
    Item = item_model()
    return list(Item.query("DUE", Item.sk <= f"{moment(now)}#~", limit=limit))
