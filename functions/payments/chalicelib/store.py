"""The payments service's store on DynamoDB (`chalicelib.tables`): the `PaymentStore` port of
`chalicelib.service`, each unit of work one transaction with its outbox event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model

from keneya.events import Event
from keneya.outbox import OutboxTransaction

from . import tables
from .intents import Intent
from .ledger import LedgerTransaction, PostedEntry
from .service import Booking, KeyedRequest, ScheduledCheck, WriteConflict

PAYER_PAGE = 50
DUE_BATCH = 100
_DATES = ("created_at", "updated_at", "next_check_at", "due_at")


def dump(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else v)


def intent_of(item: Model) -> Intent:
    raw = json.loads(item.body)
    for name in _DATES:
        if raw.get(name):
            raw[name] = datetime.fromisoformat(raw[name])
    # An attribute another version of the service wrote and this one does not know is dropped.
    known = {f.name for f in fields(Intent)}
    return Intent(**{k: v for k, v in raw.items() if k in known})


class DynamoPaymentStore:
    """`PaymentStore` on the service's table: items as `chalicelib.tables` lays them out, each
    write under the condition on its version (or its absence) that makes a lost race fail."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.models = tables.models_for(table_name)

    # -- reads ----------------------------------------------------------------------------

    def intent(self, intent_id: str) -> Intent | None:
        item = self._intent_item(intent_id)
        return intent_of(item) if item else None

    def intents_of_payer(self, payer_id: str) -> list[Intent]:
        found = self.models.IntentItem.by_payer.query(
            tables.payer_pk(payer_id), scan_index_forward=False, limit=PAYER_PAGE
        )
        return [intent_of(item) for item in found]

    def booking(self, consultation_id: str) -> Booking | None:
        item = self._get(
            self.models.ConsultationCopy, tables.consultation_pk(consultation_id), tables.COPY_SK
        )
        if item is None:
            return None
        return Booking(consultation_id, json.loads(item.body), item.version)

    def keyed_request(self, payer_id: str, key: str) -> KeyedRequest | None:
        item = self._get(
            self.models.IdempotencyKey, tables.idempotency_pk(payer_id, key), tables.KEY_SK
        )
        if item is None:
            return None
        saved = json.loads(item.body)
        return KeyedRequest(payer_id, key, saved["intent_id"], saved["fingerprint"])

    def queued_refunds(self) -> list[dict[str, Any]]:
        return [json.loads(item.body) for item in self.models.QueuedRefund.query(tables.REFUNDS_PK)]

    def entries_of_account(self, account: str) -> list[PostedEntry]:
        found = []
        for item in self.models.LedgerEntry.by_account.query(tables.account_pk(account)):
            posted_at = datetime.fromisoformat(item.gsi1sk.split("#", 1)[0])
            kind = json.loads(item.body)["kind"]
            found.append(PostedEntry(account, int(item.amount_xof), kind, posted_at))
        return found

    def checks_due(self, now: datetime) -> list[ScheduledCheck]:
        DueCheck = self.models.DueCheck
        found = DueCheck.query(
            tables.DUE_PK, DueCheck.sk <= tables.due_until_sk(now), limit=DUE_BATCH
        )
        checks = []
        for item in found:
            at, intent_id = item.sk.split("#", 1)
            checks.append(ScheduledCheck(intent_id, tables.instant(at)))
        return checks

    # -- units of work --------------------------------------------------------------------

    def save_booking(self, booking: Booking) -> None:
        item = self._copy_item(booking)
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise WriteConflict(f"booking {booking.consultation_id} changed") from error
            raise

    def create(
        self, intent: Intent, booking: Booking, keyed: KeyedRequest | None, event: Event
    ) -> None:
        IntentItem = self.models.IntentItem
        with self._transaction() as tx:
            tx.save(self._intent_with(intent), condition=IntentItem.pk.does_not_exist())
            tx.save(self._copy_item(booking))
            tx.save(self._check_item(intent))
            if keyed:
                IdempotencyKey = self.models.IdempotencyKey
                saved = {"intent_id": keyed.intent_id, "fingerprint": keyed.fingerprint}
                tx.save(
                    IdempotencyKey(
                        tables.idempotency_pk(keyed.payer_id, keyed.key),
                        tables.KEY_SK,
                        body=dump(saved),
                    ),
                    condition=IdempotencyKey.pk.does_not_exist(),
                )
            tx.emit(event)

    def save_pending(self, intent: Intent) -> Intent:
        item = self._intent_item(intent.id)
        if item is None:
            return intent
        stored = intent_of(item)
        if not stored.live:
            return stored
        with self._transaction() as tx:
            tx.save(self._intent_with(intent, item))
            if self._check_sk(intent) != self._check_sk(stored):
                self._cancel_check(stored, tx)
                tx.save(self._check_item(intent))
        return intent

    def end(
        self, ended: Intent, event: Event, ledger: LedgerTransaction | None = None
    ) -> Intent | None:
        item = self._intent_item(ended.id)
        if item is None:
            return ended
        stored = intent_of(item)
        if not stored.live:
            return stored
        with self._transaction() as tx:
            tx.save(self._intent_with(ended, item))
            self._cancel_check(stored, tx)
            if ledger:
                self._post(ledger, tx)
            tx.emit(event)
        return None

    def queue_refund(self, queued: Intent, at: datetime) -> None:
        refund = {
            "payment_id": queued.id,
            "payer_id": queued.payer_id,
            "payer_phone": queued.payer_phone,
            "provider": queued.provider,
            "amount_xof": queued.amount_xof,
            "consultation_id": queued.consultation_id,
            "queued_at": at,
        }
        with self._transaction() as tx:
            tx.save(self._intent_with(queued, self._intent_item(queued.id)))
            tx.save(self.models.QueuedRefund(tables.REFUNDS_PK, queued.id, body=dump(refund)))

    def record_refund(
        self, done: Intent, ledger: LedgerTransaction, event: Event, *, was_queued: bool
    ) -> None:
        with self._transaction() as tx:
            tx.save(self._intent_with(done, self._intent_item(done.id)))
            if was_queued:
                tx.delete(
                    self.models.QueuedRefund(tables.REFUNDS_PK, done.id),
                    add_version_condition=False,
                )
            self._post(ledger, tx)
            tx.emit(event)

    def forget_check(self, check: ScheduledCheck) -> None:
        # A check is written once and never changed: its key is enough to delete it.
        self.models.DueCheck(tables.DUE_PK, tables.due_sk(check.intent_id, check.at)).delete(
            add_version_condition=False
        )

    # -- the items ------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[OutboxTransaction]:
        try:
            with OutboxTransaction(self.table_name) as tx:
                yield tx
        except TransactWriteError as error:
            raise WriteConflict(str(error)) from error

    @staticmethod
    def _get(model: type[Model], pk: str, sk: str) -> Any:
        try:
            return model.get(pk, sk, consistent_read=True)
        except model.DoesNotExist:
            return None

    def _intent_item(self, intent_id: str) -> Any:
        return self._get(self.models.IntentItem, tables.intent_pk(intent_id), tables.INTENT_SK)

    def _intent_with(self, intent: Intent, existing: Model | None = None) -> Model:
        """`existing` (as read, so that its version is checked) holding `intent`."""
        item = existing or self.models.IntentItem(tables.intent_pk(intent.id), tables.INTENT_SK)
        item.gsi1pk = tables.payer_pk(intent.payer_id)
        item.gsi1sk = f"{intent.created_at.isoformat()}#{intent.id}"
        item.body = dump(asdict(intent))
        return item

    def _copy_item(self, booking: Booking) -> Model:
        item = self.models.ConsultationCopy(
            tables.consultation_pk(booking.consultation_id),
            tables.COPY_SK,
            body=dump(booking.facts),
        )
        # Written back as read: the write's condition is on the version it was read at.
        if booking.version is not None:
            item.version = booking.version
        return item

    @staticmethod
    def _check_sk(intent: Intent) -> str | None:
        if intent.next_check_at is None:
            return None
        return tables.due_sk(intent.id, intent.next_check_at)

    def _check_item(self, intent: Intent) -> Model:
        assert intent.next_check_at is not None
        return self.models.DueCheck(tables.DUE_PK, tables.due_sk(intent.id, intent.next_check_at))

    def _cancel_check(self, stored: Intent, tx: OutboxTransaction) -> None:
        if stored.next_check_at is not None:
            tx.delete(
                self.models.DueCheck(tables.DUE_PK, tables.due_sk(stored.id, stored.next_check_at)),
                add_version_condition=False,
            )

    def _post(self, ledger: LedgerTransaction, tx: OutboxTransaction) -> None:
        LedgerEntry = self.models.LedgerEntry
        for n, entry in enumerate(ledger.entries):
            tx.save(
                LedgerEntry(
                    f"LEDGER#{ledger.id}",
                    f"ENTRY#{n}",
                    gsi1pk=tables.account_pk(entry.account),
                    gsi1sk=f"{ledger.posted_at.isoformat()}#{ledger.id}#{n}",
                    amount_xof=entry.amount_xof,
                    body=dump({"kind": ledger.kind, "payment_id": ledger.payment_id}),
                ),
                condition=LedgerEntry.pk.does_not_exist(),
            )
