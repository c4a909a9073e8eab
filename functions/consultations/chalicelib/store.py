"""The consultations table behind the service's port (`chalicelib.service.Store`; layout in
`chalicelib.tables`).

`commit` writes one `lifecycle.Change` in a single DynamoDB transaction: both views of the
consultation (on condition of the version read), the doctor's busy blocks (taken only if free),
the patient's agenda (on condition of its version), the consultation's next timer, the
Idempotency-Key record and the events (the outbox). Either all of it happens or none; when a
condition fails the caller learns which, as a domain error (`SlotTaken`) or `Stale` (read again
and retry).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from chalicelib.agenda import Hold, PatientAgenda
from chalicelib.blocks import block_key, blocks_of, floor_block, parse_block_key
from chalicelib.doctors import Doctor
from chalicelib.errors import InvalidCursor, SlotTaken
from chalicelib.lifecycle import Change, Consultation, Status, Timer, next_timer
from chalicelib.service import DueTimer, IdempotencyRecord, IdempotencyTaken, Page, Stale
from chalicelib.tables import (
    AGENDA_SK,
    BOOKING_SK,
    BUSY_PREFIX,
    DOCTOR_VIEW,
    DUE_PK,
    PATIENT_VIEW,
    PROFILE_SK,
    Models,
    consultation_pk,
    doctor_pk,
    from_sortable,
    participant_key,
    patient_pk,
    sortable,
)
from keneya.events import new_event
from keneya.outbox import OutboxTransaction

# Busy blocks and Idempotency-Key records are dropped by the table's TTL once useless.
BLOCKS_KEPT_AFTER_END = timedelta(days=30)
IDEMPOTENCY_KEPT_FOR = timedelta(hours=24)
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# DynamoDB's limit of items in one transaction.
MAX_TRANSACTION_ITEMS = 100


def _key_hash(patient_id: str, key: str) -> str:
    return hashlib.sha256(f"{patient_id}\n{key}".encode()).hexdigest()


def _timer_sk(timer: Timer, consultation_id: str) -> str:
    return f"{sortable(timer.due_at)}#{consultation_id}"


def _due_timer(sk: str, consultation_id: str, kind: str) -> DueTimer:
    due, _, _ = sk.partition("#")
    return DueTimer(from_sortable(due), consultation_id, kind, key=sk)


class TableStore:
    """`chalicelib.service.Store` on the service's DynamoDB table."""

    def __init__(self, models: Models) -> None:
        self.m = models

    # -- doctors ----------------------------------------------------------------------------

    def doctor(self, doctor_id: str) -> Doctor | None:
        try:
            item = self.m.DoctorItem.get(doctor_pk(doctor_id), PROFILE_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return Doctor.from_document(json.loads(item.document), int(item.version))

    def save_doctor(self, doctor: Doctor) -> None:
        """Write the copy on condition nobody wrote it since it was read (`Stale` otherwise)."""
        model = self.m.DoctorItem
        item = model(
            doctor_pk(doctor.doctor_id),
            PROFILE_SK,
            version=doctor.version + 1,
            document=json.dumps(doctor.to_document()),
        )
        condition = (
            model.pk.does_not_exist() if doctor.version == 0 else model.version == doctor.version
        )
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Stale() from None
            raise

    def busy_blocks(self, doctor_id: str, start: datetime, end: datetime) -> set[datetime]:
        """The doctor's blocks held by a consultation within [start, end). An eventually
        consistent read: a slot taken a moment ago may still show, and booking it is a 409."""
        model = self.m.BusyBlockItem
        low = BUSY_PREFIX + block_key(floor_block(start))
        high = BUSY_PREFIX + block_key(floor_block(end))
        return {
            parse_block_key(item.sk.removeprefix(BUSY_PREFIX))
            for item in model.query(
                doctor_pk(doctor_id), model.sk.between(low, high), attributes_to_get=["sk"]
            )
        }

    # -- consultations ----------------------------------------------------------------------

    def consultation(self, consultation_id: str) -> Consultation | None:
        if not _ID.match(consultation_id):
            return None  # no id of ours looks like that: not found, without asking DynamoDB
        try:
            item = self.m.ConsultationItem.get(
                consultation_pk(consultation_id), PATIENT_VIEW, consistent_read=True
            )
        except DoesNotExist:
            return None
        return _consultation(item)

    def agenda(self, patient_id: str) -> PatientAgenda:
        try:
            item = self.m.AgendaItem.get(patient_pk(patient_id), AGENDA_SK, consistent_read=True)
        except DoesNotExist:
            return PatientAgenda(patient_id)
        return PatientAgenda.from_document(patient_id, json.loads(item.holds), int(item.version))

    def idempotency(self, patient_id: str, key: str) -> IdempotencyRecord | None:
        try:
            item = self.m.IdempotencyItem.get(
                f"IDEMPOTENCY#{_key_hash(patient_id, key)}", BOOKING_SK, consistent_read=True
            )
        except DoesNotExist:
            return None
        return IdempotencyRecord(
            patient_id=item.patient_id,
            key=key,
            fingerprint=item.fingerprint,
            consultation_id=item.consultation_id,
            first_result=item.first_result,
        )

    def list_for(
        self,
        *,
        role: str,
        user_id: str,
        statuses: Iterable[Status] = (),
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
        descending: bool = False,
    ) -> Page:
        """One page of a participant's consultations by start time (gsi1)."""
        model = self.m.ConsultationItem
        partition = participant_key(role, user_id)
        # Sort keys are "<start>#<id>": a key is below `sortable(t)` exactly when it starts
        # before t, so [from, to) is between(from, to).
        condition = None
        if starts_from is not None and starts_before is not None:
            condition = model.gsi1sk.between(sortable(starts_from), sortable(starts_before))
        elif starts_from is not None:
            condition = model.gsi1sk >= sortable(starts_from)
        elif starts_before is not None:
            condition = model.gsi1sk < sortable(starts_before)
        wanted = [s.value for s in statuses]
        results = model.by_participant.query(
            partition,
            condition,
            filter_condition=model.status.is_in(*wanted) if wanted else None,
            scan_index_forward=not descending,
            limit=limit,
            page_size=limit if not wanted else max(limit, 50),
            last_evaluated_key=decode_cursor(cursor, partition) if cursor else None,
        )
        consultations = [_consultation(item) for item in results]
        last = results.last_evaluated_key
        return Page(consultations, encode_cursor(last) if last else None)

    def upcoming_of_doctor(self, doctor_id: str, after: datetime) -> list[Consultation]:
        model = self.m.ConsultationItem
        return [
            _consultation(item)
            for item in model.by_participant.query(
                doctor_pk(doctor_id),
                model.gsi1sk >= sortable(after),
                filter_condition=model.status.is_in(
                    Status.PENDING_PAYMENT.value, Status.CONFIRMED.value
                ),
            )
        ]

    def due_timers(self, as_of: datetime, limit: int = 200) -> list[DueTimer]:
        model = self.m.TimerItem
        bound = sortable(as_of.replace(microsecond=0) + timedelta(seconds=1))
        return [
            _due_timer(item.sk, item.consultation_id, item.kind)
            for item in model.query(DUE_PK, model.sk < bound, limit=limit, consistent_read=True)
        ]

    def drop_timer(self, timer: DueTimer) -> None:
        self.m.TimerItem(DUE_PK, timer.key).delete()

    # -- the one write ----------------------------------------------------------------------

    def commit(
        self,
        change: Change,
        *,
        now: datetime,
        agenda: PatientAgenda | None = None,
        idempotency: IdempotencyRecord | None = None,
    ) -> Consultation:
        """Write `change` atomically; returns the consultation as stored (new version)."""
        m = self.m
        before, after = change.before, change.after
        after = after.model_copy(update={"version": (before.version if before else 0) + 1})
        deletes: list[str] = []
        puts: list[str] = []
        tx = OutboxTransaction()

        document = after.model_dump_json()
        for view, role, user in (
            (PATIENT_VIEW, "patient", after.patient_id),
            (DOCTOR_VIEW, "doctor", after.doctor_id),
        ):
            item = m.ConsultationItem(
                consultation_pk(after.id),
                view,
                status=after.status.value,
                version=after.version,
                document=document,
                gsi1pk=participant_key(role, user),
                gsi1sk=f"{sortable(after.starts_at)}#{after.id}",
            )
            condition = (
                m.ConsultationItem.pk.does_not_exist()
                if before is None
                else m.ConsultationItem.version == before.version
            )
            tx.save(item, condition=condition)
            puts.append("consultation")

        blocks = blocks_of(after.starts_at, after.ends_at)
        if change.doctor_time == "hold":
            expires = after.ends_at + BLOCKS_KEPT_AFTER_END
            for block in blocks:
                tx.save(
                    m.BusyBlockItem(
                        doctor_pk(after.doctor_id),
                        BUSY_PREFIX + block_key(block),
                        consultation_id=after.id,
                        expires_at=expires,
                    ),
                    condition=m.BusyBlockItem.pk.does_not_exist(),
                )
                puts.append("block")
        elif change.doctor_time == "release":
            for block in blocks:
                tx.delete(
                    m.BusyBlockItem(doctor_pk(after.doctor_id), BUSY_PREFIX + block_key(block)),
                    condition=m.BusyBlockItem.pk.does_not_exist()
                    | (m.BusyBlockItem.consultation_id == after.id),
                )
                deletes.append("block")

        if change.patient_time is not None:
            current = agenda if agenda is not None else PatientAgenda(after.patient_id)
            if change.patient_time == "hold":
                updated: PatientAgenda | None = current.holding(
                    Hold(after.id, after.starts_at, after.ends_at), now
                )
            elif current.holds_consultation(after.id):
                updated = current.releasing(after.id, now)
            else:
                updated = None
            if updated is not None:
                tx.save(
                    m.AgendaItem(
                        patient_pk(after.patient_id),
                        AGENDA_SK,
                        version=current.version + 1,
                        holds=json.dumps(updated.to_document()),
                    ),
                    condition=m.AgendaItem.pk.does_not_exist()
                    if current.version == 0
                    else m.AgendaItem.version == current.version,
                )
                puts.append("agenda")

        old_timer = next_timer(before) if before else None
        new_timer = next_timer(after)
        if old_timer != new_timer:
            old_sk = _timer_sk(old_timer, after.id) if old_timer else None
            new_sk = _timer_sk(new_timer, after.id) if new_timer else None
            if old_sk and old_sk != new_sk:
                tx.delete(m.TimerItem(DUE_PK, old_sk))
                deletes.append("timer")
            if new_timer and new_sk:
                tx.save(m.TimerItem(DUE_PK, new_sk, consultation_id=after.id, kind=new_timer.kind))
                puts.append("timer")

        if idempotency is not None:
            tx.save(
                m.IdempotencyItem(
                    f"IDEMPOTENCY#{_key_hash(idempotency.patient_id, idempotency.key)}",
                    BOOKING_SK,
                    patient_id=idempotency.patient_id,
                    consultation_id=idempotency.consultation_id,
                    fingerprint=idempotency.fingerprint,
                    first_result=document,
                    expires_at=now + IDEMPOTENCY_KEPT_FOR,
                ),
                condition=m.IdempotencyItem.pk.does_not_exist(),
            )
            puts.append("idempotency")

        for emitted in change.events:
            tx.emit(new_event(emitted.type, emitted.data))
            puts.append("outbox")

        if len(deletes) + len(puts) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a change of {len(deletes) + len(puts)} items cannot be atomic")
        try:
            with tx:
                pass
        except TransactWriteError as error:
            raise _failure(error, deletes + puts) from None
        return after


def _consultation(item: Any) -> Consultation:
    return Consultation.model_validate_json(item.document).model_copy(
        update={"version": int(item.version)}
    )


def _failure(error: TransactWriteError, tags: list[str]) -> Exception:
    """The domain meaning of a cancelled transaction (items in PynamoDB's order: deletes, then
    puts, as `tags` lists them)."""
    if error.cause_response_code != "TransactionCanceledException":
        return error
    failed = {
        tags[index]
        for index, reason in enumerate(error.cancellation_reasons or [])
        if reason is not None and reason.code == "ConditionalCheckFailed" and index < len(tags)
    }
    if "consultation" in failed or "agenda" in failed:
        return Stale()
    if "idempotency" in failed:
        return IdempotencyTaken()
    if "block" in failed:
        return SlotTaken()
    # TransactionConflict (another transaction on the same items at that instant): retry.
    return Stale()


# -- pagination cursors ------------------------------------------------------------------------


def encode_cursor(last_evaluated_key: dict[str, Any]) -> str:
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, partition: str) -> dict[str, Any]:
    """The query position in `cursor`, if it is one of this participant's (else InvalidCursor)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        raise InvalidCursor() from None
    if not isinstance(key, dict) or set(key) != {"pk", "sk", "gsi1pk", "gsi1sk"}:
        raise InvalidCursor()
    values = {
        name: (value or {}).get("S") if isinstance(value, dict) else None
        for name, value in key.items()
    }
    if any(not isinstance(v, str) for v in values.values()):
        raise InvalidCursor()
    if values["gsi1pk"] != partition or not values["pk"].startswith("CONSULTATION#"):
        raise InvalidCursor()
    if values["sk"] not in (PATIENT_VIEW, DOCTOR_VIEW):
        raise InvalidCursor()
    return key
